"""A vendor that does not answer, through the whole workflow with the desk's clock moved: reminded
on the registry's schedule, then its silence rule (fail, or hold the request open) applied."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from dsr.wiring.desk import Desk, desk_from_environment
from dsr_cli.http_client import DeskClient
from dsr_cli.owner_links import answer_through_link, link_in, open_link
from local_cloud.clock import local_clock
from local_cloud.cloud import LocalCloud
from tests.integration.test_hand_offs import _approved, _confirm, _outcome, _outcomes, _wait_for
from tests.support import advance, wait_for_status, wait_until

VENDOR = "customer-service#erase"
VENDOR_ADDRESS = "privacy@helpline.example"
STAFF_ADDRESS = "privacy-team@desk.example"


def _to(cloud: LocalCloud, request_id: str, address: str) -> list[str]:
    return [m.subject for m in cloud.outbox() if m.request_id == request_id and address in m.to]


def _alerts(cloud: LocalCloud, request_id: str) -> list[dict[str, Any]]:
    messages = [json.loads(alert["Message"]) for alert in cloud.alerts()]
    return [m for m in messages if m.get("request_id") == request_id and "kind" in m]


def _silent_vendor(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> tuple[str, datetime]:
    """An erasure whose every other system has answered; the help-desk vendor is still asked."""
    request_id = _approved(cloud, desk, public, approver, request_types=["erasure"])
    waiting = _wait_for(desk, request_id, VENDOR, "waiting")
    _wait_for(desk, request_id, "crm-contacts#erase", "waiting")
    assert _confirm(analyst, request_id, "crm-contacts#erase").status == 200
    wait_until(
        "every other system to answer",
        lambda: (
            [t for t, s in _outcomes(desk, request_id).items() if s not in {"done", "exempt"}] == [VENDOR]
        ),
    )
    return request_id, datetime.fromisoformat(str(waiting["answer_by"]))


def _sweep_at(cloud: LocalCloud, moved_clock: list[timedelta], moment: datetime) -> None:
    """The desk's clock moved to ``moment``, and the sweeper run twice there."""
    advance(moved_clock, moment - local_clock.now())
    cloud.run_schedules()
    cloud.run_schedules()


def test_a_silent_vendor_is_reminded_every_five_days_once_each_then_failed_with_staff_told(
    cloud: LocalCloud,
    desk: Desk,
    public: DeskClient,
    approver: DeskClient,
    analyst: DeskClient,
    moved_clock: list[timedelta],
) -> None:
    request_id, answer_by = _silent_vendor(cloud, desk, public, approver, analyst)
    asked = answer_by - timedelta(days=14)
    [instructions] = _to(cloud, request_id, VENDOR_ADDRESS)

    # When the clock reaches day 4, then days 5 and 10 (the registry: every 5 days), sweeping twice each time
    _sweep_at(cloud, moved_clock, asked + timedelta(days=4))
    assert _to(cloud, request_id, VENDOR_ADDRESS) == [instructions]
    _sweep_at(cloud, moved_clock, asked + timedelta(days=5, hours=1))
    _sweep_at(cloud, moved_clock, asked + timedelta(days=10, hours=1))

    # Then the vendor was reminded twice, once each, with the same ask; staff see it on the request
    assert _to(cloud, request_id, VENDOR_ADDRESS) == [
        instructions,
        f"Reminder 1: {instructions}",
        f"Reminder 2: {instructions}",
    ]
    system = next(
        s
        for s in approver.get(f"/staff/requests/{request_id}").body["systems"]
        if s["system_id"] == "customer-service"
    )
    assert (system["status"], system["reminders_sent"]) == ("waiting", 2)
    assert system["last_reminded_at"].startswith((asked + timedelta(days=10)).date().isoformat())

    # When the answer-by date passes, the task fails, the request closes partially completed, staff are told
    _sweep_at(cloud, moved_clock, answer_by + timedelta(hours=1))
    wait_for_status(desk, request_id, "PARTIALLY_COMPLETED")
    assert _outcome(desk, request_id, VENDOR)["error"].startswith(
        "no answer from Helpline Outsourcing Ltd by "
    )
    assert [a["kind"] for a in _alerts(cloud, request_id)] == ["hand-off-silent"]
    told = _to(cloud, request_id, STAFF_ADDRESS)
    assert told == [f"Privacy request {request_id[:8]}: no answer from Helpline Outsourcing Ltd"]
    assert len(_to(cloud, request_id, VENDOR_ADDRESS)) == 3  # no reminder once it ended
    failed = next(
        s
        for s in approver.get(f"/staff/requests/{request_id}").body["systems"]
        if s["system_id"] == "customer-service"
    )
    assert (failed["status"], failed["reminders_sent"]) == ("failed", 2)


@pytest.fixture
def vendor_blocks_closing(desk: Desk) -> Iterator[None]:
    """The demonstration registry, with the help-desk vendor's silence rule ``block_closing``."""
    shared = desk_from_environment()
    before = shared.registry
    systems = [
        s.model_copy(update={"store": s.store.model_copy(update={"when_silent": "block_closing"})})
        if s.id == "customer-service"
        else s
        for s in before.systems
    ]
    shared.registry = before.model_copy(update={"systems": systems})
    try:
        yield
    finally:
        shared.registry = before


def test_a_vendor_under_block_closing_holds_the_request_open_past_its_date_until_staff_answer(
    cloud: LocalCloud,
    desk: Desk,
    public: DeskClient,
    approver: DeskClient,
    analyst: DeskClient,
    moved_clock: list[timedelta],
    vendor_blocks_closing: None,
) -> None:
    request_id, answer_by = _silent_vendor(cloud, desk, public, approver, analyst)

    # When the answer-by date passes and the sweeper runs twice
    _sweep_at(cloud, moved_clock, answer_by + timedelta(hours=1))

    # Then the request is still open, the task still waits, and staff were alerted once
    assert desk.store.get(request_id).status.value == "IN_PROGRESS"
    assert _outcomes(desk, request_id)[VENDOR] == "waiting"
    assert [a["kind"] for a in _alerts(cloud, request_id)] == ["hand-off-holds-closing"]
    assert any("cannot close" in subject for subject in _to(cloud, request_id, STAFF_ADDRESS))

    # When staff record the vendor's answer on its behalf, the request closes completed
    assert _confirm(analyst, request_id, VENDOR, note="Helpline confirmed by phone").status == 200
    wait_for_status(desk, request_id, "COMPLETED")


def test_under_block_closing_the_link_in_the_latest_reminder_still_answers_weeks_past_the_date(
    cloud: LocalCloud,
    desk: Desk,
    public: DeskClient,
    approver: DeskClient,
    analyst: DeskClient,
    moved_clock: list[timedelta],
    vendor_blocks_closing: None,
) -> None:
    request_id, answer_by = _silent_vendor(cloud, desk, public, approver, analyst)

    # Three weeks past the date the request still waits on the vendor, who is reminded again
    _sweep_at(cloud, moved_clock, answer_by + timedelta(days=21))
    to_vendor = [m for m in cloud.outbox() if m.request_id == request_id and VENDOR_ADDRESS in m.to]
    latest = to_vendor[-1]
    assert latest.subject.startswith("Reminder")
    link = link_in(latest.body)

    # Then its link opens the vendor's page, and the vendor's answer settles the task
    assert open_link(link).status == 200
    answered = answer_through_link(link, "done", records=1)
    assert answered.status == 200, answered.body
    wait_for_status(desk, request_id, "COMPLETED")
