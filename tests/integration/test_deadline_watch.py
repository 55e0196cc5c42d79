"""The sweeper watches the clock: reminders once per point, one overdue escalation, the extension
notice warning, metrics figures, and only open requests read, through the sparse index."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from aws_lambda_powertools import Metrics
from pydantic import ValidationError

from dsr.core.models import Status
from dsr.deadlines import sweeper
from dsr.deadlines.watch import WatchSettings
from dsr.deadlines.watch_report import WatchReport
from dsr.wiring.desk import Desk
from local_cloud.cloud import LocalCloud, SentMail
from sweeper.app import publish_deadline_metrics
from tests.support import WATCHED_DETAILS, WATCHED_EMAIL, WATCHED_NAME, advance, open_request_due_in

EMAIL, NAME, DETAILS = WATCHED_EMAIL, WATCHED_NAME, WATCHED_DETAILS


def _alerts_for(cloud: LocalCloud, request_id: str) -> list[dict[str, Any]]:
    """The alerts on the staff topic about one request: the SNS subject and the decoded message."""
    found = []
    for alert in cloud.alerts():
        message = json.loads(alert["Message"])
        if message.get("request_id") == request_id:
            found.append({"Subject": alert["Subject"], **message})
    return found


def _staff_mail_for(cloud: LocalCloud, desk: Desk, request_id: str) -> list[SentMail]:
    return [
        mail
        for mail in cloud.outbox()
        if mail.request_id == request_id and mail.to == [desk.settings.staff_alert_address]
    ]


def _subjects(cloud: LocalCloud, request_id: str, containing: str) -> list[str]:
    return [a["Subject"] for a in _alerts_for(cloud, request_id) if containing in a["Subject"]]


def _sweep_times(cloud: LocalCloud, times: int) -> None:
    for _ in range(times):
        cloud.run_schedules()


def test_reminders_go_once_per_point_then_one_overdue_escalation(
    cloud: LocalCloud, desk: Desk, moved_clock: list[timedelta]
) -> None:
    # Given a request due in 10 days
    request_id = open_request_due_in(desk, timedelta(days=10))

    # When the sweeper runs, nothing is due yet
    cloud.run_schedules()
    assert _alerts_for(cloud, request_id) == []
    assert _staff_mail_for(cloud, desk, request_id) == []

    # When it is 6 days away: the 7-day reminder, on the topic and to the privacy team's mailbox
    advance(moved_clock, timedelta(days=4))
    cloud.run_schedules()
    [alert] = _alerts_for(cloud, request_id)
    assert alert["kind"] == "reminder"
    assert alert["reminder_days"] == 7
    assert alert["days_left"] == 6
    assert alert["jurisdiction"] == "UK"
    assert alert["request_types"] == ["access", "erasure"]
    assert "7-day reminder" in alert["Subject"]
    [mail] = _staff_mail_for(cloud, desk, request_id)
    assert mail.subject == alert["Subject"]
    assert request_id in mail.body
    assert "6 days from now" in mail.body

    # And however often the sweeper runs, it is sent once
    _sweep_times(cloud, 3)
    assert len(_alerts_for(cloud, request_id)) == 1
    assert len(_staff_mail_for(cloud, desk, request_id)) == 1

    # When it is 1 day away: the 2-day reminder, once
    advance(moved_clock, timedelta(days=5))
    _sweep_times(cloud, 2)
    assert len(_subjects(cloud, request_id, "2-day reminder")) == 1
    assert len(_staff_mail_for(cloud, desk, request_id)) == 2

    # When the legal due date has passed: one OVERDUE escalation
    advance(moved_clock, timedelta(days=2))
    _sweep_times(cloud, 2)
    [overdue] = [a for a in _alerts_for(cloud, request_id) if a["kind"] == "overdue"]
    assert overdue["Subject"].startswith("OVERDUE: privacy request")
    assert overdue["days_late"] == 1
    mails = _staff_mail_for(cloud, desk, request_id)
    assert [m.subject for m in mails if m.subject.startswith("OVERDUE")] == [overdue["Subject"]]
    assert len(_alerts_for(cloud, request_id)) == 3
    assert len(mails) == 3

    # And the trail records each, and no alert or email carries anything that identifies the subject
    told = [e.action for e in desk.store.events(request_id) if e.actor == "sweeper"]
    assert told == ["deadline reminder", "deadline reminder", "overdue escalation"]
    words = [json.dumps(a) for a in _alerts_for(cloud, request_id)] + [m.subject + m.body for m in mails]
    for text in words:
        assert EMAIL not in text
        assert NAME not in text
        assert "Lovelace" not in text
        assert DETAILS not in text


def test_the_internal_target_drives_reminders_but_overdue_is_by_the_legal_date(
    cloud: LocalCloud, desk: Desk, moved_clock: list[timedelta]
) -> None:
    # Given a request the company means to answer in 10 days, and the law in 20
    request_id = open_request_due_in(desk, timedelta(days=20), target_in=timedelta(days=10))

    # When the target is 6 days away (the legal date 16): the 7-day reminder names the target
    advance(moved_clock, timedelta(days=4))
    _sweep_times(cloud, 2)
    [reminder] = _alerts_for(cloud, request_id)
    assert reminder["reminder_days"] == 7
    assert "internal target in 6 days" in reminder["Subject"]

    # When the target is a day away: the 2-day reminder
    advance(moved_clock, timedelta(days=5))
    cloud.run_schedules()
    assert len(_subjects(cloud, request_id, "2-day reminder")) == 1

    # When the target has passed but the legal date has not: no escalation, nothing more
    advance(moved_clock, timedelta(days=3))
    _sweep_times(cloud, 2)
    assert [a["kind"] for a in _alerts_for(cloud, request_id)] == ["reminder", "reminder"]

    # When the legal date has passed: overdue, once
    advance(moved_clock, timedelta(days=9))
    _sweep_times(cloud, 2)
    assert sorted(a["kind"] for a in _alerts_for(cloud, request_id)) == ["overdue", "reminder", "reminder"]


def test_staff_are_warned_once_when_an_extension_notice_is_due_unless_extended(
    cloud: LocalCloud, desk: Desk, moved_clock: list[timedelta]
) -> None:
    # Given two requests whose last moment for an extension notice is 5 days away; one extended
    waiting = open_request_due_in(desk, timedelta(days=5), extension_notice_in=timedelta(days=5))
    extended = open_request_due_in(
        desk, timedelta(days=5), extension_notice_in=timedelta(days=5), extended=True
    )
    cloud.run_schedules()
    assert _subjects(cloud, waiting, "extension notice") == []

    # When it is a day away
    advance(moved_clock, timedelta(days=4))
    _sweep_times(cloud, 3)

    # Then staff are warned once about the request that was not extended, and not about the other
    [warning] = [a for a in _alerts_for(cloud, waiting) if a["kind"] == "extension-notice"]
    assert "extension notice due by" in warning["Subject"]
    assert [m for m in _staff_mail_for(cloud, desk, waiting) if "extension notice" in m.subject]
    assert [a["kind"] for a in _alerts_for(cloud, extended)] == ["reminder", "reminder"]


def test_the_sweep_reads_no_closed_request_and_never_scans(desk: Desk, moved_clock: list[timedelta]) -> None:
    # Given 30 closed requests that were due soon, and 3 open ones (two within the horizon)
    closed = []
    for _ in range(30):
        request_id = open_request_due_in(desk, timedelta(days=1))
        desk.store.transition(request_id, [Status.AWAITING_APPROVAL], Status.COMPLETED)
        closed.append(request_id)
    soon = [open_request_due_in(desk, timedelta(days=3)), open_request_due_in(desk, timedelta(days=5))]
    later = open_request_due_in(desk, timedelta(days=20))

    # When the sweep runs, every DynamoDB call and answer on the desk's client watched
    calls: list[tuple[str, str]] = []

    def record_call(event_name: str, params: Any, **_: Any) -> None:
        calls.append((event_name.rsplit(".", 1)[-1], json.dumps(params, default=str)))

    def record_answer(event_name: str, parsed: Any, **_: Any) -> None:
        calls.append((event_name.rsplit(".", 1)[-1], json.dumps(parsed, default=str)))

    events = desk.dynamodb.meta.client.meta.events
    events.register("before-call.dynamodb", record_call)
    events.register("after-call.dynamodb", record_answer)
    try:
        report = sweeper.sweep(desk)
    finally:
        events.unregister("before-call.dynamodb", record_call)
        events.unregister("after-call.dynamodb", record_answer)

    # Then no closed request was asked for or returned, and nothing was scanned
    operations = {operation for operation, _ in calls}
    assert "Scan" not in operations
    assert "Query" in operations
    assert not [rid for rid in closed if any(rid in text for _, text in calls)]

    # And the watch read the two open requests within the horizon and counted the three
    assert report.deadlines == WatchReport(
        open_requests=3, due_within_7_days=2, requests_read=2, reminders_sent=2
    )
    assert (
        desk.store.open_requests_due_before(desk.now() + timedelta(days=8), limit=1)[0]["request_id"]
        == soon[0]
    )
    assert {
        i["request_id"] for i in desk.store.open_requests_due_before(desk.now() + timedelta(days=30))
    } == {
        *soon,
        later,
    }


def test_the_five_minute_schedule_leaves_the_clock_alone(cloud: LocalCloud, desk: Desk) -> None:
    request_id = open_request_due_in(desk, timedelta(hours=-2))  # overdue already

    answer = cloud.invoke("SweeperFunction", {"watch": False})
    assert answer["deadlines"] is None
    assert _alerts_for(cloud, request_id) == []

    answer = cloud.invoke("SweeperFunction", {"source": "aws.events", "detail": {}})
    assert answer["deadlines"]["overdue"] == 1
    assert answer["deadlines"]["escalations_sent"] == 1
    assert [a["days_late"] for a in _alerts_for(cloud, request_id)] == [0]


def test_deadline_metrics_are_published_through_powertools() -> None:
    metrics = Metrics(namespace="PrivacyDeskTest")
    metrics.clear_metrics()  # Powertools shares one metric set between instances
    try:
        report = WatchReport(
            open_requests=12,
            due_within_7_days=3,
            overdue=1,
            open_appeals=2,
            appeals_due_within_7_days=1,
            appeals_overdue=0,
        )
        publish_deadline_metrics(metrics, report)
        published = {name: metric["Value"] for name, metric in metrics.metric_set.items()}
    finally:
        metrics.clear_metrics()
    assert published == {
        "OpenRequests": [12.0],
        "DueWithin7Days": [3.0],
        "Overdue": [1.0],
        "OpenAppeals": [2.0],
        "AppealsDueWithin7Days": [1.0],
        "AppealsOverdue": [0.0],
    }


def test_watch_settings_come_from_the_environment_and_must_be_coherent() -> None:
    settings = WatchSettings.from_environment(
        {
            "DEADLINE_HORIZON_DAYS": "15",
            "DEADLINE_REMINDER_DAYS": "2, 14,7",
            "DEADLINE_EXTENSION_WARNING_DAYS": "3",
        }
    )
    assert settings.reminder_days == (14, 7, 2)
    assert settings.horizon == timedelta(days=15)
    assert settings.extension_warning_days == 3
    assert WatchSettings.from_environment({}) == WatchSettings(horizon_days=8, reminder_days=(7, 2))
    with pytest.raises(ValidationError, match="must reach the 14-day point"):
        WatchSettings.from_environment({"DEADLINE_REMINDER_DAYS": "14,2"})
    with pytest.raises(ValidationError):
        WatchSettings.from_environment({"DEADLINE_REMINDER_DAYS": "7,0"})


def test_a_sweep_that_crashes_midway_is_finished_by_the_next_and_nobody_is_reminded_twice(
    cloud: LocalCloud, desk: Desk, moved_clock: list[timedelta]
) -> None:
    first = open_request_due_in(desk, timedelta(days=10))
    second = open_request_due_in(desk, timedelta(days=11))
    advance(moved_clock, timedelta(days=5))  # both within their 7-day reminder
    # The staff topic fails on the second alert of the run: the sweep stops there
    cloud.faults.fail("sns", "Publish", "server_error", nth=2, times=1)

    with pytest.raises(Exception, match="InternalServerError"):
        cloud.invoke("SweeperFunction", {"source": "aws.events", "detail": {}})
    reminded_by_the_crashed_run = {rid for rid in (first, second) if _alerts_for(cloud, rid)}
    assert len(reminded_by_the_crashed_run) == 1

    cloud.invoke("SweeperFunction", {"source": "aws.events", "detail": {}})
    cloud.invoke("SweeperFunction", {"source": "aws.events", "detail": {}})

    assert cloud.faults.injected == [("sns", "Publish", "server_error")]
    for request_id in (first, second):
        assert [a["kind"] for a in _alerts_for(cloud, request_id)] == ["reminder"], request_id
