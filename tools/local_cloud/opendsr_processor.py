"""A demonstration OpenDSR 2.0 processor, for the local cloud, demonstrations and tests only.

It plays a subprocessor (by default ``payments.example``) on the loopback interface: it serves
``GET /discovery`` and its certificate, accepts requests on ``/requests`` (and on the OpenGDPR 1
routes, ``/opengdpr_requests``), keeps them in memory, moves each one to ``in_progress`` and then
``completed`` on a timer, and POSTs a signed status callback to every ``status_callback_url`` at
each step (``X-OpenDSR-*`` headers, or ``X-OpenGDPR-*`` for requests that came in on the v1 route).

The signing key and its self-signed certificate are generated at ``start`` (unless it is given
an ``identity`` made by ``generate_identity``) and live only in memory. Callback URLs must be on
the loopback interface; bodies, stored requests and the delivery log are bounded; ``stop`` cancels
pending timers and closes the socket.

What it holds is ``holdings``: per email address, the records it keeps about that person; the
results of an access request are the records of the person the request names (an empty list when
it holds nothing about them).

Switches for demonstrations and tests: ``fail_next(n)`` (the next n creates answer 503),
``never_answer`` (accept, then never move or call back) and ``delay_seconds`` (per step).
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any, Literal, Self
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from pydantic import ValidationError

from dsr.fulfilment.opendsr import (
    API_VERSION,
    V1_DOMAIN_HEADER,
    V1_REQUESTS_ROUTE,
    V1_SIGNATURE_HEADER,
    V2_DOMAIN_HEADER,
    V2_SIGNATURE_HEADER,
    Discovery,
    IdentityFormat,
    ProcessingStatus,
    RequestStatus,
    SubjectRequest,
    SubjectRequestType,
    SupportedIdentity,
    hash_identity,
    status_document,
)
from local_cloud.http_server import LocalHTTPServer

logger = logging.getLogger(__name__)

CERTIFICATE_PATH = "/.well-known/opendsr-certificate.pem"
MAX_BODY_BYTES = 64 * 1024
MAX_REQUESTS = 1000
MAX_DELIVERIES_KEPT = 1000
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_REQUEST_ROUTE = re.compile(r"^/(requests|opengdpr_requests)(?:/([^/]+))?$")
_RESULTS_ROUTE = re.compile(r"^/results/([^/]+)$")
_EXPORTS = frozenset({SubjectRequestType.ACCESS, SubjectRequestType.PORTABILITY})

KeyType = Literal["rsa", "ec"]
SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "application/json"


@dataclass(frozen=True)
class Delivery:
    """One callback POST: where, which status, and how it went (no bodies, no identities)."""

    subject_request_id: str
    url: str
    request_status: str
    http_status: int | None
    error: str | None = None


@dataclass
class _Record:
    request: SubjectRequest
    status: ProcessingStatus
    received_time: datetime
    expected_completion_time: datetime
    v1: bool
    raw: bytes = field(repr=False)


def _json(status: int, document: dict[str, Any]) -> Reply:
    return Reply(status, json.dumps(document).encode())


def _error(status: HTTPStatus, message: str) -> Reply:
    return _json(status, {"error": {"code": status.value, "message": message}})


def is_loopback_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and parts.hostname in LOOPBACK_HOSTS


def generate_identity(
    domain: str, key_type: KeyType, now: datetime, lifetime: timedelta
) -> tuple[SigningKey, bytes]:
    """A fresh key and a self-signed certificate for ``domain`` (subjectAltName and common name)."""
    key: SigningKey = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if key_type == "rsa"
        else ec.generate_private_key(ec.SECP256R1())
    )
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + lifetime)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate.public_bytes(serialization.Encoding.PEM)


def sign(key: SigningKey, data: bytes) -> str:
    """Base64 of the SHA-256 signature over ``data`` (RSA PKCS#1 v1.5, or ECDSA)."""
    if isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    else:
        signature = key.sign(data, ec.ECDSA(hashes.SHA256()))
    return base64.b64encode(signature).decode("ascii")


class DemoOpenDsrProcessor:
    """An OpenDSR processor on ``127.0.0.1``; ``start()`` it (or use ``with``) and ``stop()`` it."""

    def __init__(
        self,
        domain: str = "payments.example",
        *,
        delay_seconds: float = 0.2,
        never_answer: bool = False,
        api_version: str = API_VERSION,
        key_type: KeyType = "rsa",
        certificate_lifetime: timedelta = timedelta(days=1),
        callback_timeout: float = 2.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        holdings: Mapping[str, list[dict[str, Any]]] | None = None,
        identity: tuple[SigningKey, bytes] | None = None,
    ) -> None:
        self.domain = domain
        self.holdings = dict(holdings or {})
        self.delay_seconds = delay_seconds
        self.never_answer = never_answer
        self.api_version = api_version
        self._key_type: KeyType = key_type
        self._certificate_lifetime = certificate_lifetime
        self._identity = identity
        self._callback_timeout = callback_timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._requests: dict[str, _Record] = {}
        self._failures_left = 0
        self._deliveries: deque[Delivery] = deque(maxlen=MAX_DELIVERIES_KEPT)
        self._timers: set[threading.Timer] = set()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._key: SigningKey | None = None
        self._certificate_pem = b""
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    # --- life cycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        if self._server is not None:
            raise RuntimeError("the demonstration processor is already running")
        self._key, self._certificate_pem = self._identity or generate_identity(
            self.domain, self._key_type, self._clock(), self._certificate_lifetime
        )
        self._stopping.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # so that stop() returns promptly
            name=f"opendsr-{self.domain}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            timers, self._timers = list(self._timers), set()
        for timer in timers:
            timer.cancel()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        for timer in timers:
            timer.join(timeout=self._callback_timeout + 1)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what callers see ---------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the demonstration processor is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def certificate_url(self) -> str:
        return self.base_url + CERTIFICATE_PATH

    @property
    def certificate_pem(self) -> bytes:
        return self._certificate_pem

    def fail_next(self, count: int) -> None:
        """The next ``count`` create calls answer 503 (a transient failure)."""
        with self._lock:
            self._failures_left = max(0, count)

    def status_of(self, subject_request_id: str) -> ProcessingStatus | None:
        with self._lock:
            record = self._requests.get(subject_request_id)
            return record.status if record else None

    @property
    def deliveries(self) -> list[Delivery]:
        with self._lock:
            return list(self._deliveries)

    # --- the protocol -------------------------------------------------------------------------

    def handle(self, method: str, path: str, body: bytes) -> Reply:
        """Answer one HTTP request (also callable directly, without a socket)."""
        if path == "/discovery" and method == "GET":
            return Reply(200, self.discovery().model_dump_json(exclude_none=True).encode())
        if path == CERTIFICATE_PATH and method == "GET":
            return Reply(200, self._certificate_pem, "application/x-pem-file")
        match = _REQUEST_ROUTE.fullmatch(path)
        if match:
            return self._handle_requests(method, match.group(1), match.group(2), body)
        results = _RESULTS_ROUTE.fullmatch(path)
        if results and method == "GET":
            return self._results(results.group(1))
        return _error(HTTPStatus.NOT_FOUND, "no such route")

    def discovery(self) -> Discovery:
        return Discovery(
            api_version=self.api_version,
            supported_identities=[
                SupportedIdentity(identity_type="email", identity_format=f)
                for f in (IdentityFormat.RAW, IdentityFormat.SHA256)
            ],
            supported_subject_request_types=[t.value for t in SubjectRequestType],
            processor_certificate=self.certificate_url,
        )

    def _handle_requests(self, method: str, route: str, subject_request_id: str | None, body: bytes) -> Reply:
        v1 = route == V1_REQUESTS_ROUTE.lstrip("/")
        if subject_request_id is None:
            return self._create(body, v1) if method == "POST" else _error(HTTPStatus.METHOD_NOT_ALLOWED, "")
        if method == "GET":
            return self._status(subject_request_id)
        if method == "DELETE":
            return self._cancel(subject_request_id)
        return _error(HTTPStatus.METHOD_NOT_ALLOWED, "GET or DELETE")

    def _create(self, body: bytes, v1: bool) -> Reply:
        with self._lock:
            if self._failures_left > 0:
                self._failures_left -= 1
                return _error(HTTPStatus.SERVICE_UNAVAILABLE, "temporarily unavailable")
        try:
            request = SubjectRequest.model_validate_json(body)
        except ValidationError as error:
            fields = sorted({".".join(str(p) for p in issue["loc"]) for issue in error.errors()})
            return _error(HTTPStatus.BAD_REQUEST, "invalid fields: " + ", ".join(fields))
        if not all(is_loopback_url(url) for url in request.status_callback_urls):
            return _error(HTTPStatus.BAD_REQUEST, "status_callback_urls must be on the loopback interface")
        return self._accept(request, body, v1)

    def _accept(self, request: SubjectRequest, body: bytes, v1: bool) -> Reply:
        now = self._clock()
        with self._lock:
            existing = self._requests.get(request.subject_request_id)
            if existing is not None:
                if existing.request != request:
                    return _error(HTTPStatus.CONFLICT, "subject_request_id already used for another request")
                return Reply(201, status_document(self._status_document(existing, receipt=True)))
            if len(self._requests) >= MAX_REQUESTS:
                return _error(HTTPStatus.SERVICE_UNAVAILABLE, "too many requests held")
            record = _Record(
                request=request,
                status=ProcessingStatus.PENDING,
                received_time=now,
                expected_completion_time=now + timedelta(seconds=2 * self.delay_seconds),
                v1=v1,
                raw=body,
            )
            self._requests[request.subject_request_id] = record
            answer = self._status_document(record, receipt=True)
        if not self.never_answer:
            self._schedule(self.delay_seconds, request.subject_request_id, ProcessingStatus.IN_PROGRESS)
        logger.info("opendsr demo accepted %s", request.subject_request_id)
        return Reply(201, status_document(answer))

    def _status(self, subject_request_id: str) -> Reply:
        with self._lock:
            record = self._requests.get(subject_request_id)
            if record is None:
                return _error(HTTPStatus.NOT_FOUND, "no such request")
            return Reply(200, status_document(self._status_document(record)))

    def _cancel(self, subject_request_id: str) -> Reply:
        with self._lock:
            record = self._requests.get(subject_request_id)
            if record is None:
                return _error(HTTPStatus.NOT_FOUND, "no such request")
            if record.status is not ProcessingStatus.PENDING:
                return _error(HTTPStatus.CONFLICT, f"the request is {record.status.value}; only pending ones")
            record.status = ProcessingStatus.CANCELLED
            answer = self._status_document(record)
        if not self.never_answer:
            self._schedule(0, subject_request_id, ProcessingStatus.CANCELLED)
        return Reply(200, status_document(answer))

    def _results(self, subject_request_id: str) -> Reply:
        with self._lock:
            record = self._requests.get(subject_request_id)
            if record is None or record.status is not ProcessingStatus.COMPLETED:
                return _error(HTTPStatus.NOT_FOUND, "no results")
            request = record.request
        return Reply(200, json.dumps(self.records_of(request)).encode())

    def records_of(self, request: SubjectRequest) -> list[dict[str, Any]]:
        """The records held about the person the request names, found by each email identity
        in the format the request gives it (hashed, as the discovery document asks)."""
        found: list[dict[str, Any]] = []
        for identity in request.subject_identities:
            if identity.identity_type != "email":
                continue
            for email, records in self.holdings.items():
                if hash_identity(email, identity.identity_format) == identity.identity_value:
                    found.extend(records)
        return found

    def _status_document(self, record: _Record, *, receipt: bool = False) -> RequestStatus:
        request = record.request
        completed_export = (
            record.status is ProcessingStatus.COMPLETED and request.subject_request_type in _EXPORTS
        )
        encoded = base64.b64encode(record.raw).decode("ascii") if receipt else None
        return RequestStatus(
            subject_request_id=request.subject_request_id,
            request_status=record.status,
            api_version=self.api_version,
            received_time=record.received_time,
            expected_completion_time=record.expected_completion_time,
            encoded_request=encoded,
            processor_signature=sign(self._signing_key, encoded.encode()) if encoded else None,
            results_url=f"{self.base_url}/results/{request.subject_request_id}" if completed_export else None,
        )

    @property
    def _signing_key(self) -> SigningKey:
        if self._key is None:
            raise RuntimeError("the demonstration processor is not running")
        return self._key

    # --- progress and callbacks ---------------------------------------------------------------

    def _schedule(self, delay: float, subject_request_id: str, to: ProcessingStatus) -> None:
        timer: threading.Timer

        def run() -> None:
            try:
                self._advance(subject_request_id, to)
            finally:
                with self._lock:
                    self._timers.discard(timer)

        timer = threading.Timer(delay, run)
        timer.daemon = True
        with self._lock:
            if self._stopping.is_set():
                return
            self._timers.add(timer)
        timer.start()

    def _advance(self, subject_request_id: str, to: ProcessingStatus) -> None:
        with self._lock:
            record = self._requests.get(subject_request_id)
            if record is None or self._stopping.is_set():
                return
            if to is not ProcessingStatus.CANCELLED:
                if record.status in {ProcessingStatus.COMPLETED, ProcessingStatus.CANCELLED}:
                    return
                record.status = to
            status = self._status_document(record)
            urls = list(record.request.status_callback_urls)
            v1 = record.v1
        for url in urls:
            self._deliver(url, status, v1)
        if to is ProcessingStatus.IN_PROGRESS:
            self._schedule(self.delay_seconds, subject_request_id, ProcessingStatus.COMPLETED)

    def _deliver(self, url: str, status: RequestStatus, v1: bool) -> None:
        body = status_document(status.model_copy(update={"status_callback_url": url}))
        domain_header, signature_header = (
            (V1_DOMAIN_HEADER, V1_SIGNATURE_HEADER) if v1 else (V2_DOMAIN_HEADER, V2_SIGNATURE_HEADER)
        )
        headers = {
            "Content-Type": "application/json",
            domain_header: self.domain,
            signature_header: sign(self._signing_key, body),
        }
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (loopback)
        http_status: int | None = None
        error: str | None = None
        try:
            with self._opener.open(request, timeout=self._callback_timeout) as answer:
                http_status = answer.status
        except urllib.error.HTTPError as refused:
            http_status = refused.code
            refused.close()
        except (urllib.error.URLError, OSError) as failed:
            error = type(failed).__name__
        delivery = Delivery(status.subject_request_id, url, str(status.request_status), http_status, error)
        with self._lock:
            self._deliveries.append(delivery)


def _content_length(value: str | None) -> int:
    """The declared body length; -1 when it is not a number."""
    try:
        return int(value or 0)
    except ValueError:
        return -1


class _Server(LocalHTTPServer):
    def __init__(self, processor: DemoOpenDsrProcessor) -> None:
        self.processor = processor
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 5

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def do_DELETE(self) -> None:
        self._answer("DELETE")

    def _answer(self, method: str) -> None:
        length = _content_length(self.headers.get("Content-Length"))
        if length < 0:
            reply = _error(HTTPStatus.BAD_REQUEST, "Content-Length is not a number")
        elif length > MAX_BODY_BYTES:
            reply = _error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"at most {MAX_BODY_BYTES} bytes")
        else:
            body = self.rfile.read(length) if length > 0 else b""
            reply = self.server.processor.handle(method, urlsplit(self.path).path, body)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: the access log would carry request ids in paths, nothing useful for a demo."""
