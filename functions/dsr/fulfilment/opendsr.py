"""OpenDSR 2.0 (formerly OpenGDPR), the controller's side: how the desk asks a processor to act.

The desk is the *controller*; a subprocessor (payments, customer service, hosting) that speaks
OpenDSR is the *processor*. The desk discovers what the processor supports (``GET /discovery``),
posts one subject request per (desk request, system) (``POST /requests``, answered 201), may read
(``GET /requests/{id}``) or withdraw it while it is still ``pending`` (``DELETE /requests/{id}``),
and learns of progress from signed callbacks the processor POSTs to our ``status_callback_urls``.
Processors that report an ``api_version`` of ``0.x`` or ``1.x`` speak OpenGDPR 1: the same
exchange on ``/opengdpr_requests`` with ``X-OpenGDPR-*`` callback headers (see ``requests_route``).

Choices this module makes, and what it leaves to its caller:

* **Subject request ids are random UUIDv4** (``new_subject_request_id``), as the specification
  requires. They are not derived from the desk's request id: a derived id would be guessable by
  anyone who knows ours, and at many processors the id is all it takes to read a request's status
  and its ``results_url``. The caller generates one id per (request, system), stores the mapping
  with a conditional write *before* posting, and reuses the stored id on any retry, so a retried
  post can never create a second request at the processor.
* **Identities are hashed before they leave** (``build_request``, SHA-256 by default): the email
  is stripped and lowercased, then hashed; the raw address is sent only when ``raw`` is asked for.
* **Callbacks are verified before they are read** (``verify_callback``): the processor-domain
  header must name the processor we expect, its certificate must be valid at ``now`` and name that
  domain, and the signature must cover the exact bytes received. Only then is the body parsed.
  The certificate is the one whose URL the processor's discovery document names, fetched over TLS
  (``OpenDsrClient.certificate``) and pinned by the caller; chain validation is TLS's job there.
* **Replay protection is the caller's**: ``callback_fingerprint`` gives the SHA-256 of the raw
  body, which the caller records with a conditional write (a second delivery of the same bytes is
  then a no-op), and a callback is acted on only if its ``subject_request_id`` maps to exactly one
  (request, system) that the desk stored when it created the request at *this* processor.

Nothing here logs identities: ``SubjectIdentity`` keeps its value out of ``repr``, and error
messages name methods, routes and status codes, never bodies.
"""

import base64
import binascii
import hashlib
import http.client
import json
import re
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Final, Literal, Protocol, Self, TypeVar
from urllib.parse import urlsplit

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_serializer

from dsr.core.desk_model import DeskModel
from dsr.core.models import RequestType

if TYPE_CHECKING:
    # cryptography is imported where a certificate is read or a signature checked, not by every
    # function that posts requests to processors (it takes long to import).
    from cryptography import x509

API_VERSION: Final = "2.0"

V2_REQUESTS_ROUTE: Final = "/requests"
V1_REQUESTS_ROUTE: Final = "/opengdpr_requests"
DISCOVERY_ROUTE: Final = "/discovery"

V2_DOMAIN_HEADER: Final = "X-OpenDSR-Processor-Domain"
V2_SIGNATURE_HEADER: Final = "X-OpenDSR-Signature"
V1_DOMAIN_HEADER: Final = "X-OpenGDPR-Processor-Domain"
V1_SIGNATURE_HEADER: Final = "X-OpenGDPR-Signature"

MAX_ANSWER_BYTES: Final = 1024 * 1024
MAX_CALLBACK_BYTES: Final = 64 * 1024
DEFAULT_TIMEOUT_SECONDS: Final = 10.0

UUID4_PATTERN: Final = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
_UUID4 = re.compile(UUID4_PATTERN)
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

SubjectRequestId = Annotated[str, Field(pattern=UUID4_PATTERN)]


class Regulation(StrEnum):
    GDPR = "gdpr"
    CCPA = "ccpa"


class SubjectRequestType(StrEnum):
    ACCESS = "access"
    PORTABILITY = "portability"
    ERASURE = "erasure"


class IdentityFormat(StrEnum):
    RAW = "raw"
    SHA1 = "sha1"
    MD5 = "md5"
    SHA256 = "sha256"


class ProcessingStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


SUBJECT_REQUEST_TYPE_FOR: Final[Mapping[RequestType, SubjectRequestType]] = {
    RequestType.ACCESS: SubjectRequestType.ACCESS,
    RequestType.PORTABILITY: SubjectRequestType.PORTABILITY,
    RequestType.ERASURE: SubjectRequestType.ERASURE,
}
"""The desk's request types that OpenDSR can carry; the others are not sent to processors."""


def regulation_for(jurisdiction: str) -> Regulation | None:
    """The regulation to name for a desk jurisdiction: ``EU``/``UK`` are GDPR, ``US-CA`` is CCPA."""
    if jurisdiction in {"EU", "UK"}:
        return Regulation.GDPR
    if jurisdiction == "US-CA":
        return Regulation.CCPA
    return None


# --- the documents --------------------------------------------------------------------------


class SupportedIdentity(DeskModel):
    model_config = ConfigDict(extra="allow")

    identity_type: str
    identity_format: IdentityFormat = IdentityFormat.RAW


class Discovery(DeskModel):
    """``GET /discovery``. Fields this version does not know are kept, not refused."""

    model_config = ConfigDict(extra="allow")

    api_version: str = Field(min_length=1)
    supported_identities: list[SupportedIdentity] = Field(default_factory=list)
    supported_subject_request_types: list[str] = Field(default_factory=list)
    processor_certificate: str | None = Field(default=None, description="URL of the X.509 certificate")

    @property
    def speaks_v1(self) -> bool:
        return self.api_version.startswith(("0.", "1."))

    def supports(self, request_type: SubjectRequestType, identity: "SubjectIdentity") -> bool:
        """Whether the processor says it accepts this type of request for this kind of identity."""
        if request_type.value not in self.supported_subject_request_types:
            return False
        return any(
            s.identity_type == identity.identity_type and s.identity_format == identity.identity_format
            for s in self.supported_identities
        )


class SubjectIdentity(DeskModel):
    model_config = ConfigDict(extra="forbid")

    identity_type: str = Field(min_length=1)
    identity_value: str = Field(min_length=1, repr=False)
    identity_format: IdentityFormat = IdentityFormat.RAW


class SubjectRequest(DeskModel):
    """What the controller posts to ``/requests``."""

    model_config = ConfigDict(extra="forbid")

    regulation: Regulation
    subject_request_id: SubjectRequestId
    subject_request_type: SubjectRequestType
    submitted_time: AwareDatetime
    subject_identities: list[SubjectIdentity] = Field(min_length=1)
    api_version: str = API_VERSION
    status_callback_urls: list[str] = Field(default_factory=list)

    @field_serializer("submitted_time")
    def _rfc3339(self, value: datetime) -> str:
        return rfc3339(value)

    def to_json(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()


class RequestStatus(DeskModel):
    """A processor's answer about one request (create, status, cancel)."""

    model_config = ConfigDict(extra="allow")

    subject_request_id: SubjectRequestId
    request_status: ProcessingStatus | None = None
    controller_id: str | None = None
    api_version: str | None = None
    received_time: AwareDatetime | None = None
    expected_completion_time: AwareDatetime | None = None
    encoded_request: str | None = Field(default=None, repr=False)
    processor_signature: str | None = None
    results_url: str | None = Field(default=None, repr=False)
    status_callback_url: str | None = None


class CallbackStatus(RequestStatus):
    """The body of a status callback: like a status answer, but the status is required."""

    request_status: ProcessingStatus


def rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# --- building a request ---------------------------------------------------------------------


def new_subject_request_id() -> str:
    """A fresh lowercase UUIDv4. Store it against (request, system) before posting; reuse it on retry."""
    return str(uuid.uuid4())


def hash_identity(value: str, identity_format: IdentityFormat) -> str:
    """The identity as the format asks: hashes are lowercase hex over the stripped, lowercased value."""
    if identity_format is IdentityFormat.RAW:
        return value.strip()
    data = value.strip().lower().encode()
    if identity_format is IdentityFormat.SHA256:
        return hashlib.sha256(data).hexdigest()
    if identity_format is IdentityFormat.SHA1:
        return hashlib.sha1(data, usedforsecurity=False).hexdigest()
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def build_request(
    subject_request_id: str,
    request_type: SubjectRequestType,
    email: str,
    regulation: Regulation,
    callback_url: str,
    *,
    submitted_time: datetime,
    identity_format: IdentityFormat = IdentityFormat.SHA256,
) -> SubjectRequest:
    """One subject request, identified by email, hashed unless ``raw`` is asked for.

    ``subject_request_id`` comes from ``new_subject_request_id`` (stored by the caller first);
    ``submitted_time`` from the desk's clock.
    """
    identity = SubjectIdentity(
        identity_type="email",
        identity_value=hash_identity(email, identity_format),
        identity_format=identity_format,
    )
    return SubjectRequest(
        regulation=regulation,
        subject_request_id=subject_request_id,
        subject_request_type=request_type,
        submitted_time=submitted_time,
        subject_identities=[identity],
        status_callback_urls=[callback_url],
    )


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
        from cryptography import x509  # noqa: PLC0415 - see the TYPE_CHECKING import

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


# --- callbacks --------------------------------------------------------------------------------

RejectionReason = Literal[
    "missing-signature",
    "missing-domain",
    "wrong-domain",
    "bad-signature",
    "bad-body",
    "bad-certificate",
    "certificate-expired",
    "certificate-domain-mismatch",
]


class CallbackRejected(Exception):  # noqa: N818 (the name callers and the workflow use)
    """A callback the desk must not act on; ``reason`` says why (answer it 401/400, log the reason)."""

    def __init__(self, reason: RejectionReason) -> None:
        super().__init__(reason)
        self.reason: RejectionReason = reason


def callback_fingerprint(raw_body: bytes) -> str:
    """SHA-256 (hex) of the exact bytes received: record it with a conditional write to drop replays."""
    return hashlib.sha256(raw_body).hexdigest()


def verify_callback(
    raw_body: bytes,
    headers: Mapping[str, str],
    *,
    expected_domain: str,
    certificate_pem: bytes,
    now: datetime,
) -> CallbackStatus:
    """Check a status callback as received, then read it.

    Accepts the OpenDSR 2 headers and, failing those, the OpenGDPR 1 ones (names in any case).
    The domain header must equal ``expected_domain``; the certificate must be valid at ``now``
    and name that domain; the signature (base64; RSA PKCS#1 v1.5 or ECDSA, with SHA-256) must
    verify over ``raw_body`` exactly as received. Raises ``CallbackRejected`` otherwise.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    domain, signature = _callback_headers(headers)
    if _normal_domain(domain) != _normal_domain(expected_domain):
        raise CallbackRejected("wrong-domain")
    if len(raw_body) > MAX_CALLBACK_BYTES:
        raise CallbackRejected("bad-body")
    certificate = _load_certificate(certificate_pem)
    _check_certificate(certificate, expected_domain, now)
    _check_signature(certificate, signature, raw_body)
    try:
        return CallbackStatus.model_validate_json(raw_body)
    except ValidationError:
        raise CallbackRejected("bad-body") from None


def _callback_headers(headers: Mapping[str, str]) -> tuple[str, str]:
    lowered = {name.lower(): value for name, value in headers.items()}
    for domain_header, signature_header in (
        (V2_DOMAIN_HEADER, V2_SIGNATURE_HEADER),
        (V1_DOMAIN_HEADER, V1_SIGNATURE_HEADER),
    ):
        signature = lowered.get(signature_header.lower(), "").strip()
        if signature:
            domain = lowered.get(domain_header.lower(), "").strip()
            if not domain:
                raise CallbackRejected("missing-domain")
            return domain, signature
    raise CallbackRejected("missing-signature")


def _normal_domain(domain: str) -> str:
    return domain.strip().rstrip(".").lower()


def _load_certificate(pem: bytes) -> "x509.Certificate":
    from cryptography import x509  # noqa: PLC0415 - see the TYPE_CHECKING import

    try:
        return x509.load_pem_x509_certificate(pem)
    except ValueError:
        raise CallbackRejected("bad-certificate") from None


def _check_certificate(certificate: "x509.Certificate", domain: str, now: datetime) -> None:
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise CallbackRejected("certificate-expired")
    wanted = _normal_domain(domain)
    if not any(_name_matches(_normal_domain(name), wanted) for name in certificate_domains(certificate)):
        raise CallbackRejected("certificate-domain-mismatch")


def certificate_domains(certificate: "x509.Certificate") -> list[str]:
    """The DNS names a certificate is for: its subjectAltName, or failing that its common name."""
    from cryptography import x509  # noqa: PLC0415 - see the TYPE_CHECKING import
    from cryptography.x509.oid import NameOID  # noqa: PLC0415

    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return [n.value if isinstance(n.value, str) else n.value.decode() for n in names]
    return san.get_values_for_type(x509.DNSName)


def _name_matches(pattern: str, domain: str) -> bool:
    if pattern.startswith("*."):
        head, _, rest = domain.partition(".")
        return bool(head) and rest == pattern[2:]
    return pattern == domain


def _check_signature(certificate: "x509.Certificate", signature_b64: str, raw_body: bytes) -> None:
    # See the TYPE_CHECKING import.
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa  # noqa: PLC0415

    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError):
        raise CallbackRejected("bad-signature") from None
    try:
        key = certificate.public_key()
    except (ValueError, UnsupportedAlgorithm):
        raise CallbackRejected("bad-certificate") from None
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, raw_body, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, raw_body, ec.ECDSA(hashes.SHA256()))
        else:
            raise CallbackRejected("bad-certificate")
    except InvalidSignature:
        raise CallbackRejected("bad-signature") from None


def status_document(status: RequestStatus) -> bytes:
    """A status as JSON bytes, the way a processor sends it (used by the demonstration processor)."""
    return json.dumps(status.model_dump(mode="json", exclude_none=True), separators=(",", ":")).encode()
