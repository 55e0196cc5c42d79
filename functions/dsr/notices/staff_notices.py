"""What the desk tells its own staff about deadlines: reminders, overdue escalations and the
extension-notice warning.

These go to the staff alerts topic and the privacy team's mailbox. They name the request by its
reference and describe it by type, jurisdiction and dates only: never the subject's name, email
or any other detail the subject gave.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from dsr.core.readable_dates import day_text
from dsr.notices.subject_notices import Notice
from dsr.policies.request_deadlines import local_day


class DeadlineFacts(NamedTuple):
    """What staff need to act on one request's deadline, and nothing about the person."""

    request_id: str
    request_types: tuple[str, ...]
    jurisdiction: str
    status: str
    respond_by: datetime
    watch_at: datetime
    policy: str | None = None
    policy_version: str | None = None
    target_by: datetime | None = None
    extension_notice_by: datetime | None = None
    extended: bool = False
    item: str = "request"
    """What the dates belong to: the request, or its appeal (which has its own clock)."""

    @property
    def reference(self) -> str:
        return self.request_id[:8]

    @property
    def heading(self) -> str:
        """``Privacy request 1a2b3c4d`` or ``Appeal on privacy request 1a2b3c4d``."""
        return (
            f"Privacy request {self.reference}"
            if self.item == "request"
            else f"Appeal on privacy request {self.reference}"
        )

    def step(self, name: str) -> str:
        """The once-only record of a notice; an appeal's are its own, apart from the request's."""
        return name if self.item == "request" else f"{self.item}#{name}"

    @property
    def watching_the_target(self) -> bool:
        """The internal target, stricter than the law, is what the reminders follow."""
        return self.target_by is not None and self.watch_at < self.respond_by


def _when(facts: DeadlineFacts, moment: datetime) -> str:
    """The day where the request's law counts, as the law's deadlines are whole days there."""
    return f"{day_text(local_day(facts.jurisdiction, moment))} ({facts.jurisdiction} time)"


def _days(days: int) -> str:
    return "1 day" if abs(days) == 1 else f"{abs(days)} days"


def _policy(facts: DeadlineFacts) -> str:
    if not facts.policy:
        return facts.jurisdiction
    return f"{facts.policy} (version {facts.policy_version})" if facts.policy_version else facts.policy


def _summary(facts: DeadlineFacts) -> str:
    lines = [
        f"Request: {facts.request_id}" + (f" ({facts.item})" if facts.item != "request" else ""),
        f"Type: {', '.join(facts.request_types)}",
        f"Jurisdiction: {facts.jurisdiction}; deadline policy: {_policy(facts)}",
        f"Status: {facts.status}",
        f"Legal due date: {_when(facts, facts.respond_by)}" + (" (extended)" if facts.extended else ""),
    ]
    if facts.target_by is not None:
        lines.append(f"Internal target: {_when(facts, facts.target_by)}")
    if facts.extension_notice_by is not None and not facts.extended:
        lines.append(f"Last moment for an extension notice: {_when(facts, facts.extension_notice_by)}")
    return "\n".join(lines)


def reminder(facts: DeadlineFacts, point_days: int, days_left: int) -> Notice:
    """The reminder at ``point_days`` before the watch time, with ``days_left`` until it."""
    what = "internal target" if facts.watching_the_target else "legal due date"
    if days_left > 0:
        when = f"in {_days(days_left)}"
        headline = (
            f"The {what} of this {facts.item} is {_when(facts, facts.watch_at)}, {_days(days_left)} from now."
        )
    else:
        when = "now"
        headline = f"The {what} of this {facts.item} was {_when(facts, facts.watch_at)} and it is still open."
    return Notice(
        subject=f"{facts.heading}: {what} {when} ({point_days}-day reminder)",
        body=f"{headline}\n\n{_summary(facts)}\n\nThis is the {point_days}-day reminder; it is sent once.\n",
    )


def overdue(facts: DeadlineFacts, days_late: int) -> Notice:
    late = "less than a day" if days_late == 0 else _days(days_late)
    return Notice(
        subject=f"OVERDUE: {facts.heading.lower()} was due {_when(facts, facts.respond_by)}",
        body=(
            f"This {facts.item} is past its legal due date by {late} and is still open. Answer the subject "
            f"now, and record why it is late.\n\n{_summary(facts)}\n"
        ),
    )


def extension_notice_due(facts: DeadlineFacts, notice_by: datetime) -> Notice:
    return Notice(
        subject=f"{facts.heading}: extension notice due by {_when(facts, notice_by)}",
        body=(
            f"If this {facts.item} needs more time, the subject must be told of the extension, with the "
            f"reasons, by {_when(facts, notice_by)}. No extension has been recorded. Extend "
            f"it through the desk (which sends the notice) or answer by the due date.\n\n{_summary(facts)}\n"
        ),
    )


def alert_message(facts: DeadlineFacts, kind: str, **extra: int) -> dict[str, Any]:
    """The structured body of the alert on the staff topic (JSON, like the desk's other alerts)."""
    return {
        "request_id": facts.request_id,
        "item": facts.item,
        "kind": kind,
        "request_types": list(facts.request_types),
        "jurisdiction": facts.jurisdiction,
        "deadline_policy": facts.policy,
        "deadline_policy_version": facts.policy_version,
        "status": facts.status,
        "respond_by": facts.respond_by.isoformat(),
        "target_by": facts.target_by.isoformat() if facts.target_by else None,
        "watch_at": facts.watch_at.isoformat(),
        "extension_notice_by": facts.extension_notice_by.isoformat() if facts.extension_notice_by else None,
        "extended": facts.extended,
        **extra,
    }
