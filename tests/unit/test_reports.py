"""The CCPA 7102 figures, worked out by hand for a seeded year."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from dsr.core.models import AuditEvent, RequestType, Status
from dsr.staff.reports import (
    CSV_COLUMNS,
    CountedRequest,
    TypeFigures,
    denial_reason,
    metrics_report,
    reason_label,
    to_csv,
)

A = RequestType.ACCESS
E = RequestType.ERASURE
R = RequestType.RECTIFICATION
S = RequestType.SALE_SHARING_OPT_OUT
EXEMPT = "exempt: the data is needed to complete a transaction"


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day if "T" in day else f"{day}T12:00:00").replace(tzinfo=UTC)


def _request(
    number: int,
    types: list[RequestType],
    status: Status,
    received: str,
    closed: str | None = None,
    jurisdiction: str = "US-CA",
) -> CountedRequest:
    return CountedRequest(
        request_id=f"r{number}",
        request_types=types,
        status=status,
        received_at=_at(received),
        closed_at=_at(closed) if closed else None,
        jurisdiction=jurisdiction,
    )


# Calendar days to respond are worked out in the comments.
YEAR = [
    _request(1, [A], Status.COMPLETED, "2025-01-06", "2025-01-20"),  # 14
    _request(2, [A], Status.COMPLETED, "2025-02-03", "2025-03-05"),  # 30 (February has 28 days)
    _request(3, [A], Status.PARTIALLY_COMPLETED, "2025-03-10", "2025-04-24"),  # 45
    _request(4, [A], Status.DENIED, "2025-04-01", "2025-04-11"),  # 10
    _request(5, [A], Status.UNVERIFIABLE, "2025-05-02", "2025-05-12"),  # 10
    _request(6, [A, E], Status.COMPLETED, "2025-06-15", "2025-07-05"),  # 20
    _request(7, [E], Status.COMPLETED, "2025-07-01", "2025-07-08", jurisdiction="US-VA"),  # 7
    _request(8, [E], Status.DENIED, "2025-08-04", "2025-08-29"),  # 25
    _request(9, [E], Status.DENIED, "2025-09-09", "2025-09-10"),  # 1
    _request(10, [E], Status.FAILED, "2025-09-20", "2025-09-22"),  # not an answer
    _request(11, [E], Status.LINKED, "2025-10-01", "2025-10-01"),  # answered through another
    _request(12, [E], Status.IN_PROGRESS, "2025-12-01"),
    _request(13, [R], Status.COMPLETED, "2025-01-31", "2025-03-01"),  # 29
    _request(14, [R], Status.DENIED, "2025-11-03", "2025-11-17"),  # 14, no reason recorded
    _request(15, [R], Status.AWAITING_APPROVAL, "2025-12-20"),
    _request(16, [S], Status.COMPLETED, "2025-02-14", "2025-02-15"),  # 1
    _request(17, [S], Status.COMPLETED, "2025-03-03T08:00:00", "2025-03-03T17:00:00"),  # 0
    _request(18, [S], Status.UNVERIFIABLE, "2025-10-10", "2025-10-20"),  # 10
    _request(19, [S], Status.RECEIVED, "2025-12-30"),
    _request(20, [A], Status.COMPLETED, "2024-12-31", "2025-01-10"),  # the year before
    _request(21, [A], Status.COMPLETED, "2026-01-01", "2026-01-05"),  # the year after
    _request(22, [E], Status.COMPLETED, "2025-12-31T23:30:00", "2026-01-02T00:10:00"),  # 2 days
]
REASONS = {
    "r4": "Exempt: the data is needed to complete a transaction. We keep it for the warranty.",
    "r8": "Exempt: the data is needed to complete a transaction.",
    "r9": "Not from a consumer! Sent by an automated tool.",
}


def _row(report_rows: list[TypeFigures], name: str) -> dict[str, object]:
    return next(row for row in report_rows if row.request_type == name).model_dump()


def _figures(
    received: int,
    whole: int,
    part: int,
    denied: int,
    reasons: dict[str, int],
    unverifiable: int = 0,
    failed: int = 0,
    linked: int = 0,
    cancelled: int = 0,
    pending: int = 0,
    responded: int = 0,
    median: float | None = None,
    mean: float | None = None,
) -> dict[str, object]:
    return {
        "received": received,
        "complied_in_whole": whole,
        "complied_in_part": part,
        "denied": denied,
        "denied_by_reason": reasons,
        "unverifiable": unverifiable,
        "failed": failed,
        "linked": linked,
        "cancelled": cancelled,
        "pending": pending,
        "responded": responded,
        "median_days": median,
        "mean_days": mean,
    }


EXPECTED = {
    # days 10 10 14 20 30 45: median (14 + 20) / 2, mean 129 / 6
    "access": _figures(
        6,
        3,
        1,
        2,
        {"could not be verified": 1, EXEMPT: 1},
        unverifiable=1,
        responded=6,
        median=17.0,
        mean=21.5,
    ),
    # days 1 2 7 20 25: median 7, mean 55 / 5
    "erasure": _figures(
        8,
        3,
        0,
        2,
        {EXEMPT: 1, "not from a consumer": 1},
        failed=1,
        linked=1,
        pending=1,
        responded=5,
        median=7.0,
        mean=11.0,
    ),
    # days 14 29
    "rectification": _figures(3, 1, 0, 1, {"not stated": 1}, pending=1, responded=2, median=21.5, mean=21.5),
    # days 0 1 10: median 1, mean 11 / 3
    "sale_sharing_opt_out": _figures(
        4, 2, 0, 1, {"could not be verified": 1}, unverifiable=1, pending=1, responded=3, median=1.0, mean=3.7
    ),
    "portability": _figures(0, 0, 0, 0, {}),
    "restriction": _figures(0, 0, 0, 0, {}),
    "objection": _figures(0, 0, 0, 0, {}),
    "marketing_opt_out": _figures(0, 0, 0, 0, {}),
    # each request once; days 0 1 1 2 7 10 10 10 14 14 20 25 29 30 45: median the 8th, mean 218 / 15
    "all": _figures(
        20,
        8,
        1,
        6,
        {"could not be verified": 2, EXEMPT: 2, "not from a consumer": 1, "not stated": 1},
        unverifiable=2,
        failed=1,
        linked=1,
        pending=3,
        responded=15,
        median=10.0,
        mean=14.5,
    ),
}


@pytest.mark.parametrize("request_type", list(EXPECTED))
def test_the_figures_of_each_request_type_are_those_worked_out_by_hand(request_type: str) -> None:
    report = metrics_report(2025, YEAR, REASONS)

    row = _row(report.request_types, request_type)
    row.pop("label")
    assert row == {"request_type": request_type, **EXPECTED[request_type]}


def test_every_request_type_has_a_row_and_every_request_is_accounted_for() -> None:
    report = metrics_report(2025, YEAR, REASONS)

    assert [row.request_type for row in report.request_types] == [*(t.value for t in RequestType), "all"]
    labels = [row.label for row in report.request_types]
    assert labels[0] == "Get a copy of my personal data" and labels[-1] == "All request types"
    assert len(set(labels)) == len(labels) and not any("_" in label for label in labels)
    for row in report.request_types:
        parts = (
            row.complied_in_whole
            + row.complied_in_part
            + row.denied
            + row.failed
            + row.linked
            + row.cancelled
        )
        assert parts + row.pending == row.received
        assert sum(row.denied_by_reason.values()) == row.denied


def test_a_jurisdiction_narrows_the_report_and_says_so() -> None:
    report = metrics_report(2025, YEAR, REASONS, jurisdiction="US-CA")

    assert report.jurisdiction == "US-CA"
    erasure = _row(report.request_types, "erasure")
    assert (erasure["received"], erasure["complied_in_whole"], erasure["median_days"]) == (7, 2, 11.0)


def test_the_csv_has_one_row_per_type_and_a_column_per_denial_reason() -> None:
    text = to_csv(metrics_report(2025, YEAR, REASONS))

    rows = list(csv.reader(io.StringIO(text)))
    lines = text.splitlines()
    assert rows[0] == [
        *CSV_COLUMNS,
        "denied: could not be verified",
        f"denied: {EXEMPT}",
        "denied: not from a consumer",
        "denied: not stated",
    ]
    assert lines[1] == "2025,all,access,6,3,1,2,1,0,0,0,0,6,17.0,21.5,1,1,0,0"
    assert lines[2] == "2025,all,portability,0,0,0,0,0,0,0,0,0,0,,,0,0,0,0"
    assert lines[3] == "2025,all,erasure,8,3,0,2,0,1,1,0,1,5,7.0,11.0,0,1,1,0"
    assert lines[-1] == "2025,all,all,20,8,1,6,2,1,1,0,3,15,10.0,14.5,2,2,1,1"
    assert len(rows) == 1 + len(RequestType) + 1


def test_a_year_without_requests_has_zeros_and_no_days() -> None:
    report = metrics_report(2023, YEAR, REASONS)

    for row in report.request_types:
        assert row.model_dump(exclude={"request_type", "label"}) == _figures(0, 0, 0, 0, {})
    lines = to_csv(report).splitlines()
    assert lines[0] == ",".join(CSV_COLUMNS)
    assert lines[-1] == "2023,all,all,0,0,0,0,0,0,0,0,0,0,,"


@pytest.mark.parametrize(
    ("reason", "label"),
    [
        (
            "Exempt under Civil Code 1798.145(a)(1).  The law requires it.",
            "exempt under civil code 1798.145(a)(1)",
        ),
        ("  Not   from a consumer\nbut a data broker", "not from a consumer"),
        ("Duplicate of a request by jane@example.com. Closed.", "duplicate of a request by [email]"),
        ("x" * 200, "x" * 80),
        ("", "not stated"),
        (None, "not stated"),
        # A reason code, whatever language the subject was sent it in, counts by its English words.
        ("insuf_verification", "we could not verify your identity well enough for this request"),
        ("legal_obligation", "the law requires us to keep this data"),
    ],
)
def test_denial_reasons_are_counted_by_their_first_sentence(reason: str | None, label: str) -> None:
    assert reason_label(reason) == label


def test_the_denial_reason_is_the_last_staff_decision_to_deny() -> None:
    def event(action: str, outcome: str, reason: str | None) -> AuditEvent:
        at = _at("2025-04-01")
        return AuditEvent(
            request_id="r", at=at, actor="a", action=action, outcome=outcome, detail={"reason": reason}
        )

    closing = event("close request", "DENIED", "Closing reason.")
    assert denial_reason(
        [event("staff decision", "deny", "First."), event("staff decision", "deny", "Second.")]
    ) == ("Second.")
    assert denial_reason([event("staff decision", "approve", None), closing]) == "Closing reason."
    assert denial_reason([event("request received", "recorded", None)]) is None
