"""Staff racing each other on one request: exactly one decision stands, and the record agrees."""

from __future__ import annotations

import threading

from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient, HttpAnswer
from local_cloud.cloud import LocalCloud
from local_cloud.http_api import LocalApi
from tests.support import staff_client, submit, verification_code, wait_for_status, wait_until


def test_approve_deny_cancel_and_extend_at_once_leave_one_decision(
    local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    request_id = str(submit(public, request_types=["erasure"], jurisdiction="UK").body["request_id"])
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    base = f"/staff/requests/{request_id}"
    calls = {
        "approve": (staff_client(local_api, "approver@desk.example"), "/decision", {"decision": "approve"}),
        "deny": (
            staff_client(local_api, "admin@desk.example"),
            "/decision",
            {"decision": "deny", "reason": "hold"},
        ),
        "cancel": (
            staff_client(local_api, "admin@desk.example"),
            "/cancel",
            {"reason": "The subject withdrew it."},
        ),
        "extend": (
            staff_client(local_api, "approver@desk.example"),
            "/extension",
            {"reason": "Several archived systems to search."},
        ),
    }
    answers: dict[str, HttpAnswer] = {}
    start = threading.Barrier(len(calls))

    def call(name: str) -> None:
        client, path, body = calls[name]
        start.wait()
        answers[name] = client.post(f"{base}{path}", body)

    threads = [threading.Thread(target=call, args=(name,)) for name in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    deciders = {name: answers[name].status for name in ("approve", "deny", "cancel")}
    assert sorted(deciders.values()) == [200, 409, 409], answers
    winner = next(name for name, status in deciders.items() if status == 200)
    expected = {
        "approve": {"IN_PROGRESS", "PARTIALLY_COMPLETED", "COMPLETED"},
        "deny": {"DENIED"},
        "cancel": {"CANCELLED"},
    }
    wait_until(
        f"the request to show the {winner}",
        lambda: desk.store.get(request_id).status.value in expected[winner],
    )
    events = desk.store.events(request_id)
    decisions = [e for e in events if e.action in {"staff decision", "cancel request"}]
    assert len(decisions) == 1, [(e.action, e.outcome) for e in decisions]
    assert answers["extend"].status in {200, 409}
    losers = [answers[name] for name, status in deciders.items() if status == 409]
    assert all(loser.body["message"] for loser in losers)


def test_the_right_code_sent_four_times_at_once_verifies_once(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    # A subject double-clicks, on two devices: the same right code arrives four times at once
    request_id = str(submit(public).body["request_id"])
    code = verification_code(cloud, request_id)
    answers: list[HttpAnswer] = []
    start = threading.Barrier(4)

    def send() -> None:
        start.wait()
        answers.append(public.post(f"/requests/{request_id}/verification", {"code": code}))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(a.status for a in answers) == [200, 403, 403, 403], [a.body for a in answers]
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    events = desk.store.events(request_id)
    assert [e.outcome for e in events if e.action == "verification attempt"].count("verified") == 1
    wait_until(
        "the review task",
        lambda: [e.action for e in desk.store.events(request_id)].count("staff review requested") == 1,
    )
    entered = [
        e["stateEnteredEventDetails"]["name"]
        for e in cloud.execution_history(request_id)["events"]
        if "stateEnteredEventDetails" in e
    ]
    assert entered.count("VerifyIdentity") == 1 and entered.count("ReviewRequest") == 1
