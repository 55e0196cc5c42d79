"""Deadlines by jurisdiction: acknowledge, respond, extend, and tell the subject of an extension.

The rules live in ``config/deadline_policies.yaml`` with the source beside each one, so a privacy
lawyer can audit them and a company can change them without touching code (``DEADLINE_POLICIES_PATH``
names another file). This module does the date arithmetic for all of them, in one place; it calls
nothing outside the process.

Public holidays come from the ``holidays`` package. A policy names its country, and its region
where the law is a region's (California, Quebec). The EU and the company default have no single
country: the request's country is used when given, and otherwise only weekends are skipped. A
region the package does not know falls back to the country's national holidays. Both fallbacks
err early: a holiday left out can only bring a due date forward.
"""

import calendar
import os
from collections.abc import Callable
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NamedTuple, Self

from pydantic import ConfigDict, Field, ValidationError, model_validator

from dsr.core.desk_model import DeskModel
from dsr.core.jurisdictions import JURISDICTIONS
from dsr.core.models import RequestType

if TYPE_CHECKING:
    import holidays

POLICY_PATH = Path(__file__).parents[1] / "config" / "deadline_policies.yaml"
POLICY_PATH_VARIABLE = "DEADLINE_POLICIES_PATH"

Unit = Literal["calendar_months", "calendar_days", "business_days"]
Counting = Literal["day_after_receipt", "day_of_receipt"]
Roll = Literal["none", "next_working_day"]
Text = Annotated[str, Field(min_length=1, max_length=500)]
PolicyCode = Annotated[str, Field(pattern=r"^(DEFAULT|[A-Z]{2}(-[A-Z0-9]{1,3})?)$")]
ClockEvent = Annotated[str, Field(pattern=r"^[a-z][a-z_]{1,40}$")]

_UNIT_WORDS = {
    "calendar_months": ("calendar month", "calendar months"),
    "calendar_days": ("calendar day", "calendar days"),
    "business_days": ("business day", "business days"),
}


class DeadlineError(ValueError):
    """A policy table, jurisdiction, date or request type that cannot be used; the message says why."""


class PolicyModel(DeskModel):
    """Unknown fields are refused, so a misspelt key is an error rather than silently ignored.

    Validators are built when first used, not at import: most functions never read this file."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# ------------------------------------------------------------------------------ the table


class Period(PolicyModel):
    """A length of time and how it is counted from a start date."""

    amount: int = Field(ge=0, le=1000)
    unit: Unit
    counting: Counting = "day_after_receipt"
    roll: Roll = "none"

    @model_validator(mode="after")
    def _counting_fits_unit(self) -> Self:
        if self.counting == "day_of_receipt" and self.unit == "calendar_months":
            raise ValueError("counting: day_of_receipt is for calendar_days and business_days only")
        if self.counting == "day_of_receipt" and self.amount == 0:
            raise ValueError("counting: day_of_receipt needs an amount of at least 1")
        return self

    def describe(self, start: str = "receipt", days_off: str = "weekends and public holidays") -> str:
        """``10 business days after receipt``, and how the end is counted."""
        singular, plural = _UNIT_WORDS[self.unit]
        if self.amount == 0:
            text = f"on the day of {start}"
        elif self.counting == "day_of_receipt":
            text = f"{self.amount} {plural} from {start}, the day of {start} being day 1"
        else:
            text = f"{self.amount} {singular if self.amount == 1 else plural} after {start}"
        if self.unit == "calendar_months":
            text += " (the same-numbered day, or that month's last day where it has none)"
        if self.unit == "business_days":
            text += f", skipping {days_off}"
        if self.roll == "next_working_day":
            text += f"; an end on a day off ({days_off}) moves to the next working day"
        return text


class Rule(PolicyModel):
    within: Period
    source: Text
    note: Text | None = None


class AcknowledgeRule(Rule):
    types: list[RequestType] | None = Field(description="the request types it applies to; null: all")


class OptOutRule(Rule):
    types: list[RequestType] = Field(min_length=1, description="the request types answered this way")


class Extension(PolicyModel):
    adds: int = Field(ge=1, le=1000, description="more units of the response period")
    cap: int = Field(ge=1, le=1000, description="at most this many units from the start of the clock")
    counted_from: Literal["receipt", "original_due_date"] = "receipt"
    notice_within: Period | None = Field(description="the last day to tell the subject; null: none stated")
    when: Text | None = None
    source: Text


class Clock(PolicyModel):
    restarts_on: list[ClockEvent] = Field(default_factory=list)
    pauses_for: list[ClockEvent] = Field(default_factory=list)
    note: Text | None = None
    source: Text | None = None


class Regulator(PolicyModel):
    """Where a subject whose appeal is refused may complain."""

    name: Text
    complaint_url: Annotated[str, Field(pattern=r"^https://\S+$", max_length=300)]


class AppealRule(PolicyModel):
    within: Period | None = Field(description="the time to answer an appeal, from its receipt")
    extension: Extension | None = None
    route: Text | None = None
    source: Text | None = None
    regulator: Regulator | None = Field(
        default=None, description="named in the answer to an appeal, with its complaint route"
    )
    open_for_days: int = Field(
        default=60,
        ge=1,
        le=366,
        description="how long after the decision the subject may appeal (the laws say a reasonable "
        "period; the company chooses it)",
    )

    @model_validator(mode="after")
    def _extension_needs_a_period(self) -> Self:
        if self.extension is not None and self.within is None:
            raise ValueError("extension: an appeal extension needs within")
        if self.extension is not None and self.within is not None:
            _check_extension(self.extension, self.within, "extension")
        return self


class Records(PolicyModel):
    months: int | None = Field(ge=1, le=240)
    keep: Text
    source: Text


class HolidaySource(PolicyModel):
    country: str | None = Field(pattern=r"^[A-Z]{2}$")
    subdivision: str | None = Field(default=None, pattern=r"^[A-Z0-9]{1,3}$")

    @model_validator(mode="after")
    def _known_to_the_holidays_package(self) -> Self:
        if self.country is None:
            if self.subdivision is not None:
                raise ValueError("subdivision: needs a country")
            return self
        subdivisions = _supported_countries().get(self.country)
        if subdivisions is None:
            raise ValueError(f"country: {self.country} is not in the holidays package")
        if self.subdivision is not None and self.subdivision not in subdivisions:
            raise ValueError(f"subdivision: {self.country} has no subdivision {self.subdivision}")
        return self


class DeadlinePolicy(PolicyModel):
    """One jurisdiction's deadlines. Every rule is stated, null where the law has none."""

    name: Text
    law: Text
    version: Annotated[str, Field(min_length=1, max_length=40)]
    holidays: HolidaySource
    acknowledge: AcknowledgeRule | None
    respond: Rule
    extension: Extension | None
    opt_out: OptOutRule | None
    clock: Clock
    appeal: AppealRule | None
    records: Records | None
    internal_target_days: int | None = Field(
        default=None, ge=1, le=366, description="overrides the table's default; null: no internal target"
    )

    @model_validator(mode="after")
    def _extension_fits_the_response(self) -> Self:
        if self.extension is not None:
            _check_extension(self.extension, self.respond.within, "extension")
        return self

    def target_days(self, default: int | None) -> int | None:
        """The company's internal target: this policy's own if it sets one, else the table's."""
        return self.internal_target_days if "internal_target_days" in self.model_fields_set else default


def _check_extension(extension: Extension, period: Period, where: str) -> None:
    if extension.cap <= period.amount:
        raise ValueError(f"{where}.cap: {extension.cap} is not beyond the period of {period.amount}")


class DeadlinePolicies(PolicyModel):
    internal_target_days: int | None = Field(ge=1, le=366)
    policies: dict[PolicyCode, DeadlinePolicy]

    @model_validator(mode="after")
    def _every_jurisdiction_has_a_policy(self) -> Self:
        missing = sorted(JURISDICTIONS - set(self.policies))
        if missing:
            raise ValueError(f"no policy for {', '.join(missing)}")
        return self

    def policy(self, code: str) -> DeadlinePolicy:
        try:
            return self.policies[code]
        except KeyError:
            raise DeadlineError(
                f"unknown jurisdiction {code!r}; valid codes: {', '.join(self.codes())}"
            ) from None

    def codes(self) -> list[str]:
        return sorted(self.policies)


def parse_policies(text: str, source: str = "deadline policies") -> DeadlinePolicies:
    import yaml  # noqa: PLC0415 - needed only when the policy file is first read

    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise DeadlineError(f"{source}: not valid YAML: {error}") from error
    try:
        return DeadlinePolicies.model_validate(document)
    except ValidationError as error:
        problems = "; ".join(_describe(issue["loc"], issue["msg"]) for issue in error.errors())
        raise DeadlineError(f"{source}: {problems}") from error


def _describe(location: tuple[int | str, ...], message: str) -> str:
    """``policies.EU.extension.cap: message``: the path, then what is wrong there."""
    path = ".".join(str(part) for part in location)
    message = message.removeprefix("Value error, ")
    field, separator, rest = message.partition(": ")
    if separator and field.replace(".", "").replace("_", "").isalpha() and field.islower():
        return f"{path}.{field}: {rest}" if path else f"{field}: {rest}"
    return f"{path}: {message}" if path else message


@cache
def load_policies(path: Path = POLICY_PATH) -> DeadlinePolicies:
    return parse_policies(path.read_text(encoding="utf-8"), source=str(path))


def policies() -> DeadlinePolicies:
    """The table in use: the file ``DEADLINE_POLICIES_PATH`` names, else the one shipped."""
    configured = os.environ.get(POLICY_PATH_VARIABLE)
    return load_policies(Path(configured) if configured else POLICY_PATH)


def policy_for(code: str) -> DeadlinePolicy:
    return policies().policy(code)


def jurisdiction_codes() -> list[str]:
    return policies().codes()


# ------------------------------------------------------------------------------ holidays


# The holidays package takes long to import (a calendar per country): imported where a date is counted.


@cache
def _supported_countries() -> dict[str, list[str]]:
    import holidays  # noqa: PLC0415 - see above

    return dict(holidays.list_supported_countries())


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
        if self.country is None:
            text = "weekends only"
        else:
            place = f"{self.country}-{self.subdivision}" if self.subdivision else self.country
            text = f"weekends and {place} public holidays"
        return f"{text} ({self.note})" if self.note else text


def holiday_calendar(
    policy: DeadlinePolicy, country: str | None = None, region: str | None = None
) -> HolidayCalendar:
    """The calendar a policy counts working days by, given the request's country and region."""
    asked = _country_code(country)
    chosen = policy.holidays.country or asked
    if chosen is None:
        return HolidayCalendar(note="no country given")
    if chosen not in _supported_countries():
        return HolidayCalendar(note=f"no holiday calendar for {chosen}")
    if policy.holidays.subdivision is not None:
        return HolidayCalendar(chosen, policy.holidays.subdivision)
    if asked not in {None, chosen}:
        region = None  # the request's region belongs to another country
    return _with_region(chosen, region)


def _country_code(country: str | None) -> str | None:
    code = (country or "").strip().upper()
    return {"UK": "GB"}.get(code, code) or None


def _with_region(country: str, region: str | None) -> HolidayCalendar:
    wanted = (region or "").strip().upper()
    if not wanted:
        return HolidayCalendar(country)
    if wanted in _supported_countries()[country]:
        return HolidayCalendar(country, wanted)
    return HolidayCalendar(country, note=f"region {wanted} unknown to the calendar: national holidays only")


def load_calendars(on: date | None = None) -> None:
    """Read the policies and count a deadline under each jurisdiction: the holidays package and
    the calendars of the countries the policies name are loaded, as the first count would."""
    received = on or date.today()
    for code in jurisdiction_codes():
        due_dates(code, received)


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
) -> date:
    """The extended due date: from receipt, the whole period plus ``adds`` (then rolled), or ``adds``
    after the unrolled first due date; never beyond ``cap`` from the start."""
    if extension.counted_from == "receipt":
        whole = period.model_copy(update={"amount": period.amount + extension.adds})
        end = period_end(whole, start, days_off, paused_days)
    else:
        first_due = period_end(period.model_copy(update={"roll": "none"}), start, days_off, paused_days)
        more = Period(amount=extension.adds, unit=period.unit, roll=period.roll)
        end = period_end(more, first_due, days_off)
    cap = period_end(period.model_copy(update={"amount": extension.cap}), start, days_off, paused_days)
    return min(end, cap)


# ------------------------------------------------------------------------------ due dates


class Explanation(PolicyModel):
    rule: str
    source: str | None


class DueDates(PolicyModel):
    """A request's deadlines, each with the rule and the source behind it."""

    jurisdiction: str
    policy_version: str
    received: date
    clock_started: date
    request_type: RequestType | None
    holidays: str
    acknowledge_by: date | None
    respond_by: date
    extended_respond_by: date | None
    extension_notice_by: date | None
    internal_target: date | None
    reminder_basis: date = Field(description="the earlier of the internal target and respond_by")
    rules: dict[str, Explanation]


class AppealDueDates(PolicyModel):
    """When an appeal must be answered, counted from the appeal's receipt."""

    jurisdiction: str
    appeal_received: date
    respond_by: date | None
    extended_respond_by: date | None
    extension_notice_by: date | None
    route: str | None
    rules: dict[str, Explanation]


def request_type_named(value: str | RequestType | None) -> RequestType | None:
    if value is None or isinstance(value, RequestType):
        return value
    try:
        return RequestType(value)
    except ValueError:
        valid = ", ".join(t.value for t in RequestType)
        raise DeadlineError(f"unknown request type {value!r}; valid types: {valid}") from None


def due_dates(
    code: str,
    received: date,
    request_type: str | RequestType | None = None,
    country: str | None = None,
    region: str | None = None,
    *,
    clock_started: date | None = None,
    paused_days: int = 0,
    table: DeadlinePolicies | None = None,
) -> DueDates:
    """The deadlines of a request received on ``received`` under jurisdiction ``code``.

    ``clock_started`` is a later start date where the policy restarts the clock (UK: identification
    or a fee received); ``paused_days`` the days the clock stood still where it pauses (UK:
    waiting for clarification; Utah: suspected fraud). Without a request type, the general rules.
    """
    table = table or policies()
    policy = table.policy(code)
    kind = request_type_named(request_type)
    start = _clock_start(code, policy, received, clock_started)
    _check_pause(code, policy, paused_days)
    days_off = holiday_calendar(policy, country, region)
    clock = _ClockInputs(start, "receipt" if start == received else "the restart", days_off, paused_days)

    acknowledge_by, acknowledge = _acknowledgement(policy, kind, received, days_off)
    rule, extension = _response_rule(policy, kind)
    respond_by = period_end(rule.within, start, days_off, paused_days)
    extended_by, extended, notice_by, notice = _extension(extension, rule.within, clock)
    target_days = policy.target_days(table.internal_target_days)
    target = received + timedelta(days=target_days) if target_days else None
    return DueDates(
        jurisdiction=code,
        policy_version=policy.version,
        received=received,
        clock_started=start,
        request_type=kind,
        holidays=days_off.describe(),
        acknowledge_by=acknowledge_by,
        respond_by=respond_by,
        extended_respond_by=extended_by,
        extension_notice_by=notice_by,
        internal_target=target,
        reminder_basis=min(respond_by, target) if target else respond_by,
        rules={
            "acknowledge_by": acknowledge,
            "respond_by": _explain_rule(rule, clock.start_word, days_off),
            "extended_respond_by": extended,
            "extension_notice_by": notice,
            "internal_target": _explain_target(target_days),
        },
    )


def appeal_due_dates(
    code: str,
    appeal_received: date,
    country: str | None = None,
    region: str | None = None,
    *,
    table: DeadlinePolicies | None = None,
) -> AppealDueDates:
    """When an appeal received on ``appeal_received`` must be answered (appeal clocks run from the
    appeal, not the request)."""
    policy = (table or policies()).policy(code)
    appeal = policy.appeal
    days_off = holiday_calendar(policy, country, region)
    if appeal is None or appeal.within is None:
        none = Explanation(rule=f"no appeal deadline in {policy.name}", source=None)
        return AppealDueDates(
            jurisdiction=code,
            appeal_received=appeal_received,
            respond_by=None,
            extended_respond_by=None,
            extension_notice_by=None,
            route=appeal.route if appeal else None,
            rules={"respond_by": none, "extended_respond_by": none, "extension_notice_by": none},
        )
    clock = _ClockInputs(appeal_received, "the appeal", days_off, 0)
    extended_by, extended, notice_by, notice = _extension(appeal.extension, appeal.within, clock)
    respond = Explanation(rule=appeal.within.describe("the appeal"), source=appeal.source)
    return AppealDueDates(
        jurisdiction=code,
        appeal_received=appeal_received,
        respond_by=period_end(appeal.within, appeal_received, days_off),
        extended_respond_by=extended_by,
        extension_notice_by=notice_by,
        route=appeal.route,
        rules={"respond_by": respond, "extended_respond_by": extended, "extension_notice_by": notice},
    )


class _ClockInputs(NamedTuple):
    start: date
    start_word: str
    days_off: HolidayCalendar
    paused_days: int


def _clock_start(code: str, policy: DeadlinePolicy, received: date, clock_started: date | None) -> date:
    if clock_started is None or clock_started == received:
        return received
    if clock_started < received:
        raise DeadlineError(f"the clock cannot start ({clock_started}) before receipt ({received})")
    if not policy.clock.restarts_on:
        raise DeadlineError(f"{code}: the clock does not restart ({policy.clock.note or 'no rule'})")
    return clock_started


def _check_pause(code: str, policy: DeadlinePolicy, paused_days: int) -> None:
    if paused_days < 0:
        raise DeadlineError(f"paused_days cannot be negative ({paused_days})")
    if paused_days and not policy.clock.pauses_for:
        raise DeadlineError(f"{code}: the clock does not pause ({policy.clock.note or 'no rule'})")


def _acknowledgement(
    policy: DeadlinePolicy, kind: RequestType | None, received: date, days_off: HolidayCalendar
) -> tuple[date | None, Explanation]:
    rule = policy.acknowledge
    if rule is None:
        return None, Explanation(rule=f"none: {policy.name} sets no acknowledgement deadline", source=None)
    if kind is not None and rule.types is not None and kind not in rule.types:
        listed = ", ".join(t.value for t in rule.types)
        return None, Explanation(rule=f"none for {kind.value} requests (only {listed})", source=rule.source)
    return period_end(rule.within, received, days_off), _explain_rule(rule, "receipt", days_off)


def _response_rule(policy: DeadlinePolicy, kind: RequestType | None) -> tuple[Rule, Extension | None]:
    """Opt-out requests have their own period and no extension; every other request the general one."""
    if policy.opt_out is not None and kind in policy.opt_out.types:
        return policy.opt_out, None
    return policy.respond, policy.extension


def _extension(
    extension: Extension | None, period: Period, clock: _ClockInputs
) -> tuple[date | None, Explanation, date | None, Explanation]:
    if extension is None:
        none = Explanation(rule="no extension", source=None)
        return None, none, None, none
    extended_by = extended_end(extension, period, clock.start, clock.days_off, clock.paused_days)
    text = _describe_extension(extension, period, clock.start_word)
    if period.roll == "next_working_day":
        text += f", then moved to the next working day if it ends on a day off ({clock.days_off.describe()})"
    if extension.when:
        text += f"; when: {extension.when}"
    extended = Explanation(rule=text, source=extension.source)
    if extension.notice_within is None:
        return extended_by, extended, None, Explanation(rule="no notice period stated", source=None)
    notice_by = period_end(extension.notice_within, clock.start, clock.days_off, clock.paused_days)
    notice = _explain_period(extension.notice_within, clock.start_word, clock.days_off, extension.source)
    return extended_by, extended, notice_by, notice


def _describe_extension(extension: Extension, period: Period, start_word: str) -> str:
    def units(amount: int) -> str:
        singular, plural = _UNIT_WORDS[period.unit]
        return f"{amount} {singular if amount == 1 else plural}"

    if extension.counted_from == "receipt":
        text = (
            f"{units(extension.adds)} more: {units(period.amount + extension.adds)} from {start_word} "
            "in all, counted afresh from it, not from the first due date"
        )
    else:
        text = f"{units(extension.adds)} more after the first due date (before any roll)"
    text += f"; at most {units(extension.cap)} from {start_word}"
    if period.counting == "day_of_receipt":
        text += f", the day of {start_word} being day 1"
    return text


def _explain_rule(rule: Rule, start_word: str, days_off: HolidayCalendar) -> Explanation:
    explanation = _explain_period(rule.within, start_word, days_off, rule.source)
    if rule.note:
        return explanation.model_copy(update={"rule": f"{explanation.rule}; {rule.note}"})
    return explanation


def _explain_period(period: Period, start_word: str, days_off: HolidayCalendar, source: str) -> Explanation:
    return Explanation(rule=period.describe(start_word, days_off.describe()), source=source)


def _explain_target(days: int | None) -> Explanation:
    if days is None:
        return Explanation(rule="no internal target", source=None)
    return Explanation(rule=f"company target: {days} calendar days after receipt", source="company policy")


def as_json(dates: DueDates, *, with_rules: bool = True) -> dict[str, Any]:
    """The four deadlines as ISO dates (null where the law has none), and the rules behind them."""
    keys = ("acknowledge_by", "respond_by", "extended_respond_by", "extension_notice_by")
    document: dict[str, Any] = {key: _iso(getattr(dates, key)) for key in keys}
    if with_rules:
        document["rules"] = {key: dates.rules[key].model_dump() for key in keys}
    return document


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
