"""Staff answering the tasks a request handed to a vendor or to customers, over the staff API."""

from __future__ import annotations

import time
from collections.abc import Mapping

from dsr_cli.http_client import DeskClient

Answer = tuple[str, str]
"""(answer, note): ``done``, ``nothing_found`` or ``failed``, and what they said."""


class HandOffsNotReadyError(TimeoutError):
    """The tasks did not reach the state asked for in time."""


def wait_for_systems(
    staff: DeskClient, request_id: str, wanted: Mapping[str, set[str]], seconds: float = 30.0
) -> dict[str, str]:
    """Poll the request until each ``system#action`` has one of the wanted statuses; their statuses."""
    deadline = time.monotonic() + seconds
    statuses: dict[str, str] = {}
    while time.monotonic() < deadline:
        detail = staff.get(f"/staff/requests/{request_id}").body
        statuses = {f"{s['system_id']}#{s['action']}": s["status"] for s in detail.get("systems", [])}
        if all(statuses.get(task) in allowed for task, allowed in wanted.items()):
            return statuses
        time.sleep(0.1)
    missing = sorted(task for task, allowed in wanted.items() if statuses.get(task) not in allowed)
    raise HandOffsNotReadyError(f"request {request_id}: {', '.join(missing)} not ready ({statuses})")


def answer_hand_offs(
    staff: DeskClient, request_id: str, answers: Mapping[str, Answer], seconds: float = 30.0
) -> dict[str, int]:
    """Record the vendor's or customer's answer for each ``system#action`` as it comes to wait
    (changes wait until every export is in, so they come later); skipped if it needed nobody's
    answer (no customer holds the person). The HTTP status of each confirmation."""
    deadline = time.monotonic() + seconds
    results: dict[str, int] = {}
    while time.monotonic() < deadline:
        detail = staff.get(f"/staff/requests/{request_id}").body
        statuses = {f"{s['system_id']}#{s['action']}": s["status"] for s in detail.get("systems", [])}
        for task, (answer, note) in answers.items():
            if task in results or statuses.get(task) != "waiting":
                continue
            system_id, action = task.split("#")
            reply = staff.post(
                f"/staff/requests/{request_id}/systems/{system_id}/{action}/confirmation",
                {"answer": answer, "note": note},
            )
            if reply.status == 409 and _answered_by_the_desk(reply.body):
                # Waiting only for a moment: the desk found nobody to ask (no customer holds the
                # person) and answered the task itself. Nothing for staff to record.
                continue
            results[task] = reply.status
        if all(task in results or statuses.get(task) in {"nothing_found", "done"} for task in answers):
            return results
        time.sleep(0.1)
    missing = sorted(task for task in answers if task not in results)
    raise HandOffsNotReadyError(f"request {request_id}: {', '.join(missing)} never waited for an answer")


def _answered_by_the_desk(body: object) -> bool:
    """A refusal because the workflow itself, not a person, answered the task first."""
    return isinstance(body, dict) and str(body.get("decided_by", "")) == "workflow"
