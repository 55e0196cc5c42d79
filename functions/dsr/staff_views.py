"""What staff see of a request: identities masked, the timeline, the systems and the deadlines."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from dsr.appeal_rules import Appeal
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
    waiting_on: str | None = None
    """For a task handed to a processor, vendor or customer: who has not answered yet."""
    answer_by: str | None = None
    error: str | None = None
    confirmed_by: str | None = None


class Deadlines(BaseModel):
    """The request's dates (UTC) and the policy that produced them."""

    policy: str | None
    policy_version: str | None
    acknowledge_by: str | None
    respond_by: str
    target_by: str | None
    extended_respond_by: str | None
    extension_notice_by: str | None
    extended_at: str | None
    extension_reason: str | None
    paused_at: str | None = None
    """The clock stands still (waiting for the subject's answer) since this moment."""
    paused_days: int = 0


class AppealDetail(BaseModel):
    """The request's appeal: what the subject wrote, its own dates, and the answer once given."""

    status: str
    channel: str
    statement: str
    received_at: str
    respond_by: str
    extended_respond_by: str | None
    extension_notice_by: str | None
    extended_at: str | None
    decision: str | None
    decision_reason: str | None
    decided_by: str | None
    decided_at: str | None
    original_decision_by: str | None


class Review(BaseModel):
    """The staff review: a recommendation (triage) and the decision, once made."""

    triaged_by: str | None = None
    recommendation: str | None = None
    triage_note: str | None = None
    decided_by: str | None = None
    decision: str | None = None
    four_eyes: bool = False
    """The four-eyes rule applies: someone other than the triager decides, after the triage."""


class AppealQueueEntry(BaseModel):
    request_id: str
    jurisdiction: str
    request_status: str
    received_at: str
    respond_by: str
    extended: bool


class RequestDetail(QueueEntry):
    subject_name: str | None
    relationship: str
    verification_level: str | None = None
    package_available_until: str | None = None
    """The subject's access package: its download page works until then (with a fresh code)."""
    deadlines: Deadlines
    timeline: list[AuditEvent]
    systems: list[SystemOutcome]
    appeal: AppealDetail | None = None
    review: Review | None = None


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


_OUTCOME_NOTES = ("waiting_on", "answer_by", "error", "confirmed_by")


def request_detail(
    store: RequestStore,
    request: PrivacyRequest,
    appeal: Appeal | None = None,
    review_task: Mapping[str, Any] | None = None,
    *,
    four_eyes: bool = False,
) -> RequestDetail:
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
                **{name: str(outcome[name]) for name in _OUTCOME_NOTES if outcome.get(name)},
            )
        )
    return RequestDetail(
        **queue_entry(request).model_dump(),
        subject_name=mask_name(request.subject.name) if request.subject.name else None,
        relationship=request.relationship.value,
        verification_level=request.verification_level,
        package_available_until=_moment(request.package_available_until),
        deadlines=_deadlines(request),
        timeline=store.events(request.request_id),
        systems=systems,
        appeal=appeal_detail(appeal) if appeal is not None else None,
        review=_review(review_task, four_eyes=four_eyes) if review_task is not None else None,
    )


def _review(task: Mapping[str, Any], *, four_eyes: bool) -> Review:
    fields = ("triaged_by", "recommendation", "triage_note", "decided_by", "decision")
    return Review(**{name: str(task[name]) for name in fields if task.get(name)}, four_eyes=four_eyes)


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def appeal_detail(appeal: Appeal) -> AppealDetail:
    return AppealDetail(
        status=appeal.status.value,
        channel=appeal.channel.value,
        statement=appeal.statement,
        received_at=appeal.received_at.isoformat(),
        respond_by=appeal.respond_by.isoformat(),
        extended_respond_by=_moment(appeal.extended_respond_by),
        extension_notice_by=_moment(appeal.extension_notice_by),
        extended_at=_moment(appeal.extended_at),
        decision=appeal.decision.value if appeal.decision else None,
        decision_reason=appeal.decision_reason,
        decided_by=appeal.decided_by,
        decided_at=_moment(appeal.decided_at),
        original_decision_by=appeal.original_decision_by,
    )


def appeal_queue_entry(appeal: Appeal, request_status: str) -> AppealQueueEntry:
    return AppealQueueEntry(
        request_id=appeal.request_id,
        jurisdiction=appeal.jurisdiction,
        request_status=request_status,
        received_at=appeal.received_at.isoformat(),
        respond_by=appeal.respond_by.isoformat(),
        extended=appeal.extended_at is not None,
    )


def _deadlines(request: PrivacyRequest) -> Deadlines:
    return Deadlines(
        policy=request.deadline_policy,
        policy_version=request.deadline_policy_version,
        acknowledge_by=_moment(request.acknowledge_by),
        respond_by=request.respond_by.isoformat(),
        target_by=_moment(request.target_by),
        extended_respond_by=_moment(request.extended_respond_by),
        extension_notice_by=_moment(request.extension_notice_by),
        extended_at=_moment(request.extended_at),
        extension_reason=request.extension_reason,
        paused_at=_moment(request.paused_at),
        paused_days=request.paused_days,
    )


class RevealedIdentity(BaseModel):
    """The subject's identity in full: shown to staff only on request, and the trail records it."""

    request_id: str
    email: str | None
    name: str | None
    phone: str | None
    postal_address: dict[str, str | None] | None
    account_id: str | None
    agent_name: str | None
    agent_email: str | None
    reduced: bool
    """The identity was let go after the request closed: only the keyed hash is kept."""


def revealed_identity(request: PrivacyRequest) -> RevealedIdentity:
    subject = request.subject
    if request.identity_reduced_at is not None:
        return RevealedIdentity(
            request_id=request.request_id,
            email=None,
            name=None,
            phone=None,
            postal_address=None,
            account_id=None,
            agent_name=None,
            agent_email=None,
            reduced=True,
        )
    return RevealedIdentity(
        request_id=request.request_id,
        email=str(subject.email),
        name=subject.name,
        phone=subject.phone,
        postal_address=subject.postal_address.model_dump() if subject.postal_address else None,
        account_id=subject.account_id,
        agent_name=request.agent.name if request.agent else None,
        agent_email=request.agent.email if request.agent else None,
        reduced=False,
    )
