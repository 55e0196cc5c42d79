"""Deadlines by jurisdiction: the policy table, the date arithmetic and ``dsr deadlines``.

Expected dates are worked out by hand from the counting rules in the legal notes (Regulation
1182/71 for months; receipt + 44 days for California's 45; receipt + N days elsewhere), not by
calling the code under test.
"""

from __future__ import annotations

import calendar
import copy
import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, strategies

from dsr.core.jurisdictions import JURISDICTIONS
from dsr.policies.deadline_counting import HolidayCalendar, add_business_days, add_calendar_months
from dsr.policies.deadline_table import (
    POLICY_PATH,
    POLICY_PATH_VARIABLE,
    DeadlineError,
    DeadlinePolicies,
    load_policies,
    parse_policies,
    policy_for,
)
from dsr.policies.deadlines import appeal_due_dates, due_dates
from dsr_cli.main import main

D = date.fromisoformat
SHIPPED: dict[str, Any] = yaml.safe_load(POLICY_PATH.read_text(encoding="utf-8"))


def table_with(change: Callable[[dict[str, Any]], None]) -> DeadlinePolicies:
    document = copy.deepcopy(SHIPPED)
    change(document)
    return parse_policies(yaml.safe_dump(document, sort_keys=False))


# ------------------------------------------------------------------------------ the table


def test_the_shipped_table_has_a_policy_for_every_jurisdiction() -> None:
    table = load_policies()
    assert set(table.codes()) == set(JURISDICTIONS)
    assert table.internal_target_days is not None


@pytest.mark.parametrize("code", sorted(JURISDICTIONS))
def test_every_stated_rule_names_its_source(code: str) -> None:
    policy = policy_for(code)
    assert policy.version
    assert policy.respond.source
    for rule in (policy.acknowledge, policy.opt_out, policy.extension, policy.records):
        assert rule is None or rule.source


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["policies"]["EU"]["respond"]["within"].update(unit="months"),
            "policies.EU.respond.within.unit: Input should be 'calendar_months', 'calendar_days' or "
            "'business_days'",
        ),
        (
            lambda d: d["policies"]["US-VA"].update(typo=1),
            "policies.US-VA.typo: Extra inputs are not permitted",
        ),
        (lambda d: d["policies"].pop("BR"), "policies: no policy for BR"),
        (lambda d: d["policies"]["UK"].pop("records"), "policies.UK.records: Field required"),
        (
            lambda d: d["policies"]["EU"]["respond"]["within"].update(counting="day_of_receipt"),
            "policies.EU.respond.within.counting: day_of_receipt is for calendar_days and business_days only",
        ),
        (
            lambda d: d["policies"]["CA"]["extension"].update(cap=30),
            "policies.CA.extension.cap: 30 is not beyond the period of 30",
        ),
        (
            lambda d: d["policies"]["CA-QC"]["holidays"].update(subdivision="XX"),
            "policies.CA-QC.holidays.subdivision: CA has no subdivision XX",
        ),
        (
            lambda d: d["policies"]["US-CA"]["acknowledge"].update(types=["know"]),
            "policies.US-CA.acknowledge.types.0: Input should be 'access'",
        ),
        (
            lambda d: d["policies"]["US-CO"]["appeal"].update(within=None),
            "policies.US-CO.appeal.extension: an appeal extension needs within",
        ),
    ],
)
def test_the_loader_names_the_policy_and_field_at_fault(
    change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    with pytest.raises(DeadlineError) as raised:
        table_with(change)
    assert expected in str(raised.value)


def test_the_loader_refuses_a_file_that_is_not_yaml() -> None:
    with pytest.raises(DeadlineError, match=r"policies\.yaml: not valid YAML"):
        parse_policies("policies: [", source="policies.yaml")


def test_another_table_can_be_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stricter = copy.deepcopy(SHIPPED)
    stricter["policies"]["DEFAULT"]["respond"]["within"]["amount"] = 20
    path = tmp_path / "deadlines.yaml"
    path.write_text(yaml.safe_dump(stricter), encoding="utf-8")
    monkeypatch.setenv(POLICY_PATH_VARIABLE, str(path))
    assert due_dates("DEFAULT", D("2026-01-31")).respond_by == D("2026-02-20")


# ------------------------------------------------------------------------------ arithmetic


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2026-01-31", 1, "2026-02-28"),  # no 31 February: the month's last day
        ("2026-01-30", 1, "2026-02-28"),
        ("2026-01-29", 1, "2026-02-28"),
        ("2024-01-31", 1, "2024-02-29"),  # leap year
        ("2024-01-29", 1, "2024-02-29"),
        ("2000-01-31", 1, "2000-02-29"),  # divisible by 400: a leap year
        ("2100-01-31", 1, "2100-02-28"),  # divisible by 100 only: not a leap year
        ("2026-03-31", 1, "2026-04-30"),
        ("2026-01-15", 1, "2026-02-15"),
        ("2026-01-31", 3, "2026-04-30"),
        ("2025-12-31", 2, "2026-02-28"),  # across the year end
        ("2027-11-30", 3, "2028-02-29"),
        ("2026-05-31", 0, "2026-05-31"),
    ],
)
def test_calendar_months_end_on_the_same_numbered_day_or_the_months_last(
    start: str, months: int, expected: str
) -> None:
    assert add_calendar_months(D(start), months) == D(expected)


def test_business_days_skip_weekends_and_the_calendars_holidays() -> None:
    california = HolidayCalendar("US", "CA")
    # Wednesday 25 November 2026: 26 (Thanksgiving) and 27 (the day after) are California holidays.
    assert add_business_days(D("2026-11-25"), 10, california.is_working_day) == D("2026-12-11")
    assert add_business_days(D("2026-11-25"), 15, california.is_working_day) == D("2026-12-18")
    # Without holidays the same count ends two working days sooner.
    assert add_business_days(D("2026-11-25"), 10, HolidayCalendar().is_working_day) == D("2026-12-09")


# ------------------------------------------------------------------------------ each jurisdiction

# Received Saturday 31 January 2026: (acknowledge, respond, extended respond, extension notice).
RECEIVED = D("2026-01-31")
BY_JURISDICTION = [
    # One month: 28 February is a Saturday, so Monday 2 March; receipt + 3 months is Thursday 30 April.
    ("EU", None, None, "2026-03-02", "2026-04-30", "2026-03-02"),
    ("UK", None, None, "2026-03-02", "2026-04-30", "2026-03-02"),
    # 10 business days: 2-6 and 9-13 February; 45 days with receipt as day 1: + 44 = 16 March;
    # 90 in all: + 89 = 30 April.
    ("US-CA", "access", "2026-02-13", "2026-03-16", "2026-04-30", "2026-03-16"),
    # Receipt + 45 = 17 March, + 90 = 1 May, no weekend roll.
    ("US-VA", None, None, "2026-03-17", "2026-05-01", "2026-03-17"),
    # Colorado and Utah: the extension notice within the first 45 days too.
    ("US-CO", None, None, "2026-03-17", "2026-05-01", "2026-03-17"),
    ("US-CT", None, None, "2026-03-17", "2026-05-01", "2026-03-17"),
    ("US-TX", None, None, "2026-03-17", "2026-05-01", "2026-03-17"),
    ("US-UT", None, None, "2026-03-17", "2026-05-01", "2026-03-17"),
    ("US-OR", None, None, "2026-03-17", "2026-05-01", "2026-03-17"),
    # Iowa: receipt + 90 = 1 May (28 + 31 + 30 + 1); + 135 = 15 June (1 May + 45); notice by 1 May.
    ("US-IA", None, None, "2026-05-01", "2026-06-15", "2026-05-01"),
    # Florida, by default not covered, and Oklahoma, not in force until 2027: the company's
    # default, acknowledged at once and answered in 30 days (2 March).
    ("US-FL", None, "2026-01-31", "2026-03-02", None, None),
    ("US-OK", None, "2026-01-31", "2026-03-02", None, None),
    # Confirmation immediately; 15 days; no extension in the law.
    ("BR", None, "2026-01-31", "2026-02-15", None, None),
    # 30 days: 2 March; + 30 more: 1 April.
    ("CA", None, None, "2026-03-02", "2026-04-01", "2026-03-02"),
    ("CA-QC", None, None, "2026-03-02", None, None),
    ("DEFAULT", None, "2026-01-31", "2026-03-02", None, None),
]


@pytest.mark.parametrize(("code", "kind", "acknowledge", "respond", "extended", "notice"), BY_JURISDICTION)
def test_each_jurisdictions_due_dates(
    code: str,
    kind: str | None,
    acknowledge: str | None,
    respond: str,
    extended: str | None,
    notice: str | None,
) -> None:
    dates = due_dates(code, RECEIVED, kind)
    found = (dates.acknowledge_by, dates.respond_by, dates.extended_respond_by, dates.extension_notice_by)
    expected = tuple(D(day) if day else None for day in (acknowledge, respond, extended, notice))
    assert found == expected
    assert set(dates.rules) >= {"acknowledge_by", "respond_by", "extended_respond_by", "extension_notice_by"}
    assert dates.rules["respond_by"].source


@pytest.mark.parametrize(
    ("code", "kind", "respond", "extended"),
    [
        # Tuesday 10 March 2026.
        ("EU", None, "2026-04-10", "2026-06-10"),
        ("US-CA", "erasure", "2026-04-23", "2026-06-07"),  # + 44 and + 89
        ("US-VA", None, "2026-04-24", "2026-06-08"),  # + 45 and + 90
        ("BR", None, "2026-03-25", None),
        ("CA", None, "2026-04-09", "2026-05-09"),
    ],
)
def test_due_dates_for_a_weekday_receipt(
    code: str, kind: str | None, respond: str, extended: str | None
) -> None:
    dates = due_dates(code, D("2026-03-10"), kind)
    assert (dates.respond_by, dates.extended_respond_by) == (D(respond), D(extended) if extended else None)


# Every jurisdiction on four more receipt days: Tuesday 10 March 2026 (a weekday), Thursday
# 24 December 2026 (a holiday's eve), Thursday 30 April 2026 (a month's end) and Tuesday
# 29 February 2028 (a leap day). Each row: acknowledge, respond, extended respond, extension
# notice; worked out by hand from the rules in the comments, not by the code under test.
GRID_DAYS = ("2026-03-10", "2026-12-24", "2026-04-30", "2028-02-29")
GRID: dict[tuple[str, str | None], list[tuple[str | None, str, str | None, str | None]]] = {
    # One month, rolled off weekends (and, for the UK, bank holidays); extended: receipt + 3
    # months, rolled. 24 January 2027 and 30 May 2026 are Sundays/Saturdays; 29 May 2028 is the
    # UK's spring bank holiday, so the UK's extended date moves to Tuesday 30 May.
    ("EU", None): [
        (None, "2026-04-10", "2026-06-10", "2026-04-10"),
        (None, "2027-01-25", "2027-03-24", "2027-01-25"),
        (None, "2026-06-01", "2026-07-30", "2026-06-01"),
        (None, "2028-03-29", "2028-05-29", "2028-03-29"),
    ],
    ("UK", None): [
        (None, "2026-04-10", "2026-06-10", "2026-04-10"),
        (None, "2027-01-25", "2027-03-24", "2027-01-25"),
        (None, "2026-06-01", "2026-07-30", "2026-06-01"),
        (None, "2028-03-29", "2028-05-30", "2028-03-29"),
    ],
    # Acknowledge: 10 business days after receipt, over California's holidays (Christmas,
    # New Year); respond: receipt + 44 (receipt is day 1); extended: receipt + 89.
    ("US-CA", "access"): [
        ("2026-03-24", "2026-04-23", "2026-06-07", "2026-04-23"),
        ("2027-01-11", "2027-02-06", "2027-03-23", "2027-02-06"),
        ("2026-05-14", "2026-06-13", "2026-07-28", "2026-06-13"),
        ("2028-03-14", "2028-04-13", "2028-05-28", "2028-04-13"),
    ],
    # Receipt + 45 and + 90, never rolled (no statute of these rolls off weekends or holidays),
    # notice within the first 45 days: 10 March + 21 = 31 March, + 24 = 24 April; 24 December
    # + 7 = 31 December, + 31 = 31 January, + 7 = 7 February (and + 90: + 28 more to 28
    # February, + 24 = 24 March); 30 April + 31 = 31 May, + 14 = 14 June (+ 90: 30 June is 61,
    # 29 July 90); 29 February 2028 + 31 = 31 March, + 14 = 14 April (+ 90: 30 April is 61,
    # 29 May 90). Colorado and Utah now with their notice in the first 45 days; Connecticut's
    # 2026-07-01 version (10 March and 30 April run on the one before) has the same clocks.
    **{
        (code, None): [
            (None, "2026-04-24", "2026-06-08", "2026-04-24"),
            (None, "2027-02-07", "2027-03-24", "2027-02-07"),
            (None, "2026-06-14", "2026-07-29", "2026-06-14"),
            (None, "2028-04-14", "2028-05-29", "2028-04-14"),
        ]
        for code in (
            "US-VA",
            "US-CO",
            "US-CT",
            "US-TX",
            "US-UT",
            # The 45 + 45, appeal 60 group, each in force before 10 March 2026.
            "US-MT",  # from 2024-10-01
            "US-DE",  # from 2025-01-01
            "US-NH",  # from 2025-01-01
            "US-NE",  # from 2025-01-01
            "US-TN",  # from 2025-07-01
            "US-MD",  # from 2025-10-01
            "US-IN",  # from 2026-01-01
            "US-KY",  # from 2026-01-01
            "US-RI",  # from 2026-01-01
            "US-OR",  # from 2024-07-01
            "US-MN",  # from 2025-07-31
            "US-NJ",  # from 2025-01-15
        )
    },
    # Not in force on the first three grid days: the company's default then (acknowledged at
    # once, 30 days: 10 March + 30 = 9 April; 24 December + 30 = 23 January; 30 April + 30 =
    # 30 May), their own 45 + 45 on 29 February 2028 (as above: 14 April, 29 May).
    **{
        (code, None): [
            ("2026-03-10", "2026-04-09", None, None),
            ("2026-12-24", "2027-01-23", None, None),
            ("2026-04-30", "2026-05-30", None, None),
            (None, "2028-04-14", "2028-05-29", "2028-04-14"),
        ]
        for code in (
            "US-OK",  # from 2027-01-01
            "US-LA",  # from 2027-01-01
            "US-AL",  # from 2027-05-01
            "US-VT",  # from 2028-01-01
        )
    },
    # Iowa: receipt + 90, extended + 135, notice within the first 90. 10 March + 90: 31 March
    # (21), 30 April (51), 31 May (82), 8 June (90); + 45 more: 30 June (22), 23 July (45).
    # 24 December + 90 = 24 March 2027 (as above); + 45: 31 March (7), 30 April (37), 8 May.
    # 30 April + 90 = 29 July; + 45: 31 July (2), 31 August (33), 12 September. 29 February 2028
    # + 90 = 29 May; + 45: 31 May (2), 30 June (32), 13 July.
    ("US-IA", None): [
        (None, "2026-06-08", "2026-07-23", "2026-06-08"),
        (None, "2027-03-24", "2027-05-08", "2027-03-24"),
        (None, "2026-07-29", "2026-09-12", "2026-07-29"),
        (None, "2028-05-29", "2028-07-13", "2028-05-29"),
    ],
    # Florida covers only companies over US$1 billion in revenue: with FLORIDA_COVERED unset
    # (false), the company's default on every day (its own clocks:
    # tests/unit/test_us_state_policies.py).
    ("US-FL", None): [
        ("2026-03-10", "2026-04-09", None, None),
        ("2026-12-24", "2027-01-23", None, None),
        ("2026-04-30", "2026-05-30", None, None),
        ("2028-02-29", "2028-03-30", None, None),
    ],
    # Confirmed at once; the complete statement within 15 days; no extension.
    ("BR", None): [
        ("2026-03-10", "2026-03-25", None, None),
        ("2026-12-24", "2027-01-08", None, None),
        ("2026-04-30", "2026-05-15", None, None),
        ("2028-02-29", "2028-03-15", None, None),
    ],
    # 30 days, + 30 more with notice within the first 30.
    ("CA", None): [
        (None, "2026-04-09", "2026-05-09", "2026-04-09"),
        (None, "2027-01-23", "2027-02-22", "2027-01-23"),
        (None, "2026-05-30", "2026-06-29", "2026-05-30"),
        (None, "2028-03-30", "2028-04-29", "2028-03-30"),
    ],
    ("CA-QC", None): [
        (None, "2026-04-09", None, None),
        (None, "2027-01-23", None, None),
        (None, "2026-05-30", None, None),
        (None, "2028-03-30", None, None),
    ],
    # "A reasonable timeframe": acknowledged at once, 30 days by default.
    ("DEFAULT", None): [
        ("2026-03-10", "2026-04-09", None, None),
        ("2026-12-24", "2027-01-23", None, None),
        ("2026-04-30", "2026-05-30", None, None),
        ("2028-02-29", "2028-03-30", None, None),
    ],
}


def test_the_grid_covers_every_jurisdiction() -> None:
    assert {code for code, _ in GRID} == set(JURISDICTIONS)


@pytest.mark.parametrize(
    ("code", "kind", "received", "expected"),
    [
        pytest.param(code, kind, received, row, id=f"{code}-{received}")
        for (code, kind), rows in GRID.items()
        for received, row in zip(GRID_DAYS, rows, strict=True)
    ],
)
def test_each_jurisdiction_on_a_weekday_a_holiday_eve_a_month_end_and_a_leap_day(
    code: str, kind: str | None, received: str, expected: tuple[str | None, str, str | None, str | None]
) -> None:
    dates = due_dates(code, D(received), kind)
    found = (dates.acknowledge_by, dates.respond_by, dates.extended_respond_by, dates.extension_notice_by)
    assert found == tuple(D(day) if day else None for day in expected)


@pytest.mark.parametrize(
    ("received", "respond", "extended"),
    [
        ("2024-01-31", "2024-02-29", "2024-04-30"),  # leap year; 29 February 2024 is a Thursday
        ("2026-01-30", "2026-03-02", "2026-04-30"),  # 28 February 2026 is a Saturday
        ("2026-03-31", "2026-04-30", "2026-06-30"),  # receipt + 3 months: Tuesday 30 June
    ],
)
def test_gdpr_month_ends(received: str, respond: str, extended: str) -> None:
    dates = due_dates("EU", D(received))
    assert dates.respond_by == D(respond)
    assert dates.extended_respond_by == D(extended)


def test_the_extension_counts_from_receipt_not_from_the_first_due_date() -> None:
    dates = due_dates("EU", D("2026-01-31"))
    assert dates.respond_by == D("2026-03-02")
    # Not the rolled date + 2 months (2 May, a day late), nor the shortened one (28 April, early).
    assert dates.extended_respond_by == D("2026-04-30")
    assert "not from the first due date" in dates.rules["extended_respond_by"].rule


def test_an_extension_may_be_counted_from_the_first_due_date_where_a_policy_says_so() -> None:
    table = table_with(lambda d: d["policies"]["EU"]["extension"].update(counted_from="original_due_date"))
    # 28 February (before the roll) + 2 months = 28 April, a Tuesday.
    assert due_dates("EU", D("2026-01-31"), table=table).extended_respond_by == D("2026-04-28")


def test_the_extension_never_passes_its_cap() -> None:
    table = table_with(lambda d: d["policies"]["CA"]["extension"].update(adds=60, cap=45))
    assert due_dates("CA", D("2026-01-31"), table=table).extended_respond_by == D("2026-03-17")


@pytest.mark.parametrize(
    ("code", "received", "country", "region", "respond"),
    [
        # 1 May 2026 is a Friday and Labour Day in Germany: Monday 4 May.
        ("EU", "2026-04-01", "DE", None, "2026-05-04"),
        # No country: weekends only, so Friday 1 May stands.
        ("EU", "2026-04-01", None, None, "2026-05-01"),
        # 6 January 2026 (Epiphany) is a holiday in Bavaria, not in Berlin.
        ("EU", "2025-12-06", "DE", "BY", "2026-01-07"),
        ("EU", "2025-12-06", "DE", "BE", "2026-01-06"),
        # An unknown region: the country's national holidays only.
        ("EU", "2025-12-06", "DE", "ZZ", "2026-01-06"),
        # Monday 4 May 2026 is the early May bank holiday.
        ("UK", "2026-04-04", None, None, "2026-05-05"),
        # Saturday 25 April: Monday 27 April.
        ("UK", "2026-03-25", None, None, "2026-04-27"),
        # Easter Monday (6 April 2026) is a bank holiday in England, not in Scotland.
        ("UK", "2026-03-06", "GB", "ENG", "2026-04-07"),
        ("UK", "2026-03-06", "GB", "SCT", "2026-04-06"),
    ],
)
def test_a_month_end_on_a_public_holiday_moves_to_the_next_working_day(
    code: str, received: str, country: str | None, region: str | None, respond: str
) -> None:
    assert due_dates(code, D(received), country=country, region=region).respond_by == D(respond)


def test_california_counts_business_days_over_its_holidays() -> None:
    received = D("2026-11-25")  # a Wednesday, the day before Thanksgiving
    know = due_dates("US-CA", received, "access")
    assert know.acknowledge_by == D("2026-12-11")
    assert "US-CA public holidays" in know.rules["acknowledge_by"].rule
    opt_out = due_dates("US-CA", received, "sale_sharing_opt_out")
    assert opt_out.respond_by == D("2026-12-18")
    assert (opt_out.acknowledge_by, opt_out.extended_respond_by, opt_out.extension_notice_by) == (
        None,
        None,
        None,
    )
    assert "7026" in (opt_out.rules["respond_by"].source or "")
    assert due_dates("US-CA", received, "restriction").respond_by == D("2026-12-18")


def test_the_uk_clock_restarts_and_pauses() -> None:
    received = D("2026-01-31")
    restarted = due_dates("UK", received, clock_started=D("2026-02-10"))
    # One month from 10 February: Tuesday 10 March; three months: Sunday 10 May, so Monday 11 May.
    assert (restarted.respond_by, restarted.extended_respond_by) == (D("2026-03-10"), D("2026-05-11"))
    paused = due_dates("UK", received, clock_started=D("2026-02-10"), paused_days=3)
    assert (paused.respond_by, paused.extended_respond_by) == (D("2026-03-13"), D("2026-05-13"))


def test_utahs_fraud_rule_switches_the_period_off_and_never_moves_it() -> None:
    # Utah Code 13-61-203(2)(d): the 45 days "do not apply"; a pause would move them (to 27 March
    # after 10 days), which the law never does.
    with pytest.raises(DeadlineError, match="US-UT: the clock does not pause"):
        due_dates("US-UT", D("2026-01-31"), paused_days=10)
    dates = due_dates("US-UT", D("2026-01-31"))
    assert dates.respond_by == D("2026-03-17")
    assert "switched off, not paused, by suspected fraud" in dates.rules["respond_by"].rule


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"clock_started": D("2026-02-10")}, "EU: the clock does not restart"),
        ({"paused_days": 3}, "EU: the clock does not pause"),
        ({"clock_started": D("2026-01-01")}, "before receipt"),
        ({"request_type": "know"}, "unknown request type 'know'; valid types: access"),
    ],
)
def test_clock_changes_the_law_does_not_allow_are_refused(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(DeadlineError, match=message):
        due_dates("EU", D("2026-01-31"), **arguments)


def test_an_unknown_jurisdiction_lists_the_valid_codes() -> None:
    with pytest.raises(DeadlineError, match=r"unknown jurisdiction 'US-NY'; valid codes: BR, CA, CA-QC"):
        due_dates("US-NY", D("2026-01-31"))


def test_reminders_go_by_the_earlier_of_the_internal_target_and_the_law() -> None:
    gdpr = due_dates("EU", D("2026-01-31"))
    assert gdpr.internal_target == D("2026-02-21")  # 21 days, the shipped company target
    assert gdpr.reminder_basis == gdpr.internal_target
    lgpd = due_dates("BR", D("2026-01-31"))
    assert lgpd.reminder_basis == lgpd.respond_by == D("2026-02-15")

    table = table_with(lambda d: d["policies"]["EU"].update(internal_target_days=None))
    untargeted = due_dates("EU", D("2026-01-31"), table=table)
    assert untargeted.internal_target is None
    assert untargeted.reminder_basis == D("2026-03-02")
    assert due_dates("UK", D("2026-01-31"), table=table).internal_target == D("2026-02-21")


@pytest.mark.parametrize(
    ("code", "respond", "extended"),
    [
        ("US-VA", "2026-05-30", None),  # 60 days from the appeal
        ("US-CO", "2026-05-15", "2026-07-14"),  # 45, then 105 in all
        ("US-CT", "2026-05-30", None),
        # 31 March + 45: 30 April (30), 15 May (45); + 105: 31 May (61), 30 June (91), 14 July.
        ("US-OR", "2026-05-15", None),  # 45, no extension
        ("US-MN", "2026-05-15", "2026-07-14"),  # 45 + 60, as Colorado
        ("US-NJ", "2026-05-15", None),  # 45, no extension (the safe reading)
        ("US-IA", "2026-05-30", None),  # 60
        ("US-MT", "2026-05-30", None),  # 60, as the whole group
        ("US-OK", None, None),  # not in force until 2027: the company's default has no appeal
        ("EU", None, None),
        ("US-CA", None, None),
    ],
)
def test_appeal_clocks_run_from_the_appeal(code: str, respond: str | None, extended: str | None) -> None:
    dates = appeal_due_dates(code, D("2026-03-31"))
    assert dates.respond_by == (D(respond) if respond else None)
    assert dates.extended_respond_by == (D(extended) if extended else None)


# ------------------------------------------------------------------------------ the command line


def test_the_command_prints_each_date_with_its_rule_and_source(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["deadlines", "--jurisdiction", "US-CA", "--received", "2026-01-31", "--type", "access"])
    out = capsys.readouterr().out
    assert status == 0
    for line in (
        "acknowledge by       2026-02-13 (Friday)",
        "respond by           2026-03-16 (Monday)",
        "extended respond by  2026-04-30 (Thursday)",
        "extension notice by  2026-03-16 (Monday)",
    ):
        assert line in out
    assert "source: 11 CCR 7021" in out
    assert "reminders go by      2026-02-21" in out


def test_the_command_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        ["deadlines", "--jurisdiction", "EU", "--received", "2026-04-01", "--country", "DE", "--json"]
    )
    document = json.loads(capsys.readouterr().out)
    assert status == 0
    assert document.pop("rules")["respond_by"]["source"].startswith("GDPR Art. 12(3)")
    assert document == {
        "acknowledge_by": None,
        "respond_by": "2026-05-04",
        "extended_respond_by": "2026-07-01",
        "extension_notice_by": "2026-05-04",
    }


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--jurisdiction", "XX", "--received", "2026-01-31"],
            "US-AL, US-CA, US-CO, US-CT, US-DE, US-FL, US-IA, US-IN, US-KY, US-LA, US-MD, US-MN, US-MT, "
            "US-NE, US-NH, US-NJ, US-OK, US-OR, US-RI, US-TN, US-TX, US-UT, US-VA, US-VT",
        ),
        (["--jurisdiction", "EU", "--received", "2026-02-30"], "'2026-02-30' is not a date; use YYYY-MM-DD"),
        (["--jurisdiction", "EU", "--received", "31/01/2026"], "is not a date"),
        (["--jurisdiction", "EU", "--received", "2026-01-31", "--type", "delete"], "unknown request type"),
    ],
)
def test_the_command_refuses_a_bad_code_date_or_type(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["deadlines", *arguments, "--json"])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    assert message in captured.err


# ------------------------------------------------------------------------------ properties


@given(
    start=strategies.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    months=strategies.integers(min_value=0, max_value=36),
)
def test_calendar_months_land_in_the_right_month_never_before_receipt(start: date, months: int) -> None:
    end = add_calendar_months(start, months)
    assert end >= start
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
    last_day = calendar.monthrange(end.year, end.month)[1]
    assert end.day == min(start.day, last_day)


# From 25 May 2018, the day the GDPR applies from (before it, the company's default applies).
@given(received=strategies.dates(min_value=date(2018, 5, 25), max_value=date(2100, 12, 31)))
def test_gdpr_due_dates_are_working_days_in_order(received: date) -> None:
    dates = due_dates("EU", received, country="FR")
    assert dates.extended_respond_by is not None
    assert received < dates.respond_by <= dates.extended_respond_by
    assert dates.respond_by - add_calendar_months(received, 1) < timedelta(days=7)
    assert HolidayCalendar("FR").is_working_day(dates.respond_by)
    assert HolidayCalendar("FR").is_working_day(dates.extended_respond_by)
