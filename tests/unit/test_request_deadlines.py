"""A request's deadlines as moments: counted in the jurisdiction's days, stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

from dsr.core.models import RequestType
from dsr.policies.request_deadlines import deadlines_for, local_day


def test_a_late_evening_request_in_california_was_received_that_day_there() -> None:
    # 23:30 in Los Angeles on Friday 30 January 2026 is already 31 January in UTC
    received_at = datetime(2026, 1, 31, 7, 30, tzinfo=UTC)

    deadlines = deadlines_for("US-CA", [RequestType.ACCESS], received_at)

    # 45 days with the day of receipt as day 1 (LEGAL.md): 30 January + 44 days = 15 March,
    # ending at midnight in Los Angeles (07:00 UTC the next day, daylight saving from 8 March)
    assert local_day("US-CA", deadlines.respond_by) == date(2026, 3, 15)
    assert deadlines.respond_by == datetime(2026, 3, 16, 6, 59, 59, tzinfo=UTC)
    assert deadlines.policy == "US-CA" and deadlines.policy_version


def test_the_same_moment_in_london_counts_from_the_next_day() -> None:
    received_at = datetime(2026, 1, 31, 7, 30, tzinfo=UTC)  # 07:30 on 31 January in London

    deadlines = deadlines_for("UK", [RequestType.ACCESS], received_at)

    # One calendar month from 31 January is the last day of February, Saturday 28 February 2026,
    # which the ICO rolls to the next working day
    assert local_day("UK", deadlines.respond_by) == date(2026, 3, 2)


def test_several_types_run_on_the_strictest_clock() -> None:
    received_at = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)  # Wednesday 25 November in California

    alone = deadlines_for("US-CA", [RequestType.ACCESS], received_at)
    together = deadlines_for("US-CA", [RequestType.ACCESS, RequestType.SALE_SHARING_OPT_OUT], received_at)

    # The opt-out's 15 business days (26-27 November are holidays) beat access's 45 days
    assert local_day("US-CA", together.respond_by) == date(2026, 12, 18)
    assert together.respond_by < alone.respond_by
    # Know/delete/correct are acknowledged within 10 business days
    assert together.acknowledge_by is not None
    assert local_day("US-CA", together.acknowledge_by) == date(2026, 12, 11)


def test_the_internal_target_is_watched_when_it_is_stricter() -> None:
    deadlines = deadlines_for("EU", [RequestType.ERASURE], datetime(2026, 3, 2, 9, 0, tzinfo=UTC))

    assert deadlines.target_by is not None and deadlines.target_by < deadlines.respond_by
    assert deadlines.watch_at == deadlines.target_by
    stored = deadlines.fields()
    assert stored["watch_at"] == deadlines.target_by.isoformat()
    assert stored["deadline_policy"] == "EU"


def test_an_extension_is_counted_from_receipt_and_its_notice_falls_within_the_first_period() -> None:
    deadlines = deadlines_for("US-VA", [RequestType.ACCESS], datetime(2026, 1, 31, 17, 0, tzinfo=UTC))

    assert deadlines.extended_respond_by is not None and deadlines.extension_notice_by is not None
    # Virginia: receipt + 45 days, extended by 45 more: 17 March and 1 May 2026
    assert local_day("US-VA", deadlines.respond_by) == date(2026, 3, 17)
    assert local_day("US-VA", deadlines.extended_respond_by) == date(2026, 5, 1)
    assert deadlines.extension_notice_by <= deadlines.respond_by
