"""Staff decisions: only approvers decide, and of two decisions at once exactly one wins."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from dsr.agents.exercise_status import DrpReason, reason_of_denial
from dsr.staff.reports import denial_reason
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud
from local_cloud.http_api import LocalApi
from tests.support import (
    answer_hand_offs,
    awaiting_approval,
    staff_client,
    submit,
    verification_code,
    wait_for_status,
    wait_until,
)


def test_two_decisions_at_once_exactly_one_wins_and_the_loser_learns_who_decided(
    cloud: LocalCloud, desk: Desk, public: DeskClient, local_api: LocalApi
) -> None:
    request_id = awaiting_approval(cloud, desk, public)
    approver = staff_client(local_api, "approver@desk.example")
    admin = staff_client(local_api, "admin@desk.example")

    with ThreadPoolExecutor(max_workers=2) as pool:
        approve = pool.submit(
            approver.post, f"/staff/requests/{request_id}/decision", {"decision": "approve"}
        )
        deny = pool.submit(
            admin.post, f"/staff/requests/{request_id}/decision", {"decision": "deny", "reason": "duplicate"}
        )
    answers = [approve.result(), deny.result()]

    assert sorted(a.status for a in answers) == [200, 409]
    loser = next(a for a in answers if a.status == 409)
    winner = "approver@desk.example" if answers[0].status == 200 else "admin@desk.example"
    assert loser.body["decided_by"] == winner
    decisions = [e for e in desk.store.events(request_id) if e.action == "staff decision"]
    assert len(decisions) == 1
    if winner.startswith("approver"):
        answer_hand_offs(desk, staff_client(local_api, "analyst@desk.example"), request_id)
    wait_for_status(desk, request_id, "COMPLETED" if winner.startswith("approver") else "DENIED")


def test_an_analyst_may_look_but_not_decide(
    cloud: LocalCloud, desk: Desk, public: DeskClient, analyst: DeskClient
) -> None:
    request_id = awaiting_approval(cloud, desk, public)

    shown = analyst.get(f"/staff/requests/{request_id}")
    decided = analyst.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"})

    assert shown.status == 200
    assert shown.body["subject"] == "a***@e***.com"  # masked until revealed
    assert decided.status == 403
    assert desk.store.get(request_id).status.value == "AWAITING_APPROVAL"


def test_staff_routes_refuse_calls_without_a_valid_token(cloud: LocalCloud, public: DeskClient) -> None:
    forged = DeskClient(cloud.base_url, token="eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl")
    for client in (public, forged):
        assert client.get("/staff/requests").status == 401
        assert (
            client.post(
                "/staff/requests/00000000-0000-4000-8000-000000000000/decision", {"decision": "approve"}
            ).status
            == 401
        )


def test_a_denial_without_a_reason_is_refused(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    request_id = awaiting_approval(cloud, desk, public)

    refused = approver.post(f"/staff/requests/{request_id}/decision", {"decision": "deny"})

    assert refused.status == 422
    assert "reason" in str(refused.body)
    assert desk.store.get(request_id).status.value == "AWAITING_APPROVAL"


def test_a_denial_for_a_reason_code_reads_in_the_subjects_language_and_tells_the_agent_the_code(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    request_id = submit(public, preferred_language="de").body["request_id"]
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")

    answer = approver.post(
        f"/staff/requests/{request_id}/decision",
        {"decision": "deny", "reason_code": "insuf_verification", "reason": "Die Kundennummer fehlt."},
    )

    assert answer.status == 200, answer.body
    wait_for_status(desk, request_id, "DENIED")
    refusal = wait_until(
        "the refusal",
        lambda: [mail for mail in cloud.outbox() if mail.request_id == request_id and "Grund" in mail.body],
    )[0]
    assert (
        "Grund: Wir konnten Ihre Identität für diese Anfrage nicht ausreichend überprüfen. "
        "Die Kundennummer fehlt."
    ) in refusal.body
    assert denial_reason(desk.store.events(request_id)) == "insuf_verification"
    assert reason_of_denial(denial_reason(desk.store.events(request_id))) is DrpReason.INSUF_VERIFICATION


def test_a_denial_for_another_reason_needs_it_explained(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    request_id = awaiting_approval(cloud, desk, public)

    refused = approver.post(
        f"/staff/requests/{request_id}/decision", {"decision": "deny", "reason_code": "other"}
    )

    assert refused.status == 422
    assert "another reason needs the reason explained" in str(refused.body)
    assert desk.store.get(request_id).status.value == "AWAITING_APPROVAL"


def test_the_queue_lists_open_requests_by_due_date(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    first = submit(public).body["request_id"]
    second = submit(public, subject={"email": "grace@example.org"}).body["request_id"]

    queue = approver.get("/staff/requests").body

    assert [entry["request_id"] for entry in queue] == [first, second]
    assert all("@" in entry["subject"] and "***" in entry["subject"] for entry in queue)


def test_staff_see_mail_that_did_not_become_a_request_and_resolve_it_once(
    cloud: LocalCloud, analyst: DeskClient
) -> None:
    spam = b"From: x@example.com\r\nTo: privacy@desk.example\r\nSubject: delete my data\r\n\r\nplease\r\n"
    unclear = b"From: y@example.com\r\nTo: privacy@desk.example\r\nSubject: hi\r\n\r\nlovely product\r\n"
    automatic = b"From: z@example.com\r\nAuto-Submitted: auto-replied\r\nSubject: away\r\n\r\naway\r\n"
    cloud.receive_email(spam, verdicts={"spam": "FAIL"})
    cloud.receive_email(unclear)
    cloud.receive_email(automatic)

    queue = analyst.get("/staff/triage")

    assert queue.status == 200
    assert sorted(item["disposition"] for item in queue.body) == ["quarantined", "triage"]
    assert all("@" not in (item["sender"] or "") or "***" in item["sender"] for item in queue.body)
    first = queue.body[0]["triage_id"]
    resolved = analyst.post(f"/staff/triage/{first}/resolution", {"note": "spam, deleted"})
    again = analyst.post(f"/staff/triage/{first}/resolution", {"note": "twice"})
    assert (resolved.status, again.status) == (200, 409)
    assert len(analyst.get("/staff/triage").body) == 1
