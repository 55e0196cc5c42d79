"""What staff see of a request: identities masked, the timeline, the systems and the deadlines.

Dates are shown to staff as the subject is told them: the day in the jurisdiction's time zone
(``dsr.policies.request_deadlines.local_day``), not the UTC day of the stored moment. A California
request due at the end of 19 January there is due "2027-01-19 (US-CA)", though the moment is
08:00 UTC on the 20th. The moments stay beside the days for tools that want them.

A request's page starts with its line of the queue (``dsr.staff.queue_views``).
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from dsr.core.desk_model import DeskModel
from dsr.core.languages import NOT_RECORDED, language_name
from dsr.core.masking import mask_name
from dsr.core.models import AuditEvent, PrivacyRequest
from dsr.core.staff_catalog import S_, staff_text
from dsr.policies.appeal_rules import Appeal
from dsr.policies.request_deadlines import JURISDICTION_ZONES, local_day
from dsr.policies.rights import RightAsked, rights_asked
from dsr.staff.appeal_views import AppealDetail, appeal_detail
from dsr.staff.outcome_rows import rows_in
from dsr.staff.queue_views import QueueEntry, day_in, queue_entry
from dsr.storage.store import RequestStore

VERIFICATION_LEVEL_LABELS: dict[str, str] = {
    "none": S_("none (no proof asked)"),
    "email": S_("email (the code we emailed)"),
    "matched": S_("matched (code and details we hold)"),
    "account": S_("account (signed in to their account)"),
}
"""What each verification level asks of the subject, in the verification policy's words: the
level is what the request needs, not a result."""


class SystemOutcome(DeskModel):
    system_id: str
    system_name: str | None = None
    """The registry's name for the system, for people."""
    action: str
    status: str
    records: int | None = None
    waiting_on: str | None = None
    """For a task handed to a processor, vendor or customer: who has not answered yet."""
    answer_by: str | None = None
    reminders_sent: int | None = None
    """How often whoever it waits on was reminded (the registry's remind_every_days), and when last."""
    last_reminded_at: str | None = None
    error: str | None = None
    confirmed_by: str | None = None
    rows: str | None = None
    """What a change did per table of a database or per object of a data lake, in words."""


class Deadlines(DeskModel):
    """The request's dates: the moments (UTC), the same as days in the jurisdiction (``*_on``),
    and the policy that produced them."""

    time_zone: str
    respond_on: str
    target_on: str | None
    acknowledge_on: str | None
    extended_respond_on: str | None
    extension_notice_on: str | None
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


class Review(DeskModel):
    """The staff review: a recommendation (triage) and the decision, once made."""

    triaged_by: str | None = None
    recommendation: str | None = None
    triage_note: str | None = None
    decided_by: str | None = None
    decision: str | None = None
    four_eyes: bool = False
    """The four-eyes rule applies: someone other than the triager decides, after the triage."""


class InformationAsked(DeskModel):
    """The last question sent to the subject that is not answered yet, and whether the clock
    stands still meanwhile (only where the request's law pauses it for that reason)."""

    asked_at: str
    asked_by: str
    question: str | None = None
    clock_paused: bool


class RequestDetail(QueueEntry):
    subject_name: str | None
    relationship: str
    linked_to: str | None = None
    """For a request joined to another of the subject's: the request that answers both."""
    verification_level: str | None = None
    verification_label: str | None = None
    """The level the request needs, with what it asks of the subject."""
    verified: bool = False
    """The subject proved the request theirs at that level (the trail records the attempt)."""
    verified_by_agent: str | None = None
    """The authorized agent whose verified claims proved it, where they did (not the subject)."""
    closed_on: str | None = None
    """The day the request closed, where the law counts days."""
    closed_days_before_legal: int | None = None
    """Days from ``closed_on`` to the legal date: negative when it closed late."""
    answered_without_systems: bool = False
    """Every type asked for is answered without asking a system (from the registry, or by staff)."""
    planned_systems: list[str] = []
    """The systems an approval asks, by the registry's names (none for types answered without)."""
    package_available_until: str | None = None
    """The subject's access package: its download page works until then (with a fresh code)."""
    deadlines: Deadlines
    timeline: list[AuditEvent]
    systems: list[SystemOutcome]
    appeal: AppealDetail | None = None
    review: Review | None = None
    information_request: InformationAsked | None = None
    rights: list[RightAsked] = []
    details: str | None = None
    """What the subject wrote with the request (for a profiling review, the decision questioned)."""
    profiling_review_answer: dict[str, str] | None = None
    """Staff's answer to a profiling review, as the subject was sent it."""
    protocol_agent: str | None = None
    """The authorized agent that sent it over the Data Rights Protocol: its name, its id and
    the agent's own id for the request."""
    language: str | None = None
    """The language the desk speaks to the subject in (``fr_CA``), chosen at intake."""
    language_name: str = NOT_RECORDED


def _protocol_agent(request: PrivacyRequest) -> str | None:
    link = request.protocol_agent
    if link is None:
        return None
    named = f"{link.agent_name} ({link.agent_id})" if link.agent_name else link.agent_id
    theirs = f", their request {link.agent_request_id}" if link.agent_request_id else ""
    return f"{named} over the Data Rights Protocol: {link.exercise}{theirs}"


_OUTCOME_NOTES = ("waiting_on", "answer_by", "reminders_sent", "last_reminded_at", "error", "confirmed_by")


def request_detail(
    store: RequestStore,
    request: PrivacyRequest,
    now: datetime,
    appeal: Appeal | None = None,
    review_task: Mapping[str, Any] | None = None,
    *,
    four_eyes: bool = False,
    system_names: Mapping[str, str] | None = None,
    planned_system_ids: Iterable[str] = (),
) -> RequestDetail:
    names = system_names or {}
    systems = []
    for outcome in store.system_outcomes(request.request_id):
        systems.append(
            SystemOutcome(
                system_id=outcome.system_id,
                system_name=names.get(outcome.system_id),
                action=outcome.action,
                status=outcome.status,
                records=outcome.records,
                rows=rows_in(outcome.fields),
                **{name: str(outcome.get(name)) for name in _OUTCOME_NOTES if outcome.get(name)},
            )
        )
    released = request.identity_reduced_at is not None
    timeline = store.events(request.request_id)
    closed_on = local_day(request.jurisdiction, request.closed_at) if request.closed_at else None
    level = request.verification_level
    return RequestDetail(
        **queue_entry(request, now).model_dump(),
        subject_name=mask_name(request.subject.name) if request.subject.name and not released else None,
        relationship=request.relationship.value,
        linked_to=request.linked_to,
        verification_level=level,
        verification_label=staff_text(VERIFICATION_LEVEL_LABELS[level])
        if level in VERIFICATION_LEVEL_LABELS
        else None,
        verified=_verified(timeline),
        verified_by_agent=_verifying_agent(timeline),
        closed_on=closed_on.isoformat() if closed_on else None,
        closed_days_before_legal=(local_day(request.jurisdiction, request.respond_by) - closed_on).days
        if closed_on
        else None,
        answered_without_systems=request.request_types_answered_without_systems_only,
        planned_systems=[names.get(system_id, system_id) for system_id in dict.fromkeys(planned_system_ids)],
        package_available_until=_moment(request.package_available_until),
        deadlines=_deadlines(request),
        timeline=timeline,
        systems=systems,
        appeal=appeal_detail(appeal, request.jurisdiction) if appeal is not None else None,
        review=_review(review_task, four_eyes=four_eyes) if review_task is not None else None,
        information_request=_information_asked(request, timeline),
        rights=rights_asked(request),
        details=request.details if not released else None,
        profiling_review_answer=request.profiling_review_answer,
        protocol_agent=_protocol_agent(request),
        language=request.language,
        language_name=language_name(request.language) if request.language else staff_text("Not recorded"),
    )


def _verified(timeline: list[AuditEvent]) -> bool:
    return any(event.action == "verification attempt" and event.outcome == "verified" for event in timeline)


def _verifying_agent(timeline: list[AuditEvent]) -> str | None:
    """The agent whose claims verified the request (the trail's actor ``agent <id>``), if any."""
    verifying = (e for e in timeline if e.action == "verification attempt" and e.outcome == "verified")
    return next((e.actor.removeprefix("agent ") for e in verifying if e.actor.startswith("agent ")), None)


def _information_asked(request: PrivacyRequest, timeline: list[AuditEvent]) -> InformationAsked | None:
    """The last question asked while the request is open, until the subject's answer is recorded."""
    if not request.status.is_open:
        return None
    for event in reversed(timeline):
        if event.action == "information received":
            return None
        if event.action == "ask for information":
            question = event.detail.get("question")
            return InformationAsked(
                asked_at=event.at.isoformat(),
                asked_by=event.actor.removeprefix("staff:"),
                question=str(question) if question else None,
                clock_paused=request.paused_at is not None,
            )
    return None


def _review(task: Mapping[str, Any], *, four_eyes: bool) -> Review:
    fields = ("triaged_by", "recommendation", "triage_note", "decided_by", "decision")
    return Review(**{name: str(task[name]) for name in fields if task.get(name)}, four_eyes=four_eyes)


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _deadlines(request: PrivacyRequest) -> Deadlines:
    place = request.jurisdiction
    return Deadlines(
        time_zone=JURISDICTION_ZONES.get(place, "UTC"),
        respond_on=local_day(place, request.respond_by).isoformat(),
        target_on=day_in(place, request.target_by),
        acknowledge_on=day_in(place, request.acknowledge_by),
        extended_respond_on=day_in(place, request.extended_respond_by),
        extension_notice_on=day_in(place, request.extension_notice_by),
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


class RevealedIdentity(DeskModel):
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
        erased = ("email", "name", "phone", "postal_address", "account_id", "agent_name", "agent_email")
        return RevealedIdentity(request_id=request.request_id, **dict.fromkeys(erased), reduced=True)
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
