"""Talking to an OpenDSR processor over HTTPS: discovery, posting a subject request, reading and
withdrawing it, and fetching the certificate its callbacks are signed with. Answers are read up to
a limit, redirects are not followed, and an error names the method, route and status, never a
body. The documents are ``dsr.fulfilment.opendsr``'s; the callbacks ``dsr.fulfilment.opendsr_callbacks``'.
"""

import http.client
import re
import urllib.error
import urllib.request
from typing import Any, Protocol, Self, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from dsr.fulfilment.opendsr import (
    DEFAULT_TIMEOUT_SECONDS,
    DISCOVERY_ROUTE,
    MAX_ANSWER_BYTES,
    UUID4_PATTERN,
    V1_REQUESTS_ROUTE,
    V2_REQUESTS_ROUTE,
    Discovery,
    ProcessingStatus,
    RequestStatus,
    SubjectRequest,
)

_UUID4 = re.compile(UUID4_PATTERN)
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

# --- talking to a processor -----------------------------------------------------------------


class ProcessorError(Exception):
    """The processor refused or could not be understood. ``status_code`` is None without an answer."""

    def __init__(self, status_code: int | None, message: str) -> None:
        super().__init__(f"{status_code or 'no answer'}: {message}")
        self.status_code = status_code
        self.message = message


class TransientProcessorError(ProcessorError):
    """Worth retrying (429, 5xx, timeouts, refused connections): a Step Functions Retry names this class."""

    def __init__(self, status_code: int | None, message: str, retry_after: str | None = None) -> None:
        super().__init__(status_code, message)
        self.retry_after = retry_after


class Answer(Protocol):
    """The part of an HTTP response the client reads (what ``urllib`` openers return)."""

    status: int

    def read(self, amt: int, /) -> bytes: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc: object) -> Any: ...


class Opener(Protocol):
    """The part of ``urllib.request.OpenerDirector`` the client uses; tests hand in fakes."""

    def open(self, fullurl: urllib.request.Request, data: None = None, timeout: float = ...) -> Answer: ...


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A processor that redirects is answered as refused: a POST must not turn into a GET elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def default_opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_NoRedirects())


def check_url(url: str) -> str:
    """Processors are called over HTTPS; plain HTTP only on the loopback interface (local demos)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS:
        return url
    raise ValueError("a processor URL must be https, or http on the loopback interface")


def requests_route(api_version: str) -> str:
    """Where requests live: OpenGDPR 1 processors (``0.x``, ``1.x``) use ``/opengdpr_requests``."""
    return V1_REQUESTS_ROUTE if api_version.startswith(("0.", "1.")) else V2_REQUESTS_ROUTE


def _error_for(status_code: int, what: str, retry_after: str | None = None) -> ProcessorError:
    message = f"{what} answered HTTP {status_code}"
    if status_code == 429 or status_code >= 500:
        return TransientProcessorError(status_code, message, retry_after)
    return ProcessorError(status_code, message)


def _checked_id(subject_request_id: str) -> str:
    if not _UUID4.fullmatch(subject_request_id):
        raise ValueError("subject_request_id must be a lowercase UUIDv4")
    return subject_request_id


class OpenDsrClient:
    """One processor, at ``base_url``. Every call is bounded by ``timeout`` and by answer size."""

    def __init__(
        self, base_url: str, *, timeout: float = DEFAULT_TIMEOUT_SECONDS, opener: Opener | None = None
    ) -> None:
        self._base_url = check_url(base_url.rstrip("/"))
        self._timeout = timeout
        self._opener: Opener = opener if opener is not None else default_opener()
        self._discovery: Discovery | None = None

    def discover(self) -> Discovery:
        """Fetch (again) the processor's discovery document; later calls use the last one fetched."""
        answer = self._call("GET", self._base_url + DISCOVERY_ROUTE, expected=200)
        self._discovery = _parse(Discovery, answer, "GET /discovery")
        return self._discovery

    @property
    def discovery(self) -> Discovery:
        return self._discovery if self._discovery is not None else self.discover()

    @property
    def route(self) -> str:
        """``/requests`` or, for an OpenGDPR 1 processor, ``/opengdpr_requests``."""
        return requests_route(self.discovery.api_version)

    def create(self, request: SubjectRequest) -> RequestStatus:
        """Post the request (201 expected). An OpenGDPR 1 processor is sent its own api_version."""
        discovery = self.discovery
        if discovery.speaks_v1:
            request = request.model_copy(update={"api_version": discovery.api_version})
        reply = self._call("POST", self._base_url + self.route, request.to_json(), expected=201)
        answer = _parse(RequestStatus, reply, f"POST {self.route}")
        if answer.subject_request_id != request.subject_request_id:
            raise ProcessorError(201, f"POST {self.route} answered for another subject_request_id")
        if answer.request_status is None:  # a 201 is an acceptance: the request is pending
            answer = answer.model_copy(update={"request_status": ProcessingStatus.PENDING})
        return answer

    def status(self, subject_request_id: str) -> RequestStatus:
        path = f"{self.route}/{_checked_id(subject_request_id)}"
        return _parse(RequestStatus, self._call("GET", self._base_url + path, expected=200), f"GET {path}")

    def cancel(self, subject_request_id: str) -> RequestStatus:
        """Withdraw a request; processors refuse (4xx, a ``ProcessorError``) once it left ``pending``."""
        path = f"{self.route}/{_checked_id(subject_request_id)}"
        answer = _parse(
            RequestStatus, self._call("DELETE", self._base_url + path, expected=200), f"DELETE {path}"
        )
        if answer.request_status is None:  # OpenGDPR 1 answers a cancel without a status
            answer = answer.model_copy(update={"request_status": ProcessingStatus.CANCELLED})
        return answer

    def results(self, results_url: str) -> bytes:
        """The results a processor offers for a completed export: only from the processor's own
        host, over the same scheme, and bounded like every answer."""
        own, theirs = urlsplit(self._base_url), urlsplit(check_url(results_url))
        if (own.scheme, own.netloc) != (theirs.scheme, theirs.netloc):
            raise ProcessorError(None, "results_url is not on the processor's own host")
        _, document = self._call("GET", results_url, expected=200)
        return document

    def certificate(self) -> bytes:
        """The PEM certificate the discovery document names, to pin for ``verify_callback``."""
        url = self.discovery.processor_certificate
        if not url:
            raise ProcessorError(200, "the discovery document names no processor_certificate")
        _, pem = self._call("GET", check_url(url), expected=200, accept="application/x-pem-file")
        from cryptography import x509  # noqa: PLC0415 - slow to import: only when a certificate is fetched

        try:
            x509.load_pem_x509_certificate(pem)
        except ValueError as error:
            raise ProcessorError(200, "processor_certificate is not a PEM X.509 certificate") from error
        return pem

    def _call(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        *,
        expected: int,
        accept: str = "application/json",
    ) -> tuple[int, bytes]:
        what = f"{method} {urlsplit(url).path}"
        headers = {"Accept": accept}
        if body is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310 (check_url)
        try:
            with self._opener.open(request, timeout=self._timeout) as answer:
                status = answer.status
                payload = answer.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as error:
            retry_after = error.headers.get("Retry-After") if error.headers else None
            error.close()
            raise _error_for(error.code, what, retry_after) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, http.client.HTTPException) as error:
            raise TransientProcessorError(None, f"{what}: {type(error).__name__}") from error
        if status != expected:
            raise _error_for(status, what)
        if len(payload) > MAX_ANSWER_BYTES:
            raise ProcessorError(status, f"{what} answered more than {MAX_ANSWER_BYTES} bytes")
        return status, payload


M = TypeVar("M", bound=BaseModel)


def _parse[M: BaseModel](model: type[M], answer: tuple[int, bytes], what: str) -> M:
    status, body = answer
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        raise ProcessorError(status, f"{what} answered a document that is not OpenDSR") from error
