"""Handing a system task to someone else, and the one answer that ends the wait.

Some data the desk cannot change itself: a subprocessor holds it (asked over OpenDSR), a vendor
without an API holds it (asked by email), or a customer holds it in their CRM (the company is
their processor and must not act on its own). For these the workflow's task waits, with its
Step Functions task token stored on ``TOKEN#HANDOFF#<system>#<action>``, until exactly one answer
arrives: a processor's signed callback, a staff confirmation of what the vendor or the customer
said, or the sweeper noticing that the answer-by time has passed. Each answer is a conditional
write; the first records the outcome and resumes the task, and any later one changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError

from dsr.core.actions import Action
from dsr.core.models import PrivacyRequest
from dsr.core.readable_dates import utc_moment_text
from dsr.core.refusals import NoSuchItemError, StateConflictError
from dsr.core.staff_catalog import staff_text
from dsr.fulfilment.hand_off_schedule import Schedule
from dsr.fulfilment.outcomes import Carried, OutcomeStatus, record_outcome
from dsr.storage.dynamo import AlreadyExistsError
from dsr.storage.keys import hand_off_stage
from dsr.wiring.desk import Desk

if TYPE_CHECKING:  # the registry's models are loaded with the registry, when a hand-off is made
    from dsr.core.registry import SystemEntry
    from dsr.core.registry_stores import HandOffRoute
    from dsr.fulfilment.fulfilment import SystemTask

logger = Logger(child=True)

CONFIRMABLE_ANSWERS = frozenset({OutcomeStatus.DONE, OutcomeStatus.NOTHING_FOUND, OutcomeStatus.FAILED})


class HandOffNotWaitingError(LookupError, NoSuchItemError):
    """No handed-off task is waiting for an answer there (never handed off, or answered already)."""

    def __init__(self, message: str, decided_by: str | None = None) -> None:
        super().__init__(message)
        self.decided_by = decided_by


class HandOffAnsweredError(StateConflictError, HandOffNotWaitingError):
    """The handed-off task was answered already, by ``decided_by``."""

    @property
    def details(self) -> dict[str, Any]:
        return {"decided_by": self.decided_by}


def stage(system_id: str, action: Action | str) -> str:
    return hand_off_stage(system_id, Action(action).value)


Sender = Callable[[Desk, PrivacyRequest, "SystemEntry", Action, dict[str, Any]], Carried | None]


def hand_off(desk: Desk, request_id: str, task: SystemTask, task_token: str) -> None:
    """Ask whoever holds the data to act, and leave the task waiting for their answer.

    Runs as a ``.waitForTaskToken`` task: the token is stored before anyone is asked, so an answer
    that comes back at once still finds it. A transient failure to ask raises, and the state
    machine retries with a fresh token; an answer known at once (nobody to ask) resumes the task
    straight away."""
    request = desk.store.get(request_id)
    system = desk.registry.system(task.system_id)
    task_stage = stage(system.id, task.action)
    previous = desk.store.get_task(request_id, task_stage) or {}
    if _answered(previous):
        # Invoked again after the answer came (a redelivery, or a retry racing the answer): the
        # new token is the one the workflow waits on; resume it with what was answered.
        _finish(desk, request_id, system.id, task.action, task_token=task_token)
        return
    route = _route(system)
    answer_by = desk.now() + timedelta(days=route.answer_within_days)
    asked_before = int(previous.get("attempt", 0))
    fields: dict[str, Any] = {
        # A retried invocation is the same attempt (nobody is asked twice); a re-run is a new one.
        "attempt": asked_before + 1 if not previous or previous.get("decided_at") else asked_before,
        "task_token": task_token,
        "route": system.store.kind,
        "system_id": system.id,
        "action": task.action.value,
        "request_id": request_id,
        "handed_off_at": desk.now().isoformat(),
        "answer_by": answer_by.isoformat(),
        "waiting_on": waiting_on(system),
        "when_silent": route.when_silent,
    }
    if getattr(system.store, "waits_on_a_person", False):
        # Each holder's answer link keeps its secret's hash here, and each holder's answer
        # (dsr.fulfilment.owner_links, owner_answers).
        fields |= {"links": {}, "holder_answers": {}}
    if route.remind_every_days:
        fields["remind_every_days"] = route.remind_every_days
    fields["due_at"] = Schedule.of(fields).first_due().isoformat()
    if "subject_request_id" in previous:  # a re-run asks the processor about the same request
        fields["subject_request_id"] = previous["subject_request_id"]
    # Only a hand-off asks anyone: the senders (OpenDSR's models and client among them) are imported
    # here, not by every function that settles, abandons or expires hand-offs.
    from dsr.fulfilment import processors  # noqa: PLC0415

    fields |= processors.prepare(desk, request_id, system, task.action, fields)
    # Waiting is recorded before the token is stored: an answer can only come after, and is
    # never overwritten by it.
    waiting = {"waiting_on": fields["waiting_on"], "answer_by": fields["answer_by"]}
    record_outcome(desk, request_id, system.id, task.action, Carried(OutcomeStatus.WAITING, 0, waiting))
    try:
        desk.store.put_hand_off(request_id, task_stage, fields)
    except AlreadyExistsError:  # answered between our read and our write
        _finish(desk, request_id, system.id, task.action, task_token=task_token)
        return
    immediate = _sender_for(system)(desk, request, system, task.action, fields)
    if immediate is not None:
        settle(desk, request_id, system.id, task.action, carried=immediate, actor="workflow")


def _answered(task: dict[str, Any]) -> bool:
    """Decided with an answer that stands (a failed one is asked again by a re-run)."""
    return bool(task.get("decided_at")) and task.get("answer") != OutcomeStatus.FAILED.value


def _sender_for(system: SystemEntry) -> Sender:
    from dsr.core import registry_stores as routes  # noqa: PLC0415
    from dsr.fulfilment import customer_controllers, owner_mail, processors, vendor_mail  # noqa: PLC0415

    store = system.store
    if isinstance(store, routes.SystemOwner):
        return owner_mail.send_instructions
    if isinstance(store, routes.OpenDsrProcessor):
        return processors.submit
    if isinstance(store, routes.VendorByEmail):
        return vendor_mail.send_instructions
    if isinstance(store, routes.CustomerControllers):
        return customer_controllers.notify_customers
    raise TypeError(f"system {system.id} is carried out by the desk, not handed off")


def _route(system: SystemEntry) -> HandOffRoute:
    from dsr.core.registry_stores import HandOffRoute  # noqa: PLC0415 - loaded with the system's registry

    if not isinstance(system.store, HandOffRoute):
        raise TypeError(f"system {system.id} is carried out by the desk, not handed off")
    return system.store


def waiting_on(system: SystemEntry) -> str:
    """Who the task waits for, as staff and the subject are told (no personal data)."""
    from dsr.core.registry_stores import OpenDsrProcessor, SystemOwner, VendorByEmail  # noqa: PLC0415 - as in _route

    store = system.store
    if isinstance(store, OpenDsrProcessor):
        return store.domain
    if isinstance(store, VendorByEmail):
        return store.vendor
    if isinstance(store, SystemOwner):
        return store.team
    return "the customers who hold the data"


def settle(
    desk: Desk, request_id: str, system_id: str, action: Action, *, carried: Carried, actor: str
) -> bool:
    """The one answer to a handed-off task: record it and resume the workflow. False (and
    nothing changed) if it had been answered already.

    The answer is decided with a conditional write that also stores it; recording the outcome
    and resuming follow, and the task leaves the waiting index only once the workflow has been
    resumed. If that is interrupted, the next answer or the next sweep finishes it."""
    task_stage = stage(system_id, action)
    if desk.store.get_task(request_id, task_stage) is None:
        raise HandOffNotWaitingError(
            staff_text(
                "%(system)s %(action)s was not handed off for %(request_id)s",
                system=system_id,
                action=action.value,
                request_id=request_id,
            )
        )
    if not desk.store.decide_hand_off(request_id, task_stage, _answer_fields(carried), actor, desk.now()):
        _finish_if_interrupted(desk, request_id, system_id, action)
        return False
    _finish(desk, request_id, system_id, action)
    return True


def _answer_fields(carried: Carried) -> dict[str, Any]:
    return {
        "answer": carried.status.value,
        "answer_records": carried.records,
        "answer_detail": dict(carried.detail),
    }


def _stored_answer(task: dict[str, Any]) -> Carried:
    detail = task.get("answer_detail") or {}
    return Carried(
        OutcomeStatus(str(task["answer"])),
        int(task.get("answer_records", 0) or 0),
        {str(name): str(value) for name, value in detail.items()},
    )


def _finish(
    desk: Desk, request_id: str, system_id: str, action: Action, task_token: str | None = None
) -> None:
    """Record the stored answer and resume the workflow with it (with ``task_token`` if the
    workflow now waits on a newer one); then the task leaves the waiting index."""
    task_stage = stage(system_id, action)
    task = desk.store.get_task(request_id, task_stage) or {}
    carried = _stored_answer(task)
    waited = desk.store.system_outcome(request_id, system_id, action.value)
    if waited is not None and waited.get("reminders_sent"):  # the answer keeps how often it was asked
        reminded = {name: str(waited.get(name)) for name in ("reminders_sent", "last_reminded_at")}
        carried = carried._replace(detail={**carried.detail, **reminded})
    record_outcome(desk, request_id, system_id, action, carried)
    _resume(desk, task_token or str(task["task_token"]), carried, request_id, system_id)
    desk.store.hand_off_resumed(request_id, task_stage, desk.now())


def _finish_if_interrupted(desk: Desk, request_id: str, system_id: str, action: Action) -> None:
    task = desk.store.get_task(request_id, stage(system_id, action)) or {}
    if task.get("decided_at") and not task.get("resumed_at") and "answer" in task:
        _finish(desk, request_id, system_id, action)


GONE_TASK_ERRORS = frozenset({"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"})


def _resume(desk: Desk, task_token: str, carried: Carried, request_id: str, system_id: str) -> None:
    try:
        desk.workflow.resume(task_token, {"status": carried.status.value, "records": carried.records})
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        if code not in GONE_TASK_ERRORS:
            raise  # throttled or refused: the answer is kept, and the next try finishes it
        # The execution no longer waits (its own timeout, or stopped): the outcome is recorded,
        # and a re-run picks a failure up.
        logger.warning(
            "hand-off answer came after its task ended", request_id=request_id, system_id=system_id
        )


def confirm(
    desk: Desk,
    request_id: str,
    system_id: str,
    action: Action,
    *,
    answer: OutcomeStatus,
    note: str,
    staff_member: str,
    records: int = 0,
) -> None:
    """Staff record what a vendor or a customer answered. Raises ``HandOffNotWaitingError``
    (with who answered, if someone did) when there is nothing waiting to confirm."""
    if answer not in CONFIRMABLE_ANSWERS:
        raise ValueError(
            staff_text(
                "an answer is one of %(answers)s",
                answers=", ".join(sorted(a.value for a in CONFIRMABLE_ANSWERS)),
            )
        )
    waiting = desk.store.get_task(request_id, stage(system_id, action)) or {}
    detail = {"confirmed_by": f"staff:{staff_member}", "answer_note": note[:500]}
    if waiting.get("waiting_on"):  # recorded as given on the owner's behalf
        detail["on_behalf_of"] = str(waiting["waiting_on"])
    if answer is OutcomeStatus.FAILED:
        detail["error"] = note[:500] or "the answer was that it could not be done"
    carried = Carried(answer, records, detail)
    if not settle(desk, request_id, system_id, action, carried=carried, actor=f"staff:{staff_member}"):
        task = desk.store.get_task(request_id, stage(system_id, action)) or {}
        decided_by = str(task.get("decided_by", ""))
        answered = f"{system_id} {action.value} was answered already"
        if decided_by:
            raise HandOffAnsweredError(answered, decided_by=decided_by)
        raise HandOffNotWaitingError(answered)


def abandon(desk: Desk, request_id: str, system_id: str, action: Action, error: str) -> None:
    """The task failed without an answer (asking failed after retries, or the state machine's own
    timeout): take it out of the waiting index, so nobody answers a task that no longer waits."""
    task_stage = stage(system_id, action)
    if desk.store.get_task(request_id, task_stage) is None:
        return
    failed = Carried(OutcomeStatus.FAILED, 0, {"error": error[:500]})
    desk.store.decide_hand_off(request_id, task_stage, _answer_fields(failed), "workflow", desk.now())
    desk.store.hand_off_resumed(request_id, task_stage, desk.now())


class HandOffSweep(NamedTuple):
    timed_out: int = 0
    reminded: int = 0
    holding: int = 0


def expire_overdue(desk: Desk) -> int:
    """How many hand-offs ``sweep_hand_offs`` ended failed."""
    return sweep_hand_offs(desk).timed_out


def sweep_hand_offs(desk: Desk) -> HandOffSweep:
    """The sweeper's part: each hand-off nobody answered is reminded on its schedule; once its
    answer-by time has passed, its silence rule holds the request open (staff alerted, again on a
    schedule) or ends it failed, so the request closes partially completed and staff are told; a
    re-run asks again. Answers whose resume was interrupted are finished here too."""
    seen: Counter[str] = Counter()
    for due in desk.store.hand_offs_due_before(desk.now()):
        request_id, system_id, action = due.request_id, due.system_id, Action(due.action)
        if due.answered:
            _finish_if_interrupted(desk, request_id, system_id, action)
            continue
        # Reminders and holds read the registry and send mail: loaded by the first sweep with one due.
        from dsr.fulfilment import hand_off_followups  # noqa: PLC0415

        followed = hand_off_followups.follow_up(desk, due)
        if followed is not None:
            seen[followed] += 1
            continue
        waiting_on = system_id if due.waiting_on is None else due.waiting_on
        error = f"no answer from {waiting_on} by {utc_moment_text(due.answer_by)}"
        carried = Carried(OutcomeStatus.FAILED, 0, {"error": error, "timed_out": "true"})
        if settle(desk, request_id, system_id, action, carried=carried, actor="sweeper"):
            seen["failed"] += 1
            logger.info("hand-off timed out", request_id=request_id, system_id=system_id, action=action.value)
            hand_off_followups.tell_staff_of_failure(desk, due, waiting_on)
    return HandOffSweep(timed_out=seen["failed"], reminded=seen["reminded"], holding=seen["held"])


def waiting_hand_offs(desk: Desk, request_id: str) -> list[dict[str, Any]]:
    """What a request is waiting for, for staff (without tokens)."""
    waiting = []
    for outcome in desk.store.system_outcomes(request_id):
        if outcome.status != OutcomeStatus.WAITING.value:
            continue
        waiting.append(
            {
                "system_id": outcome.system_id,
                "action": outcome.action,
                "waiting_on": outcome.get("waiting_on"),
                "answer_by": outcome.get("answer_by"),
            }
        )
    return waiting
