"""The deadlines as the clock runs, as the rules decide them: staff reminded once at each point
before the watch time and told once when a request is overdue, warned when an extension notice is
due, the clock standing still only where the law says so, one extension as far as the law allows,
and the scheduled sweep that starts what never started and watches the clock only hourly.

Staff are told on the alerts topic and by email to their own address, with the same words and
never anything that identifies the subject."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from dsr.core.models import Channel, NewRequest, Status
from dsr.deadlines import sweeper
from dsr.deadlines.clock_pauses import (
    AskedBecause,
    NotWaitingError,
    ask_for_information,
    information_received,
)
from dsr.deadlines.extensions import ExtensionRefusedError, extend
from dsr.deadlines.watch import WatchSettings, watch
from dsr.deadlines.watch_report import WatchReport
from dsr.intake.submission import submit
from dsr.policies.request_deadlines import deadlines_for, local_day
from dsr.verification import identity_checks as verification
from tests.support import WATCHED_DETAILS, WATCHED_EMAIL, WATCHED_NAME, open_request_due_in
from tests.unit.rules.conftest import DeskInMemory
from tests.unit.rules.fakes import RecordedMailer, RecordedWorkflow, SentMessage, StoppedClock

EMAIL, NAME, DETAILS = WATCHED_EMAIL, WATCHED_NAME, WATCHED_DETAILS
STAFF = "approver@desk.example"
REASON = "The account spans three archived systems."
SETTINGS = WatchSettings(horizon_days=8, reminder_days=(7, 2), extension_warning_days=2)
Alerts = Callable[[], list[dict[str, Any]]]


def _submitted(desk: DeskInMemory, **fields: object) -> str:
    new_request = NewRequest.model_validate(
        {"request_types": ["access"], "subject": {"email": EMAIL, "name": NAME}, **fields}
    )
    return submit(desk, new_request, Channel.WEB).request_id


def _staff_mail(desk: DeskInMemory, outbox: RecordedMailer, request_id: str) -> list[SentMessage]:
    return [m for m in outbox.to(desk.settings.staff_alert_address) if m.request_id == request_id]


def _alerts_for(staff_alerts: Alerts, request_id: str) -> list[dict[str, Any]]:
    return [alert for alert in staff_alerts() if alert["request_id"] == request_id]


def _watch_times(desk: DeskInMemory, times: int) -> WatchReport:
    report = WatchReport()
    for _ in range(times):
        report = watch(desk, SETTINGS)
    return report


def _trail(desk: DeskInMemory, request_id: str, actor: str = "sweeper") -> list[str]:
    return [event.action for event in desk.store.events(request_id) if event.actor == actor]


# --- the watch ----------------------------------------------------------------------------------


def test_reminders_go_once_per_point_then_one_overdue_escalation(
    desk: DeskInMemory, outbox: RecordedMailer, clock: StoppedClock, staff_alerts: Alerts
) -> None:
    request_id = open_request_due_in(desk, timedelta(days=10))
    _watch_times(desk, 2)
    assert _alerts_for(staff_alerts, request_id) == [] and _staff_mail(desk, outbox, request_id) == []

    clock.advance(timedelta(days=4))  # six days left: the 7-day reminder, however often the watch runs
    _watch_times(desk, 3)
    [alert] = _alerts_for(staff_alerts, request_id)
    assert (alert["kind"], alert["reminder_days"], alert["days_left"]) == ("reminder", 7, 6)
    assert "7-day reminder" in alert["Subject"]
    [mail] = _staff_mail(desk, outbox, request_id)
    assert mail.subject == alert["Subject"] and "6 days from now" in mail.body

    clock.advance(timedelta(days=5))  # a day left: the 2-day reminder, once
    _watch_times(desk, 2)
    assert [a["reminder_days"] for a in _alerts_for(staff_alerts, request_id)] == [7, 2]

    clock.advance(timedelta(days=2))  # a day late: one escalation
    report = _watch_times(desk, 2)
    overdue = _alerts_for(staff_alerts, request_id)[-1]
    assert (overdue["kind"], overdue["days_late"]) == ("overdue", 1)
    assert overdue["Subject"].startswith("OVERDUE: privacy request")
    assert len(_staff_mail(desk, outbox, request_id)) == 3
    assert (report.overdue, report.escalations_sent) == (1, 0)  # the second run sends nothing more
    assert _trail(desk, request_id) == ["deadline reminder", "deadline reminder", "overdue escalation"]


def test_a_reminder_point_passed_while_nobody_looked_is_not_sent_late(
    desk: DeskInMemory, outbox: RecordedMailer, staff_alerts: Alerts
) -> None:
    request_id = open_request_due_in(desk, timedelta(days=1, hours=12))

    report = _watch_times(desk, 2)

    assert [a["reminder_days"] for a in _alerts_for(staff_alerts, request_id)] == [2]
    assert report.due_within_7_days == 1
    assert len(_staff_mail(desk, outbox, request_id)) == 1


def test_nothing_staff_are_told_identifies_the_subject(
    desk: DeskInMemory, outbox: RecordedMailer, clock: StoppedClock, staff_alerts: Alerts
) -> None:
    request_id = open_request_due_in(desk, timedelta(days=5), extension_notice_in=timedelta(days=1))
    watch(desk, SETTINGS)
    clock.advance(timedelta(days=6))
    watch(desk, SETTINGS)

    told = [str(alert) for alert in _alerts_for(staff_alerts, request_id)]
    told += [m.subject + m.body for m in _staff_mail(desk, outbox, request_id)]
    assert len(told) == 6  # reminder, extension warning, overdue: each on the topic and by email
    for text in told:
        assert request_id in text
        for personal in (EMAIL, NAME, "Lovelace", DETAILS):
            assert personal not in text
    assert outbox.to(EMAIL) == []  # and the subject is told nothing by the watch


def test_the_internal_target_drives_reminders_but_overdue_is_by_the_legal_date(
    desk: DeskInMemory, clock: StoppedClock, staff_alerts: Alerts
) -> None:
    request_id = open_request_due_in(desk, timedelta(days=20), target_in=timedelta(days=10))

    clock.advance(timedelta(days=4))
    watch(desk, SETTINGS)
    [reminder] = _alerts_for(staff_alerts, request_id)
    assert "internal target in 6 days" in reminder["Subject"]
    clock.advance(timedelta(days=10))  # the target has passed, the legal date has not
    report = watch(desk, SETTINGS)
    assert [a["kind"] for a in _alerts_for(staff_alerts, request_id)] == ["reminder", "reminder"]
    assert report.overdue == 0
    clock.advance(timedelta(days=7))
    watch(desk, SETTINGS)

    assert [a["kind"] for a in _alerts_for(staff_alerts, request_id)] == ["reminder", "reminder", "overdue"]


def test_staff_are_warned_once_when_an_extension_notice_is_due_unless_extended(
    desk: DeskInMemory, clock: StoppedClock, staff_alerts: Alerts
) -> None:
    due_in = timedelta(days=7, hours=12)  # within the horizon, short of the 7-day reminder
    waiting = open_request_due_in(desk, due_in, extension_notice_in=timedelta(days=5))
    extended = open_request_due_in(desk, due_in, extension_notice_in=timedelta(days=5), extended=True)
    watch(desk, SETTINGS)
    clock.advance(timedelta(days=2))  # the notice is three days away: not yet
    watch(desk, SETTINGS)
    assert [a["kind"] for a in _alerts_for(staff_alerts, waiting)] == ["reminder"]

    clock.advance(timedelta(days=1, hours=12))  # a day and a half away
    report = _watch_times(desk, 3)

    [warning] = [a for a in _alerts_for(staff_alerts, waiting) if a["kind"] == "extension-notice"]
    assert "extension notice due by" in warning["Subject"]
    assert [a["kind"] for a in _alerts_for(staff_alerts, extended)] == ["reminder"]
    assert report.extension_warnings_sent == 0  # the later runs sent it no more
    assert "extension notice warning" in _trail(desk, waiting)


def test_a_due_date_that_moves_is_reminded_of_again(
    desk: DeskInMemory, clock: StoppedClock, staff_alerts: Alerts
) -> None:
    request_id = _submitted(desk, country="US", region="VA")
    first = desk.store.get(request_id)
    assert first.watch_at is not None
    clock.advance(first.watch_at - clock.now() - timedelta(days=6))
    watch(desk, SETTINGS)
    extend(desk, request_id, REASON, STAFF)
    after = desk.store.get(request_id)

    clock.advance(after.respond_by - clock.now() - timedelta(days=6))
    watch(desk, SETTINGS)

    reminders = [a for a in _alerts_for(staff_alerts, request_id) if a["kind"] == "reminder"]
    assert [(a["reminder_days"], a["extended"]) for a in reminders] == [(7, False), (7, True)]
    assert reminders[1]["respond_by"] == after.respond_by.isoformat()


def test_the_watch_reads_only_open_requests_within_the_horizon_and_counts_them(
    desk: DeskInMemory, staff_alerts: Alerts
) -> None:
    closed = [open_request_due_in(desk, timedelta(days=1)) for _ in range(3)]
    for request_id in closed:
        desk.store.transition(request_id, [Status.AWAITING_APPROVAL], Status.COMPLETED)
    soon = [open_request_due_in(desk, timedelta(days=3)), open_request_due_in(desk, timedelta(days=5))]
    open_request_due_in(desk, timedelta(days=20))

    report = watch(desk, SETTINGS)

    assert report == WatchReport(open_requests=3, due_within_7_days=2, requests_read=2, reminders_sent=2)
    assert {a["request_id"] for a in staff_alerts()} == set(soon)


def test_a_watch_that_fails_midway_is_finished_by_the_next_and_nobody_is_reminded_twice(
    desk: DeskInMemory, clock: StoppedClock, staff_alerts: Alerts
) -> None:
    first = open_request_due_in(desk, timedelta(days=10))
    second = open_request_due_in(desk, timedelta(days=11))
    clock.advance(timedelta(days=5))
    publishes: list[str] = []

    def fail_the_second_publish(**_: Any) -> None:
        publishes.append("publish")
        if len(publishes) == 2:
            raise ClientError({"Error": {"Code": "InternalError", "Message": "try again"}}, "Publish")

    desk.alerts.meta.events.register("before-call.sns.Publish", fail_the_second_publish)
    with pytest.raises(ClientError):
        watch(desk, SETTINGS)
    assert len(staff_alerts()) == 1

    _watch_times(desk, 2)

    for request_id in (first, second):
        assert [a["kind"] for a in _alerts_for(staff_alerts, request_id)] == ["reminder"], request_id


# --- the sweep ----------------------------------------------------------------------------------


def test_a_request_whose_start_failed_is_started_by_the_sweep_once(
    desk: DeskInMemory, workflow: RecordedWorkflow, clock: StoppedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable(request_id: str, payload: dict[str, Any]) -> bool:
        raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "StartExecution")

    with monkeypatch.context() as during_the_outage:
        during_the_outage.setattr(workflow, "start", unavailable)
        request_id = _submitted(desk, country="GB")
    assert workflow.started == {}

    clock.advance(sweeper.START_GRACE - timedelta(seconds=1))  # the start may still be under way
    too_soon = sweeper.sweep(desk, watch_clock=False)
    clock.advance(timedelta(seconds=2))
    started = sweeper.sweep(desk, watch_clock=False)
    again = sweeper.sweep(desk, watch_clock=False)

    assert (too_soon.executions_started, started.executions_started, again.executions_started) == (0, 1, 0)
    assert list(workflow.started) == [request_id]
    assert workflow.started[request_id]["request_id"] == request_id
    outcomes = [e.outcome for e in desk.store.events(request_id) if e.action == "start workflow"]
    assert sorted(outcomes) == ["deferred to the reconciler", "started"]


def test_the_five_minute_sweep_leaves_the_clock_alone_and_the_hourly_one_watches_it(
    desk: DeskInMemory, outbox: RecordedMailer, staff_alerts: Alerts, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DEADLINE_REMINDER_DAYS", raising=False)
    request_id = open_request_due_in(desk, timedelta(hours=-2))

    five_minute = sweeper.sweep(desk, watch_clock=False)
    assert five_minute.deadlines is None
    assert staff_alerts() == [] and _staff_mail(desk, outbox, request_id) == []

    hourly = sweeper.sweep(desk)

    assert hourly.deadlines is not None
    assert (hourly.deadlines.overdue, hourly.deadlines.escalations_sent) == (1, 1)
    assert [a["days_late"] for a in _alerts_for(staff_alerts, request_id)] == [0]


def test_the_sweep_closes_verification_windows_that_have_ended(
    desk: DeskInMemory, workflow: RecordedWorkflow, clock: StoppedClock
) -> None:
    request_id = _submitted(desk, country="GB")
    token = workflow.hand_out_token()
    verification.begin(desk, request_id, token)
    clock.advance(timedelta(seconds=desk.settings.verification_window_seconds + 1))

    report = sweeper.sweep(desk, watch_clock=False)

    assert report.verification_windows_closed == 1
    assert workflow.failed[token][0] == verification.WINDOW_CLOSED


# --- the clock standing still -------------------------------------------------------------------


def test_asking_a_uk_subject_for_clarification_stops_the_clock_until_they_answer(
    desk: DeskInMemory, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    request_id = _submitted(desk, country="GB")
    before = desk.store.get(request_id)

    paused = ask_for_information(desk, request_id, "Which of your two accounts do you mean?", STAFF)
    with pytest.raises(NotWaitingError):
        ask_for_information(desk, request_id, "And a second question?", STAFF)
    clock.advance(timedelta(days=5))  # asked on 2 March, answered on 7 March
    answered = information_received(desk, request_id, STAFF)

    assert paused is True
    [question] = [m for m in outbox.to(EMAIL) if "more information" in m.subject]
    assert "two accounts" in question.body and "stands still" in question.body
    # The UK counts the day of asking and the day of the answer: six days (DPA 2018 s.54(3C))
    expected = deadlines_for("UK", before.request_types, before.received_at, paused_days=6)
    assert answered.respond_by == expected.respond_by > before.respond_by
    assert (answered.paused_days, answered.paused_at) == (6, None)
    [watched] = list(desk.store.open_requests_due_before(expected.respond_by + timedelta(days=1)))
    assert watched["due_at"] == expected.watch_at.isoformat()  # reminders follow the new date
    with pytest.raises(NotWaitingError):
        information_received(desk, request_id, STAFF)
    trail = [(e.action, e.outcome) for e in desk.store.events(request_id) if e.actor == f"staff:{STAFF}"]
    assert sorted(trail) == [
        ("ask for information", "clock paused"),
        ("information received", "clock running again"),
    ]


def test_where_the_law_does_not_pause_the_question_goes_out_and_the_clock_runs_on(
    desk: DeskInMemory, outbox: RecordedMailer
) -> None:
    request_id = _submitted(desk, country="US", region="CA")
    before = desk.store.get(request_id)

    paused = ask_for_information(desk, request_id, "Which of your two accounts do you mean?", STAFF)

    assert paused is False
    [question] = [m for m in outbox.to(EMAIL) if "more information" in m.subject]
    due = local_day("US-CA", before.respond_by)
    assert f"still respond by {due.day} {due:%B %Y}" in question.body
    assert "stands still" not in question.body
    assert desk.store.get(request_id).respond_by == before.respond_by
    with pytest.raises(NotWaitingError):
        information_received(desk, request_id, STAFF)


def test_in_oregon_the_clock_waits_only_for_what_authenticates_the_request(
    desk: DeskInMemory, clock: StoppedClock
) -> None:
    request_id = _submitted(desk, country="US", region="OR")
    before = desk.store.get(request_id)

    unclear = ask_for_information(desk, request_id, "Which account?", STAFF)
    to_authenticate = ask_for_information(
        desk, request_id, "Confirm the postal code on the account.", STAFF, AskedBecause.AUTHENTICATION
    )
    clock.advance(timedelta(days=4))
    answered = information_received(desk, request_id, STAFF)

    assert (unclear, to_authenticate) == (False, True)
    assert answered.paused_days == 4
    assert local_day("US-OR", answered.respond_by) == local_day("US-OR", before.respond_by) + timedelta(
        days=4
    )


def test_in_utah_suspected_fraud_moves_no_date_and_the_trail_says_when_the_period_stops_applying(
    desk: DeskInMemory,
) -> None:
    request_id = _submitted(desk, country="US", region="UT")
    before = desk.store.get(request_id)

    paused = ask_for_information(
        desk, request_id, "Confirm the last four digits of the card.", STAFF, AskedBecause.SUSPECTED_FRAUD
    )

    assert paused is False
    assert desk.store.get(request_id).respond_by == before.respond_by
    [asked] = [e for e in desk.store.events(request_id) if e.action == "ask for information"]
    respond_on = local_day("US-UT", before.respond_by).isoformat()
    assert asked.outcome.endswith(
        f"no longer applies if the request is still unauthenticated on {respond_on}"
    )
    assert asked.detail["because"] == "suspected_fraud"
    with pytest.raises(NotWaitingError):
        information_received(desk, request_id, STAFF)


def test_a_closed_request_is_asked_nothing(desk: DeskInMemory, outbox: RecordedMailer) -> None:
    request_id = _submitted(desk, country="GB")
    desk.store.transition(request_id, [Status.RECEIVED], Status.CANCELLED)
    sent = len(outbox.sent)

    with pytest.raises(NotWaitingError, match="CANCELLED"):
        ask_for_information(desk, request_id, "Which account?", STAFF)
    assert len(outbox.sent) == sent


def test_an_extended_request_paused_keeps_its_extension_and_gains_the_days_paused(
    desk: DeskInMemory, clock: StoppedClock
) -> None:
    request_id = _submitted(desk, country="GB")
    before = desk.store.get(request_id)
    extended = extend(desk, request_id, REASON, STAFF)
    ask_for_information(desk, request_id, "Which account?", STAFF)
    clock.advance(timedelta(days=5))

    answered = information_received(desk, request_id, STAFF)

    expected = deadlines_for("UK", before.request_types, before.received_at, paused_days=6)
    assert answered.respond_by == expected.extended_respond_by
    assert answered.respond_by > extended.respond_by


# --- extensions ---------------------------------------------------------------------------------


def test_staff_extend_once_within_the_cap_and_the_subject_is_told(
    desk: DeskInMemory, outbox: RecordedMailer
) -> None:
    request_id = _submitted(desk, country="US", region="VA")
    before = desk.store.get(request_id)
    assert before.extended_respond_by is not None

    after = extend(desk, request_id, REASON, STAFF)

    assert after.respond_by == before.extended_respond_by
    assert (after.extension_reason, after.extended_at) == (REASON, desk.now())
    [watched] = list(desk.store.open_requests_due_before(after.respond_by + timedelta(days=1)))
    assert watched["due_at"] == after.respond_by.isoformat()
    [notice] = [m for m in outbox.to(EMAIL) if "More time" in m.subject]
    due = local_day("US-VA", after.respond_by)
    assert f"by {due.day} {due:%B %Y} at the latest" in notice.body
    assert "three archived systems" in notice.body
    assert [(e.actor, e.outcome) for e in desk.store.events(request_id) if e.action == "extend deadline"] == [
        (f"staff:{STAFF}", "extended")
    ]
    with pytest.raises(ExtensionRefusedError, match="extended already"):
        extend(desk, request_id, "Still more archives were found.", STAFF)
    assert len([m for m in outbox.to(EMAIL) if "More time" in m.subject]) == 1


def test_an_extension_is_refused_once_the_time_to_tell_the_subject_has_passed(
    desk: DeskInMemory, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    request_id = _submitted(desk, country="US", region="VA")
    notice_by = desk.store.get(request_id).extension_notice_by
    assert notice_by is not None
    clock.advance(notice_by - clock.now() + timedelta(seconds=1))

    with pytest.raises(ExtensionRefusedError, match=r"^too late"):
        extend(desk, request_id, REASON, STAFF)
    assert desk.store.get(request_id).extended_at is None
    assert not [m for m in outbox.to(EMAIL) if "More time" in m.subject]


def test_a_law_without_extensions_refuses_one(desk: DeskInMemory) -> None:
    request_id = _submitted(desk, jurisdiction="DEFAULT")

    with pytest.raises(ExtensionRefusedError, match="allows no extension"):
        extend(desk, request_id, REASON, STAFF)


def test_a_closed_request_is_not_extended(desk: DeskInMemory) -> None:
    request_id = _submitted(desk, country="US", region="VA")
    desk.store.transition(request_id, [Status.RECEIVED], Status.CANCELLED)

    with pytest.raises(ExtensionRefusedError, match="not open"):
        extend(desk, request_id, REASON, STAFF)
