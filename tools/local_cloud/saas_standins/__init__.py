"""Stand-ins for the SaaS tools the registry reaches over HTTP: for the local cloud, demonstrations
and tests only.

Each tool's stand-in is an HTTP server of its own on the loopback interface
(``SaasStandIn(vendor).start()``; ``base_url`` is where it listens). The local cloud starts one per
tool with a definition and a vendor module, and sets the template.yaml parameter that fills the
definition's ``base_url_env`` in the functions' environment to its ``base_url`` (see
``local_cloud.cloud``): the same variable that points a deployed desk at a vendor's sandbox.

Every request is, in order: checked for the vendor's credentials (401 otherwise); counted against
the fault switch (``fail_every(n)``: every n-th request answers 429 with Retry-After); checked
with ``vendor_apis.request_problems`` against the vendor's own API document, and refused with
400 in the vendor's error shape when the document would refuse it (method, path, parameters,
body); and only then answered by the vendor module, from the people it was seeded with. Each
request's arrival time (``time.monotonic()``), method, path and answer are kept in ``log``.

The per-vendor module interface: a module ``local_cloud.saas_standins.<tool>`` defines a subclass
of ``Vendor`` named ``StandIn`` with

- ``tool``: the definition's name (``stripe``), which is also its API document's folder;
- ``secret``: the credentials the demonstration secret holds (a JSON object, as in Secrets
  Manager), and ``authorized(headers)``, whether a request carries them;
- ``settings`` (if the definition has any): each setting's value for the stand-in's account,
  which the local cloud gives the functions as a deployment would (``saas_standins.running``);
- ``__init__(people)``: seeded from the demonstration people (``local_cloud.demo_data.PEOPLE``);
- ``error(status, message)``: the body the vendor answers an error with;
- ``answer(request)``: an ``Answer`` (status, JSON body, headers) to a request the document allows;

and, beside the class, may define ``held(people)``: the demonstration people it holds records of
(the README's table of demonstration subjects names the system for them).
"""

from __future__ import annotations

import importlib
import json
import threading
import time
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar, NamedTuple
from urllib.parse import parse_qsl, urlsplit

from local_cloud.http_server import LocalHTTPServer
from vendor_apis import FORM, JSON, has_document, request_problems

MAX_BODY_BYTES = 256 * 1024
MAX_LOG = 10_000


class StandInRequest(NamedTuple):
    method: str
    path: str
    query: dict[str, str]
    """Each parameter's last value, as sent (bracketed keys as they are: ``created[gt]``)."""
    body: Any
    """The decoded JSON body, or the form-encoded pairs as a dict; None without a body."""
    headers: Mapping[str, str]


class Answer(NamedTuple):
    status: int
    body: Any
    headers: Mapping[str, str] = {}


class LoggedRequest(NamedTuple):
    at: float
    method: str
    path: str
    status: int


class Vendor:
    """What a vendor's stand-in module implements (see the module's docstring)."""

    tool: ClassVar[str]
    secret: ClassVar[dict[str, str]]
    settings: ClassVar[dict[str, str]] = {}
    """The definition's settings as the stand-in's account has them (Mailchimp's list id)."""

    def authorized(self, headers: Mapping[str, str]) -> bool:
        raise NotImplementedError

    def error(self, status: int, message: str) -> Any:
        raise NotImplementedError

    def answer(self, request: StandInRequest) -> Answer:
        raise NotImplementedError


def vendor_stand_in(tool: str, people: list[dict[str, Any]]) -> Vendor:
    """The stand-in vendor module's ``StandIn`` for ``tool``, seeded with ``people``."""
    module = importlib.import_module(f"local_cloud.saas_standins.{tool}")
    vendor: Vendor = module.StandIn(people)
    return vendor


POLL_SECONDS = 0.05
"""How often a stand-in's server looks for a stop: a local cloud stops five of them, and the
default half second each made every local cloud's stop wait 2.5 s."""


class SaasStandIn:
    def __init__(self, vendor: Vendor) -> None:
        self.vendor = vendor
        self.log: list[LoggedRequest] = []
        self._fail_every = 0
        self._retry_after = "1"
        self._count = 0
        self._lock = threading.Lock()
        self._server: LocalHTTPServer | None = None

    @property
    def tool(self) -> str:
        return self.vendor.tool

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError(f"the {self.tool} stand-in is not started")
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def fail_every(self, n: int, retry_after: str = "1") -> None:
        """Every n-th request (counted from now) answers 429 with ``Retry-After``; 0: never."""
        with self._lock:
            self._fail_every, self._retry_after, self._count = n, retry_after, 0

    def start(self) -> SaasStandIn:
        self._server = LocalHTTPServer(("127.0.0.1", 0), _handler_for(self))
        threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": POLL_SECONDS},
            name=f"saas-{self.tool}",
            daemon=True,
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def handle(self, request: StandInRequest, raw_query: str, raw_body: bytes, content_type: str) -> Answer:
        arrived = time.monotonic()
        answer = self._answer(request, raw_query, raw_body, content_type)
        with self._lock:
            if len(self.log) < MAX_LOG:
                self.log.append(LoggedRequest(arrived, request.method, request.path, answer.status))
        return answer

    def _answer(self, request: StandInRequest, raw_query: str, raw_body: bytes, content_type: str) -> Answer:
        vendor = self.vendor
        if not vendor.authorized(request.headers):
            return Answer(HTTPStatus.UNAUTHORIZED, vendor.error(401, "Invalid API credentials"))
        with self._lock:
            self._count += 1
            throttled = self._fail_every and self._count % self._fail_every == 0
        if throttled:
            message = "Too many requests: slow down"
            return Answer(
                HTTPStatus.TOO_MANY_REQUESTS, vendor.error(429, message), {"Retry-After": self._retry_after}
            )
        if has_document(self.tool):
            problems = request_problems(
                self.tool, request.method, request.path, raw_query, raw_body or None, content_type or None
            )
            if problems:
                return Answer(HTTPStatus.BAD_REQUEST, vendor.error(400, "; ".join(problems)))
        return vendor.answer(request)


def _handler_for(stand_in: SaasStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            """Quiet: the stand-in keeps its own log."""

        def _serve(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self._send(Answer(413, stand_in.vendor.error(413, "Request body too large")))
                return
            raw_body = self.rfile.read(length) if length else b""
            content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            try:
                body = _decoded_body(raw_body, content_type)
            except ValueError:
                self._send(Answer(400, stand_in.vendor.error(400, "The body could not be read")))
                return
            request = StandInRequest(
                method=self.command,
                path=url.path,
                query=dict(parse_qsl(url.query, keep_blank_values=True)),
                body=body,
                headers={k.lower(): v for k, v in self.headers.items()},
            )
            self._send(stand_in.handle(request, url.query, raw_body, content_type))

        def _send(self, answer: Answer) -> None:
            """A 204 (``body`` None: Mailchimp's tags, HubSpot's GDPR delete) goes without content."""
            no_content = answer.status == HTTPStatus.NO_CONTENT
            payload = b"" if no_content else json.dumps(answer.body).encode("utf-8")
            self.send_response(answer.status)
            if not no_content:
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve  # noqa: N815 - http.server's names

    return Handler


def _decoded_body(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    if content_type == FORM:
        return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    if content_type in (JSON, ""):
        return json.loads(raw)
    raise ValueError(content_type)
