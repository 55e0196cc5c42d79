"""A request whose execution failed to start is kept, then started by the sweeper: nothing lost."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError

from dsr.clock import system_clock
from dsr.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud
from tests.conftest import status_of, submit, verification_code, wait_for_status


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
