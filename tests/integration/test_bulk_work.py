"""Staff act on a selection of the queue: each request is decided on its own, with its own audit
line and its own notice, and a request the action does not fit is reported, not skipped silently."""

from __future__ import annotations

from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud
from tests.support import awaiting_approval, submit, wait_for_status, wait_until


def test_a_selection_closed_as_spam_tells_each_subject_and_reports_the_request_it_does_not_fit(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    waiting = awaiting_approval(
        cloud, desk, public, subject={"email": "spam-one@example.com", "name": "Sam Selected"}
    )
    unverified = str(
        submit(public, subject={"email": "spam-two@example.com", "name": "Sam"}).body["request_id"]
    )
    wait_for_status(desk, unverified, "VERIFYING")
    missing = "00000000-0000-4000-8000-00000000beef"

    answer = approver.post(
        "/staff/bulk",
        {
            "action": "close_as_spam",
            "request_ids": [waiting, unverified, missing],
            "reason": "This request was sent automatically and does not come from you.",
        },
    )

    assert answer.status == 200, answer.body
    assert [(r["request_id"], r["done"]) for r in answer.body] == [
        (waiting, True),
        (unverified, True),
        (missing, False),
    ]
    assert answer.body[2]["problem"] == f"no request {missing}"
    for request_id in (waiting, unverified):
        wait_for_status(desk, request_id, "CANCELLED")
        actions = [(e.actor, e.action) for e in desk.store.events(request_id)]
        assert ("staff:approver@desk.example", "marked as spam") in actions
        told = wait_until(
            "the subject's notice",
            lambda rid=request_id: [
                m for m in cloud.outbox() if m.request_id == rid and "does not come from you" in m.body
            ],
        )
        assert len(told) == 1


def test_approving_a_selection_decides_each_and_a_decided_one_says_who_decided_it(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    first = awaiting_approval(
        cloud, desk, public, subject={"email": "bulk-first@example.com", "name": "Sam Selected"}
    )
    second = awaiting_approval(
        cloud, desk, public, subject={"email": "bulk-second@example.com", "name": "Sam Selected"}
    )
    assert approver.post(f"/staff/requests/{second}/decision", {"decision": "approve"}).status == 200

    answer = approver.post("/staff/bulk", {"action": "approve", "request_ids": [first, second]})

    assert answer.status == 200, answer.body
    assert answer.body[0] == {"request_id": first, "done": True, "problem": None}
    assert answer.body[1]["done"] is False
    assert answer.body[1]["problem"] in {
        "already decided by approver@desk.example",
        "this request is not waiting for a decision",
    }
    wait_until(
        "the approved request to go ahead", lambda: desk.store.get(first).status.value != "AWAITING_APPROVAL"
    )


def test_a_selection_is_assigned_and_the_queue_shows_to_whom(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    request_id = awaiting_approval(
        cloud, desk, public, subject={"email": "bulk-assigned@example.com", "name": "Sam Selected"}
    )

    answer = approver.post(
        "/staff/bulk",
        {"action": "assign", "request_ids": [request_id], "assignee": "analyst@desk.example"},
    )

    assert answer.status == 200 and answer.body[0]["done"], answer.body
    queued = {entry["request_id"]: entry for entry in approver.get("/staff/requests").body}
    assert queued[request_id]["assigned_to"] == "analyst@desk.example"
    assigned = [e for e in desk.store.events(request_id) if e.action == "assigned"]
    assert assigned[-1].detail["assignee"] == "analyst@desk.example"


def test_bulk_work_that_is_incomplete_is_refused_with_what_is_missing(approver: DeskClient) -> None:
    some_id = "00000000-0000-4000-8000-000000000000"
    no_reason = approver.post("/staff/bulk", {"action": "deny", "request_ids": [some_id]})
    twice = approver.post("/staff/bulk", {"action": "approve", "request_ids": [some_id, some_id]})
    nobody = approver.post("/staff/bulk", {"action": "assign", "request_ids": [some_id]})

    assert no_reason.status == twice.status == nobody.status == 422
    assert "a denial needs a reason" in str(no_reason.body)
    assert "each request is named once" in str(twice.body)
    assert "assigning needs the staff member" in str(nobody.body)


def test_requests_for_one_subject_in_a_day_are_grouped_as_a_flood(
    desk: Desk, public: DeskClient, analyst: DeskClient
) -> None:
    sent = [
        str(
            submit(
                public, subject={"email": "flooded@example.com", "name": "Flo"}, request_types=[kind]
            ).body["request_id"]
        )
        for kind in ("access", "erasure", "portability")
    ]
    for request_id in sent:
        wait_until("the request to be recorded", lambda rid=request_id: desk.store.find(rid))

    groups = analyst.get("/staff/floods").body

    flood = next(g for g in groups if set(sent) <= set(g["request_ids"]))
    assert flood["kind"] == "subject"
    assert flood["count"] >= 3
    assert "flooded@example.com" not in str(groups)
