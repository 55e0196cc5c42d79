"""Staff review: the workflow waits with a stored task token until a person decides."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dsr.desk import Desk
from dsr.models import Status

STAGE = "approval"


class Decision(StrEnum):
    APPROVE = "approve"
    DENY = "deny"


class StaffDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Decision
    reason: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _denial_needs_reason(self) -> StaffDecision:
        if self.decision is Decision.DENY and not (self.reason and self.reason.strip()):
            raise ValueError("a denial needs a reason, which is sent to the subject")
        return self


class DecisionConflictError(RuntimeError):
    """Somebody decided first."""

    def __init__(self, decided_by: str | None) -> None:
        self.decided_by = decided_by
        super().__init__(f"already decided by {decided_by or 'someone else'}")


class NothingToDecideError(RuntimeError):
    """The request is not waiting for a staff decision."""


def await_review(desk: Desk, request_id: str, task_token: str) -> None:
    # RECEIVED when the request needed no verification (opt-outs).
    allowed = [Status.RECEIVED, Status.VERIFYING, Status.AWAITING_APPROVAL]
    desk.store.transition(request_id, allowed, Status.AWAITING_APPROVAL)
    desk.store.put_task(request_id, STAGE, {"task_token": task_token})
    desk.audit(request_id, "workflow", "staff review requested", "waiting for staff")


def decide(desk: Desk, request_id: str, decision: StaffDecision, staff_member: str) -> None:
    """Record the decision with a conditional write, then resume the workflow. One decision wins."""
    task = desk.store.get_task(request_id, STAGE)
    if task is None:
        raise NothingToDecideError(request_id)
    won = desk.store.update_task(
        request_id,
        STAGE,
        "SET decided_at = :now, decided_by = :who, decision = :decision",
        "attribute_not_exists(decided_at)",
        {
            ":now": desk.now().isoformat(),
            ":who": staff_member,
            ":decision": decision.decision.value,
        },
    )
    if not won:
        current = desk.store.get_task(request_id, STAGE) or {}
        raise DecisionConflictError(str(current.get("decided_by") or "") or None)
    desk.workflow.resume(
        str(task["task_token"]),
        {
            "decision": decision.decision.value,
            "reason": decision.reason,
            "decided_by": staff_member,
        },
    )
    desk.audit(
        request_id,
        f"staff:{staff_member}",
        "staff decision",
        decision.decision.value,
        reason=decision.reason,
    )
