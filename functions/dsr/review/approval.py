"""Staff review: the workflow waits with a stored task token until a person decides.

Where the company turns on the four-eyes rule for erasure (``FOUR_EYES_FOR_ERASURE``), a
request that asks for erasure is first triaged by one staff member (a recommendation, with a
note) and decided by another.
"""

from enum import StrEnum
from typing import Any, Self

from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError
from pydantic import ConfigDict, Field, model_validator
from pydantic.config import JsonDict

from dsr.core.desk_model import DeskModel
from dsr.core.field_types import NOT_ONLY_SPACES
from dsr.core.models import Channel, RequestType, Status
from dsr.core.refusals import NotPermittedError, StateConflictError
from dsr.core.staff_catalog import staff_text
from dsr.notices.subject_notices import language_of
from dsr.review.denial_reasons import DenialReason, reason_for_subject
from dsr.storage.dynamo import AlreadyExistsError
from dsr.wiring.desk import Desk

logger = Logger(child=True)

STAGE = "approval"

GPC_RULE = "a Global Privacy Control opt-out: approved by rule, nothing for staff to decide"
GONE_TASK_ERRORS = frozenset({"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"})
"""Step Functions' answers for a token whose task no longer waits."""


class Decision(StrEnum):
    APPROVE = "approve"
    DENY = "deny"


# The rule of ``_denial_needs_reason``, in the document too: a denial has a reason code other than
# ``other``, or a reason of more than spaces.
DENIAL_NEEDS_REASON: JsonDict = {
    "anyOf": [
        {"properties": {"decision": {"not": {"const": "deny"}}}},
        {"required": ["reason"], "properties": {"reason": {"type": "string", "pattern": NOT_ONLY_SPACES}}},
        {
            "required": ["reason_code"],
            "properties": {"reason_code": {"type": "string", "not": {"const": "other"}}},
        },
    ]
}


class ProfilingReviewAnswer(DeskModel):
    """Staff's answer to a request to question the result of profiling (Minn. Stat. 325M.14
    subd. 1(g)), sent to the subject: why the decision was made, and what the review found."""

    model_config = ConfigDict(extra="forbid")

    decision_reason: str = Field(
        min_length=1, max_length=2000, pattern=NOT_ONLY_SPACES, description="why the decision was made"
    )
    review_result: str = Field(
        min_length=1,
        max_length=2000,
        pattern=NOT_ONLY_SPACES,
        description="what the review found: the decision kept or changed, any data corrected, "
        "and what could be done differently",
    )


class StaffDecision(DeskModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=DENIAL_NEEDS_REASON)

    decision: Decision
    reason_code: DenialReason | None = Field(
        default=None,
        description="why a denial is made: the subject reads it in the language of their request",
    )
    reason: str | None = Field(
        default=None,
        max_length=2000,
        description="staff's own explanation, sent to the subject as written (after the reason "
        "code's words); needed without a reason code or with the code other",
    )
    review: ProfilingReviewAnswer | None = Field(
        default=None, description="needed to approve a request that asks for a profiling review"
    )

    @model_validator(mode="after")
    def _denial_needs_reason(self) -> Self:
        explained = bool(self.reason and self.reason.strip())
        if self.decision is Decision.DENY and not explained:
            if self.reason_code is None:
                raise ValueError(staff_text("a denial needs a reason, which is sent to the subject"))
            if self.reason_code is DenialReason.OTHER:
                raise ValueError(
                    staff_text(
                        "a denial for another reason needs the reason explained, which is sent to the subject"
                    )
                )
        return self

    def reason_for(self, language: str) -> str | None:
        """The reason the subject is sent, in ``language`` where staff chose a reason code."""
        if self.reason_code is None:
            return self.reason
        return reason_for_subject(self.reason_code, self.reason, language)


class StaffTriage(DeskModel):
    """One staff member's recommendation, before another decides."""

    model_config = ConfigDict(extra="forbid")

    recommendation: Decision
    note: str = Field(min_length=1, max_length=2000, description="why; for the staff member who decides")


class TriageConflictError(StateConflictError):
    """Somebody triaged the request first."""

    def __init__(self, triaged_by: str | None) -> None:
        self.triaged_by = triaged_by
        super().__init__(
            staff_text("already triaged by %(name)s", name=triaged_by)
            if triaged_by
            else staff_text("already triaged by someone else")
        )

    @property
    def details(self) -> dict[str, Any]:
        return {"triaged_by": self.triaged_by}


class FourEyesError(StateConflictError):
    """The four-eyes rule for erasure stops this decision: nobody else has triaged it yet."""

    same_person = False


class SelfReviewError(NotPermittedError, FourEyesError):
    """The four-eyes rule for erasure stops this decision: the decider triaged it themselves."""

    same_person = True


class DecisionConflictError(StateConflictError):
    """Somebody decided first."""

    def __init__(self, decided_by: str | None) -> None:
        self.decided_by = decided_by
        super().__init__(
            staff_text("already decided by %(name)s", name=decided_by)
            if decided_by
            else staff_text("already decided by someone else")
        )

    @property
    def details(self) -> dict[str, Any]:
        return {"decided_by": self.decided_by}


class ReviewAnswerMissingError(StateConflictError):
    """A profiling review is approved only with staff's answer."""

    def __init__(self) -> None:
        super().__init__(
            staff_text(
                "this request asks for a profiling review: approve it with review.decision_reason "
                "(why the decision was made) and review.review_result (what the review found)"
            )
        )


class NothingToDecideError(StateConflictError):
    """The request is not waiting for a staff decision."""

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        super().__init__(staff_text("this request is not waiting for a decision"))


def await_review(desk: Desk, request_id: str, task_token: str) -> None:
    """Keep the workflow's token until staff decide. Delivered again (the state machine retries
    with a fresh token), it replaces the token nobody has answered; delivered again after staff
    decided, it answers the fresh token with that decision, which the old token could not carry."""
    # RECEIVED when the request needed no verification (opt-outs).
    allowed = [Status.RECEIVED, Status.VERIFYING, Status.AWAITING_APPROVAL]
    # The task first: whoever sees the request awaiting approval can decide at once.
    try:
        desk.store.put_task(request_id, STAGE, {"task_token": task_token})
    except AlreadyExistsError:
        _answer_with_the_decision(desk, request_id, task_token)
        return
    request = desk.store.transition(request_id, allowed, Status.AWAITING_APPROVAL)
    if request.channel is Channel.GPC:
        _approve_by_rule(desk, request_id, task_token)
        return
    desk.audit(request_id, "workflow", "staff review requested", "waiting for staff")


def _approve_by_rule(desk: Desk, request_id: str, task_token: str) -> None:
    """A Global Privacy Control opt-out leaves staff nothing to decide: the law makes the signal a
    valid opt-out (or the company honours it everywhere), it needs no verification, and it must be
    carried out within 15 business days (11 CCR 7025(c)(1), 7026(f)). Approved by rule, with the
    same conditional write a staff decision makes."""
    recorded = {"decided_by": GPC_RULE, "decision": Decision.APPROVE.value}
    if not desk.store.claim_task(request_id, STAGE, desk.now(), **recorded):
        return  # decided already (cancelled meanwhile): that decision stands
    _resume(desk, request_id, task_token, _decision_output(recorded))
    desk.audit(request_id, "rule", "staff decision", "approve", reason=GPC_RULE)


def _answer_with_the_decision(desk: Desk, request_id: str, task_token: str) -> None:
    task = desk.store.get_task(request_id, STAGE) or {}
    decision = task.get("decision")
    if decision not in {Decision.APPROVE.value, Decision.DENY.value}:
        return  # cancelled: the cancellation stops the execution
    _resume(desk, request_id, task_token, _decision_output(task))
    desk.audit(request_id, "workflow", "staff review requested", f"decided already: {decision}")


def _resume(desk: Desk, request_id: str, task_token: str, output: dict[str, Any]) -> None:
    try:
        desk.workflow.resume(task_token, output)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in GONE_TASK_ERRORS:
            raise
        logger.warning("review task no longer waits on its token", request_id=request_id)


def _decision_output(task: dict[str, Any]) -> dict[str, Any]:
    return {
        "decision": str(task["decision"]),
        "reason": str(task["reason"]) if task.get("reason") else None,
        "decided_by": str(task.get("decided_by") or ""),
    }


def triage(desk: Desk, request_id: str, recommended: StaffTriage, staff_member: str) -> None:
    """Record one staff member's recommendation on a request waiting for a decision (once)."""
    task = desk.store.get_task(request_id, STAGE)
    if task is None or task.get("decided_at"):
        raise NothingToDecideError(request_id)
    if desk.store.get(request_id).status is not Status.AWAITING_APPROVAL:  # closed meanwhile
        raise NothingToDecideError(request_id)
    won = desk.store.record_triage(
        request_id,
        STAGE,
        by=staff_member,
        recommendation=recommended.recommendation.value,
        note=recommended.note,
        at=desk.now(),
    )
    if not won:
        current = desk.store.get_task(request_id, STAGE) or {}
        if current.get("decided_at"):
            raise NothingToDecideError(request_id)
        raise TriageConflictError(str(current.get("triaged_by") or "") or None)
    desk.audit(
        request_id,
        f"staff:{staff_member}",
        "triaged",
        f"recommends {recommended.recommendation.value}",
        note=recommended.note,
    )


def four_eyes_applies(desk: Desk, request_id: str) -> bool:
    if not desk.settings.four_eyes_for_erasure:
        return False
    return RequestType.ERASURE in desk.store.get(request_id).request_types


def _check_four_eyes(desk: Desk, request_id: str, task: dict[str, object], staff_member: str) -> None:
    if not four_eyes_applies(desk, request_id):
        return
    triaged_by = task.get("triaged_by")
    if not triaged_by:
        raise FourEyesError(
            staff_text("an erasure is decided only after another staff member has triaged it")
        )
    if triaged_by == staff_member:
        raise SelfReviewError(staff_text("you triaged this erasure; another staff member must decide it"))


def decide(desk: Desk, request_id: str, decision: StaffDecision, staff_member: str) -> None:
    """Record the decision with a conditional write, then resume the workflow. One decision wins."""
    task = desk.store.get_task(request_id, STAGE)
    if task is None:
        raise NothingToDecideError(request_id)
    if not task.get("decided_at"):
        request = desk.store.get(request_id)
        if request.status is not Status.AWAITING_APPROVAL:
            raise NothingToDecideError(request_id)
        _check_four_eyes(desk, request_id, task, staff_member)
        asks_review = RequestType.PROFILING_REVIEW in request.request_types
        if asks_review and decision.decision is Decision.APPROVE and decision.review is None:
            raise ReviewAnswerMissingError()
    recorded = {"decided_by": staff_member, "decision": decision.decision.value}
    reason = (
        decision.reason_for(language_of(desk.store.get(request_id)))
        if decision.reason_code
        else decision.reason
    )
    if reason:
        recorded["reason"] = reason  # for a review task delivered again after this
    if decision.reason_code:
        recorded["reason_code"] = decision.reason_code.value
    if not desk.store.claim_task(request_id, STAGE, desk.now(), **recorded):
        current = desk.store.get_task(request_id, STAGE) or {}
        raise DecisionConflictError(str(current.get("decided_by") or "") or None)
    if decision.review is not None and decision.decision is Decision.APPROVE:
        # Before the workflow goes on: the completion notice sends this answer to the subject.
        answer = {**decision.review.model_dump(), "reviewed_by": staff_member}
        desk.store.set_fields(request_id, {"profiling_review_answer": answer})
    # Should the task have been delivered again meanwhile, with a fresh token, that delivery
    # answers it with the decision recorded here.
    _resume(desk, request_id, str(task["task_token"]), _decision_output(recorded))
    desk.audit(
        request_id,
        f"staff:{staff_member}",
        "staff decision",
        decision.decision.value,
        reason=reason,
        reason_code=decision.reason_code.value if decision.reason_code else None,
        profiling_review_answered=decision.review is not None or None,
    )
