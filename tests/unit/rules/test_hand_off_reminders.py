"""Handed-off tasks nobody answers: reminders on the registry's schedule, each sent once, and the
silence rule once the answer-by date passes (fail and tell staff, or hold the request open)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from dsr.core.actions import Action
from dsr.core.registry import RegistryError, load_registry
from dsr.fulfilment import handoffs
from dsr.fulfilment.fulfilment import HOLDING_WAIT_SECONDS, Route, SystemTask, plan, task_for
from dsr.fulfilment.outcomes import OutcomeStatus
from dsr.fulfilment.owner_links import open_task
from tests.unit.rules.conftest import SMALL_REGISTRY, DeskInMemory
from tests.unit.rules.fakes import RecordedMailer, RecordedWorkflow, StoppedClock
from tests.unit.rules.test_fulfilment_rules import _approved, _hand_off, _outcome

VENDOR = "privacy@helpline.example"
OWNER = "finance-ops@desk.example"
ANALYST = "analyst@desk.example"
HELPLINE = """    store: {kind: vendor_email, vendor: Helpline Ltd, privacy_address: privacy@helpline.example,
            answer_within_days: 10}"""
SPREADSHEET = """  - id: refunds-sheet
    name: Refunds spreadsheet
    owner: finance
    categories: [billing details]
    store: {kind: system_owner, team: Finance operations, address: finance-ops@desk.example,
            answer_within_days: 10, remind_every_days: 4}
    actions: {export: {}, erase: {}}
"""


def _with_helpline(desk: DeskInMemory, tmp_path: Path, rules: str) -> DeskInMemory:
    """The small registry, with the helpline vendor's schedule and silence rule as given."""
    assert HELPLINE in SMALL_REGISTRY
    path = tmp_path / "reminding.yaml"
    path.write_text(
        SMALL_REGISTRY.replace(
            HELPLINE, HELPLINE.replace("answer_within_days: 10}", f"answer_within_days: 10, {rules}}}")
        )
        + SPREADSHEET,
        encoding="utf-8",
    )
    desk.registry = load_registry(path)
    return desk


def _erasure_handed_to(desk: DeskInMemory, workflow: RecordedWorkflow, system_id: str) -> tuple[str, str]:
    request_id = _approved(desk, workflow, "erasure")
    plan(desk, request_id)
    return request_id, _hand_off(desk, workflow, request_id, system_id, Action.ERASE)


def _reminders(outbox: RecordedMailer, address: str) -> list[str]:
    return [m.subject for m in outbox.to(address) if m.subject.startswith("Reminder")]


def _confirm(desk: DeskInMemory, request_id: str, system_id: str, answer: OutcomeStatus) -> None:
    handoffs.confirm(
        desk,
        request_id,
        system_id,
        Action.ERASE,
        answer=answer,
        note="done on our side",
        staff_member=ANALYST,
    )


def test_the_vendor_is_reminded_on_schedule_each_reminder_once_carrying_the_same_ask(
    systems: DeskInMemory,
    workflow: RecordedWorkflow,
    outbox: RecordedMailer,
    clock: StoppedClock,
    tmp_path: Path,
) -> None:
    desk = _with_helpline(systems, tmp_path, "remind_every_days: 3")
    request_id, token = _erasure_handed_to(desk, workflow, "helpline")
    [asked] = outbox.to(VENDOR)

    clock.advance(timedelta(days=2, hours=23))
    assert handoffs.sweep_hand_offs(desk).reminded == 0  # not yet three days
    clock.advance(timedelta(hours=2))
    assert handoffs.sweep_hand_offs(desk).reminded == 1
    assert handoffs.sweep_hand_offs(desk).reminded == 0  # a second sweep sends nothing again

    [reminder] = [m for m in outbox.to(VENDOR) if m is not asked]
    assert reminder.subject == f"Reminder 1: {asked.subject}"
    assert reminder.body.startswith("Reminder: we wrote to you on 2 March 2026")
    assert reminder.body.endswith(asked.body)  # the ask itself, whatever it carries
    assert "/answer/" in asked.body and "&key=" in asked.body  # the same answer link, again
    waiting = _outcome(desk, request_id, "helpline", Action.ERASE)
    assert (waiting["status"], waiting["reminders_sent"]) == ("waiting", 1)

    clock.advance(timedelta(days=3))
    handoffs.sweep_hand_offs(desk)
    handoffs.sweep_hand_offs(desk)
    assert _reminders(outbox, VENDOR) == [f"Reminder 1: {asked.subject}", f"Reminder 2: {asked.subject}"]
    waiting = _outcome(desk, request_id, "helpline", Action.ERASE)
    assert waiting["reminders_sent"] == 2 and waiting["last_reminded_at"] == clock.now().isoformat()
    trail = [e.action for e in desk.store.events(request_id) if e.actor == "system:helpline"]
    assert trail.count("erase reminder 1 emailed") == 1 and trail.count("erase reminder 2 emailed") == 1
    assert token in workflow.waiting  # reminding never ends the wait


def test_no_reminder_goes_once_the_task_is_answered(
    systems: DeskInMemory,
    workflow: RecordedWorkflow,
    outbox: RecordedMailer,
    clock: StoppedClock,
    tmp_path: Path,
) -> None:
    desk = _with_helpline(systems, tmp_path, "remind_every_days: 3")
    request_id, token = _erasure_handed_to(desk, workflow, "helpline")
    clock.advance(timedelta(days=3, hours=1))
    handoffs.sweep_hand_offs(desk)

    _confirm(desk, request_id, "helpline", OutcomeStatus.DONE)
    for _ in range(4):
        clock.advance(timedelta(days=3))
        handoffs.sweep_hand_offs(desk)

    assert len(_reminders(outbox, VENDOR)) == 1
    assert workflow.resumed[token] == {"status": "done", "records": 0}


def test_a_silent_vendor_under_fail_ends_failed_and_staff_are_told_which_and_why(
    systems: DeskInMemory,
    workflow: RecordedWorkflow,
    outbox: RecordedMailer,
    clock: StoppedClock,
    tmp_path: Path,
    staff_alerts: Callable[[], list[dict[str, Any]]],
) -> None:
    desk = _with_helpline(systems, tmp_path, "remind_every_days: 4, when_silent: fail")
    request_id, token = _erasure_handed_to(desk, workflow, "helpline")
    clock.advance(timedelta(hours=1))
    for _ in range(3):  # days 4, 8 and 12: two reminders, then the date has passed
        clock.advance(timedelta(days=4))
        handoffs.sweep_hand_offs(desk)
    handoffs.sweep_hand_offs(desk)

    assert len(_reminders(outbox, VENDOR)) == 2
    assert workflow.resumed[token] == {"status": "failed", "records": 0}
    failed = _outcome(desk, request_id, "helpline", Action.ERASE)
    assert failed["error"].startswith("no answer from Helpline Ltd by ")
    assert failed["reminders_sent"] == "2"  # staff still see how often it was asked
    [alert] = [a for a in staff_alerts() if a["request_id"] == request_id]
    assert (alert["kind"], alert["system_id"]) == ("hand-off-silent", "helpline")
    assert alert["Subject"] == f"Privacy request {request_id[:8]}: no answer from Helpline Ltd"
    [told] = outbox.to(desk.settings.staff_alert_address)
    assert "is marked failed, and the request closes partially completed" in told.body
    assert "ada@" not in told.body + told.subject


def test_a_silent_vendor_under_block_closing_keeps_the_task_waiting_and_staff_alerted_until_answered(
    systems: DeskInMemory,
    workflow: RecordedWorkflow,
    outbox: RecordedMailer,
    clock: StoppedClock,
    tmp_path: Path,
    staff_alerts: Callable[[], list[dict[str, Any]]],
) -> None:
    desk = _with_helpline(systems, tmp_path, "remind_every_days: 4, when_silent: block_closing")
    request_id, token = _erasure_handed_to(desk, workflow, "helpline")

    # When the date passes (day 10) and the sweeper runs twice, and again a round later
    clock.advance(timedelta(days=10, hours=1))
    assert handoffs.sweep_hand_offs(desk) == handoffs.HandOffSweep(holding=1)
    assert handoffs.sweep_hand_offs(desk) == handoffs.HandOffSweep()
    assert token in workflow.waiting and token not in workflow.resumed
    assert _outcome(desk, request_id, "helpline", Action.ERASE)["status"] == "waiting"
    clock.advance(timedelta(days=4))
    handoffs.sweep_hand_offs(desk)

    # Then staff were alerted at the date and a round later, and the vendor reminded each time
    alerts = [a for a in staff_alerts() if a["request_id"] == request_id]
    assert [(a["kind"], a["alert"]) for a in alerts] == [
        ("hand-off-holds-closing", 1),
        ("hand-off-holds-closing", 2),
    ]
    assert "cannot close" in alerts[0]["Subject"]
    assert len(outbox.to(desk.settings.staff_alert_address)) == 2
    assert [s.split(":")[0] for s in _reminders(outbox, VENDOR)] == ["Reminder 3", "Reminder 4"]
    assert _outcome(desk, request_id, "helpline", Action.ERASE)["reminders_sent"] == 2  # as many as were sent

    # When staff record the vendor's answer, the task ends done, and nothing more is sent
    _confirm(desk, request_id, "helpline", OutcomeStatus.DONE)
    clock.advance(timedelta(days=8))
    handoffs.sweep_hand_offs(desk)
    assert workflow.resumed[token] == {"status": "done", "records": 0}
    assert len([a for a in staff_alerts() if a["request_id"] == request_id]) == 2


def test_a_block_closing_wait_outlasts_its_date_in_the_state_machine(
    systems: DeskInMemory, tmp_path: Path
) -> None:
    desk = _with_helpline(systems, tmp_path, "when_silent: block_closing")
    held = task_for(desk.registry.system("helpline"), Action.ERASE)
    failing = task_for(desk.registry.system("crm-contacts"), Action.ERASE)

    assert held.wait_seconds == HOLDING_WAIT_SECONDS >= 365 * 24 * 3600
    assert failing.wait_seconds < 20 * 24 * 3600


@pytest.mark.parametrize(
    ("rules", "problem"),
    [
        ("remind_every_days: 10", "remind_every_days (10) must be fewer than answer_within_days (10)"),
        ("when_silent: wait", "when_silent"),
    ],
)
def test_the_registry_refuses_reminders_after_the_date_and_unknown_silence_rules(
    systems: DeskInMemory, tmp_path: Path, rules: str, problem: str
) -> None:
    with pytest.raises(RegistryError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        _with_helpline(systems, tmp_path, rules)


def test_an_owner_inside_the_company_is_asked_reminded_and_answered_for_by_staff(
    systems: DeskInMemory,
    workflow: RecordedWorkflow,
    outbox: RecordedMailer,
    clock: StoppedClock,
    tmp_path: Path,
) -> None:
    desk = _with_helpline(systems, tmp_path, "remind_every_days: 3")
    request_id = _approved(desk, workflow, "erasure")
    plan(desk, request_id)
    token = workflow.hand_out_token()
    handoffs.hand_off(
        desk,
        request_id,
        SystemTask(system_id="refunds-sheet", action=Action.ERASE, route=Route.HAND_OFF),
        token,
    )

    [asked] = outbox.to(OWNER)
    assert asked.body.startswith("Dear Finance operations,") and "Refunds spreadsheet" in asked.body
    assert "delete all personal data the system holds" in asked.body and "ada@example.net" in asked.body
    assert "ada@" not in asked.subject
    assert f"/answer/{request_id}/refunds-sheet/erase?for=owner&key=" in asked.body
    assert _outcome(desk, request_id, "refunds-sheet", Action.ERASE)["waiting_on"] == "Finance operations"
    clock.advance(timedelta(days=4, hours=1))
    handoffs.sweep_hand_offs(desk)
    assert _reminders(outbox, OWNER) == [f"Reminder 1: {asked.subject}"]

    _confirm(desk, request_id, "refunds-sheet", OutcomeStatus.NOTHING_FOUND)
    assert workflow.resumed[token] == {"status": "nothing_found", "records": 0}


def test_an_owner_s_link_still_opens_after_the_hand_off_is_retried_without_asking_again(
    systems: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, tmp_path: Path
) -> None:
    desk = _with_helpline(systems, tmp_path, "remind_every_days: 3")
    request_id = _approved(desk, workflow, "erasure")
    plan(desk, request_id)
    task = SystemTask(system_id="refunds-sheet", action=Action.ERASE, route=Route.HAND_OFF)
    handoffs.hand_off(desk, request_id, task, workflow.hand_out_token())
    # A retried invocation of the same attempt stores the task afresh and emails nobody again
    handoffs.hand_off(desk, request_id, task, workflow.hand_out_token())

    [asked] = outbox.to(OWNER)
    key = asked.body.split("key=", 1)[1].split()[0]
    opened = open_task(desk, request_id, "refunds-sheet", "erase", holder="owner", key=key)
    assert opened.system.id == "refunds-sheet"
