"""Taking a request in, as the rules decide it: recorded before anything else, one execution per
request, deadlines from the subject's law, a redelivery answered with the first receipt."""

from __future__ import annotations

import pytest

from dsr.core.models import Channel, NewRequest, Status
from dsr.intake.status_tokens import status_token_matches
from dsr.intake.submission import submit
from dsr.intake.throttling import TooManyAttemptsError
from tests.unit.rules.conftest import DeskInMemory
from tests.unit.rules.fakes import RecordedWorkflow


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
