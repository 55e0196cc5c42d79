"""Work on many requests at once: staff select them in the queue and act on the selection.

Each request is still decided on its own, by the same code a single decision runs: its own
conditional write, its own audit line, its own notice to its subject. A request the action does not
fit (already decided, no longer open, an erasure the four-eyes rule keeps from this staff member)
is reported with the reason, and the others go on.
"""

from enum import StrEnum
from typing import Annotated, Self

from aws_lambda_powertools import Logger
from pydantic import ConfigDict, Field, ValidationError, model_validator
from pydantic.config import JsonDict

from dsr.core.desk_model import DeskModel
from dsr.core.field_types import NOT_ONLY_SPACES
from dsr.core.refusals import RefusalError
from dsr.core.staff_catalog import staff_text
from dsr.review import approval
from dsr.review.denial_reasons import DenialReason
from dsr.wiring.desk import Desk

logger = Logger(child=True)

MOST_AT_ONCE = 100


class BulkAction(StrEnum):
    APPROVE = "approve"
    DENY = "deny"
    CLOSE_AS_SPAM = "close_as_spam"
    CLOSE_AS_DUPLICATE = "close_as_duplicate"
    ASSIGN = "assign"


CLOSING = {BulkAction.CLOSE_AS_SPAM: "spam", BulkAction.CLOSE_AS_DUPLICATE: "duplicate"}
SHORTEST_REASON = 5

# What each action needs beside the selection, in the API document as the model checks it.
EACH_ACTION_COMPLETE: JsonDict = {
    "allOf": [
        {  # a denial, as for one request: a reason code other than "other", or an explanation
            "anyOf": [
                {"properties": {"action": {"not": {"const": "deny"}}}},
                {
                    "required": ["reason"],
                    "properties": {"reason": {"type": "string", "pattern": NOT_ONLY_SPACES}},
                },
                {
                    "required": ["reason_code"],
                    "properties": {"reason_code": {"type": "string", "not": {"const": "other"}}},
                },
            ]
        },
        {  # closing: a reason for each subject
            "anyOf": [
                {"properties": {"action": {"not": {"enum": [action.value for action in CLOSING]}}}},
                {
                    "required": ["reason"],
                    "properties": {
                        "reason": {"type": "string", "minLength": SHORTEST_REASON, "pattern": NOT_ONLY_SPACES}
                    },
                },
            ]
        },
        {
            "anyOf": [
                {"properties": {"action": {"not": {"const": "assign"}}}},
                {"required": ["assignee"], "properties": {"assignee": {"type": "string"}}},
            ]
        },
    ]
}


class BulkWork(DeskModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=EACH_ACTION_COMPLETE)

    action: BulkAction
    request_ids: list[Annotated[str, Field(pattern=r"^[0-9a-f-]{36}$")]] = Field(
        min_length=1,
        max_length=MOST_AT_ONCE,
        description="the selected requests' full ids, each named once",
        json_schema_extra={"uniqueItems": True},
    )
    reason_code: DenialReason | None = Field(default=None, description="deny: why, as for one denial")
    reason: str | None = Field(
        default=None,
        max_length=2000,
        description="deny, close_as_spam, close_as_duplicate: sent to each subject as written",
    )
    assignee: str | None = Field(
        default=None,
        max_length=200,
        pattern=NOT_ONLY_SPACES,
        description="assign: the staff member's user name",
    )

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if len(set(self.request_ids)) != len(self.request_ids):
            raise ValueError(staff_text("each request is named once"))
        if self.action is BulkAction.ASSIGN and not self.assignee:
            raise ValueError(staff_text("assigning needs the staff member to assign the requests to"))
        explained = bool(self.reason and self.reason.strip())
        if self.action in CLOSING and (not explained or len((self.reason or "").strip()) < 5):
            raise ValueError(
                staff_text("closing requests needs a reason of at least 5 characters, sent to each subject")
            )
        if self.action is BulkAction.DENY:
            approval.StaffDecision(
                decision=approval.Decision.DENY, reason_code=self.reason_code, reason=self.reason
            )
        return self


class BulkResult(DeskModel):
    request_id: str
    done: bool
    problem: str | None = Field(default=None, description="why the action did not fit this request")


def carry_out(desk: Desk, work: BulkWork, staff_member: str) -> list[BulkResult]:
    """The action on each selected request, in the order given; what became of each."""
    results = []
    for request_id in work.request_ids:
        try:
            _one(desk, work, request_id, staff_member)
        except (RefusalError, ValueError) as refused:  # a refusal names the problem
            results.append(BulkResult(request_id=request_id, done=False, problem=_problem(refused)))
            continue
        results.append(BulkResult(request_id=request_id, done=True))
    done = sum(result.done for result in results)
    logger.info("bulk work", action=work.action.value, selected=len(results), done=done)
    return results


def _one(desk: Desk, work: BulkWork, request_id: str, staff_member: str) -> None:
    if work.action is BulkAction.ASSIGN:
        _assign(desk, request_id, str(work.assignee), staff_member)
    elif work.action in CLOSING:
        _close(desk, request_id, CLOSING[work.action], str(work.reason), staff_member)
    else:
        decision = approval.StaffDecision(
            decision=approval.Decision.APPROVE
            if work.action is BulkAction.APPROVE
            else approval.Decision.DENY,
            reason_code=work.reason_code if work.action is BulkAction.DENY else None,
            reason=work.reason if work.action is BulkAction.DENY else None,
        )
        approval.decide(desk, request_id, decision, staff_member)


def _assign(desk: Desk, request_id: str, assignee: str, staff_member: str) -> None:
    desk.store.get(request_id)  # a request that does not exist is named as such
    if not desk.store.assign(request_id, assignee, staff_member, desk.now()):
        raise ValueError(staff_text("the request is closed; only an open request is assigned"))
    desk.audit(request_id, f"staff:{staff_member}", "assigned", "assigned", assignee=assignee)


def _close(desk: Desk, request_id: str, marked_as: str, reason: str, staff_member: str) -> None:
    from dsr.closing import cancellation  # noqa: PLC0415 - only closing loads it

    cancellation.cancel(desk, request_id, reason, staff_member)
    desk.audit(request_id, f"staff:{staff_member}", f"marked as {marked_as}", "closed", selection="bulk")


def _problem(refused: Exception) -> str:
    if isinstance(refused, ValidationError):
        return "; ".join(str(error["msg"]) for error in refused.errors())
    return str(refused)
