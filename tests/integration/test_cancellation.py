"""Cancelling a request not yet carried out: closed without action, the subject told, the
execution stopped; a request already being carried out cannot be cancelled."""

from __future__ import annotations

from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud
from tests.support import submit, verification_code, wait_for_status, wait_until


def test_a_request_waiting_for_a_decision_is_cancelled_and_its_execution_stopped(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    request_id = str(submit(public, request_types=["erasure"]).body["request_id"])
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")

    cancelled = approver.post(
        f"/staff/requests/{request_id}/cancel", {"reason": "You asked us to withdraw it."}
    )

    assert cancelled.status == 200, cancelled.body
    assert desk.store.get(request_id).status.value == "CANCELLED"
    # Stopped (AWS reports ABORTED; the local cloud's interpreter ends the stopped execution when
    # its waiting task is released, and reports FAILED); either way nothing waits on it, and the
    # request stays cancelled.
    wait_until(
        "the execution to end", lambda: cloud.execution_history(request_id)["status"] in {"ABORTED", "FAILED"}
    )
    cloud.run_schedules()
    assert desk.store.get(request_id).status.value == "CANCELLED"
    mail = wait_until(
        "the subject's notice",
        lambda: next(
            (m for m in cloud.outbox() if m.request_id == request_id and "was closed" in m.subject), None
        ),
    )
    assert "You asked us to withdraw it." in mail.body
    # Nothing can be decided on it any more, and it is no longer in the queue
    late = approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"})
    assert (late.status, late.body["decided_by"]) == (409, "approver@desk.example")
    assert request_id not in [r["request_id"] for r in approver.get("/staff/requests").body]
    assert approver.post(f"/staff/requests/{request_id}/cancel", {"reason": "Again."}).status == 409


def test_a_request_being_carried_out_cannot_be_cancelled(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    request_id = str(submit(public, request_types=["erasure"]).body["request_id"])
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"})
    wait_for_status(desk, request_id, "IN_PROGRESS")

    refused = approver.post(f"/staff/requests/{request_id}/cancel", {"reason": "Too late for this."})

    assert refused.status == 409
    assert "only a request not yet carried out can be cancelled" in refused.body["message"]
    assert desk.store.get(request_id).status.value == "IN_PROGRESS"
