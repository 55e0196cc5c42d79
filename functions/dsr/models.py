"""The request as every channel, stage and store sees it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints


class RequestType(StrEnum):
    ACCESS = "access"
    PORTABILITY = "portability"
    ERASURE = "erasure"
    RECTIFICATION = "rectification"
    RESTRICTION = "restriction"
    OBJECTION = "objection"
    MARKETING_OPT_OUT = "marketing_opt_out"


class Relationship(StrEnum):
    """How the subject relates to the company, in the words of its privacy policy."""

    ACCOUNT_HOLDER = "account_holder"
    CUSTOMER_CONTACT = "customer_contact"
    MARKETING_LEAD = "marketing_lead"
    JOB_APPLICANT = "job_applicant"
    WEBSITE_VISITOR = "website_visitor"
    OTHER = "other"


class Channel(StrEnum):
    WEB = "web"
    EMAIL = "email"


class Status(StrEnum):
    RECEIVED = "RECEIVED"
    VERIFYING = "VERIFYING"
    AWAITING_APPROVAL = "AWAITING_APPROVAL"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    PARTIALLY_COMPLETED = "PARTIALLY_COMPLETED"
    DENIED = "DENIED"
    UNVERIFIABLE = "UNVERIFIABLE"
    FAILED = "FAILED"

    @property
    def is_open(self) -> bool:
        return self not in CLOSED_STATUSES


CLOSED_STATUSES = frozenset(
    {
        Status.COMPLETED,
        Status.PARTIALLY_COMPLETED,
        Status.DENIED,
        Status.UNVERIFIABLE,
        Status.FAILED,
    }
)

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
AccountId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Jurisdiction = Annotated[str, StringConstraints(pattern=r"^(EU|UK|US-[A-Z]{2}|BR|CA|CA-QC|DEFAULT)$")]


class SubjectIdentity(BaseModel):
    """Who the request is about. Email is how we reach and verify the subject."""

    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    name: ShortText | None = None
    account_id: AccountId | None = None


class NewRequest(BaseModel):
    """A submission, from any channel, before it is recorded."""

    model_config = ConfigDict(extra="forbid")

    request_types: list[RequestType] = Field(min_length=1, max_length=len(RequestType))
    subject: SubjectIdentity
    relationship: Relationship = Relationship.OTHER
    jurisdiction: Jurisdiction = "DEFAULT"
    details: Annotated[str, StringConstraints(max_length=4000)] | None = None


class PrivacyRequest(BaseModel):
    """The recorded request: what the stages read and update."""

    request_id: str
    request_types: list[RequestType]
    subject: SubjectIdentity
    relationship: Relationship
    jurisdiction: str
    channel: Channel
    status: Status
    received_at: datetime
    respond_by: datetime
    details: str | None = None
    package_key: str | None = None
    workflow_started_at: datetime | None = None
    acknowledged_at: datetime | None = None
    closing_notice_sent_at: datetime | None = None
    closed_at: datetime | None = None


class AuditEvent(BaseModel):
    """One line of a request's append-only trail: who or what did what, with which outcome."""

    request_id: str
    at: datetime
    actor: str
    action: str
    outcome: str
    detail: dict[str, str | int | bool | None] = Field(default_factory=dict)
