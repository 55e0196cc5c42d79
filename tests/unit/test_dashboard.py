"""The dashboard's figures, from requests whose dates are known."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from dsr.core.models import RequestType, Status
from dsr.staff.dashboard import band_labels, build
from dsr.staff.reports import CountedRequest

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # a Wednesday


def _request(
    number: int, status: Status, received_days_ago: int, closed_after_days: int | None = None
) -> CountedRequest:
    received = NOW - timedelta(days=received_days_ago)
    return CountedRequest(
        request_id=f"r{number}",
        request_types=[RequestType.ACCESS],
        status=status,
        received_at=received,
        closed_at=received + timedelta(days=closed_after_days) if closed_after_days is not None else None,
        jurisdiction="EU",
    )


def test_open_requests_are_counted_by_status_and_by_how_soon_they_are_due() -> None:
    open_requests = [
        _request(1, Status.AWAITING_APPROVAL, 40),
        _request(2, Status.AWAITING_APPROVAL, 3),
        _request(3, Status.IN_PROGRESS, 20),
        _request(4, Status.VERIFYING, 1),
    ]
    respond_by = {
        "r1": NOW - timedelta(hours=1),  # overdue
        "r2": NOW + timedelta(days=6, hours=23),  # due this week
        "r3": NOW + timedelta(days=7),  # not within 7 days
        "r4": NOW + timedelta(days=29),
    }

    figures = build(NOW, open_requests, respond_by, [], weeks=4)

    assert figures.open_requests == 4
    assert (figures.overdue, figures.due_within_7_days) == (1, 1)
    assert figures.by_status == {"AWAITING_APPROVAL": 2, "IN_PROGRESS": 1, "VERIFYING": 1}


def test_received_per_week_runs_monday_to_sunday_and_shows_empty_weeks() -> None:
    received = [
        _request(1, Status.COMPLETED, 0, 0),  # Wednesday 2 December: this week
        _request(2, Status.COMPLETED, 2, 1),  # Monday 30 November: this week
        _request(3, Status.DENIED, 3, 2),  # Sunday 29 November: last week
        _request(4, Status.IN_PROGRESS, 20),  # 12 November: three weeks back
    ]

    figures = build(NOW, [], {}, received, weeks=4)

    assert [(w.week_starting, w.received) for w in figures.received_per_week] == [
        (date(2026, 11, 9), 1),
        (date(2026, 11, 16), 0),
        (date(2026, 11, 23), 1),
        (date(2026, 11, 30), 2),
    ]


def test_days_to_close_fall_into_bands_with_the_median() -> None:
    received = [
        _request(1, Status.COMPLETED, 50, 0),
        _request(2, Status.COMPLETED, 50, 7),
        _request(3, Status.DENIED, 50, 8),
        _request(4, Status.PARTIALLY_COMPLETED, 80, 45),
        _request(5, Status.COMPLETED, 100, 95),
        _request(6, Status.IN_PROGRESS, 10),  # not closed: not counted
    ]

    figures = build(NOW, [], {}, received, weeks=16)

    bands = {band.label: band.closed for band in figures.days_to_close}
    assert list(bands) == band_labels()
    assert bands == {
        "0-7 days": 2,
        "8-14 days": 1,
        "15-30 days": 0,
        "31-45 days": 1,
        "46-60 days": 0,
        "61-90 days": 0,
        "over 90 days": 1,
    }
    assert figures.median_days_to_close == 8.0
