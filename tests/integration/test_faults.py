"""Faults injected into AWS calls: no request is lost, and each ends in the right state with the
right trail."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from email import message_from_bytes
from email.policy import default as default_policy
from typing import Any

import boto3

from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient, HttpAnswer
from local_cloud.cloud import LocalCloud
from tests.support import (
    answer_hand_offs,
    status_of,
    submit,
    verification_code,
    wait_for_status,
    wait_until,
)


def _acknowledgements(cloud: LocalCloud, request_id: str) -> int:
    return sum(1 for m in cloud.outbox() if m.request_id == request_id and "We received" in m.subject)


def test_an_acknowledgement_whose_first_send_fails_is_sent_once_on_the_retry(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    cloud.faults.fail("sesv2", "SendEmail", "throttle", nth=1, times=1)

    request_id = submit(public).body["request_id"]

    wait_for_status(desk, request_id, "VERIFYING")
    assert cloud.faults.injected == [("sesv2", "SendEmail", "throttle")]
    wait_until("the acknowledgement", lambda: _acknowledgements(cloud, request_id) == 1)
    assert [e.action for e in desk.store.events(request_id)].count("acknowledge") == 1


def test_an_acknowledgement_that_cannot_be_sent_fails_the_request_where_staff_see_it(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    cloud.faults.fail("sesv2", "SendEmail", "server_error", nth=1, times=10)

    request_id = submit(public).body["request_id"]

    wait_for_status(desk, request_id, "FAILED")
    assert len(cloud.faults.injected) >= 3  # the state machine tried again before giving up
    alert = wait_until(
        "the staff alert",
        lambda: next((json.loads(a["Message"]) for a in cloud.alerts() if request_id in a["Message"]), None),
    )
    assert alert["outcome"] == "failed"
    assert "InternalServerError" in alert["error"]
    closed = [e for e in desk.store.events(request_id) if e.action == "close request"]
    assert closed[-1].outcome == "FAILED" and "InternalServerError" in str(closed[-1].detail["error"])
    assert _acknowledgements(cloud, request_id) == 0


ADA_ASKS = {"request_types": ["access"], "subject": {"email": "ada@example.com"}, "jurisdiction": "EU"}


def _sent_twice(public: DeskClient, key: str) -> tuple[HttpAnswer, HttpAnswer]:
    """The same submission sent again with the same Idempotency-Key, as a client retries."""
    headers = {"Idempotency-Key": key}
    return public.call("POST", "/requests", ADA_ASKS, headers=headers), public.call(
        "POST", "/requests", ADA_ASKS, headers=headers
    )


def _is_a_new_request(body: Mapping[str, Any]) -> bool:
    item = body.get("Item") or {}
    return str(body.get("TableName", "")).endswith("RequestsTable") and item.get("sk") == {"S": "REQUEST"}


def test_a_failed_write_at_intake_loses_nothing_and_the_retry_records_the_request_once(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    cloud.faults.fail("dynamodb", "PutItem", "server_error", nth=1, times=1, where=_is_a_new_request)
    first, second = _sent_twice(public, "retry-after-a-failed-write-0001")

    # The subject is told to try again; nothing half-recorded
    assert (first.status, first.body["message"]) == (
        503,
        "The privacy desk could not complete this just now. Please try again in a moment.",
    )
    assert cloud.faults.injected == [("dynamodb", "PutItem", "server_error")]
    assert second.status == 201, second.body
    request_id = second.body["request_id"]
    assert [r.request_id for r in desk.store.open_requests()] == [request_id]
    wait_for_status(desk, request_id, "VERIFYING")
    assert status_of(desk, request_id) == "VERIFYING"


def _the_receipt_event(body: Mapping[str, Any]) -> bool:
    item = body.get("Item") or {}
    return item.get("action") == {"S": "request received"}


def test_a_request_stored_before_a_failure_midway_is_finished_by_the_keyed_retry_not_doubled(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    # The request is stored, then writing its trail fails: the subject is told to try again
    cloud.faults.fail("dynamodb", "PutItem", "server_error", nth=1, times=1, where=_the_receipt_event)
    payload = {"request_types": ["erasure"], "subject": {"email": "ada@example.com"}, "jurisdiction": "EU"}
    key = {"Idempotency-Key": "retry-after-a-failure-midway"}

    first = public.call("POST", "/requests", payload, headers=key)
    assert first.status == 503, first.body
    stored = desk.store.open_requests()
    assert [r.status.value for r in stored] == ["RECEIVED"]

    # The retry finds that same request, writes its trail and starts it: one request, not two
    second = public.call("POST", "/requests", payload, headers=key)

    assert second.status == 201, second.body
    assert second.body["request_id"] == stored[0].request_id
    wait_for_status(desk, second.body["request_id"], "VERIFYING")
    assert [r.request_id for r in desk.store.open_requests()] == [second.body["request_id"]]
    actions = [e.action for e in desk.store.events(second.body["request_id"])]
    assert actions.count("request received") == 1
    assert actions.count("start workflow") == 1


def test_a_failed_write_to_the_idempotency_table_is_answered_503_and_the_retry_recorded_once(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    cloud.faults.fail(
        "dynamodb",
        "PutItem",
        "throttle",
        nth=1,
        times=1,
        where=lambda body: str(body.get("TableName", "")).endswith("IdempotencyTable"),
    )
    first, second = _sent_twice(public, "retry-after-a-failed-idempotency-write")

    assert first.status == 503, first.body
    assert first.body["message"].startswith("The privacy desk could not complete this just now.")
    assert cloud.faults.injected == [("dynamodb", "PutItem", "throttle")]
    assert second.status == 201, second.body
    assert [r.request_id for r in desk.store.open_requests()] == [second.body["request_id"]]


def test_an_execution_that_fails_where_nothing_catches_it_is_marked_by_the_status_rule(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    # The acknowledgement fails, and so does recording the failure: the execution itself fails
    assert cloud.bridge is not None

    def broken(function: str, _event: object) -> Exception | None:
        if function in {"AcknowledgeRequestFunction", "CloseRequestFunction"}:
            return RuntimeError(f"{function} is broken")
        return None

    cloud.bridge.fault = broken
    request_id = submit(public).body["request_id"]
    wait_until("the execution to fail", lambda: cloud.execution_history(request_id)["status"] == "FAILED")
    assert status_of(desk, request_id) == "RECEIVED"  # nothing inside the execution could record it

    # The EventBridge rule on failed executions marks the request, and staff are told
    cloud.bridge.fault = lambda _function, _event: None
    cloud.run_schedules()
    wait_for_status(desk, request_id, "FAILED")
    alert = wait_until(
        "the staff alert",
        lambda: next((json.loads(a["Message"]) for a in cloud.alerts() if request_id in a["Message"]), None),
    )
    assert alert["outcome"] == "failed" and "execution FAILED" in alert["error"]
    cloud.run_schedules()  # reported once
    assert [e.outcome for e in desk.store.events(request_id) if e.action == "close request"] == ["FAILED"]


def _an_email_titled(words: str) -> Callable[[Mapping[str, Any]], bool]:
    """A fault filter for SES SendEmail calls whose message subject contains ``words``."""

    def matches(body: Mapping[str, Any]) -> bool:
        raw = body.get("Content", {}).get("Raw", {}).get("Data")
        if not raw:
            return False
        message = message_from_bytes(base64.b64decode(raw), policy=default_policy)
        return words in str(message["Subject"])

    return matches


def test_a_verification_code_whose_first_send_fails_is_sent_on_the_retry_and_works(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    cloud.faults.fail(
        "sesv2", "SendEmail", "timeout", nth=1, times=1, where=_an_email_titled("verification code")
    )

    request_id = submit(public).body["request_id"]

    code = verification_code(cloud, request_id)
    assert cloud.faults.injected == [("sesv2", "SendEmail", "timeout")]
    codes_sent = [
        m for m in cloud.outbox() if m.request_id == request_id and "verification code" in m.subject
    ]
    assert len(codes_sent) == 1
    assert public.post(f"/requests/{request_id}/verification", {"code": code}).status == 200
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")


def test_a_verification_code_that_cannot_be_sent_fails_the_request_where_staff_see_it(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    cloud.faults.fail(
        "sesv2", "SendEmail", "server_error", nth=1, times=20, where=_an_email_titled("verification code")
    )

    request_id = submit(public).body["request_id"]

    wait_for_status(desk, request_id, "FAILED")
    assert len(cloud.faults.injected) == 4  # the first try and the state machine's three retries
    alert = wait_until(
        "the staff alert",
        lambda: next((json.loads(a["Message"]) for a in cloud.alerts() if request_id in a["Message"]), None),
    )
    assert alert["outcome"] == "failed" and "InternalServerError" in alert["error"]
    actions = [e.action for e in desk.store.events(request_id)]
    assert "acknowledge" in actions and actions[-1] == "close request"


def _a_call_on(table: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda body: str(body.get("TableName", "")).endswith(table)


def _approved_erasure(cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient) -> str:
    request_id = submit(public, request_types=["erasure"]).body["request_id"]
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    assert approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"}).status == 200
    return request_id


def _outcome(desk: Desk, request_id: str, system_task: str) -> dict[str, Any]:
    return next(
        o.fields for o in desk.store.system_outcomes(request_id) if f"{o.system_id}#{o.action}" == system_task
    )


def _ada_signed_up() -> bool:
    table = boto3.resource("dynamodb").Table("marketing-leads")
    return "Item" in table.get_item(Key={"email": "ada@example.com"})


def test_a_store_that_throttles_once_is_retried_and_the_erasure_completes(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> None:
    cloud.faults.fail(
        "dynamodb", "DeleteItem", "throttle", nth=1, times=1, where=_a_call_on("marketing-leads")
    )

    request_id = _approved_erasure(cloud, desk, public, approver)
    answer_hand_offs(desk, analyst, request_id)

    wait_for_status(desk, request_id, "COMPLETED")
    assert cloud.faults.injected == [("dynamodb", "DeleteItem", "throttle")]
    assert _outcome(desk, request_id, "marketing-leads#erase")["status"] == "done"
    assert not _ada_signed_up()


def test_a_store_that_stays_down_is_recorded_and_a_later_re_run_completes_the_erasure(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> None:
    cloud.faults.fail(
        "dynamodb", "DeleteItem", "server_error", nth=1, times=1000, where=_a_call_on("marketing-leads")
    )

    request_id = _approved_erasure(cloud, desk, public, approver)
    answer_hand_offs(desk, analyst, request_id)

    wait_for_status(desk, request_id, "PARTIALLY_COMPLETED")
    failed = _outcome(desk, request_id, "marketing-leads#erase")
    assert failed["status"] == "failed" and "InternalServerError" in str(failed["error"])
    assert _ada_signed_up(), "nothing was erased from the store that was down"
    assert ("system:marketing-leads", "erase", "failed") in [
        (e.actor, e.action, e.outcome) for e in desk.store.events(request_id)
    ]

    cloud.faults.clear()
    assert approver.post(f"/staff/requests/{request_id}/rerun").status == 202

    wait_for_status(desk, request_id, "COMPLETED")
    assert _outcome(desk, request_id, "marketing-leads#erase")["status"] == "done"
    assert not _ada_signed_up()
