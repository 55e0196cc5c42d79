"""Reminders of a handed-off task, and what staff are told when its answer-by date passes in
silence.

A reminder is the very message that asked (the vendor's instructions, the customers' notification,
the owner's instructions, with whatever they carry), marked as a reminder in its subject line and
opened by one line saying when it was first sent. What staff are told names the request by its
reference, the system and whom it waits on: never the subject's name, email or anything they wrote.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from dsr.core.readable_dates import day_text, utc_moment_text
from dsr.core.staff_catalog import staff_text
from dsr.notices.subject_notices import Notice


def as_reminder(notice: Notice, number: int, first_asked: datetime) -> Notice:
    """``notice`` again, as reminder ``number``."""
    opening = staff_text(
        "Reminder: we wrote to you on %(day)s and have not had your answer yet. Our message follows.",
        day=day_text(first_asked),
    )
    return notice._replace(
        subject=staff_text("Reminder %(number)d: %(subject)s", number=number, subject=notice.subject),
        body=f"{opening}\n\n{notice.body}",
        html=None if notice.html is None else f"<p>{escape(opening)}</p>\n{notice.html}",
    )


def silence_failed(
    request_id: str, system_id: str, action: str, waiting_on: str, answer_by: datetime
) -> Notice:
    """The task was marked failed: the request closes partially completed."""
    return Notice(
        subject=staff_text(
            "Privacy request %(reference)s: no answer from %(who)s", reference=request_id[:8], who=waiting_on
        ),
        body=staff_text(
            "%(who)s did not answer for %(system)s (%(action)s) by %(moment)s. The task is marked "
            "failed, and the request closes partially completed. Ask again with a re-run once they "
            "can act, or record their answer.",
            who=waiting_on,
            system=system_id,
            action=action,
            moment=utc_moment_text(answer_by),
        )
        + "\n",
    )


def silence_holds(
    request_id: str, system_id: str, action: str, waiting_on: str, answer_by: datetime, *, alert: int
) -> Notice:
    """The task keeps waiting past its date, and the request cannot close until it is answered."""
    return Notice(
        subject=staff_text(
            "Privacy request %(reference)s cannot close: no answer from %(who)s (alert %(number)d)",
            reference=request_id[:8],
            who=waiting_on,
            number=alert,
        ),
        body=staff_text(
            "%(who)s did not answer for %(system)s (%(action)s) by %(moment)s. The registry says "
            "the request may not close without their answer, so it stays open, and you will be "
            "alerted again until they answer or you record their answer on their behalf.",
            who=waiting_on,
            system=system_id,
            action=action,
            moment=utc_moment_text(answer_by),
        )
        + "\n",
    )


def alert_message(request_id: str, system_id: str, action: str, kind: str, **extra: Any) -> dict[str, Any]:
    """The alerts topic's message: what a rule or a pager needs, nothing about the person."""
    return {"request_id": request_id, "kind": kind, "system_id": system_id, "action": action, **extra}
