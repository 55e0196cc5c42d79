"""What staff see of a request: identities masked, the timeline, the systems and the deadlines."""

from __future__ import annotations

from pydantic import BaseModel

from dsr.masking import mask_email, mask_name
from dsr.models import AuditEvent, PrivacyRequest
from dsr.store import RequestStore


class QueueEntry(BaseModel):
    request_id: str
    status: str
    request_types: list[str]
    jurisdiction: str
    channel: str
    subject: str
    received_at: str
    respond_by: str


class SystemOutcome(BaseModel):
    system_id: str
    action: str
    status: str
    records: int | None = None


class RequestDetail(QueueEntry):
    subject_name: str | None
    relationship: str
    timeline: list[AuditEvent]
    systems: list[SystemOutcome]


def queue_entry(request: PrivacyRequest) -> QueueEntry:
    return QueueEntry(
        request_id=request.request_id,
        status=request.status.value,
        request_types=[t.value for t in request.request_types],
        jurisdiction=request.jurisdiction,
        channel=request.channel.value,
        subject=mask_email(str(request.subject.email)),
        received_at=request.received_at.isoformat(),
        respond_by=request.respond_by.isoformat(),
    )


def request_detail(store: RequestStore, request: PrivacyRequest) -> RequestDetail:
    systems = []
    for outcome in store.system_outcomes(request.request_id):
        _, system_id, action = str(outcome["sk"]).split("#")
        records = outcome.get("records")
        systems.append(
            SystemOutcome(
                system_id=system_id,
                action=action,
                status=str(outcome.get("status")),
                records=int(records) if records is not None else None,
            )
        )
    return RequestDetail(
        **queue_entry(request).model_dump(),
        subject_name=mask_name(request.subject.name) if request.subject.name else None,
        relationship=request.relationship.value,
        timeline=store.events(request.request_id),
        systems=systems,
    )
