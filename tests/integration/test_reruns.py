"""A system that fails is recorded, the request ends partially completed, and staff re-run only it."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud
from tests.support import answer_hand_offs, submit, verification_code, wait_for_status, wait_until


def _outcomes(desk: Desk, request_id: str) -> dict[str, str]:
    return {f"{o.system_id}#{o.action}": o.status for o in desk.store.system_outcomes(request_id)}


def test_staff_re_run_only_the_failed_system_and_the_request_completes(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> None:
    # Given the support archive is down while the request is carried out
    assert cloud.bridge is not None

    def support_archive_down(function: str, event: Any) -> Exception | None:
        if function == "RunSystemTaskFunction" and event.get("system_id") == "support-tickets":
            return RuntimeError("support archive unavailable")
        return None

    cloud.bridge.fault = support_archive_down
    request_id = submit(public, request_types=["erasure"]).body["request_id"]
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"})
    answer_hand_offs(desk, analyst, request_id)

    # Then the request ends partially completed, the failure recorded, staff alerted
    wait_for_status(desk, request_id, "PARTIALLY_COMPLETED")
    before = _outcomes(desk, request_id)
    assert before["support-tickets#erase"] == "failed"
    assert all(status != "failed" for key, status in before.items() if not key.startswith("support-tickets"))
    wait_until(
        "the staff alert", lambda: any(a["Subject"].endswith("needs attention") for a in cloud.alerts())
    )

    # When the archive is back and an approver re-runs the failed systems
    cloud.bridge.fault = lambda _function, _event: None
    rerun = approver.post(f"/staff/requests/{request_id}/rerun")
    assert rerun.status == 202

    # Then only the failed system ran again, and the request is completed with a new answer
    wait_for_status(desk, request_id, "COMPLETED")
    after = _outcomes(desk, request_id)
    assert after["support-tickets#erase"] == "done"
    erase_events = [e for e in desk.store.events(request_id) if e.action == "erase" and e.outcome == "done"]
    systems_erased = [e.actor for e in erase_events]
    assert sorted(set(systems_erased)) == sorted(systems_erased), "no system was erased twice"
    wait_until(
        "the completion notice",
        lambda: any(m.request_id == request_id and "is complete" in m.subject for m in cloud.outbox()),
    )
    assert approver.post(f"/staff/requests/{request_id}/rerun").status == 409


def test_an_erased_person_is_on_the_suppression_list_for_imports(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> None:
    request_id = submit(public, request_types=["erasure"]).body["request_id"]
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"})
    answer_hand_offs(desk, analyst, request_id)
    wait_for_status(desk, request_id, "COMPLETED")
    # The list is written just after the request is closed: wait for it, not only for the status.
    wait_until(
        "the suppression list to be recorded",
        lambda: any(event.action == "suppression list" for event in desk.store.events(request_id)),
    )

    answer = analyst.post(
        "/staff/suppression/check", {"emails": ["grace@example.org", " Ada@Example.com", "new@example.net"]}
    )

    assert answer.status == 200
    assert answer.body == [{"index": 1, "reasons": ["erased"]}]


def test_a_re_run_that_cannot_start_leaves_the_request_ready_to_re_run(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> None:
    assert cloud.bridge is not None
    cloud.bridge.fault = lambda function, event: (
        RuntimeError("down")
        if function == "RunSystemTaskFunction" and event.get("system_id") == "support-tickets"
        else None
    )
    request_id = submit(public, request_types=["erasure"]).body["request_id"]
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"})
    answer_hand_offs(desk, analyst, request_id)
    wait_for_status(desk, request_id, "PARTIALLY_COMPLETED")
    cloud.bridge.fault = lambda _function, _event: None

    def refuse(**_: Any) -> None:
        raise ClientError(
            {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "StartExecution"
        )

    events = desk.workflow._sfn.meta.events
    events.register_first("before-call.sfn.StartExecution", refuse)
    try:
        refused = approver.post(f"/staff/requests/{request_id}/rerun")
    finally:
        events.unregister("before-call.sfn.StartExecution", refuse)

    assert refused.status == 502
    assert desk.store.get(request_id).status.value == "PARTIALLY_COMPLETED"
    assert approver.post(f"/staff/requests/{request_id}/rerun").status == 202
    wait_for_status(desk, request_id, "COMPLETED")
