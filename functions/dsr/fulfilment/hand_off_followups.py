"""The sweeper's follow-up of handed-off tasks nobody has answered: reminders on the registry's
schedule, and the silence rule once the answer-by date passes.

Each reminder and each staff alert is claimed with a conditional write (a step per reminder or
alert number) before it is sent, so two sweeps never send one twice; a send that fails gives its
claim back, and the next sweep tries again. Each is in the audit trail. A reminder re-sends the
message that asked (dsr.notices.reminder_notices) to whoever was asked: the vendor, each customer
whose administrators were told, or the system's owner.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger

from dsr.core.actions import Action
from dsr.core.models import PrivacyRequest
from dsr.core.registry import SystemEntry
from dsr.core.registry_stores import CustomerControllers, SystemOwner, VendorByEmail
from dsr.fulfilment import customer_controllers, owner_mail
from dsr.fulfilment.hand_off_schedule import Schedule
from dsr.fulfilment.owner_links import answer_link
from dsr.notices import reminder_notices
from dsr.notices.handoff_notices import customer_notification, vendor_instructions
from dsr.notices.subject_notices import Notice
from dsr.storage.hand_offs import DueHandOff
from dsr.storage.keys import hand_off_stage
from dsr.wiring.desk import Desk

logger = Logger(child=True)

REMINDED = "reminded"
HELD = "held"
LOOKED = "looked"


def follow_up(desk: Desk, due: DueHandOff) -> str | None:
    """Remind, or hold the request open past the date, as the task's schedule says; then set when
    to look next. None when the answer-by date has passed and the rule is ``fail`` (the caller
    ends the task); else what was done: ``held``, ``reminded`` or ``looked`` (nothing was due)."""
    task_stage = hand_off_stage(due.system_id, due.action)
    task = desk.store.get_task(due.request_id, task_stage)
    if task is None or task.get("decided_at"):
        return LOOKED
    schedule = Schedule.of(task)
    now = desk.now()
    if now >= schedule.answer_by and not schedule.holds:
        return None
    done, attempt = LOOKED, int(task.get("attempt", 1))
    alert = schedule.round_after_the_date(now)
    if alert and _claimed_and_done(
        desk, due, f"held#{alert}#{attempt}", lambda: _alert_held(desk, due, alert)
    ):
        done = HELD
    number = schedule.reminder_due(now)
    if number and _claimed_and_done(
        desk, due, f"reminder#{number}#{attempt}", lambda: _remind(desk, task, number)
    ):
        done = HELD if done == HELD else REMINDED
    desk.store.hand_off_due_at(due.request_id, task_stage, schedule.next_due(now))
    return done


def tell_staff_of_failure(desk: Desk, due: DueHandOff, waiting_on: str) -> None:
    """Staff are told which system went silent and that its task is marked failed."""
    notice = reminder_notices.silence_failed(
        due.request_id, due.system_id, due.action, waiting_on, due.answer_by
    )
    _tell_staff(desk, due, notice, "hand-off-silent", answer_by=due.answer_by.isoformat())


def _claimed_and_done(desk: Desk, due: DueHandOff, what: str, send: Callable[[], None]) -> bool:
    step = f"hand-off-{what}#{due.system_id}#{due.action}"
    if not desk.store.claim_step(due.request_id, step, desk.now()):
        return False
    try:
        send()
    except Exception:
        desk.store.release_step(due.request_id, step)
        raise
    return True


def _alert_held(desk: Desk, due: DueHandOff, alert: int) -> None:
    waiting_on = due.waiting_on or due.system_id
    notice = reminder_notices.silence_holds(
        due.request_id, due.system_id, due.action, waiting_on, due.answer_by, alert=alert
    )
    _tell_staff(desk, due, notice, "hand-off-holds-closing", alert=alert, answer_by=due.answer_by.isoformat())
    desk.audit(
        due.request_id,
        "sweeper",
        f"{due.action} unanswered past its date",
        "closing held",
        system=due.system_id,
    )


def _tell_staff(desk: Desk, due: DueHandOff, notice: Notice, kind: str, **extra: Any) -> None:
    """The alerts topic and the staff's own address, with the same words (as the deadline watch)."""
    desk.alerts.publish(
        TopicArn=desk.settings.alerts_topic_arn,
        Subject=notice.subject[:100],  # SNS refuses longer subjects
        Message=json.dumps(
            reminder_notices.alert_message(due.request_id, due.system_id, due.action, kind, **extra)
        ),
    )
    if desk.settings.staff_alert_address:
        desk.send_notice(desk.settings.staff_alert_address, notice, due.request_id)
    logger.info(
        "staff told of a silent hand-off", request_id=due.request_id, system_id=due.system_id, kind=kind
    )


def _remind(desk: Desk, task: dict[str, Any], number: int) -> None:
    request_id, action = str(task["request_id"]), Action(str(task["action"]))
    system = desk.registry.system(str(task["system_id"]))
    request = desk.store.get(request_id)
    first_asked = datetime.fromisoformat(str(task["handed_off_at"]))
    sent = 0
    for address, notice in _asks(desk, request, system, action, task):
        desk.send_notice(address, reminder_notices.as_reminder(notice, number, first_asked), request_id)
        sent += 1
    now = desk.now()
    desk.store.note_reminder(request_id, system.id, action.value, now)
    desk.audit(
        request_id, f"system:{system.id}", f"{action.value} reminder {number} emailed", "sent", messages=sent
    )


def _asks(
    desk: Desk, request: PrivacyRequest, system: SystemEntry, action: Action, task: dict[str, Any]
) -> list[tuple[str, Notice]]:
    """The messages that asked, again, with their addresses: a processor answers by callback and
    is not reminded."""
    answer_by = datetime.fromisoformat(str(task["answer_by"]))
    store, reply_to = system.store, desk.settings.privacy_mailbox
    request_id = request.request_id
    if isinstance(store, VendorByEmail):  # each carries the same link the ask did (owner_links)
        link = answer_link(desk, request_id, system.id, action)
        return [
            (
                str(store.privacy_address),
                vendor_instructions(request, action, store.vendor, answer_by, reply_to, link=link),
            )
        ]
    if isinstance(store, SystemOwner):
        return [(str(store.address), owner_mail.owner_notice(desk, request, system, action, answer_by))]
    if isinstance(store, CustomerControllers):
        customer_ids = customer_controllers.customers_holding(desk, store, str(request.subject.email))
        answered = task.get("holder_answers") or {}
        asks: list[tuple[str, Notice]] = []
        for customer_id, name, admins in customer_controllers.administrators(desk, store, customer_ids):
            told = f"customer-mail#{system.id}#{action.value}#{task['attempt']}#{customer_id}"
            # Only the customers who were asked, and have not answered through their link
            if desk.store.has_step(request_id, told) and customer_id not in answered:
                link = answer_link(desk, request_id, system.id, action, customer_id)
                notice = customer_notification(request, action, name, answer_by, reply_to, link=link)
                asks.extend((address, notice) for address in admins)
        return asks
    return []
