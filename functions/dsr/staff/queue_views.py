"""The queue as staff see it: one line per open request, most urgent first.

The queue is ordered by ``due_on``, the day it shows first: the earlier of the desk's internal
target and the legal date (the moment the ``OpenByDue`` index is keyed by, ``watch_at``), so a
request whose target falls first is at the top and says why ("internal target"), with its legal
date beside it. Days are the days of the jurisdiction's time zone, as the subject is told them.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from dsr.core.desk_model import DeskModel
from dsr.core.masking import mask_email
from dsr.core.models import PrivacyRequest, Status
from dsr.core.request_type_labels import REQUEST_TYPE_LABELS
from dsr.core.staff_catalog import S_, staff_text
from dsr.policies.request_deadlines import JURISDICTION_ZONES, local_day

STATUS_LABELS: dict[Status, str] = {
    Status.RECEIVED: S_("Received"),
    Status.VERIFYING: S_("Verifying identity"),
    Status.AWAITING_APPROVAL: S_("Awaiting approval"),
    Status.IN_PROGRESS: S_("In progress"),
    Status.COMPLETED: S_("Completed"),
    Status.PARTIALLY_COMPLETED: S_("Partially completed"),
    Status.DENIED: S_("Denied"),
    Status.UNVERIFIABLE: S_("Unverifiable"),
    Status.FAILED: S_("Failed"),
    Status.LINKED: S_("Linked to another request"),
    Status.CANCELLED: S_("Cancelled"),
}
"""What staff read for each status (the console keeps the same words for its filters)."""

IDENTITY_RELEASED = S_("identity erased after closing (only a keyed hash kept)")
"""Shown instead of the subject once the identity has been let go: no masked stand-in."""


class QueueEntry(DeskModel):
    request_id: str
    status: str
    status_label: str
    request_types: list[str]
    request_type_labels: list[str]
    """Each type in the words the subject chose it by, in the order of ``request_types``."""
    jurisdiction: str
    time_zone: str
    """Where the jurisdiction's law counts days; every ``*_on`` day is a day there."""
    channel: str
    subject: str
    identity_released: bool = False
    """The identity was let go after the request closed: ``subject`` says so, masking nothing."""
    received_at: str
    received_on: str
    respond_by: str
    """The legal response moment, in UTC."""
    respond_on: str
    """The legal response day, as the subject is told it."""
    target_on: str | None
    """The desk's internal target day, where it is stricter than the law."""
    due_on: str
    """The day the desk works to: the earlier of the internal target and the legal date."""
    due_for: Literal["target", "law"]
    days_left: int
    """Days from today (in the jurisdiction, by the desk's clock) to ``due_on``; negative when late."""
    legal_days_left: int
    """Days from today to ``respond_on``; negative when overdue."""
    assigned_to: str | None = None
    """The staff member the request is assigned to, if any."""


def day_in(jurisdiction: str, moment: datetime | None) -> str | None:
    """The day ``moment`` falls on in the jurisdiction, as the subject is told it (None: no moment)."""
    return local_day(jurisdiction, moment).isoformat() if moment else None


def queue_entry(request: PrivacyRequest, now: datetime) -> QueueEntry:
    """One line of the queue; ``now`` is the desk's clock, for the days left."""
    place = request.jurisdiction
    today = local_day(place, now)
    respond_on = local_day(place, request.respond_by)
    target_on = day_in(place, request.target_by)
    due_on = min(local_day(place, request.watch_at or request.respond_by), respond_on)
    released = request.identity_reduced_at is not None
    return QueueEntry(
        request_id=request.request_id,
        status=request.status.value,
        status_label=staff_text(STATUS_LABELS[request.status]),
        request_types=[t.value for t in request.request_types],
        request_type_labels=[REQUEST_TYPE_LABELS[t] for t in request.request_types],
        jurisdiction=place,
        time_zone=JURISDICTION_ZONES.get(place, "UTC"),
        channel=request.channel.value,
        subject=staff_text(IDENTITY_RELEASED) if released else mask_email(str(request.subject.email)),
        identity_released=released,
        received_at=request.received_at.isoformat(),
        received_on=local_day(place, request.received_at).isoformat(),
        respond_by=request.respond_by.isoformat(),
        respond_on=respond_on.isoformat(),
        target_on=target_on,
        due_on=due_on.isoformat(),
        due_for="target" if due_on < respond_on else "law",
        days_left=(due_on - today).days,
        legal_days_left=(respond_on - today).days,
        assigned_to=request.assigned_to,
    )


def open_queue(requests: Iterable[PrivacyRequest], now: datetime) -> list[QueueEntry]:
    """The queue, most urgent first: by the day shown first (``due_on``), then the legal day,
    then the order they came in."""
    entries = [queue_entry(request, now) for request in requests]
    return sorted(entries, key=lambda entry: (entry.due_on, entry.respond_on, entry.received_at))
