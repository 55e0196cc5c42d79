"""Dates as people read them, the same in every email, page and package: ``5 January 2027``."""

from __future__ import annotations

from datetime import UTC, date, datetime


def day_text(day: date) -> str:
    """``5 January 2027``: the day without a leading zero, the month in words."""
    return f"{day.day} {day:%B %Y}"


def utc_moment_text(moment: datetime) -> str:
    """``14 March 2026, 10:32 UTC``: a moment, stated in UTC."""
    at = moment.astimezone(UTC)
    return f"{day_text(at)}, {at:%H:%M} UTC"
