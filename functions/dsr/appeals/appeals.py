"""Appeals: a subject whose request was refused asks the company to look again.

An appeal is its own tracked item (``dsr.storage.appeals``) with its own clock, counted from the
appeal's receipt under the request's law (``dsr.policies.request_deadlines.appeal_deadlines_for``). It
comes in through the request's status page or as a reply to the refusal that says APPEAL. A
staff member who did not take the original decision answers it: the refusal stands (the answer
names the regulator's complaint route, as the laws require) or it is reversed (the request is
reopened and carried out, without asking the subject to start again). Where the law allows,
the answer may be extended once, with a notice that gives the reasons.
"""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError
from pydantic import ConfigDict, Field, field_validator

from dsr.core.catalogs import N_
from dsr.core.desk_model import DeskModel
from dsr.core.field_types import NOT_ONLY_SPACES, without_control_characters
from dsr.core.models import PrivacyRequest, Status
from dsr.core.refusals import NotPermittedError, StateConflictError
from dsr.notices import subject_notices as notices
from dsr.policies import retention as records
from dsr.policies.appeal_rules import (
    APPEALABLE,
    Appeal,
    AppealChannel,
    AppealDecision,
    AppealStatus,
    appeal_policy,
    why_not_appealable,
)
from dsr.policies.request_deadlines import appeal_deadlines_for, local_day, request_policy
from dsr.review.approval import STAGE as REVIEW_STAGE
from dsr.storage.appeals import AppealExistsError, AppealStore
from dsr.wiring.desk import Desk

logger = Logger(child=True)

__all__ = [
    "Appeal",
    "AppealAnswer",
    "AppealChannel",
    "AppealDecision",
    "AppealRefusedError",
    "AppealStatus",
    "NoOpenAppealError",
    "SameDeciderError",
    "appeal_of",
    "decide",
    "extend",
    "lodge",
    "open_appeals",
    "why_not_appealable",
]

MAX_STATEMENT_CHARACTERS = 4000
REOPENED_FIELDS = ("closed_at", "closing_notice_sent_at", "expires_at", "records_kept_until")
ANSWER_FIELDS = ("status", "decision", "decision_reason", "decided_at", "decided_by")


class AppealAnswer(DeskModel):
    """What a staff member decides on an appeal, with the reasons the subject is sent."""

    model_config = ConfigDict(extra="forbid")

    decision: AppealDecision
    reason: str = Field(
        min_length=1, max_length=2000, pattern=NOT_ONLY_SPACES, description="sent to the subject"
    )

    @field_validator("reason")
    @classmethod
    def _said_something(cls, reason: str) -> str:
        if not reason.strip():
            raise ValueError("the answer to an appeal needs reasons, which are sent to the subject")
        return reason.strip()


class AppealRefusedError(StateConflictError):
    """The request cannot be appealed (the message says why, in words for the subject)."""


class NoOpenAppealError(StateConflictError):
    """There is no appeal waiting for an answer on the request."""

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        super().__init__("this request has no appeal waiting for an answer")


class SameDeciderError(NotPermittedError):
    """The staff member who refused the request may not answer its appeal."""


def store(desk: Desk) -> AppealStore:
    return AppealStore(desk.table(desk.settings.requests_table))


def appeal_of(desk: Desk, request_id: str) -> Appeal | None:
    item = store(desk).get(request_id)
    return Appeal.model_validate(item) if item is not None else None


def open_appeals(desk: Desk) -> list[Appeal]:
    """Appeals waiting for an answer, earliest due first (the index's open-appeal partition)."""
    return [
        Appeal.model_validate(item) for item in store(desk).open_due_before(datetime.max.replace(tzinfo=UTC))
    ]


def lodge(
    desk: Desk,
    request_id: str,
    statement: str,
    channel: AppealChannel,
    *,
    source_message_id: str | None = None,
) -> Appeal:
    """Record the subject's appeal, start its clock and tell the subject when it will be answered."""
    request = desk.store.get(request_id)
    now = desk.now()
    refusal = why_not_appealable(request, now)
    if refusal is not None:
        raise AppealRefusedError(refusal)
    deadlines = appeal_deadlines_for(
        request.jurisdiction,
        now,
        country=request.country,
        region=request.region,
        policy=request_policy(request),
    )
    if deadlines is None:  # the policy has an appeal rule, so this means the table changed under us
        raise AppealRefusedError(N_("the law that applies to this request gives no appeal to us"))
    review = desk.store.get_task(request_id, REVIEW_STAGE) or {}
    appeal = Appeal(
        request_id=request_id,
        jurisdiction=request.jurisdiction,
        request_types=[kind.value for kind in request.request_types],
        status=AppealStatus.OPEN,
        channel=channel,
        statement=without_control_characters(statement).strip()[:MAX_STATEMENT_CHARACTERS]
        or "(no reasons given)",
        received_at=now,
        respond_by=deadlines.respond_by,
        extended_respond_by=deadlines.extended_respond_by,
        extension_notice_by=deadlines.extension_notice_by,
        original_decision_by=str(review["decided_by"]) if review.get("decided_by") else None,
        source_message_id=source_message_id,
    )
    try:
        store(desk).create(request_id, _stored(appeal), due_at=appeal.respond_by)
    except AppealExistsError as again:
        raise AppealRefusedError(
            N_("this decision has been appealed already; you will hear from us")
        ) from again
    # The answer goes to the subject's address: it must outlive the appeal.
    desk.store.cancel_identity_reduction(request_id)
    desk.audit(
        request_id,
        "subject",
        "appeal received",
        "waiting for staff",
        channel=channel.value,
        respond_by=appeal.respond_by.isoformat(),
    )
    desk.send_notice(
        str(request.subject.email), notices.appeal_received(request, appeal.respond_by), request_id
    )
    logger.info("appeal received", request_id=request_id, channel=channel.value)
    return appeal


def decide(desk: Desk, request_id: str, answer: AppealAnswer, staff_member: str) -> Appeal:
    """Answer the appeal once (a conditional write), then tell the subject, and reopen the
    request when the refusal is reversed. Giving the same answer again finishes what an
    interrupted answer left undone (the request not reopened, the subject not told)."""
    appeal = appeal_of(desk, request_id)
    if appeal is None:
        raise NoOpenAppealError(request_id)
    if appeal.status is AppealStatus.OPEN:
        if appeal.original_decision_by and appeal.original_decision_by == staff_member:
            raise SameDeciderError(f"{staff_member} refused the request; someone else must answer the appeal")
        appeal = _record_answer(desk, appeal, answer, staff_member)
    elif appeal.decision is not answer.decision or appeal.answer_sent_at is not None:
        raise NoOpenAppealError(request_id)
    _finish(desk, appeal, staff_member)
    return appeal


def _record_answer(desk: Desk, appeal: Appeal, answer: AppealAnswer, staff_member: str) -> Appeal:
    reversed_ = answer.decision is AppealDecision.REVERSE
    decided = appeal.model_copy(
        update={
            "status": AppealStatus.REVERSED if reversed_ else AppealStatus.UPHELD,
            "decision": answer.decision,
            "decision_reason": answer.reason,
            "decided_at": desk.now(),
            "decided_by": staff_member,
        }
    )
    fields = {name: _stored(decided)[name] for name in ANSWER_FIELDS}
    if not store(desk).decide(appeal.request_id, fields):
        raise NoOpenAppealError(appeal.request_id)
    desk.audit(
        appeal.request_id,
        f"staff:{staff_member}",
        "appeal answered",
        answer.decision.value,
        reason=answer.reason,
    )
    return decided


def _finish(desk: Desk, appeal: Appeal, staff_member: str) -> None:
    request = desk.store.get(appeal.request_id)
    reason = appeal.decision_reason or ""
    if appeal.decision is AppealDecision.REVERSE:
        if request.status in APPEALABLE:
            _carry_out(desk, request, appeal, staff_member)
        notice = notices.appeal_granted(request, reason)
    else:
        notice = notices.appeal_upheld(request, reason, *regulator_named(request))
    desk.send_notice(str(request.subject.email), notice, appeal.request_id)
    store(desk).mark_answer_sent(appeal.request_id, desk.now())
    if appeal.decision is AppealDecision.UPHOLD:
        records.schedule(desk, appeal.request_id, keep_for_appeal=False)


def extend(desk: Desk, request_id: str, reason: str, staff_member: str) -> Appeal:
    """Give the appeal the law's extension, once, and tell the subject why."""
    appeal = appeal_of(desk, request_id)
    if appeal is None or appeal.status is not AppealStatus.OPEN:
        raise NoOpenAppealError(request_id)
    request = desk.store.get(request_id)
    if appeal.extended_respond_by is None:
        raise AppealRefusedError(
            f"{request.deadline_policy or request.jurisdiction} allows no appeal extension"
        )
    if appeal.extension_notice_by is not None and desk.now() > appeal.extension_notice_by:
        last = local_day(request.jurisdiction, appeal.extension_notice_by).isoformat()
        raise AppealRefusedError(f"the last day to tell the subject of an appeal extension was {last}")
    now = desk.now()
    fields = {
        "respond_by": appeal.extended_respond_by.isoformat(),
        "extended_at": now.isoformat(),
        "extension_reason": reason,
        "extended_by": staff_member,
    }
    if not store(desk).extend(request_id, fields, due_at=appeal.extended_respond_by):
        raise AppealRefusedError("the appeal was extended already, or answered")
    desk.audit(
        request_id,
        f"staff:{staff_member}",
        "appeal extended",
        "subject told",
        respond_by=appeal.extended_respond_by.isoformat(),
        reason=reason,
    )
    desk.send_notice(
        str(request.subject.email),
        notices.appeal_extended(request, appeal.extended_respond_by, reason),
        request_id,
    )
    return appeal.model_copy(
        update={"respond_by": appeal.extended_respond_by, "extended_at": now, "extension_reason": reason}
    )


def regulator_named(request: PrivacyRequest) -> tuple[str | None, str | None]:
    """Where the subject may complain when an appeal is upheld: the regulator the policy table
    names for the law, and its complaint page where one has been verified (None for either the
    table does not give: the notice then says so in the subject's language)."""
    policy = appeal_policy(request)
    if policy is not None and policy.regulator is not None:
        return policy.regulator.name, policy.regulator.complaint_url
    return None, None


def _carry_out(desk: Desk, request: PrivacyRequest, appeal: Appeal, staff_member: str) -> None:
    """Reopen the refused request and run it from the plan: the refusal is withdrawn, so the
    review it failed is not repeated. A request refused as unverifiable was reviewed by nobody;
    the staff member who reverses it vouches for the person's identity, and the trail says so."""
    request_id = request.request_id
    # Back among the open requests, due when the appeal's answer is due (the law's time to
    # tell the subject what was done on the appeal); the closing comes again.
    due = appeal.respond_by.isoformat()
    desk.store.transition(
        request_id,
        [request.status],
        Status.IN_PROGRESS,
        {"respond_by": due, "watch_at": due},
        remove=REOPENED_FIELDS,
    )
    payload: dict[str, Any] = {"request_id": request_id, "rerun": False, "appeal_granted": True}
    try:
        desk.workflow.start_named(f"{request_id}-appeal", payload)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
            pass  # an earlier try started it after all
        else:
            _put_back(desk, request)
            raise
    except Exception:
        _put_back(desk, request)
        raise
    desk.audit(
        request_id,
        f"staff:{staff_member}",
        "request reopened",
        "carried out after the appeal",
        previous_status=request.status.value,
    )


def _put_back(desk: Desk, request: PrivacyRequest) -> None:
    """Not started: the request goes back as it was, so staff see it refused with the appeal
    reversed, and answering again retries. Its identity stays (no reduction is scheduled):
    the reversed appeal is still to be carried out."""
    before = request.model_dump(
        mode="json", include={"respond_by", "watch_at", *REOPENED_FIELDS}, exclude_none=True
    )
    desk.store.transition(request.request_id, [Status.IN_PROGRESS], request.status, before)
    if request.records_kept_until is not None:
        desk.store.set_fields(request.request_id, {"expires_at": int(request.records_kept_until.timestamp())})


def _stored(appeal: Appeal) -> dict[str, Any]:
    return appeal.model_dump(mode="json", exclude_none=True)
