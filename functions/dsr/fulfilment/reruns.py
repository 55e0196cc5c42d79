"""Re-running only the systems that failed, before the deadline, without repeating the rest.

A re-run is its own execution (named ``<request id>-rerun-<n>``) that skips verification and
review, which the request has passed already, and plans only the failed system tasks.
"""

from __future__ import annotations

from typing import Any

from dsr.core.actions import Action
from dsr.core.models import Status
from dsr.core.refusals import StateConflictError
from dsr.core.staff_catalog import staff_text
from dsr.fulfilment.fulfilment import Plan, SystemTask, split_plan, task_for
from dsr.storage.store import TransitionRejectedError
from dsr.wiring.desk import Desk


class NothingToRerunError(StateConflictError):
    """The request has no failed system to re-run, or is not in a state that allows it."""

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        super().__init__(staff_text("this request has no failed systems to re-run"))


def failed_tasks(desk: Desk, request_id: str) -> list[SystemTask]:
    tasks = []
    for outcome in desk.store.system_outcomes(request_id):
        if outcome.status == "failed":
            tasks.append(task_for(desk.registry.system(outcome.system_id), Action(outcome.action)))
    return tasks


def start_rerun(desk: Desk, request_id: str, staff_member: str) -> str:
    """Reopen a partially completed request and start an execution for its failed systems."""
    tasks = failed_tasks(desk, request_id)
    if not tasks:
        raise NothingToRerunError(request_id)
    attempt = int(desk.store.get_item_fields(request_id).get("reruns", 0)) + 1
    try:
        desk.store.transition(
            request_id, [Status.PARTIALLY_COMPLETED], Status.IN_PROGRESS, {"reruns": attempt}
        )
    except TransitionRejectedError as moved:  # re-run by someone else meanwhile, or closed
        raise NothingToRerunError(request_id) from moved
    # A new answer follows; the record's expiry is set again when it closes.
    desk.store.remove_fields(
        request_id,
        ["closed_at", "closing_notice_sent_at", "staff_alerted_at", "expires_at", "records_kept_until"],
    )
    name = f"{request_id}-rerun-{attempt}"
    payload: dict[str, Any] = {"request_id": request_id, "rerun": True, "appeal_granted": False}
    try:
        desk.workflow.start_named(name, payload)
    except Exception:
        # Not started: put the request back, so staff see it partially completed and can retry.
        desk.store.transition(request_id, [Status.IN_PROGRESS], Status.PARTIALLY_COMPLETED)
        raise
    desk.audit(
        request_id,
        f"staff:{staff_member}",
        "re-run failed systems",
        "started",
        systems=",".join(sorted({t.system_id for t in tasks})),
    )
    return name


def plan_rerun(desk: Desk, request_id: str) -> Plan:
    tasks = failed_tasks(desk, request_id)
    desk.audit(request_id, "workflow", "plan re-run", f"{len(tasks)} failed system tasks")
    return split_plan(tasks, not_covered=[])
