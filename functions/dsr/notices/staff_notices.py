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
from dsr.core.staff_catalog import S_, staff_plural, staff_text
from dsr.notices.subject_notices import Notice
from dsr.policies.request_deadlines import local_day

ITEM_WORDS = {"request": S_("request"), "appeal": S_("appeal")}
"""What a deadline belongs to, in words."""


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
    package_held: bool = False
    """Its access package waits for a reviewer's release (``dsr.fulfilment.package_review``)."""

    @property
    def reference(self) -> str:
        return self.request_id[:8]

    @property
    def heading(self) -> str:
        """``Privacy request 1a2b3c4d`` or ``Appeal on privacy request 1a2b3c4d``."""
        return (
            staff_text("Privacy request %(reference)s", reference=self.reference)
            if self.item == "request"
            else staff_text("Appeal on privacy request %(reference)s", reference=self.reference)
        )

    @property
    def what(self) -> str:
        """The item in words: ``request`` or ``appeal``."""
        return staff_text(ITEM_WORDS[self.item]) if self.item in ITEM_WORDS else self.item

    def step(self, name: str) -> str:
        """The once-only record of a notice; an appeal's are its own, apart from the request's."""
        return name if self.item == "request" else f"{self.item}#{name}"

    @property
    def watching_the_target(self) -> bool:
        """The internal target, stricter than the law, is what the reminders follow."""
        return self.target_by is not None and self.watch_at < self.respond_by


def _when(facts: DeadlineFacts, moment: datetime) -> str:
    """The day where the request's law counts, as the law's deadlines are whole days there."""
    return staff_text(
        "%(day)s (%(place)s time)",
        day=day_text(local_day(facts.jurisdiction, moment)),
        place=facts.jurisdiction,
    )


def _days(days: int) -> str:
    return staff_plural("%(count)s day", "%(count)s days", abs(days))


def _policy(facts: DeadlineFacts) -> str:
    if not facts.policy:
        return facts.jurisdiction
    if not facts.policy_version:
        return facts.policy
    return staff_text("%(policy)s (version %(version)s)", policy=facts.policy, version=facts.policy_version)


def _summary(facts: DeadlineFacts) -> str:
    request = staff_text("Request: %(request_id)s", request_id=facts.request_id)
    legal = staff_text("Legal due date: %(day)s", day=_when(facts, facts.respond_by))
    lines = [
        request if facts.item == "request" else f"{request} ({facts.what})",
        staff_text("Type: %(types)s", types=", ".join(facts.request_types)),
        staff_text(
            "Jurisdiction: %(jurisdiction)s; deadline policy: %(policy)s",
            jurisdiction=facts.jurisdiction,
            policy=_policy(facts),
        ),
        staff_text("Status: %(status)s", status=facts.status),
        staff_text("%(line)s (extended)", line=legal) if facts.extended else legal,
    ]
    if facts.target_by is not None:
        lines.append(staff_text("Internal target: %(day)s", day=_when(facts, facts.target_by)))
    if facts.extension_notice_by is not None and not facts.extended:
        lines.append(
            staff_text(
                "Last moment for an extension notice: %(day)s", day=_when(facts, facts.extension_notice_by)
            )
        )
    if facts.package_held:
        lines.append(
            staff_text(
                "Its access package is held for review: a reviewer must release it in the console "
                "before the subject can download it."
            )
        )
    return "\n".join(lines)


def reminder(facts: DeadlineFacts, point_days: int, days_left: int) -> Notice:
    """The reminder at ``point_days`` before the watch time, with ``days_left`` until it."""
    target = facts.watching_the_target
    what = staff_text("internal target") if target else staff_text("legal due date")
    day = _when(facts, facts.watch_at)
    if days_left > 0:
        when = staff_text("in %(days)s", days=_days(days_left))
        headline = staff_text(
            "The %(what)s of this %(item)s is %(day)s, %(days)s from now.",
            what=what,
            item=facts.what,
            day=day,
            days=_days(days_left),
        )
    else:
        when = staff_text("now")
        headline = staff_text(
            "The %(what)s of this %(item)s was %(day)s and it is still open.",
            what=what,
            item=facts.what,
            day=day,
        )
    once = staff_text("This is the %(point)s-day reminder; it is sent once.", point=point_days)
    return Notice(
        subject=staff_text(
            "%(heading)s: %(what)s %(when)s (%(point)s-day reminder)",
            heading=facts.heading,
            what=what,
            when=when,
            point=point_days,
        ),
        body=f"{headline}\n\n{_summary(facts)}\n\n{once}\n",
    )


def overdue(facts: DeadlineFacts, days_late: int) -> Notice:
    late = staff_text("less than a day") if days_late == 0 else _days(days_late)
    heading = (
        staff_text("privacy request %(reference)s", reference=facts.reference)
        if facts.item == "request"
        else staff_text("appeal on privacy request %(reference)s", reference=facts.reference)
    )
    what_to_do = staff_text(
        "This %(item)s is past its legal due date by %(late)s and is still open. Answer the subject "
        "now, and record why it is late.",
        item=facts.what,
        late=late,
    )
    return Notice(
        subject=staff_text(
            "OVERDUE: %(heading)s was due %(day)s", heading=heading, day=_when(facts, facts.respond_by)
        ),
        body=f"{what_to_do}\n\n{_summary(facts)}\n",
    )


def extension_notice_due(facts: DeadlineFacts, notice_by: datetime) -> Notice:
    day = _when(facts, notice_by)
    what_to_do = staff_text(
        "If this %(item)s needs more time, the subject must be told of the extension, with the "
        "reasons, by %(day)s. No extension has been recorded. Extend it through the desk (which "
        "sends the notice) or answer by the due date.",
        item=facts.what,
        day=day,
    )
    return Notice(
        subject=staff_text("%(heading)s: extension notice due by %(day)s", heading=facts.heading, day=day),
        body=f"{what_to_do}\n\n{_summary(facts)}\n",
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
        "package_held": facts.package_held,
        **extra,
    }
