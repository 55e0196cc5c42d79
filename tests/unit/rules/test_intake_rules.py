"""Taking a request in, as the rules decide it: recorded before anything else, one execution per
request, deadlines from the subject's law, a redelivery answered with the first receipt."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from dsr.core.models import Channel, NewRequest, Status
from dsr.intake import throttling
from dsr.intake.acknowledgement import acknowledge
from dsr.intake.status_tokens import NoMatchingRequestError, status_token, status_token_matches
from dsr.intake.submission import submit
from dsr.intake.throttling import TooManyAttemptsError
from dsr.storage.rate_limits import CODE_ATTEMPTS_PER_ADDRESS, MAILS_PER_RECIPIENT
from dsr.verification import identity_checks as verification
from dsr.web import subject_actions
from tests.unit.rules.conftest import DeskInMemory
from tests.unit.rules.fakes import RecordedMailer, RecordedWorkflow, StoppedClock


def _access_request(email: str = "ada@example.net", **fields: object) -> NewRequest:
    return NewRequest.model_validate(
        {"request_types": ["access"], "subject": {"email": email, "name": "Ada Lovelace"}, **fields}
    )


def test_a_request_is_recorded_and_its_one_execution_started(
    desk: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    receipt = submit(desk, _access_request(country="GB"), Channel.WEB)

    stored = desk.store.get(receipt.request_id)
    assert stored.status is Status.RECEIVED
    assert stored.jurisdiction == "UK"
    assert list(workflow.started) == [receipt.request_id]
    assert status_token_matches(desk, receipt.request_id, receipt.status_token)
    trail = {(event.action, event.outcome) for event in desk.store.events(receipt.request_id)}
    assert trail == {("request received", "recorded"), ("start workflow", "started")}


def test_the_uk_month_runs_from_the_day_after_receipt_and_rolls_off_a_weekend(desk: DeskInMemory) -> None:
    # Received Monday 2 March 2026: one month is Thursday 2 April 2026, a working day.
    receipt = submit(desk, _access_request(country="GB"), Channel.WEB)

    assert receipt.respond_on.isoformat() == "2026-04-02"


def test_a_californian_gets_45_days_counting_the_day_of_receipt(desk: DeskInMemory) -> None:
    # Received 2 March 2026, day 1; day 45 is 15 April 2026.
    receipt = submit(desk, _access_request(country="US", region="CA"), Channel.WEB)

    assert receipt.respond_on.isoformat() == "2026-04-15"
    assert desk.store.get(receipt.request_id).acknowledge_by is not None


def test_a_redelivered_email_finds_the_first_request_and_starts_nothing_more(
    desk: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    first = submit(desk, _access_request(), Channel.EMAIL, request_id="11111111-2222-4333-8444-555555555555")
    again = submit(desk, _access_request(), Channel.EMAIL, request_id="11111111-2222-4333-8444-555555555555")

    assert again.request_id == first.request_id
    assert again.respond_by == first.respond_by
    assert len(workflow.started) == 1


def test_the_subjects_mailbox_may_not_be_used_to_flood_the_desk(desk: DeskInMemory) -> None:
    with pytest.raises(TooManyAttemptsError) as refused:
        for _ in range(100):
            submit(desk, _access_request("flood@example.net"), Channel.WEB)

    assert refused.value.retry_after_seconds > 0
    assert 0 < len(desk.store.requests_received_in("2026-03")) < 100


# --- rate limits (dsr.intake.throttling) ----------------------------------------------------------

CALLER_ADDRESS = "203.0.113.7"


def _waiting_for_a_code(
    desk: DeskInMemory, workflow: RecordedWorkflow, email: str = "ada@example.net"
) -> str:
    receipt = submit(desk, _access_request(email, country="GB"), Channel.WEB)
    verification.begin(desk, receipt.request_id, workflow.hand_out_token())
    return receipt.request_id


def test_a_mailbox_may_submit_five_requests_a_day_however_its_address_is_written(
    desk: DeskInMemory, clock: StoppedClock
) -> None:
    addresses = [f"Bomb+{n}@Example.com" if n % 2 else f"bomb+{n}@example.com" for n in range(5)]
    for address in addresses:
        submit(desk, _access_request(address), Channel.WEB)

    with pytest.raises(TooManyAttemptsError) as refused:
        submit(desk, _access_request("BOMB@example.com"), Channel.WEB)
    submit(desk, _access_request("someone.else@example.com"), Channel.WEB)  # another mailbox is not held up

    assert str(refused.value) == "Too many attempts; try again later."
    clock.advance(timedelta(seconds=refused.value.retry_after_seconds))
    submit(desk, _access_request("bomb@example.com"), Channel.WEB)  # the next day, it may again


def test_a_mailbox_gets_its_days_share_of_mail_and_the_request_says_what_was_withheld(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    request_ids = [_waiting_for_a_code(desk, workflow, f"victim+{n}@example.com") for n in range(4)]
    for request_id in request_ids:
        acknowledge(desk, request_id)
    with pytest.raises(TooManyAttemptsError):  # new codes asked for until the mailbox has had its share
        for _ in range(MAILS_PER_RECIPIENT.limit):
            verification.issue_new_code(desk, request_ids[0])
    last = _waiting_for_a_code(desk, workflow, "Victim@example.com")

    acknowledged = acknowledge(desk, last)

    assert acknowledged is False
    assert len([m for m in outbox.sent if m.to.lower().startswith("victim")]) == MAILS_PER_RECIPIENT.limit
    trail = {(e.action, e.outcome) for e in desk.store.events(last)}
    assert ("acknowledge", "acknowledgement withheld") in trail
    assert (MAILS_PER_RECIPIENT.name, "email withheld") in trail
    assert desk.store.get(last).acknowledged_at is not None  # not tried again: the request goes on


def test_a_new_code_is_sent_at_most_three_times_an_hour_and_only_to_the_status_tokens_holder(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    request_id = _waiting_for_a_code(desk, workflow)
    token = status_token(desk, request_id)
    other = _waiting_for_a_code(desk, workflow, "alan@example.com")

    with pytest.raises(NoMatchingRequestError):
        subject_actions.ask_for_new_code(desk, request_id, status_token(desk, other))
    answers = [subject_actions.ask_for_new_code(desk, request_id, token) for _ in range(3)]
    with pytest.raises(TooManyAttemptsError):
        subject_actions.ask_for_new_code(desk, request_id, token)
    clock.advance(timedelta(hours=1))
    after_an_hour = subject_actions.ask_for_new_code(desk, request_id, token)

    assert answers == [True, True, True] and after_an_hour is True
    codes_sent = [m for m in outbox.to("ada@example.net") if "verification code" in m.subject]
    assert len(codes_sent) == 1 + 3 + 1


def test_code_attempts_from_one_address_are_limited_and_the_lock_out_outlasts_the_hour(
    desk: DeskInMemory, workflow: RecordedWorkflow, clock: StoppedClock
) -> None:
    request_id = _waiting_for_a_code(desk, workflow)
    caller = subject_actions.caller_key(desk, CALLER_ADDRESS)
    clock.advance(timedelta(minutes=20))  # 09:50: the half-hour lock-out runs into the next hour
    for _ in range(CODE_ATTEMPTS_PER_ADDRESS.limit):
        subject_actions.confirm_with_code(desk, request_id, "000000", {}, caller=caller)

    with pytest.raises(TooManyAttemptsError) as locked:
        subject_actions.confirm_with_code(desk, request_id, "000000", {}, caller=caller)

    assert locked.value.retry_after_seconds >= CODE_ATTEMPTS_PER_ADDRESS.lockout_seconds
    clock.advance(timedelta(minutes=15))  # 10:05: a new hour, and still locked out
    with pytest.raises(TooManyAttemptsError):
        subject_actions.confirm_with_code(desk, request_id, "000000", {}, caller=caller)
    clock.advance(timedelta(seconds=locked.value.retry_after_seconds) - timedelta(minutes=15))
    subject_actions.confirm_with_code(desk, request_id, "000000", {}, caller=caller)
    other_caller = subject_actions.caller_key(desk, "198.51.100.23")
    subject_actions.confirm_with_code(desk, request_id, "000000", {}, caller=other_caller)


def test_a_lock_out_is_recorded_on_the_request_once_however_often_it_is_hit(desk: DeskInMemory) -> None:
    request_id = submit(desk, _access_request(), Channel.WEB).request_id
    key = subject_actions.caller_key(desk, CALLER_ADDRESS)
    refused = 0
    for _ in range(CODE_ATTEMPTS_PER_ADDRESS.limit + 5):
        try:
            throttling.enforce(desk, CODE_ATTEMPTS_PER_ADDRESS, key, request_id=request_id)
        except TooManyAttemptsError:
            refused += 1

    locked = [e for e in desk.store.events(request_id) if e.action == CODE_ATTEMPTS_PER_ADDRESS.name]
    assert refused == 5
    assert [(e.actor, e.outcome, e.detail["seconds"]) for e in locked] == [
        ("rate limit", "locked out", CODE_ATTEMPTS_PER_ADDRESS.lockout_seconds)
    ]


def test_the_rate_limits_record_no_address_and_no_email(
    desk: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _waiting_for_a_code(desk, workflow, "private.person@example.org")
    caller = subject_actions.caller_key(desk, CALLER_ADDRESS)
    subject_actions.confirm_with_code(desk, request_id, "000000", {}, caller=caller)

    with pytest.raises(ValueError, match="opaque"):
        throttling.enforce(desk, CODE_ATTEMPTS_PER_ADDRESS, CALLER_ADDRESS)
    items = desk.table(desk.settings.requests_table).scan()["Items"]
    rate_items = json.dumps([item for item in items if str(item["pk"]).startswith("RATE#")], default=str)
    assert "mails-per-recipient" in rate_items and "code-attempts-per-address" in rate_items  # counted ...
    assert CALLER_ADDRESS not in rate_items  # ... under keys that name nobody
    assert "private.person" not in rate_items
