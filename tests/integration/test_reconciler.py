"""A request whose execution failed to start is kept, then started by the sweeper: nothing lost."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import boto3
from botocore.exceptions import ClientError

from dsr.clock import system_clock
from dsr.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud
from tests.conftest import status_of, submit, verification_code, wait_for_status, wait_until


def _throttle_start_execution(desk: Desk) -> Any:
    def refuse(**_: Any) -> None:
        raise ClientError(
            {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "StartExecution"
        )

    events = desk.workflow._sfn.meta.events  # the client the functions use
    events.register_first("before-call.sfn.StartExecution", refuse)
    return lambda: events.unregister("before-call.sfn.StartExecution", refuse)


def test_a_request_whose_start_failed_is_started_by_the_sweeper_and_completes(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    # Given Step Functions refuses to start executions
    restore = _throttle_start_execution(desk)
    try:
        answer = submit(public)
    finally:
        restore()

    # Then the subject still gets a receipt, and the request is kept as RECEIVED
    assert answer.status == 201
    request_id = answer.body["request_id"]
    assert status_of(desk, request_id) == "RECEIVED"
    assert "deferred to the reconciler" in [e.outcome for e in desk.store.events(request_id)]

    # When the sweeper runs within the grace period, it leaves the request alone
    cloud.run_schedules()
    assert status_of(desk, request_id) == "RECEIVED"

    # And when it runs after the grace period, it starts the execution
    system_clock.advance(timedelta(minutes=5))
    try:
        cloud.run_schedules()
        cloud.run_schedules()  # a second sweep must not start it twice
    finally:
        system_clock.advance(-timedelta(minutes=5))

    # Then the request goes on to completion like any other
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"})
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
