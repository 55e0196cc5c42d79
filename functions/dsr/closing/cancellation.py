"""Cancelling a request before anything is carried out: the subject withdrew it, or it is spam
or a test. A request waiting for staff is claimed first, with the same conditional write a
decision makes, so a decision and a cancellation racing each other cannot both win. Then the
request closes ``CANCELLED``, the subject is told why, and its execution is stopped.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from dsr.closing.closing import close
from dsr.core.models import Status
from dsr.core.refusals import StateConflictError
from dsr.core.staff_catalog import staff_text
from dsr.core.tasks import Outcome
from dsr.review import approval
from dsr.storage.store import TransitionRejectedError
from dsr.verification import identity_checks as verification
from dsr.wiring.desk import Desk

CANCEL_DECISION = "cancel"


class NotCancellableError(StateConflictError):
    """The request has been decided, carried out in part or whole, or closed."""


CANCELLABLE = frozenset({Status.RECEIVED, Status.VERIFYING, Status.AWAITING_APPROVAL})


def cancel(desk: Desk, request_id: str, reason: str, staff_member: str, *, actor: str | None = None) -> None:
    """Cancel the request. A cancellation interrupted midway (the review claimed, or the request
    closed but the subject not yet told) is finished by cancelling again. ``actor`` names who
    asked in the trail where it was not staff (an agent revoking over the Data Rights Protocol)."""
    request = desk.store.get(request_id)
    interrupted = request.status is Status.CANCELLED and _cancellation_unfinished(desk, request_id)
    if request.status not in CANCELLABLE and not interrupted:
        raise NotCancellableError(
            f"the request is {request.status.value}; only a request not yet carried out can be cancelled"
        )
    if request.status is Status.AWAITING_APPROVAL:
        _claim_the_review(desk, request_id, staff_member)
    claimed = request.status is Status.AWAITING_APPROVAL or interrupted
    # Unclaimed, it may close only from where no decision can be pending; a request that has
    # since come to wait for staff is claimed first, like any other.
    before_review = [Status.RECEIVED, Status.VERIFYING]
    try:
        close(
            desk, request_id, Outcome.CANCELLED, reason=reason, only_from=None if claimed else before_review
        )
    except TransitionRejectedError as refused:
        if not claimed and desk.store.get(request_id).status is Status.AWAITING_APPROVAL:
            cancel(desk, request_id, reason, staff_member, actor=actor)  # it came to wait for staff meanwhile
            return
        raise NotCancellableError(
            f"the request is {desk.store.get(request_id).status.value}; only a request not yet "
            "carried out can be cancelled"
        ) from refused
    stopped = desk.workflow.stop(request_id, f"cancelled by staff: {reason}")
    _release_waiting_tasks(desk, request_id)
    desk.audit(
        request_id,
        actor or f"staff:{staff_member}",
        "cancel request",
        "execution stopped" if stopped else "no execution to stop",
        reason=reason,
        previous_status=request.status.value,
    )


def _cancellation_unfinished(desk: Desk, request_id: str) -> bool:
    """Closed as cancelled, but the cancellation's last step (its line in the trail, after the
    subject is told and the execution stopped) never written: an interrupted cancellation."""
    trail = {(event.action, event.outcome) for event in desk.store.events(request_id)}
    return ("close request", Status.CANCELLED.value) in trail and not any(
        action == "cancel request" for action, _ in trail
    )


def _claim_the_review(desk: Desk, request_id: str, staff_member: str) -> None:
    won = desk.store.claim_task(
        request_id, approval.STAGE, desk.now(), decided_by=staff_member, decision=CANCEL_DECISION
    )
    if not won:
        task = desk.store.get_task(request_id, approval.STAGE) or {}
        if task.get("decision") == CANCEL_DECISION:
            return  # claimed by a cancellation that was interrupted: this one finishes it
        decided_by = task.get("decided_by")
        raise NotCancellableError(
            staff_text("the request was decided already by %(name)s", name=decided_by)
            if decided_by
            else staff_text("the request was decided already by someone else")
        )


def _release_waiting_tasks(desk: Desk, request_id: str) -> None:
    """End the task the execution was waiting on (for the code, or for staff), so nothing waits
    on a cancelled request; a token the stop made invalid is refused, which is fine."""
    for stage in (verification.STAGE, approval.STAGE):
        task = desk.store.get_task(request_id, stage) or {}
        token = task.get("task_token")
        decided_elsewhere = task.get("decided_at") and task.get("decision") != CANCEL_DECISION
        if not token or decided_elsewhere:
            continue
        try:
            desk.workflow.fail(str(token), "Cancelled", "the request was cancelled by staff")
        except ClientError:
            continue
