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

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Final

from pydantic import AwareDatetime, ConfigDict, Field, field_serializer

from dsr.core.desk_model import DeskModel
from dsr.core.models import RequestType

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


def status_document(status: RequestStatus) -> bytes:
    """A status as JSON bytes, the way a processor sends it (used by the demonstration processor)."""
    return json.dumps(status.model_dump(mode="json", exclude_none=True), separators=(",", ":")).encode()
