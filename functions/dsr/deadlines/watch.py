"""Watching the clock: staff reminders before each open request's watch time, one escalation when
it is overdue, a warning when the last moment for an extension notice is near and no extension
was recorded, and the figures behind the deadline metrics.

The watch time (``due_at``, the key of the sparse ``OpenByDue`` index) is the earlier of the
internal target and the legal due date, so reminders follow the stricter; overdue is always by
the legal date (``respond_by``). Only open requests whose watch time falls within the horizon are
read, through the index: never a Scan, never a closed request. Each notice is recorded on its
request with a conditional write before it is sent, so it goes out once however often the sweep
runs. Staff are told by the alerts topic and by email to the privacy team's mailbox; neither
carries the subject's name, email or anything else the subject wrote.
"""

import json
import math
import os
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Self

from aws_lambda_powertools import Logger
from pydantic import ConfigDict, Field, field_validator, model_validator

from dsr.appeals import appeals
from dsr.core.desk_model import DeskModel
from dsr.core.models import Status
from dsr.deadlines.watch_report import WatchReport
from dsr.notices import staff_notices
from dsr.notices.staff_notices import DeadlineFacts
from dsr.notices.subject_notices import Notice
from dsr.policies.appeal_rules import Appeal
from dsr.storage.keys import request_id_of
from dsr.wiring.desk import Desk

logger = Logger(child=True)

DAY = timedelta(days=1)
METRIC_WINDOW_DAYS = 7  # the DueWithin7Days metric
ACTOR = "sweeper"
OVERDUE_STEP = "overdue"
EXTENSION_WARNING_STEP = "extension-notice-warning"


class WatchSettings(DeskModel):
    """How far ahead the sweep looks and when it reminds; from the function's environment."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    horizon_days: int = Field(default=8, ge=1, le=90, alias="DEADLINE_HORIZON_DAYS")
    reminder_days: tuple[int, ...] = Field(default=(7, 2), alias="DEADLINE_REMINDER_DAYS")
    extension_warning_days: int = Field(default=2, ge=0, le=30, alias="DEADLINE_EXTENSION_WARNING_DAYS")

    @field_validator("reminder_days", mode="before")
    @classmethod
    def _listed(cls, value: object) -> object:
        """``"7,2"`` in the environment; largest first, each once."""
        if isinstance(value, str):
            value = [part for part in value.replace(" ", "").split(",") if part]
        if isinstance(value, list | tuple):
            return tuple(sorted({int(part) for part in value}, reverse=True))
        return value

    @model_validator(mode="after")
    def _horizon_covers_every_point(self) -> Self:
        if any(days < 1 for days in self.reminder_days):
            raise ValueError("reminder points are whole days before the watch time, 1 or more")
        widest = max((*self.reminder_days, METRIC_WINDOW_DAYS))
        if self.horizon_days < widest:
            raise ValueError(f"the horizon ({self.horizon_days} days) must reach the {widest}-day point")
        return self

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Self:
        return cls.model_validate(dict(os.environ if environ is None else environ))

    @property
    def horizon(self) -> timedelta:
        return timedelta(days=self.horizon_days)


def watch(desk: Desk, settings: WatchSettings | None = None) -> WatchReport:
    """One pass over the open requests due within the horizon (one Query on the sparse index)."""
    settings = settings or WatchSettings.from_environment()
    now = desk.now()
    items = desk.store.open_requests_due_before(now + settings.horizon)
    seen: Counter[str] = Counter()
    for item in items:
        facts = deadline_facts(item)
        if facts is not None:
            seen.update(_watch_one(desk, facts, settings, now))
    appeal_store = appeals.store(desk)
    open_appeals = appeal_store.open_due_before(now + settings.horizon)
    for item in open_appeals:
        seen.update(
            {
                f"appeals_{name}": count
                for name, count in _watch_one(desk, appeal_facts(item), settings, now).items()
            }
        )
    report = WatchReport(
        open_requests=count_open_requests(desk),
        requests_read=len(items),
        open_appeals=appeal_store.count_open(),
        appeals_read=len(open_appeals),
        **seen,
    )
    logger.info("deadlines watched", **report.model_dump())
    return report


def count_open_requests(desk: Desk) -> int:
    """How many requests are open: a COUNT over the index's open partition (no item is read)."""
    return desk.store.count_open_requests()


def deadline_facts(item: Mapping[str, Any]) -> DeadlineFacts | None:
    """The deadline facts of one stored request item; None for one that is closed or has no
    legal due date (logged, never guessed)."""
    request_id = str(item.get("request_id") or request_id_of(item))
    respond_by = _moment(item.get("respond_by"))
    status = str(item.get("status", ""))
    if respond_by is None or status not in _OPEN_STATUSES:
        logger.warning("request skipped by the deadline watch", request_id=request_id, status=status)
        return None
    target_by = _moment(item.get("target_by"))
    return DeadlineFacts(
        request_id=request_id,
        request_types=tuple(str(kind) for kind in item.get("request_types", [])),
        jurisdiction=str(item.get("jurisdiction", "")),
        status=status,
        respond_by=respond_by,
        watch_at=_moment(item.get("due_at")) or min(target_by or respond_by, respond_by),
        policy=_text(item.get("deadline_policy")),
        policy_version=_text(item.get("deadline_policy_version")),
        target_by=target_by,
        extension_notice_by=_moment(item.get("extension_notice_by")),
        extended=item.get("extended_at") is not None,
        package_held=bool(item.get("package_held_at")) and not item.get("package_key"),
    )


def appeal_facts(item: Mapping[str, Any]) -> DeadlineFacts:
    """The deadline facts of one open appeal: its own dates, counted from the appeal."""
    appeal = Appeal.model_validate(item)
    return DeadlineFacts(
        request_id=appeal.request_id,
        request_types=tuple(appeal.request_types),
        jurisdiction=appeal.jurisdiction,
        status=f"appeal {appeal.status.value}",
        respond_by=appeal.respond_by,
        watch_at=appeal.respond_by,
        policy=appeal.jurisdiction,
        extension_notice_by=appeal.extension_notice_by if appeal.extended_respond_by else None,
        extended=appeal.extended_at is not None,
        item="appeal",
    )


_OPEN_STATUSES = frozenset(status.value for status in Status if status.is_open)


def _moment(value: object) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def _watch_one(desk: Desk, facts: DeadlineFacts, settings: WatchSettings, now: datetime) -> Counter[str]:
    seen: Counter[str] = Counter()
    if now > facts.respond_by:
        seen["overdue"] += 1
        seen["escalations_sent"] += _escalate(desk, facts, now)
        return seen
    seen["due_within_7_days"] += facts.watch_at < now + timedelta(days=METRIC_WINDOW_DAYS)
    seen["reminders_sent"] += _remind(desk, facts, settings, now)
    seen["extension_warnings_sent"] += _warn_extension(desk, facts, settings, now)
    return seen


def _remind(desk: Desk, facts: DeadlineFacts, settings: WatchSettings, now: datetime) -> bool:
    """The nearest reminder point reached, once. A point passed while nobody looked is not sent
    late once a nearer one is due. The record names the watch time, so a due date that moves
    (an extension, a pause) is reminded of again."""
    left = facts.watch_at - now
    reached = [days for days in settings.reminder_days if left <= timedelta(days=days)]
    if not reached:
        return False
    point = min(reached)
    step = facts.step(f"reminder#{point}#{facts.watch_at.isoformat()}")
    if desk.store.has_step(facts.request_id, step):
        return False
    days_left = max(0, math.ceil(left / DAY))
    _tell_staff(
        desk,
        facts,
        staff_notices.reminder(facts, point, days_left),
        "reminder",
        reminder_days=point,
        days_left=days_left,
    )
    _sent(desk, facts, step, now)
    desk.audit(
        facts.request_id, ACTOR, _action(facts, "deadline reminder"), "sent to staff", days_before=point
    )
    return True


def _escalate(desk: Desk, facts: DeadlineFacts, now: datetime) -> bool:
    if desk.store.has_step(facts.request_id, facts.step(OVERDUE_STEP)):
        return False
    days_late = (now - facts.respond_by) // DAY
    _tell_staff(desk, facts, staff_notices.overdue(facts, days_late), "overdue", days_late=days_late)
    _sent(desk, facts, facts.step(OVERDUE_STEP), now)
    desk.audit(
        facts.request_id, ACTOR, _action(facts, "overdue escalation"), "sent to staff", days_late=days_late
    )
    return True


def _warn_extension(desk: Desk, facts: DeadlineFacts, settings: WatchSettings, now: datetime) -> bool:
    notice_by = facts.extension_notice_by
    if facts.extended or notice_by is None:
        return False
    if now < notice_by - timedelta(days=settings.extension_warning_days):
        return False
    if desk.store.has_step(facts.request_id, facts.step(EXTENSION_WARNING_STEP)):
        return False
    _tell_staff(desk, facts, staff_notices.extension_notice_due(facts, notice_by), "extension-notice")
    _sent(desk, facts, facts.step(EXTENSION_WARNING_STEP), now)
    desk.audit(facts.request_id, ACTOR, _action(facts, "extension notice warning"), "sent to staff")
    return True


def _action(facts: DeadlineFacts, action: str) -> str:
    return action if facts.item == "request" else f"{facts.item} {action}"


def _sent(desk: Desk, facts: DeadlineFacts, step: str, now: datetime) -> None:
    """Recorded once told (a send that fails is tried again by the next sweep); a sweep racing
    this one is the only way a notice goes twice."""
    desk.store.claim_step(facts.request_id, step, now)


def _tell_staff(desk: Desk, facts: DeadlineFacts, notice: Notice, kind: str, **extra: int) -> None:
    """The alerts topic and the staff's own address (never the privacy mailbox, which takes
    requests in), with the same words."""
    desk.alerts.publish(
        TopicArn=desk.settings.alerts_topic_arn,
        Subject=notice.subject[:100],  # SNS refuses longer subjects
        Message=json.dumps(staff_notices.alert_message(facts, kind, **extra)),
    )
    if desk.settings.staff_alert_address:
        desk.send_notice(desk.settings.staff_alert_address, notice, facts.request_id)
    logger.info("staff told of a deadline", extra={"request_id": facts.request_id, "kind": kind, **extra})
