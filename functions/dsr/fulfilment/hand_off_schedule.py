"""When a handed-off task is looked at again while nobody answers: the reminders the registry's
``remind_every_days`` sets (each before the answer-by date), and, when the system's silence rule
is ``block_closing``, the rounds after that date in which staff are alerted again (and the owner
reminded) until an answer comes. Reckoned from the times stored on the task, by the desk's clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, NamedTuple

FAIL = "fail"
BLOCK_CLOSING = "block_closing"

STAFF_ALERT_EVERY_DAYS = 7
"""How often staff are alerted again about a task holding its request open, when the system sets
no reminders (otherwise: as often as the owner is reminded)."""


class Schedule(NamedTuple):
    handed_off_at: datetime
    answer_by: datetime
    remind_every_days: int | None = None
    when_silent: str = FAIL

    @classmethod
    def of(cls, task: Mapping[str, Any]) -> Schedule:
        """The schedule stored on a hand-off (``hand_off`` writes it from the registry)."""
        every = task.get("remind_every_days")
        return cls(
            handed_off_at=datetime.fromisoformat(str(task["handed_off_at"])),
            answer_by=datetime.fromisoformat(str(task["answer_by"])),
            remind_every_days=int(every) if every else None,
            when_silent=str(task.get("when_silent") or FAIL),
        )

    @property
    def holds(self) -> bool:
        """The answer-by date passing keeps the task waiting (the request cannot close)."""
        return self.when_silent == BLOCK_CLOSING

    @property
    def rounds_every(self) -> timedelta:
        return timedelta(days=self.remind_every_days or STAFF_ALERT_EVERY_DAYS)

    def reminders_before_the_date(self) -> int:
        """How many reminders fall strictly before the answer-by time."""
        if not self.remind_every_days:
            return 0
        every = timedelta(days=self.remind_every_days)
        return max(0, -(-(self.answer_by - self.handed_off_at) // every) - 1)

    def round_after_the_date(self, now: datetime) -> int:
        """0 before the answer-by time; then 1 from it, 2 a round later, and so on."""
        if now < self.answer_by:
            return 0
        return (now - self.answer_by) // self.rounds_every + 1

    def reminder_due(self, now: datetime) -> int:
        """The number of the latest reminder whose time has come (0: none yet). A reminder whose
        time passed while nobody looked is not sent once a later one is due."""
        if not self.remind_every_days:
            return 0
        before = self.reminders_before_the_date()
        if now < self.answer_by:
            return min(before, (now - self.handed_off_at) // timedelta(days=self.remind_every_days))
        return before + self.round_after_the_date(now) if self.holds else before

    def first_due(self) -> datetime:
        """When the sweeper first looks at the task: its first reminder, or its answer-by time."""
        return self.next_due(self.handed_off_at)

    def next_due(self, now: datetime) -> datetime:
        """When the sweeper should look next, after looking at ``now``."""
        if now < self.answer_by:
            reached = self.reminder_due(now)
            if reached < self.reminders_before_the_date():
                return self.handed_off_at + (reached + 1) * timedelta(days=int(self.remind_every_days or 0))
            return self.answer_by
        if self.holds:
            return self.answer_by + self.round_after_the_date(now) * self.rounds_every
        return self.answer_by
