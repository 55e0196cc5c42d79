"""Status callbacks to an authorized agent (Data Rights Protocol 2.03, 3.08): every change its
request goes through reaches the agent's callback endpoint, in order, once each; an extension
sends the new date and its reason; a failing endpoint is tried again and every attempt is in the
request's audit trail; a revoked request sends ``revoked``."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from dsr.core.identities import SubjectIdentity
from dsr.core.models import Channel, NewRequest, RequestType
from dsr.core.protocol_agents import ProtocolAgentLink
from dsr.intake import submission
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud
from local_cloud.drp_agent import AGENT_ID
from tests.integration.test_least_privilege import use_roles_of, without_statement
from tests.support import answer_hand_offs, verification_code, wait_for_status, wait_until

# A callback follows the change within a tenth of a second; a loaded machine (the tests of others
# beside these) can take far longer to carry a request through.
CALLBACK_WAIT = 180.0


def _agent_request(
    cloud: LocalCloud, desk: Desk, *, exercise: str, types: list[RequestType], **new: Any
) -> str:
    """A request as the desk records one an agent sent (channel drp, the agent's link)."""
    new_request = NewRequest(
        request_types=types,
        subject=SubjectIdentity(email="ada@example.com", name="Ada Lovelace"),
        **{"jurisdiction": "EU", **new},
    )
    link = ProtocolAgentLink(
        agent_id=AGENT_ID,
        agent_request_id="agent-1",
        status_callback=cloud.drp_agent.callback_url,
        exercise=exercise,
        regime=None,
    )
    return submission.submit(desk, new_request, Channel.DRP, protocol_agent=link).request_id


def _states(cloud: LocalCloud, request_id: str) -> list[str]:
    return [
        "/".join(filter(None, [c["status"]["status"], c["status"].get("reason")]))
        for c in cloud.drp_agent.callbacks(request_id)
        if c["answered"] == 200
    ]


def _attempts(desk: Desk, request_id: str) -> list[tuple[str, Any, Any]]:
    return [
        (event.outcome, event.detail.get("status"), event.detail.get("http_status"))
        for event in desk.store.events(request_id)
        if event.action == "drp status callback"
    ]


def test_each_status_change_reaches_the_agent_in_order(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    request_id = _agent_request(cloud, desk, exercise="deletion", types=[RequestType.ERASURE])
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"})
    answer_hand_offs(desk, approver, request_id)
    wait_for_status(desk, request_id, "COMPLETED")

    states = wait_until(
        "the fulfilled callback",
        lambda: (found := _states(cloud, request_id)) and found[-1] == "fulfilled" and found,
        CALLBACK_WAIT,
    )
    assert states == ["open", "in_progress/need_user_verification", "in_progress", "fulfilled"]
    received = cloud.drp_agent.callbacks(request_id)
    assert all(c["status"]["agent_request_id"] == "agent-1" for c in received)
    assert received[-1]["status"]["expected_by"]
    # One line per attempt in the request's audit trail: the state sent and the agent's answer,
    # written once the agent has answered (so a moment after the agent holds the callback)
    delivered = wait_until(
        "the fulfilled delivery in the trail",
        lambda: (
            (d := [a for a in _attempts(desk, request_id) if a[0] == "delivered"])
            and d[-1][1] == "fulfilled"
            and d
        ),
    )
    assert delivered == [
        ("delivered", "open", 200),
        ("delivered", "in_progress", 200),
        ("delivered", "in_progress", 200),
        ("delivered", "fulfilled", 200),
    ]


def test_an_extension_sends_the_new_date_and_its_reason(
    cloud: LocalCloud, desk: Desk, approver: DeskClient
) -> None:
    request_id = _agent_request(
        cloud, desk, exercise="access", types=[RequestType.ACCESS], jurisdiction="US-VA"
    )
    wait_until("the first callback", lambda: cloud.drp_agent.callbacks(request_id), CALLBACK_WAIT)
    before = desk.store.get(request_id)

    extended = approver.post(
        f"/staff/requests/{request_id}/extension", {"reason": "The account spans three archived systems."}
    )

    assert extended.status == 200, extended.body
    last = wait_until(
        "the extension's callback",
        lambda: next(
            (
                c["status"]
                for c in reversed(cloud.drp_agent.callbacks(request_id))
                if "extended" in (c["status"].get("processing_details") or "")
            ),
            None,
        ),
        CALLBACK_WAIT,
    )
    assert last["expected_by"].startswith(before.extended_respond_by.isoformat()[:10])
    assert "three archived systems" in last["processing_details"]


def test_a_failing_callback_endpoint_is_retried_and_each_attempt_recorded(
    cloud: LocalCloud, desk: Desk
) -> None:
    cloud.drp_agent.fail_next_callbacks(2)

    request_id = _agent_request(cloud, desk, exercise="deletion", types=[RequestType.ERASURE])

    wait_until("the open status, delivered", lambda: "open" in _states(cloud, request_id), CALLBACK_WAIT)
    answers = [c["answered"] for c in cloud.drp_agent.callbacks(request_id)]
    assert answers[:3] == [500, 500, 200]
    attempts = _attempts(desk, request_id)
    assert attempts[:3] == [("failed", "open", 500), ("failed", "open", 500), ("delivered", "open", 200)]


def test_a_cancelled_request_sends_revoked(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    request_id = _agent_request(cloud, desk, exercise="deletion", types=[RequestType.ERASURE])
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")

    approver.post(f"/staff/requests/{request_id}/cancel", {"reason": "The person withdrew it."})

    states = wait_until(
        "the revoked callback",
        lambda: (found := _states(cloud, request_id)) and found[-1] == "revoked" and found,
    )
    assert states[-1] == "revoked"
    assert states.count("revoked") == 1


def test_a_change_the_function_cannot_handle_is_retried_then_described_on_the_failure_queue(
    cloud: LocalCloud, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run with its own role less the statement on the requests table, the function cannot record
    its attempts and fails every one: the mapping tries again (the agent is sent the same status
    each time: at least once, never a later one first), then describes the batch on the on-failure
    queue (where it is in the stream, never what it holds)."""
    narrowed = without_statement(cloud, "AgentStatusCallbacksFunction", "dynamodb:PutItem", "RequestsTable")
    use_roles_of(cloud, narrowed, monkeypatch, "AgentStatusCallbacksFunction")
    retries = cloud.template.resources["AgentStatusCallbacksFunction"]["Properties"]["Events"][
        "RequestChanges"
    ]["Properties"]["MaximumRetryAttempts"]
    assert cloud.bridge is not None
    runs_before = sum(1 for i in cloud.bridge.invocations if i.function == "AgentStatusCallbacksFunction")

    request_id = _agent_request(cloud, desk, exercise="deletion", types=[RequestType.ERASURE])

    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=cloud.template.physical_name("DeadLetterQueue"))["QueueUrl"]
    message = wait_until(
        "the failure queue's description of the batch",
        lambda: sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"),
        CALLBACK_WAIT,
    )
    described = json.loads(message[0]["Body"])
    assert described["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert described["DDBStreamBatchInfo"]["batchSize"] >= 1
    assert request_id not in message[0]["Body"] and "ada@example.com" not in message[0]["Body"]
    runs = [i for i in cloud.bridge.invocations if i.function == "AgentStatusCallbacksFunction"][runs_before:]
    # Every batch holding a change the agent sees fails (one holding none has nothing to record)
    assert sum(1 for run in runs if run.error) >= 1 + retries
    sent = [c["status"]["status"] for c in cloud.drp_agent.callbacks(request_id)]
    assert len(sent) >= 1 + retries and set(sent) == {"open"}
