"""Every request carries its law's dates from intake; staff may extend once, as the law allows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dsr.policies.request_deadlines import deadlines_for, local_day
from dsr.storage.store import request_key
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.clock import local_clock
from local_cloud.cloud import LocalCloud
from tests.support import submit, wait_until


def _item(desk: Desk, request_id: str) -> dict:
    return desk.store._table.get_item(Key=request_key(request_id), ConsistentRead=True)["Item"]


def test_a_request_gets_its_laws_dates_and_policy_at_intake(desk: Desk, public: DeskClient) -> None:
    answer = submit(public, request_types=["access", "sale_sharing_opt_out"], jurisdiction="US-CA")
    request_id = answer.body["request_id"]

    request = desk.store.get(request_id)
    expected = deadlines_for("US-CA", request.request_types, request.received_at)
    assert request.respond_by == expected.respond_by  # the opt-out's 15 business days, the strictest
    assert request.acknowledge_by == expected.acknowledge_by is not None
    assert request.extended_respond_by == expected.extended_respond_by
    assert (request.deadline_policy, request.deadline_policy_version) == ("US-CA", expected.policy_version)
    # The open-requests index is keyed by the watch time: the internal target when it is stricter
    assert _item(desk, request_id)["due_at"] == expected.watch_at.isoformat()
    # People are shown the date where the law counts
    assert answer.body["respond_by"].startswith(local_day("US-CA", expected.respond_by).isoformat())


def test_staff_extend_once_within_the_cap_and_the_subject_is_told(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> None:
    request_id = submit(public, request_types=["access"], jurisdiction="US-VA").body["request_id"]
    before = desk.store.get(request_id)
    assert before.extended_respond_by is not None
    path = f"/staff/requests/{request_id}/extension"

    # An analyst may not extend; a reason is required
    assert analyst.post(path, {"reason": "The account spans three archived systems."}).status == 403
    assert approver.post(path, {"reason": "short"}).status == 422

    extended = approver.post(path, {"reason": "The account spans three archived systems."})

    assert extended.status == 200, extended.body
    shown = approver.get(f"/staff/requests/{request_id}").body["deadlines"]
    assert shown["policy"] == "US-VA" and shown["extension_reason"].startswith("The account spans")
    after = desk.store.get(request_id)
    assert after.respond_by == before.extended_respond_by
    assert after.extension_reason == "The account spans three archived systems."
    assert _item(desk, request_id)["due_at"] == after.respond_by.isoformat()
    notice = wait_until(
        "the extension notice",
        lambda: next(
            (m for m in cloud.outbox() if m.request_id == request_id and "More time" in m.subject), None
        ),
    )
    due = local_day("US-VA", after.respond_by)
    assert f"by {due.day} {due:%B %Y} at the latest" in notice.body
    assert "three archived systems" in notice.body
    # Past the cap: a second extension is refused, naming why
    again = approver.post(path, {"reason": "Still more archives were found."})
    assert again.status == 409 and "extended already" in again.body["message"]


def test_an_extension_is_refused_once_the_notice_time_has_passed(
    desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    request_id = submit(public, request_types=["access"], jurisdiction="US-VA").body["request_id"]
    late = timedelta(days=50)
    local_clock.advance(late)
    try:
        refused = approver.post(f"/staff/requests/{request_id}/extension", {"reason": "Archives are slow."})
    finally:
        local_clock.advance(-late)
    assert refused.status == 409 and refused.body["message"].startswith("too late")


def test_a_law_without_extensions_refuses_one(desk: Desk, public: DeskClient, approver: DeskClient) -> None:
    request_id = submit(public, request_types=["access"], jurisdiction="DEFAULT").body["request_id"]
    assert desk.store.get(request_id).extended_respond_by is None

    refused = approver.post(f"/staff/requests/{request_id}/extension", {"reason": "We would like more time."})

    assert refused.status == 409 and "allows no extension" in refused.body["message"]


def test_asking_a_uk_subject_for_clarification_stops_the_clock_until_they_answer(
    cloud: LocalCloud, desk: Desk, public: DeskClient, analyst: DeskClient
) -> None:
    request_id = submit(public, request_types=["access"], jurisdiction="UK").body["request_id"]
    before = desk.store.get(request_id)
    base = f"/staff/requests/{request_id}"

    asked = analyst.post(
        f"{base}/information-request", {"question": "Which of your two accounts do you mean?"}
    )
    assert (asked.status, asked.body["clock"]) == (200, "paused")
    assert analyst.post(f"{base}/information-request", {"question": "And a second question?"}).status == 409
    question = wait_until(
        "the question to the subject",
        lambda: next(
            (m for m in cloud.outbox() if m.request_id == request_id and "more information" in m.subject),
            None,
        ),
    )
    assert "two accounts" in question.body and "stands still" in question.body

    # Five days later the subject answers: every date moves by the days the clock stood still,
    # the day of asking and the day of the reply both (DPA 2018 s.54(3C)): six
    five_days = timedelta(days=5)
    local_clock.advance(five_days)
    try:
        answered = analyst.post(f"{base}/information-received")
    finally:
        local_clock.advance(-five_days)
    assert answered.status == 200 and answered.body["paused_days"] == 6
    after = desk.store.get(request_id)
    expected = deadlines_for("UK", after.request_types, after.received_at, paused_days=6)
    assert after.respond_by == expected.respond_by > before.respond_by
    assert after.paused_at is None
    assert _item(desk, request_id)["due_at"] == expected.watch_at.isoformat()
    assert analyst.post(f"{base}/information-received").status == 409


def test_where_the_law_does_not_pause_the_question_goes_out_and_the_clock_runs_on(
    cloud: LocalCloud, desk: Desk, public: DeskClient, analyst: DeskClient
) -> None:
    request_id = submit(public, request_types=["access"], jurisdiction="US-CA").body["request_id"]
    before = desk.store.get(request_id)

    asked = analyst.post(
        f"/staff/requests/{request_id}/information-request",
        {"question": "Which of your two accounts do you mean?"},
    )

    assert (asked.status, asked.body["clock"]) == (200, "running")
    assert desk.store.get(request_id).respond_by == before.respond_by
    assert analyst.post(f"/staff/requests/{request_id}/information-received").status == 409
    assert public.post(f"/staff/requests/{request_id}/information-received").status == 401


def test_in_utah_suspected_fraud_moves_no_date(
    cloud: LocalCloud, desk: Desk, public: DeskClient, analyst: DeskClient
) -> None:
    # Utah Code 13-61-203(2)(d): the 45 days stop applying only if the request is still
    # unauthenticated when they end; nothing pauses them, so an answer four days later moves no date.
    request_id = submit(public, request_types=["access"], jurisdiction="US-UT").body["request_id"]
    before = desk.store.get(request_id)
    base = f"/staff/requests/{request_id}"

    suspicious = analyst.post(
        f"{base}/information-request",
        {
            "question": "Please confirm the last four digits of the card on file.",
            "because": "suspected_fraud",
        },
    )
    assert (suspicious.status, suspicious.body["clock"]) == (200, "running")
    assert analyst.post(f"{base}/information-received").status == 409
    assert desk.store.get(request_id).respond_by == before.respond_by
    asked = next(e for e in desk.store.events(request_id) if e.action == "ask for information")
    respond_on = local_day("US-UT", before.respond_by).isoformat()
    assert asked.outcome == (
        f"clock keeps running; the law's period no longer applies if the request is still "
        f"unauthenticated on {respond_on}"
    )
    assert asked.detail["because"] == "suspected_fraud"


def test_in_oregon_the_clock_waits_for_what_authenticates_the_request(
    cloud: LocalCloud, desk: Desk, public: DeskClient, analyst: DeskClient
) -> None:
    # ORS 646A.576(5)(d): a request that cannot be authenticated need not be complied with until
    # the consumer gives what is needed; the dates move by the days the desk waited.
    request_id = submit(public, request_types=["access"], jurisdiction="US-OR").body["request_id"]
    before = desk.store.get(request_id)
    base = f"/staff/requests/{request_id}"

    unclear = analyst.post(
        f"{base}/information-request", {"question": "Which of your two accounts do you mean?"}
    )
    assert (unclear.status, unclear.body["clock"]) == (200, "running")
    unproven = analyst.post(
        f"{base}/information-request",
        {"question": "Please confirm the postal code of your billing address.", "because": "authentication"},
    )
    assert (unproven.status, unproven.body["clock"]) == (200, "paused")

    four_days = timedelta(days=4)
    local_clock.advance(four_days)
    try:
        answered = analyst.post(f"{base}/information-received")
    finally:
        local_clock.advance(-four_days)
    assert answered.status == 200 and answered.body["paused_days"] == 4
    after = desk.store.get(request_id)
    assert local_day("US-OR", after.respond_by) == local_day("US-OR", before.respond_by) + four_days
    reasons = [
        e.detail.get("because") for e in desk.store.events(request_id) if e.action == "ask for information"
    ]
    assert reasons == ["clarification", "authentication"]


def test_a_florida_residents_request_runs_on_floridas_law_only_where_the_company_is_covered(
    desk: Desk, public: DeskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Florida's law covers only companies over US$1 billion in revenue: a deployment setting.
    monkeypatch.delenv("FLORIDA_COVERED", raising=False)
    uncovered = submit(public, request_types=["access"], country="US", region="FL").body["request_id"]
    request = desk.store.get(uncovered)
    assert (request.jurisdiction, request.deadline_policy) == ("US-FL", "DEFAULT")
    # The company's default: 30 days from the local day of receipt, no extension.
    received = local_day("US-FL", request.received_at)
    assert local_day("US-FL", request.respond_by) == received + timedelta(days=30)
    assert request.extended_respond_by is None

    monkeypatch.setenv("FLORIDA_COVERED", "true")
    covered = desk.store.get(
        submit(
            public, request_types=["access"], country="US", region="FL", subject={"email": "bo@example.com"}
        ).body["request_id"]
    )
    assert (covered.deadline_policy, covered.deadline_policy_version) == ("US-FL", "2024-07-01")
    # Receipt + 45, extended by only 15 more: + 60.
    received = local_day("US-FL", covered.received_at)
    assert local_day("US-FL", covered.respond_by) == received + timedelta(days=45)
    assert covered.extended_respond_by is not None
    assert local_day("US-FL", covered.extended_respond_by) == received + timedelta(days=60)
