"""The staff dashboard: where the open requests stand, and how the last weeks went.

* ``by_status``, ``overdue`` and ``due_within_7_days`` count the open requests, read through the
  sparse index of open requests (never a Scan, never a closed request).
* ``received_per_week`` counts the requests received in each of the last ``weeks`` weeks
  (Monday to Sunday, UTC), read month by month from the ``ByReceivedMonth`` index.
* ``days_to_close`` sorts the requests received in that window that have closed by the calendar
  days from receipt to closing, into the bands a privacy team reports on; with the median.

Only counts leave this module: no identity, no request id.
"""

import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from dsr.core.desk_model import DeskModel
from dsr.core.staff_catalog import staff_text
from dsr.staff.reports import CountedRequest

if TYPE_CHECKING:
    from dsr.storage.store import RequestStore

DAY = timedelta(days=1)
# Upper bounds of the days-to-close bands, in calendar days; the last band is open-ended.
CLOSE_BANDS = (7, 14, 30, 45, 60, 90)


class WeekCount(DeskModel):
    week_starting: date
    received: int


class Band(DeskModel):
    label: str
    closed: int


class Dashboard(DeskModel):
    as_of: datetime
    open_requests: int
    overdue: int
    due_within_7_days: int
    by_status: dict[str, int]
    received_per_week: list[WeekCount]
    days_to_close: list[Band]
    median_days_to_close: float | None


def band_labels() -> list[str]:
    lower = 0
    labels = []
    for upper in CLOSE_BANDS:
        labels.append(staff_text("%(lower)s-%(upper)s days", lower=lower, upper=upper))
        lower = upper + 1
    labels.append(staff_text("over %(days)s days", days=CLOSE_BANDS[-1]))
    return labels


def _band(days: int) -> str:
    labels = band_labels()
    for upper, label in zip(CLOSE_BANDS, labels, strict=False):
        if days <= upper:
            return label
    return labels[-1]


def build(
    now: datetime,
    open_requests: list[CountedRequest],
    open_respond_by: dict[str, datetime],
    received: list[CountedRequest],
    weeks: int,
) -> Dashboard:
    """The figures from what was read: the open requests (with their legal due dates) and the
    requests received in the window."""
    this_monday = now.astimezone(UTC).date() - timedelta(days=now.astimezone(UTC).weekday())
    week_starts = [this_monday - timedelta(weeks=back) for back in reversed(range(weeks))]
    per_week = Counter(
        request.received_at.astimezone(UTC).date()
        - timedelta(days=request.received_at.astimezone(UTC).weekday())
        for request in received
    )
    closed_days = [
        (request.closed_at.astimezone(UTC).date() - request.received_at.astimezone(UTC).date()).days
        for request in received
        if request.closed_at is not None and not request.status.is_open
    ]
    bands = Counter(_band(days) for days in closed_days)
    respond_by = [open_respond_by[request.request_id] for request in open_requests]
    return Dashboard(
        as_of=now,
        open_requests=len(open_requests),
        overdue=sum(due < now for due in respond_by),
        due_within_7_days=sum(now <= due < now + 7 * DAY for due in respond_by),
        by_status=dict(sorted(Counter(request.status.value for request in open_requests).items())),
        received_per_week=[WeekCount(week_starting=start, received=per_week[start]) for start in week_starts],
        days_to_close=[Band(label=label, closed=bands[label]) for label in band_labels()],
        median_days_to_close=float(statistics.median(closed_days)) if closed_days else None,
    )


def collect(store: "RequestStore", now: datetime, weeks: int = 12) -> Dashboard:
    """Read what the dashboard needs: the open requests through their index, the window's
    requests month by month through the received-month index."""
    open_items = store.open_requests_due_before(datetime.max.replace(tzinfo=UTC))
    open_requests = [CountedRequest.model_validate(item) for item in open_items]
    open_respond_by = {
        str(item["request_id"]): datetime.fromisoformat(str(item["respond_by"])) for item in open_items
    }
    start = now.astimezone(UTC).date() - timedelta(days=now.astimezone(UTC).weekday(), weeks=weeks - 1)
    days = (now.astimezone(UTC).date() - start).days + 1
    months = sorted({(start + timedelta(days=offset)).strftime("%Y-%m") for offset in range(days)})
    received = [
        request
        for month in months
        for request in (CountedRequest.model_validate(item) for item in store.requests_received_in(month))
        if request.received_at.astimezone(UTC).date() >= start
    ]
    return build(now, open_requests, open_respond_by, received, weeks)
