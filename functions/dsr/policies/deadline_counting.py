"""Counting a period of the deadline policy table: calendar months, calendar and business days,
skipping weekends and public holidays, and rolling a due date off a day that is not worked.

Public holidays come from the ``holidays`` package. A policy names its country, and its region
where the law is a region's (California, Quebec). The company default has no single country: the
request's country is used when given, and otherwise only weekends are skipped. The EU counts by
the holidays of the member state where the controller answers (Regulation 1182/71 Art. 2(1)), the
deployment setting ``CONTROLLER_COUNTRY`` (``IE``, or ``DE-BY`` for a region's too); unset, only
weekends. A region the package does not know falls back to the country's national holidays. The
fallbacks err early: a holiday left out can only bring a due date forward.
"""

import calendar
import os
import re
from collections.abc import Callable
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from dsr.policies.deadline_rules import (
    CONTROLLER_COUNTRY_VARIABLE,
    Extension,
    Period,
    supported_holiday_countries,
)
from dsr.policies.deadline_table import DeadlineError, DeadlinePolicy

if TYPE_CHECKING:
    import holidays

# ------------------------------------------------------------------------------ holidays


# The holidays package takes long to import (a calendar per country): imported where a date is counted.


@cache
def _public_holidays(country: str, subdivision: str | None) -> "holidays.HolidayBase":
    import holidays  # noqa: PLC0415 - see above

    return holidays.country_holidays(country, subdiv=subdivision)


class HolidayCalendar(NamedTuple):
    """Which days are working days: Monday to Friday, less a country's (and region's) public holidays."""

    country: str | None = None
    subdivision: str | None = None
    note: str | None = None

    def is_working_day(self, day: date) -> bool:
        if day.weekday() >= 5:
            return False
        return self.country is None or day not in _public_holidays(self.country, self.subdivision)

    def describe(self) -> str:
        """The days off and why these: ``weekends only (no country given)``."""
        return f"{self.days_off()} ({self.note})" if self.note else self.days_off()

    def days_off(self) -> str:
        """The days off alone, for a rule that names them after ``describe`` has said why."""
        if self.country is None:
            return "weekends only"
        place = f"{self.country}-{self.subdivision}" if self.subdivision else self.country
        return f"weekends and {place} public holidays"


CONTROLLER_COUNTRY_PATTERN = re.compile(r"^([A-Z]{2})(?:-([A-Z0-9]{1,3}))?$")


def controller_establishment() -> tuple[str, str | None] | None:
    """The country (and region) where the controller answers requests, from the deployment
    setting ``CONTROLLER_COUNTRY`` (``IE``, ``DE-BY``); None when it is not set."""
    setting = os.environ.get(CONTROLLER_COUNTRY_VARIABLE, "").strip().upper()
    if not setting:
        return None
    match = CONTROLLER_COUNTRY_PATTERN.match(setting)
    if match is None:
        raise DeadlineError(
            f"{CONTROLLER_COUNTRY_VARIABLE}={setting!r} is not a country code: use ISO 3166-1 (IE), "
            "or ISO 3166-2 for a region's holidays too (DE-BY)"
        )
    return match.group(1), match.group(2)


def holiday_calendar(
    policy: DeadlinePolicy, country: str | None = None, region: str | None = None
) -> HolidayCalendar:
    """The calendar a policy counts working days by, given the request's country and region (or,
    where the policy says so, the controller's establishment)."""
    if policy.holidays.calendar_of == "controller":
        return _controller_calendar()
    asked = _country_code(country)
    chosen = policy.holidays.country or asked
    if chosen is None:
        return HolidayCalendar(note="no country given")
    if chosen not in supported_holiday_countries():
        return HolidayCalendar(note=f"no holiday calendar for {chosen}")
    if policy.holidays.subdivision is not None:
        return HolidayCalendar(chosen, policy.holidays.subdivision)
    if asked not in {None, chosen}:
        region = None  # the request's region belongs to another country
    return _with_region(chosen, region)


def _controller_calendar() -> HolidayCalendar:
    establishment = controller_establishment()
    if establishment is None:
        return HolidayCalendar(note=f"the controller's country is not set ({CONTROLLER_COUNTRY_VARIABLE})")
    country, region = establishment
    if country not in supported_holiday_countries():
        return HolidayCalendar(note=f"no holiday calendar for {country}, the controller's country")
    calendar = _with_region(country, region)
    return calendar._replace(
        note=f"the controller's establishment{'; ' + calendar.note if calendar.note else ''}"
    )


def _country_code(country: str | None) -> str | None:
    code = (country or "").strip().upper()
    return {"UK": "GB"}.get(code, code) or None


def _with_region(country: str, region: str | None) -> HolidayCalendar:
    wanted = (region or "").strip().upper()
    if not wanted:
        return HolidayCalendar(country)
    if wanted in supported_holiday_countries()[country]:
        return HolidayCalendar(country, wanted)
    return HolidayCalendar(country, note=f"region {wanted} unknown to the calendar: national holidays only")


# ------------------------------------------------------------------------------ arithmetic


def add_calendar_months(start: date, months: int) -> date:
    """The same-numbered day ``months`` later, or that month's last day where it has none."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def add_business_days(start: date, count: int, is_working_day: Callable[[date], bool]) -> date:
    """The ``count``-th working day after ``start`` (``start`` itself when ``count`` is 0)."""
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def next_working_day(day: date, is_working_day: Callable[[date], bool]) -> date:
    """``day`` if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def period_end(period: Period, start: date, days_off: HolidayCalendar, paused_days: int = 0) -> date:
    """The last day of ``period`` counted from ``start``; ``paused_days`` while the clock stood still."""
    if period.unit == "calendar_months":
        end = add_calendar_months(start, period.amount)
    else:
        before_day_one = start - timedelta(days=1) if period.counting == "day_of_receipt" else start
        if period.unit == "calendar_days":
            end = before_day_one + timedelta(days=period.amount)
        else:
            end = add_business_days(before_day_one, period.amount, days_off.is_working_day)
    end += timedelta(days=paused_days)
    if period.roll == "next_working_day":
        return next_working_day(end, days_off.is_working_day)
    return end


def extended_end(
    extension: Extension, period: Period, start: date, days_off: HolidayCalendar, paused_days: int = 0
) -> date | None:
    """The extended due date: from receipt, the whole period plus ``adds`` (then rolled), or ``adds``
    after the unrolled first due date; never beyond ``cap`` from the start. None where the law
    sets no length (the subject is told the new date)."""
    if extension.adds is None or extension.cap is None:
        return None
    if extension.counted_from == "receipt":
        whole = period.model_copy(update={"amount": period.amount + extension.adds})
        end = period_end(whole, start, days_off, paused_days)
    else:
        first_due = period_end(period.model_copy(update={"roll": "none"}), start, days_off, paused_days)
        more = Period(amount=extension.adds, unit=period.unit, roll=period.roll)
        end = period_end(more, first_due, days_off)
    cap = period_end(period.model_copy(update={"amount": extension.cap}), start, days_off, paused_days)
    return min(end, cap)
