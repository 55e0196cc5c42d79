"""A request whose execution failed to start is kept, then started by the sweeper: nothing lost."""

from __future__ import annotations

import uuid
from datetime import timedelta

import boto3

from dsr.core.identities import SubjectIdentity
from dsr.core.models import Channel, PrivacyRequest, Relationship, RequestType, Status
from dsr.deadlines import sweeper
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.clock import local_clock
from local_cloud.cloud import LocalCloud
from tests.support import answer_hand_offs, status_of, submit, verification_code, wait_for_status, wait_until


def test_a_request_whose_start_failed_is_started_by_the_sweeper_and_completes(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> None:
    # Given Step Functions refuses to start the execution (throttled past the SDK's retries)
    cloud.faults.fail("sfn", "StartExecution", "throttle", times=1)
    answer = submit(public)
    assert cloud.faults.injected == [("sfn", "StartExecution", "throttle")]

    # Then the subject still gets a receipt, and the request is kept as RECEIVED
    assert answer.status == 201
    request_id = answer.body["request_id"]
    assert status_of(desk, request_id) == "RECEIVED"
    assert "deferred to the reconciler" in [e.outcome for e in desk.store.events(request_id)]

    # When the sweeper runs within the grace period, it leaves the request alone
    cloud.run_schedules()
    assert status_of(desk, request_id) == "RECEIVED"

    # And when it runs after the grace period, it starts the execution
    local_clock.advance(timedelta(minutes=5))
    try:
        cloud.run_schedules()
        cloud.run_schedules()  # a second sweep must not start it twice
    finally:
        local_clock.advance(-timedelta(minutes=5))

    # Then the request goes on to completion like any other
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"})
    answer_hand_offs(desk, analyst, request_id)
    wait_for_status(desk, request_id, "COMPLETED")
    starts = [e for e in desk.store.events(request_id) if e.action == "start workflow"]
    assert [e.outcome for e in starts] == ["deferred to the reconciler", "started"]


def test_an_execution_that_fails_outside_any_catch_marks_the_request_failed_and_alerts_staff(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    # Given planning breaks, and so does recording the failure (so no Catch can close the request)
    assert cloud.bridge is not None
    broken = {"PlanSystemsFunction", "CloseRequestFunction"}
    cloud.bridge.fault = lambda function, _event: RuntimeError("injected") if function in broken else None
    request_id = submit(public).body["request_id"]
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"})
    sfn = boto3.client("stepfunctions")
    wait_until(
        "the execution to fail",
        lambda: sfn.describe_execution(executionArn=cloud.execution_arn(request_id))["status"] == "FAILED",
    )
    cloud.bridge.fault = lambda _function, _event: None

    # When the rule on FAILED / TIMED_OUT / ABORTED executions delivers its event (twice)
    cloud.run_schedules()
    cloud.run_schedules()

    # Then the request is FAILED, with the reason in its trail, and staff are alerted once
    assert status_of(desk, request_id) == "FAILED"
    closes = [e for e in desk.store.events(request_id) if e.action == "close request"]
    assert len(closes) == 1
    assert "execution FAILED: FailureUnrecorded" in str(closes[0].detail["error"])
    assert [alert["Subject"] for alert in cloud.alerts()] == [
        f"Privacy request {request_id[:8]} needs attention"
    ]


def _recorded(desk: Desk, status: Status, due_in_days: int) -> str:
    """A request written straight to the table (no workflow), due in ``due_in_days``."""
    now = desk.now()
    request = PrivacyRequest(
        request_id=str(uuid.uuid4()),
        request_types=[RequestType.ACCESS],
        subject=SubjectIdentity(email="someone@example.com"),
        relationship=Relationship.OTHER,
        jurisdiction="EU",
        channel=Channel.WEB,
        status=status,
        received_at=now,
        respond_by=now + timedelta(days=due_in_days),
    )
    desk.store.create(request)
    return request.request_id


def test_a_request_whose_start_failed_is_found_however_many_requests_are_open(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    # Given 300 open requests that started, all due before the one whose start failed
    for _ in range(300):
        desk.store.mark_started(_recorded(desk, Status.AWAITING_APPROVAL, due_in_days=10), desk.now())
    cloud.faults.fail("sfn", "StartExecution", "throttle", times=1)
    request_id = submit(public).body["request_id"]
    assert status_of(desk, request_id) == "RECEIVED"
    reads: list[str] = []
    desk.store._table.meta.client.meta.events.register(
        "after-call.dynamodb.*", lambda model, **_: reads.append(model.name)
    )

    # When the sweeper reconciles after the grace period
    local_clock.advance(timedelta(minutes=5))
    try:
        report = sweeper.reconcile(desk)
    finally:
        local_clock.advance(-timedelta(minutes=5))

    # Then it read that one request, not the 300 that started, and started it
    assert (report.unstarted_requests_read, report.executions_started) == (1, 1)
    assert reads.count("Query") == 1 and reads.count("BatchGetItem") == 1
    wait_for_status(desk, request_id, "VERIFYING")
    assert sweeper.reconcile(desk).unstarted_requests_read == 0
    assert len(desk.store.open_requests()) == 301, "the queue lists every open request"
