"""Each verification level through the real state machine, and the rules around it."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from dsr.intake.status_tokens import status_token
from dsr.policies.request_deadlines import deadlines_for
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.clock import local_clock
from local_cloud.cloud import LocalCloud
from local_cloud.http_api import states_timeline
from tests.support import advance, status_of, submit, verification_code, wait_for_status, wait_until

GRACE = {"email": "grace@example.org"}
GRACE_ACCOUNT = {"email": "grace@example.org", "account_id": "acct-1002"}


def _verify(public: DeskClient, request_id: str, code: str, **points: str):
    return public.post(f"/requests/{request_id}/verification", {"code": code, "data_points": points})


def _states(cloud: LocalCloud, request_id: str) -> list[str]:
    return [s["state"] for s in states_timeline(cloud.execution_history(request_id)["events"])]


def _final_states(cloud: LocalCloud, request_id: str) -> list[str]:
    """The states entered, once the execution has ended (the record closes a moment before)."""
    wait_until("the execution to end", lambda: cloud.execution_history(request_id)["status"] != "RUNNING")
    return _states(cloud, request_id)


def test_an_opt_out_is_not_asked_for_any_proof(cloud: LocalCloud, desk: Desk, public: DeskClient) -> None:
    request_id = submit(
        public, request_types=["marketing_opt_out"], subject=GRACE, jurisdiction="US-CA"
    ).body["request_id"]

    wait_for_status(desk, request_id, "AWAITING_APPROVAL")

    assert "NoVerificationNeeded" in _states(cloud, request_id)
    assert "VerifyIdentity" not in _states(cloud, request_id)
    assert not any("verification code" in m.subject for m in cloud.outbox())


def test_matched_level_needs_the_code_and_two_details_we_hold(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    request_id = submit(public, request_types=["access"], subject=GRACE, jurisdiction="US-CA").body[
        "request_id"
    ]
    code = verification_code(cloud, request_id)
    mail = next(m for m in cloud.outbox() if "verification code" in m.subject)
    assert "we also need 2 of these details" in mail.body

    only_one = _verify(public, request_id, code, phone="202-555-0143", postal_code="94107")
    both = _verify(public, request_id, code, phone="202-555-0143", postal_code=" 94105 ")

    assert (only_one.status, both.status) == (403, 200)
    assert "fewer than 2 of the details you gave match" in only_one.body["message"]
    assert "code is right" not in _verify(public, request_id, "999999").body["message"]
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    rejected = [e.detail["reason"] for e in desk.store.events(request_id) if e.outcome == "rejected"]
    assert rejected[0] == "data points did not match (1 of 2)"


def test_three_wrong_sets_of_details_close_the_request_as_unverifiable(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    request_id = submit(public, request_types=["access"], subject=GRACE, jurisdiction="US-CA").body[
        "request_id"
    ]
    code = verification_code(cloud, request_id)

    for _ in range(3):
        assert _verify(public, request_id, code, phone="+14155550100", postal_code="10001").status == 403

    wait_for_status(desk, request_id, "UNVERIFIABLE")
    assert _final_states(cloud, request_id)[-2:] == ["CloseUnverifiable", "Closed"]
    assert any("was closed" in m.subject for m in cloud.outbox() if m.request_id == request_id)


def test_the_field_being_corrected_is_never_used_to_verify(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    request_id = submit(
        public,
        request_types=["rectification"],
        subject=GRACE,
        jurisdiction="US-CA",
        corrections=[{"field": "phone", "corrected_value": "+12025550199"}],
    ).body["request_id"]
    code = verification_code(cloud, request_id)

    with_phone = _verify(public, request_id, code, phone="+12025550143", postal_code="00000")
    without_phone = _verify(public, request_id, code, postal_code="94105", last_invoice_amount="129.5")

    assert (with_phone.status, without_phone.status) == (403, 200)


def test_an_account_holder_signs_in_and_an_assertion_works_once(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    request_id = submit(
        public,
        request_types=["erasure"],
        subject=GRACE_ACCOUNT,
        relationship="account_holder",
        jurisdiction="US-CA",
    ).body["request_id"]
    wait_until("the sign-in email", lambda: any("Sign in" in m.subject for m in cloud.outbox()))
    other_account = cloud.product_login.assertion_for(
        request_id, "acct-1001", "grace@example.org", local_clock.now()
    )
    assertion = cloud.product_login.assertion_for(
        request_id, "acct-1002", "grace@example.org", local_clock.now()
    )

    wrong = public.post(f"/requests/{request_id}/verification/account", {"assertion": other_account})
    right = public.post(f"/requests/{request_id}/verification/account", {"assertion": assertion})
    replay = public.post(f"/requests/{request_id}/verification/account", {"assertion": assertion})

    assert (wrong.status, right.status, replay.status) == (403, 200, 403)
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    reasons = [e.detail["reason"] for e in desk.store.events(request_id) if e.outcome == "rejected"]
    assert reasons == ["assertion for another account", "already used"]


def test_the_window_closes_by_the_desks_clock(
    cloud: LocalCloud, desk: Desk, public: DeskClient, moved_clock: list[timedelta]
) -> None:
    request_id = submit(public, request_types=["objection"]).body["request_id"]
    verification_code(cloud, request_id)

    advance(moved_clock, timedelta(days=13))
    cloud.run_schedules()
    assert status_of(desk, request_id) == "VERIFYING"
    advance(moved_clock, timedelta(days=2))
    cloud.run_schedules()

    wait_for_status(desk, request_id, "UNVERIFIABLE")
    ended = [e for e in desk.store.events(request_id) if e.action == "verification ended"]
    assert [e.outcome for e in ended] == ["VerificationWindowClosed"]
    notice = wait_until(  # the notice follows the status change
        "the closing notice",
        lambda: next(
            (m for m in cloud.outbox() if m.request_id == request_id and "was closed" in m.subject), None
        ),
    )
    assert "make a new request" in notice.body


def test_a_new_code_replaces_the_old_one_at_most_three_times_an_hour(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    receipt = submit(public).body
    request_id, token = receipt["request_id"], receipt["status_token"]
    first = verification_code(cloud, request_id)

    answers = [
        public.post(f"/requests/{request_id}/verification/new-code", {"token": token}) for _ in range(4)
    ]

    assert [a.status for a in answers] == [202, 202, 202, 429]
    assert answers[0].body == {"message": "We have emailed you a new code. It replaces the one before."}
    assert answers[3].body == {"message": "Too many attempts; try again later."}
    latest = verification_code(cloud, request_id)
    if latest != first:
        assert _verify(public, request_id, first).status == 403
    assert _verify(public, request_id, latest).status == 200


def test_code_attempts_from_one_address_are_limited(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    request_id = submit(public).body["request_id"]
    verification_code(cloud, request_id)

    statuses = [_verify(public, request_id, "000000").status for _ in range(21)]

    assert statuses[:20] == [403] * 20
    assert statuses[20] == 429


def test_an_agent_without_power_of_attorney_needs_the_subject_to_confirm(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    agent = {
        "name": "Pat Agent",
        "email": "pat@agents.example",
        "permission_document": base64.b64encode(b"%PDF").decode(),
    }
    request_id = submit(public, agent=agent).body["request_id"]

    verification_code(cloud, request_id)

    code_mail = next(m for m in cloud.outbox() if "verification code" in m.subject)
    assert code_mail.to == ["ada@example.com"]  # the subject, never the agent
    # The trail is written just after the email goes out.
    requested = wait_until(
        "the verification step in the trail",
        lambda: next(
            (e for e in desk.store.events(request_id) if e.action == "verification requested"), None
        ),
    )
    assert requested.detail["path"] == "subject confirms directly"


def test_a_power_of_attorney_is_confirmed_by_an_approver_not_an_analyst(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> None:
    agent = {
        "name": "Pat Agent",
        "email": "pat@agents.example",
        "permission_document": base64.b64encode(b"%PDF power of attorney").decode(),
        "power_of_attorney": True,
    }
    request_id = submit(public, agent=agent).body["request_id"]
    wait_for_status(desk, request_id, "VERIFYING")
    assert not any("verification code" in m.subject for m in cloud.outbox())

    by_analyst = analyst.post(f"/staff/requests/{request_id}/power-of-attorney")
    by_approver = approver.post(f"/staff/requests/{request_id}/power-of-attorney")
    again = approver.post(f"/staff/requests/{request_id}/power-of-attorney")

    assert (by_analyst.status, by_approver.status, again.status) == (403, 200, 409)
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    confirmed = next(e for e in desk.store.events(request_id) if e.action == "power of attorney confirmed")
    assert confirmed.actor == "staff:approver@desk.example"


@pytest.mark.usefixtures("every_right_offered")  # objections, which California's law does not give
def test_californias_clock_keeps_running_and_the_uks_restarts_on_identification(
    cloud: LocalCloud, desk: Desk, public: DeskClient, moved_clock: list[timedelta]
) -> None:
    californian = submit(public, request_types=["objection"], subject=GRACE, jurisdiction="US-CA").body[
        "request_id"
    ]
    british = submit(public, request_types=["objection"], jurisdiction="UK").body["request_id"]
    due_before = {rid: desk.store.get(rid).respond_by for rid in (californian, british)}
    first_codes = {rid: verification_code(cloud, rid) for rid in (californian, british)}

    # three days later the subjects ask for fresh codes (the first ones expired) and verify
    advance(moved_clock, timedelta(days=3))
    for request_id, first in first_codes.items():
        public.post(
            f"/requests/{request_id}/verification/new-code", {"token": status_token(desk, request_id)}
        )
        fresh = wait_until(
            "a fresh code",
            lambda rid=request_id, old=first: (c := verification_code(cloud, rid)) != old and c,
        )
        assert _verify(public, request_id, fresh).status == 200

    assert desk.store.get(californian).respond_by == due_before[californian]
    restarted = desk.store.get(british)
    # One month from the day of identification, three days later (weekends and bank holidays
    # may move either date, so the shift is not always exactly three days)
    expected = deadlines_for(
        "UK", restarted.request_types, restarted.received_at, clock_started_at=desk.now()
    )
    assert restarted.respond_by == expected.respond_by
    assert restarted.respond_by > due_before[british]
    clock_events = {
        rid: [e.outcome for e in desk.store.events(rid) if e.action == "legal clock"] for rid in first_codes
    }
    assert clock_events == {
        californian: ["kept running while verifying"],
        british: ["restarted on identification"],
    }
