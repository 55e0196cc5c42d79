"""The CCPA 7102 metrics report: for one calendar year, per request type, how many requests were
received, complied with in whole or in part, denied (by reason), and how many days they took.

Counting:

* A request counts once under each type it asked for; the ``all`` row counts each request once.
* The year is the year of ``received_at`` (stored in UTC): a request received in December and
  closed in January counts in the year it was received.
* ``denied`` is what the law calls denied: refused by staff (``DENIED``), or closed because the
  subject could not be verified (``UNVERIFIABLE``, reason "could not be verified", also shown in
  its own ``unverifiable`` column). ``failed``, ``linked`` (a duplicate answered through the
  request it was linked to) and ``cancelled`` (withdrawn before anything was done) are received
  but neither complied with nor denied; ``pending`` are still open. So received = whole + part +
  denied + failed + linked + cancelled + pending.
* Days to respond are calendar days from the day received to the day closed (UTC), over the
  requests that were answered (complied with or denied) and have a closing date: ``responded``.
* Only counts leave this module: no identity, no request id.
* Global Privacy Control signals are counted as they arrive (``dsr.storage.signals``), per year
  and jurisdiction: how many came, and how many opened a person's opt-out request.

Which rows 7102 asks for: requests to know (access, portability), delete, correct, opt out of
sale/sharing and limit the use of sensitive personal information (``limit_sensitive``). The
requests about automated decision-making (``admt_opt_out``, ``admt_access``) are not listed in the
7102 text the desk follows, nor are the third-party list and the profiling review of other states'
laws: their rows are the desk's own figures.
"""

import csv
import io
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pydantic import Field

from dsr.core.desk_model import DeskModel
from dsr.core.models import AuditEvent, RequestType, Status
from dsr.core.request_type_labels import REQUEST_TYPE_LABELS
from dsr.core.staff_catalog import staff_text
from dsr.review.denial_reasons import SUBJECT_WORDS, DenialReason

if TYPE_CHECKING:
    from dsr.storage.store import RequestStore

ALL_TYPES = "all"
UNVERIFIABLE_REASON = "could not be verified"
NOT_STATED = "not stated"
REASON_LABEL_LENGTH = 80
ANSWERED = frozenset({Status.COMPLETED, Status.PARTIALLY_COMPLETED, Status.DENIED, Status.UNVERIFIABLE})
CSV_COLUMNS = (
    "year",
    "jurisdiction",
    "request_type",
    "received",
    "complied_in_whole",
    "complied_in_part",
    "denied",
    "unverifiable",
    "failed",
    "linked",
    "cancelled",
    "pending",
    "responded",
    "median_days",
    "mean_days",
)

_SENTENCE_END = re.compile(r"(?<=[.!?])\s|\n")
_EMAIL_LIKE = re.compile(r"\S+@\S+")


class CountedRequest(DeskModel):
    """What the report reads of one request: what it asked, where it stands, and its dates."""

    request_id: str
    request_types: list[RequestType]
    status: Status
    received_at: datetime
    closed_at: datetime | None = None
    jurisdiction: str


class TypeFigures(DeskModel):
    request_type: str
    label: str
    """The type in the words a person chooses it by; for the row of all types, "All request types"."""
    received: int
    complied_in_whole: int
    complied_in_part: int
    denied: int
    denied_by_reason: dict[str, int]
    unverifiable: int
    failed: int
    linked: int
    cancelled: int
    pending: int
    responded: int
    median_days: float | None
    mean_days: float | None


class SignalFigures(DeskModel):
    """Global Privacy Control signals received in the year from one jurisdiction (where the law
    of the person's account or page placed them), and how many opened an opt-out request."""

    jurisdiction: str
    received: int
    opted_out: int


class MetricsReport(DeskModel):
    year: int
    jurisdiction: str | None
    """None: requests from every jurisdiction, which the report then says."""
    request_types: list[TypeFigures]
    preference_signals: list[SignalFigures] = Field(
        default_factory=list,
        description="Global Privacy Control signals by jurisdiction: received, and how many opted a "
        "person out (the rest were from browsers nobody knew, opt-outs already standing, or places "
        "where the signal is only recorded)",
    )


def reason_label(reason: str | None) -> str:
    """A short label to count denials by: the reason's first sentence, in lower case, at most 80
    characters, with anything that looks like an email address left out; a reason code is
    counted by its English words."""
    if reason in SUBJECT_WORDS:
        reason = SUBJECT_WORDS[DenialReason(reason)]
    first = _SENTENCE_END.split((reason or "").strip(), maxsplit=1)[0]
    words = " ".join(_EMAIL_LIKE.sub("[email]", first).split())
    label = words.rstrip(".!?;:, ").lower()[:REASON_LABEL_LENGTH].rstrip()
    return label or NOT_STATED


def denial_reason(events: Iterable[AuditEvent]) -> str | None:
    """The reason of the last staff decision to deny, else of the closing that denied: the
    reason code staff chose where it says the reason itself (the words the subject was sent
    are in their language), else the words."""
    decided = [e for e in events if e.action == "staff decision" and e.outcome == "deny"]
    closed = [e for e in events if e.action == "close request" and e.outcome == Status.DENIED.value]
    for found in (decided, closed):
        last = found[-1].detail if found else {}
        code = last.get("reason_code")
        reason = code if code in SUBJECT_WORDS else last.get("reason")
        if isinstance(reason, str) and reason.strip():
            return reason
    return None


def metrics_report(
    year: int,
    requests: Iterable[CountedRequest],
    denial_reasons: Mapping[str, str | None],
    jurisdiction: str | None = None,
) -> MetricsReport:
    """The figures for requests received in ``year`` (and ``jurisdiction`` if given).
    ``denial_reasons`` gives the recorded reason of each denied request, by request id."""
    chosen = [
        request
        for request in requests
        if request.received_at.astimezone(UTC).year == year
        and (jurisdiction is None or request.jurisdiction == jurisdiction)
    ]
    rows = [
        _figures(kind.value, [r for r in chosen if kind in r.request_types], denial_reasons)
        for kind in RequestType
    ]
    rows.append(_figures(ALL_TYPES, chosen, denial_reasons))
    return MetricsReport(year=year, jurisdiction=jurisdiction, request_types=rows)


def _figures(name: str, requests: Sequence[CountedRequest], reasons: Mapping[str, str | None]) -> TypeFigures:
    statuses = Counter(request.status for request in requests)
    denials = Counter(
        _denial_label(request, reasons)
        for request in requests
        if request.status in (Status.DENIED, Status.UNVERIFIABLE)
    )
    days = sorted(
        _days_to_respond(request.received_at, request.closed_at)
        for request in requests
        if request.status in ANSWERED and request.closed_at is not None
    )
    return TypeFigures(
        request_type=name,
        label=REQUEST_TYPE_LABELS[RequestType(name)]
        if name != ALL_TYPES
        else staff_text("All request types"),
        received=len(requests),
        complied_in_whole=statuses[Status.COMPLETED],
        complied_in_part=statuses[Status.PARTIALLY_COMPLETED],
        denied=statuses[Status.DENIED] + statuses[Status.UNVERIFIABLE],
        denied_by_reason=dict(sorted(denials.items(), key=lambda pair: (-pair[1], pair[0]))),
        unverifiable=statuses[Status.UNVERIFIABLE],
        failed=statuses[Status.FAILED],
        linked=statuses[Status.LINKED],
        cancelled=statuses[Status.CANCELLED],
        pending=sum(count for status, count in statuses.items() if status.is_open),
        responded=len(days),
        median_days=float(statistics.median(days)) if days else None,
        mean_days=round(statistics.fmean(days), 1) if days else None,
    )


def _denial_label(request: CountedRequest, reasons: Mapping[str, str | None]) -> str:
    if request.status is Status.UNVERIFIABLE:
        return UNVERIFIABLE_REASON
    return reason_label(reasons.get(request.request_id))


def _days_to_respond(received_at: datetime, closed_at: datetime) -> int:
    return (closed_at.astimezone(UTC).date() - received_at.astimezone(UTC).date()).days


def to_csv(report: MetricsReport) -> str:
    """One row per request type and one for all; then a ``denied: <reason>`` column per reason,
    most frequent first."""
    everything = next(row for row in report.request_types if row.request_type == ALL_TYPES)
    reasons = list(everything.denied_by_reason)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, *(f"denied: {reason}" for reason in reasons)])
    for row in report.request_types:
        figures = row.model_dump()
        writer.writerow(
            [
                report.year,
                report.jurisdiction or "all",
                *(_cell(figures[column]) for column in CSV_COLUMNS[2:]),
                *(row.denied_by_reason.get(reason, 0) for reason in reasons),
            ]
        )
    return out.getvalue()


def _cell(value: object) -> object:
    return "" if value is None else value


def collect(store: "RequestStore", year: int, jurisdiction: str | None = None) -> MetricsReport:
    """Read the year month by month from the ``ByReceivedMonth`` index (never a Scan), and the
    audit trail of each denied request for its reason."""
    requests = [
        CountedRequest.model_validate(item)
        for month in range(1, 13)
        for item in store.requests_received_in(f"{year:04d}-{month:02d}")
    ]
    reasons = {
        request.request_id: denial_reason(store.events(request.request_id))
        for request in requests
        if request.status is Status.DENIED and jurisdiction in (None, request.jurisdiction)
    }
    report = metrics_report(year, requests, reasons, jurisdiction)
    signals = [
        SignalFigures(jurisdiction=count.jurisdiction, received=count.received, opted_out=count.opted_out)
        for count in store.signal_counts(year)
        if jurisdiction in (None, count.jurisdiction)
    ]
    return report.model_copy(update={"preference_signals": signals})
