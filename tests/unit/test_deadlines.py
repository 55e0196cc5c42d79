"""Deadlines by jurisdiction: the policy table, the date arithmetic and ``dsr deadlines``.

Expected dates are worked out by hand from the counting rules in the legal notes (Regulation
1182/71 for months; receipt + 44 days for California's 45; receipt + N days elsewhere), not by
calling the code under test.
"""

from __future__ import annotations

import calendar
import copy
import json
import os
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from hypothesis import given, strategies

from dsr.core.identities import SubjectIdentity
from dsr.core.jurisdictions import JURISDICTIONS, infer_jurisdiction
from dsr.core.models import Channel, PrivacyRequest, Relationship, RequestType, Status
from dsr.deadlines.clock_pauses import days_stood_still
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
    # Access: confirmation immediately; 15 days; no extension in the law. Erasure: no period in
    # the law, so the company's 21-day target: 21 February; no acknowledgement (access only).
    ("BR", "access", "2026-01-31", "2026-02-15", None, None),
    ("BR", "erasure", None, "2026-02-21", None, None),
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
        ("BR", "access", "2026-03-25", None),
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
    # Access: confirmed at once; the complete statement within 15 days; no extension.
    ("BR", "access"): [
        ("2026-03-10", "2026-03-25", None, None),
        ("2026-12-24", "2027-01-08", None, None),
        ("2026-04-30", "2026-05-15", None, None),
        ("2028-02-29", "2028-03-15", None, None),
    ],
    # Rectification: no period in the law (LGPD Art. 18 par. 5), so the company's 21-day target;
    # no acknowledgement, which is for access. 24 December + 21 = 14 January.
    ("BR", "rectification"): [
        (None, "2026-03-31", None, None),
        (None, "2027-01-14", None, None),
        (None, "2026-05-21", None, None),
        (None, "2028-03-21", None, None),
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
    # Switzerland: 30 days; an extension has no length or cap, told within the 30 days.
    ("CH", None): [
        (None, "2026-04-09", None, "2026-04-09"),
        (None, "2027-01-23", None, "2027-01-23"),
        (None, "2026-05-30", None, "2026-05-30"),
        (None, "2028-03-30", None, "2028-03-30"),
    ],
    # Japan: "without delay", answered within the 14 days before a suit is possible. 24 December
    # + 14 = 7 January; 29 February 2028 + 14 = 14 March.
    ("JP", None): [
        (None, "2026-03-24", None, None),
        (None, "2027-01-07", None, None),
        (None, "2026-05-14", None, None),
        (None, "2028-03-14", None, None),
    ],
    # South Korea: 10 days; only access may be postponed, by a notice within the 10 days, with no
    # fixed length. 24 December + 10 = 3 January; 29 February 2028 + 10 = 10 March.
    ("KR", "erasure"): [
        (None, "2026-03-20", None, None),
        (None, "2027-01-03", None, None),
        (None, "2026-05-10", None, None),
        (None, "2028-03-10", None, None),
    ],
    ("KR", "access"): [
        (None, "2026-03-20", None, "2026-03-20"),
        (None, "2027-01-03", None, "2027-01-03"),
        (None, "2026-05-10", None, "2026-05-10"),
        (None, "2028-03-10", None, "2028-03-10"),
    ],
    # Singapore: 30 days; a later date, uncapped, told within the 30 days.
    ("SG", None): [
        (None, "2026-04-09", None, "2026-04-09"),
        (None, "2027-01-23", None, "2027-01-23"),
        (None, "2026-05-30", None, "2026-05-30"),
        (None, "2028-03-30", None, "2028-03-30"),
    ],
    # Australia, Türkiye and China (a non-binding standard's 30 days): 30 days, no extension.
    **{
        (code, None): [
            (None, "2026-04-09", None, None),
            (None, "2027-01-23", None, None),
            (None, "2026-05-30", None, None),
            (None, "2028-03-30", None, None),
        ]
        for code in ("AU", "TR", "CN")
    },
    # South Africa: 30 days, + 30 once with notice within the first 30 (as Canada).
    ("ZA", None): [
        (None, "2026-04-09", "2026-05-09", "2026-04-09"),
        (None, "2027-01-23", "2027-02-22", "2027-01-23"),
        (None, "2026-05-30", "2026-06-29", "2026-05-30"),
        (None, "2028-03-30", "2028-04-29", "2028-03-30"),
    ],
    # Argentina, access: 10 calendar days.
    ("AR", "access"): [
        (None, "2026-03-20", None, None),
        (None, "2027-01-03", None, None),
        (None, "2026-05-10", None, None),
        (None, "2028-03-10", None, None),
    ],
    # Argentina, rectification: 5 business days over Argentina's holidays. From Tuesday 10 March:
    # 11, 12, 13, 16, 17. From Thursday 24 December: 25 (Christmas) and 1 January are holidays,
    # so 28, 29, 30, 31 December and Monday 4 January. From Thursday 30 April: 1 May (Labour
    # Day) is one, so 4-8 May. From Tuesday 29 February 2028 (Carnival): 1, 2, 3, 6, 7 March.
    ("AR", "rectification"): [
        (None, "2026-03-17", None, None),
        (None, "2027-01-04", None, None),
        (None, "2026-05-08", None, None),
        (None, "2028-03-07", None, None),
    ],
    # India: the rights apply from 13 May 2027. Before, the company default (acknowledged at
    # once, 30 days); on 29 February 2028, the company's published period of 30 days.
    ("IN", None): [
        ("2026-03-10", "2026-04-09", None, None),
        ("2026-12-24", "2027-01-23", None, None),
        ("2026-04-30", "2026-05-30", None, None),
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


@pytest.mark.parametrize(
    ("controller", "country", "respond", "days_off"),
    [
        # 1 May 2026 is a Friday and Labour Day in Germany: Monday 4 May, whoever the subject is.
        ("DE", "IE", "2026-05-04", "weekends and DE public holidays (the controller's establishment)"),
        # An Irish controller works on 1 May, though the subject's Germany does not.
        ("IE", "DE", "2026-05-01", "weekends and IE public holidays (the controller's establishment)"),
        # Not set: weekends only, so Friday 1 May stands, and the rule says why.
        (
            None,
            "DE",
            "2026-05-01",
            "weekends only (the controller's country is not set (CONTROLLER_COUNTRY))",
        ),
    ],
)
def test_the_eu_counts_with_the_controllers_holidays_not_the_subjects(
    controller: str | None, country: str, respond: str, days_off: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if controller:
        monkeypatch.setenv("CONTROLLER_COUNTRY", controller)
    else:
        monkeypatch.delenv("CONTROLLER_COUNTRY", raising=False)
    dates = due_dates("EU", D("2026-04-01"), country=country)
    assert dates.respond_by == D(respond)
    assert dates.holidays == days_off
    # Why these days off is said once; each rule names the days off alone.
    assert dates.rules["respond_by"].rule.endswith(
        f"an end on a day off ({days_off.split(' (', maxsplit=1)[0]}) moves to the next working day"
    )


@pytest.mark.parametrize(
    ("controller", "subjects_region", "respond"),
    [
        # 6 January 2026 (Epiphany) is a holiday in Bavaria, not in Berlin nor in Germany as a
        # whole; the subject's own region changes nothing.
        ("DE-BY", "BE", "2026-01-07"),
        ("DE-BE", "BY", "2026-01-06"),
        ("DE", "BY", "2026-01-06"),
        # A region the calendar does not know: the country's national holidays only.
        ("DE-ZZ", "BY", "2026-01-06"),
    ],
)
def test_the_controllers_region_counts_where_the_setting_names_it(
    controller: str, subjects_region: str, respond: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTROLLER_COUNTRY", controller)
    dates = due_dates("EU", D("2025-12-06"), country="DE", region=subjects_region)
    assert dates.respond_by == D(respond)


def test_a_controller_country_that_is_not_a_code_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTROLLER_COUNTRY", "Ireland")
    with pytest.raises(DeadlineError, match=r"CONTROLLER_COUNTRY='IRELAND' is not a country code"):
        due_dates("EU", D("2026-04-01"))


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
    assert due_dates("US-CA", received, "limit_sensitive").respond_by == D("2026-12-18")


def test_a_california_opt_out_of_automated_decisions_takes_15_business_days_from_2027() -> None:
    received = D("2027-11-24")  # a Wednesday; Thanksgiving and the day after are holidays
    admt = due_dates("US-CA", received, "admt_opt_out")
    # Business days: 29, 30 November, 1-3, 6-10 (the 10th), 13-17 December: Friday 17 December.
    assert (admt.respond_by, admt.acknowledge_by, admt.extended_respond_by) == (D("2027-12-17"), None, None)
    assert "7221" in (admt.rules["respond_by"].source or "")
    # The obligations start on 1 January 2027 (11 CCR 7200(b)): a request the day before runs on
    # the CPRA's version, whose law gives no such right.
    before = due_dates("US-CA", D("2026-12-31"), "admt_opt_out")
    assert before.policy_version == "2023-01-01"


def test_a_california_restriction_is_not_the_request_to_limit_and_takes_45_days() -> None:
    # A GDPR-style restriction is no opt-out under the CCPA: the general 45 days, not 15 business days.
    restriction = due_dates("US-CA", D("2026-11-25"), "restriction")
    assert (restriction.respond_by, restriction.acknowledge_by) == (D("2027-01-08"), None)


def test_a_california_request_for_admt_information_runs_like_a_request_to_know() -> None:
    received = D("2027-11-24")  # the day before Thanksgiving: the acknowledgement skips it
    admt = due_dates("US-CA", received, "admt_access")
    # 10 business days: 25 and 26 November are holidays in California, so Friday 10 December.
    assert admt.acknowledge_by == D("2027-12-10")
    # 45 days with the day of receipt as day 1: 7 January 2028; 90 days: 21 February 2028.
    assert (admt.respond_by, admt.extended_respond_by) == (D("2028-01-07"), D("2028-02-21"))
    assert "7222" in (admt.rules["respond_by"].source or "")
    assert "check" in (admt.rules["acknowledge_by"].source or "")


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
    ("received", "version", "stood_still"),
    [
        # Under Art. 12A (from 5 February 2026) the day of asking and the day of the reply both stand
        # still: asked 20 March, answered 25 March, six days.
        ("2026-03-10", "2026-02-05", 6),
        # Before, the days between: five.
        ("2025-03-10", "2018-05-25", 5),
    ],
)
def test_the_uk_leaves_out_both_the_day_of_asking_and_the_day_of_the_reply(
    received: str, version: str, stood_still: int
) -> None:
    request = PrivacyRequest(
        request_id="8d5bd9a4-3f0e-4a57-9e55-0c7f1f0e2a11",
        request_types=[RequestType.ACCESS],
        subject=SubjectIdentity(email="ada@example.com", name="Ada Lovelace"),
        relationship=Relationship.OTHER,
        jurisdiction="UK",
        channel=Channel.WEB,
        status=Status.IN_PROGRESS,
        received_at=datetime.fromisoformat(f"{received}T09:00:00+00:00"),
        respond_by=datetime.fromisoformat(f"{received}T09:00:00+00:00") + timedelta(days=31),
        deadline_policy="UK",
        deadline_policy_version=version,
        paused_at=datetime.fromisoformat(received.replace("-10", "-20") + "T10:00:00+00:00"),
    )
    answered = datetime.fromisoformat(received.replace("-10", "-25") + "T15:00:00+00:00")
    assert days_stood_still(request, answered) == stood_still


def test_a_uk_request_paused_for_a_clarification_is_due_six_days_later() -> None:
    # Received Tuesday 10 March 2026: one month is Friday 10 April; asked 20 March and answered
    # 25 March, six days stand still: Thursday 16 April. The extension notice moves with it.
    dates = due_dates("UK", D("2026-03-10"), paused_days=6)
    assert (dates.respond_by, dates.extension_notice_by) == (D("2026-04-16"), D("2026-04-16"))


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
    with pytest.raises(
        DeadlineError, match=r"unknown jurisdiction 'US-NY'; valid codes: AR, AU, BR, CA, CA-QC"
    ):
        due_dates("US-NY", D("2026-01-31"))


def test_reminders_go_by_the_earlier_of_the_internal_target_and_the_law() -> None:
    gdpr = due_dates("EU", D("2026-01-31"))
    assert gdpr.internal_target == D("2026-02-21")  # 21 days, the shipped company target
    assert gdpr.reminder_basis == gdpr.internal_target
    lgpd = due_dates("BR", D("2026-01-31"), "access")
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


# ------------------------------------------------------------------------------ the countries


@pytest.mark.parametrize(
    ("country", "region", "code"),
    [
        ("CH", None, "CH"),
        ("jp", None, "JP"),
        ("KR", None, "KR"),
        ("SG", None, "SG"),
        ("AU", "NSW", "AU"),
        ("ZA", None, "ZA"),
        ("TR", None, "TR"),
        ("AR", "B", "AR"),
        ("IN", "MH", "IN"),
        ("CN", None, "CN"),
        ("BR", None, "BR"),
        ("NZ", None, "DEFAULT"),
    ],
)
def test_a_country_with_a_law_is_inferred_from_the_subjects_country(
    country: str, region: str | None, code: str
) -> None:
    assert infer_jurisdiction(country, region) == code


@pytest.mark.parametrize(
    ("code", "kind", "received", "respond"),
    [
        # Calendar days with no roll: a due date on a public holiday stays where it is.
        ("CH", None, "2026-11-25", "2026-12-25"),  # Christmas, a Friday
        ("JP", None, "2026-04-15", "2026-04-29"),  # Showa Day, a Wednesday
        ("KR", "access", "2026-02-06", "2026-02-16"),  # Seollal, a Monday
        ("SG", None, "2026-11-25", "2026-12-25"),
        ("AU", None, "2026-11-25", "2026-12-25"),
        ("ZA", None, "2026-11-16", "2026-12-16"),  # Day of Reconciliation, a Wednesday
        ("TR", None, "2026-09-29", "2026-10-29"),  # Republic Day, a Thursday
        ("AR", "access", "2026-05-15", "2026-05-25"),  # May Revolution Day, a Monday
        ("IN", None, "2027-12-27", "2028-01-26"),  # Republic Day, a Wednesday
        ("CN", None, "2026-09-01", "2026-10-01"),  # National Day, a Thursday
        # Business days do skip them: Argentina's rectification, received Thursday 24 December
        # 2026, passes Christmas and New Year's Day: 28, 29, 30, 31 December, 4 January.
        ("AR", "rectification", "2026-12-24", "2027-01-04"),
    ],
)
def test_a_public_holiday_moves_a_due_date_only_where_business_days_count(
    code: str, kind: str | None, received: str, respond: str
) -> None:
    assert due_dates(code, D(received), kind).respond_by == D(respond)


def test_argentina_answers_access_and_rectification_on_their_own_periods() -> None:
    access = due_dates("AR", D("2026-04-30"), "access")
    rectification = due_dates("AR", D("2026-04-30"), "rectification")
    assert access.respond_by == D("2026-05-10")  # 10 calendar days
    assert rectification.respond_by == D("2026-05-08")  # 5 business days; 1 May is Labour Day
    assert "Art. 14(2)" in (access.rules["respond_by"].source or "")
    assert "Art. 16(2)" in (rectification.rules["respond_by"].source or "")
    assert "5 business days after receipt, skipping weekends and AR public holidays" in (
        rectification.rules["respond_by"].rule
    )


def test_brazil_gives_15_days_for_access_only_and_says_the_other_rights_have_no_period() -> None:
    erasure = due_dates("BR", D("2026-03-10"), "erasure")
    assert erasure.respond_by == D("2026-03-31")  # the company's 21-day target
    assert "no statutory period (LGPD Art. 18 par. 5)" in erasure.rules["respond_by"].rule
    assert erasure.acknowledge_by is None
    assert due_dates("BR", D("2026-03-10"), "access").respond_by == D("2026-03-25")


def test_japan_says_why_its_due_date_is_14_days() -> None:
    dates = due_dates("JP", D("2026-03-10"))
    assert dates.respond_by == D("2026-03-24")
    assert "two weeks" in (dates.rules["respond_by"].source or "")
    assert "the day a suit becomes possible" in dates.rules["respond_by"].rule


def test_an_extension_with_no_length_or_cap_has_no_extended_date_but_a_notice_date() -> None:
    swiss = due_dates("CH", D("2026-03-10"))
    assert (swiss.extended_respond_by, swiss.extension_notice_by) == (None, D("2026-04-09"))
    assert swiss.rules["extended_respond_by"].rule.startswith(
        "no fixed length and no cap: the notice gives the subject the new date"
    )
    # In Korea only access may be postponed.
    assert due_dates("KR", D("2026-03-10"), "access").extension_notice_by == D("2026-03-20")
    assert due_dates("KR", D("2026-03-10"), "erasure").rules["extended_respond_by"].rule == "no extension"


def test_canadas_extension_is_capped_except_to_convert_to_an_alternative_format() -> None:
    dates = due_dates("CA", D("2026-03-10"))
    assert dates.extended_respond_by == D("2026-05-09")  # 60 days for the ordinary extension
    assert "no cap when the information is converted into an alternative format (s. 8(4)(b))" in (
        dates.rules["extended_respond_by"].rule
    )


def test_india_runs_on_the_default_until_its_rights_apply() -> None:
    before = due_dates("IN", D("2027-05-12"))
    assert (before.policy, before.respond_by) == ("DEFAULT", D("2027-06-11"))
    assert "applies from 2027-05-13; received 2027-05-12" in before.rules["policy"].rule
    first_day = due_dates("IN", D("2027-05-13"))
    assert (first_day.policy, first_day.respond_by, first_day.acknowledge_by) == ("IN", D("2027-06-12"), None)


@pytest.mark.parametrize(
    ("code", "day", "kind", "given"),
    [
        # Korea's rights on automated decisions (PIPA Art. 37-2) from 15 March 2024.
        ("KR", "2024-03-14", "profiling_review", False),
        ("KR", "2024-03-15", "profiling_review", True),
        ("KR", "2024-03-15", "admt_opt_out", True),
        ("CH", "2026-03-10", "profiling_review", True),  # FADP Art. 21(2)
        ("JP", "2026-03-10", "third_party_list", True),  # APPI Art. 33(5)
        ("BR", "2026-03-10", "third_party_list", True),  # LGPD Art. 18 VII
        ("CN", "2026-03-10", "admt_opt_out", True),  # PIPL Art. 24(3)
        ("SG", "2026-03-10", "erasure", False),  # the PDPA gives no right to erasure
        ("AR", "2026-03-10", "portability", False),
    ],
)
def test_a_countrys_law_gives_the_rights_its_policy_lists(
    code: str, day: str, kind: str, given: bool
) -> None:
    policy = load_policies().in_force(code, D(day)).policy
    assert policy.gives(RequestType(kind)) is given


def test_a_right_without_a_period_of_its_own_runs_on_the_general_one() -> None:
    # China: 30 days (10 March + 30 = 9 April); Brazil: no period in the law, the 21-day target.
    assert due_dates("CN", D("2026-03-10"), "admt_opt_out").respond_by == D("2026-04-09")
    assert due_dates("BR", D("2026-03-10"), "third_party_list").respond_by == D("2026-03-31")


@pytest.mark.parametrize(
    ("received", "acknowledge"),
    [
        # 30 days beginning with the day of receipt: 1 July is day 1, 30 July day 30.
        ("2026-07-01", "2026-07-30"),
        ("2026-06-19", "2026-07-18"),  # the first day of the duty
        ("2026-06-18", None),  # the day before: no duty to acknowledge yet
    ],
)
def test_a_uk_complaint_to_the_controller_is_acknowledged_within_30_days(
    received: str, acknowledge: str | None
) -> None:
    dates = appeal_due_dates("UK", D(received))
    assert dates.acknowledge_by == (D(acknowledge) if acknowledge else None)
    assert dates.respond_by is None  # the outcome: without undue delay, no period
    if acknowledge:
        assert "s.164A(3)" in (dates.rules["acknowledge_by"].source or "")
        assert "ICO" in (dates.route or "")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["policies"]["AR"]["respond_by_type"][0].update(
                types=["rectification", "portability"]
            ),
            "policies.AR.respond_by_type.0.types: portability is not among the rights",
        ),
        (
            lambda d: d["policies"]["AR"]["respond_by_type"].append(
                {**d["policies"]["AR"]["respond_by_type"][0], "types": ["erasure"]}
            ),
            "policies.AR.respond_by_type.1.types: erasure has a period already",
        ),
        (
            lambda d: d["policies"]["CH"]["extension"].update(adds=30),
            "policies.CH.extension.cap: adds and cap are both set, or both null",
        ),
        (
            lambda d: d["policies"]["SG"]["extension"].update(uncapped_when="always"),
            "policies.SG.extension.uncapped_when: the extension has no cap at all already",
        ),
        (
            lambda d: d["policies"]["JP"]["holidays"].update(calendar_of="controller"),
            "policies.JP.holidays.calendar_of: controller is for a policy without a country of its own",
        ),
    ],
)
def test_the_loader_names_the_new_fields_at_fault(
    change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    with pytest.raises(DeadlineError) as raised:
        table_with(change)
    assert expected in str(raised.value)


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


def test_the_command_says_when_the_law_answers_before_the_companys_target(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # South Korea: 10 days, before the company's 21-day target; the law's date governs.
    assert main(["deadlines", "--jurisdiction", "KR", "--received", "2027-01-05"]) == 0
    out = capsys.readouterr().out
    assert "internal target      2027-01-26 (Tuesday)" in out
    assert (
        "reminders go by      2027-01-15 (Friday) (the legal due date, which comes before the "
        "company's target: the law's date governs)"
    ) in out


def test_the_command_prints_json(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTROLLER_COUNTRY", "DE")  # 1 May is Labour Day in Germany, not in Ireland
    status = main(
        ["deadlines", "--jurisdiction", "EU", "--received", "2026-04-01", "--country", "IE", "--json"]
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


@pytest.mark.parametrize("code", sorted(JURISDICTIONS))
def test_the_command_answers_for_every_jurisdiction_with_rules_and_sources(
    code: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["deadlines", "--jurisdiction", code, "--received", "2027-06-01", "--json"])
    document = json.loads(capsys.readouterr().out)
    assert status == 0
    assert set(document) >= {"acknowledge_by", "respond_by", "extended_respond_by", "extension_notice_by"}
    assert document["respond_by"] > "2027-06-01"
    assert all(rule["rule"] for rule in document["rules"].values())
    assert document["rules"]["respond_by"]["source"]
    assert document["rules"]["policy"]["source"]


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
    with mock.patch.dict(os.environ, {"CONTROLLER_COUNTRY": "FR"}):
        dates = due_dates("EU", received, country="DE")
    assert dates.extended_respond_by is not None
    assert received < dates.respond_by <= dates.extended_respond_by
    assert dates.respond_by - add_calendar_months(received, 1) < timedelta(days=7)
    assert HolidayCalendar("FR").is_working_day(dates.respond_by)
    assert HolidayCalendar("FR").is_working_day(dates.extended_respond_by)
