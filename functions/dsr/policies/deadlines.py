"""Deadlines by jurisdiction: when a request must be acknowledged, answered, extended and the
subject told of an extension, and when an appeal must be answered, each date with the rule and
source it comes from. The table is ``dsr.policies.deadline_table``; the counting is
``dsr.policies.deadline_counting``; this module calls nothing outside the process.
"""

from datetime import date, timedelta
from typing import Any, NamedTuple

from pydantic import Field

from dsr.core.models import RequestType
from dsr.policies.deadline_counting import HolidayCalendar, extended_end, holiday_calendar, period_end
from dsr.policies.deadline_rules import UNIT_WORDS, Extension, Period, PolicyModel, Rule
from dsr.policies.deadline_table import (
    DeadlineError,
    DeadlinePolicies,
    DeadlinePolicy,
    Explanation,
    jurisdiction_codes,
    policies,
)

# ------------------------------------------------------------------------------ due dates


class DueDates(PolicyModel):
    """A request's deadlines, each with the rule and the source behind it. ``policy`` is the
    jurisdiction whose policy applies (DEFAULT where its law was not in force on the day of
    receipt), ``policy_version`` the version's name (the day it applies from); ``rules["policy"]``
    says why."""

    jurisdiction: str
    policy: str
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
    """When an appeal (or a complaint to the controller) must be acknowledged and answered,
    counted from its receipt."""

    jurisdiction: str
    appeal_received: date
    acknowledge_by: date | None = None
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
    The policy is the version in force on ``received``; DEFAULT's where the law was not yet.
    """
    table = table or policies()
    in_force = table.in_force(code, received)
    policy = in_force.policy
    kind = request_type_named(request_type)
    start = _clock_start(in_force.code, policy, received, clock_started)
    _check_pause(in_force.code, policy, paused_days)
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
        policy=in_force.code,
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
            "respond_by": _explain_switch_off(policy, _explain_rule(rule, clock.start_word, days_off)),
            "extended_respond_by": extended,
            "extension_notice_by": notice,
            "internal_target": _explain_target(target_days),
            "policy": in_force.reason,
        },
    )


def appeal_due_dates(
    code: str,
    appeal_received: date,
    country: str | None = None,
    region: str | None = None,
    *,
    policy: DeadlinePolicy | None = None,
    table: DeadlinePolicies | None = None,
) -> AppealDueDates:
    """When an appeal received on ``appeal_received`` must be answered (appeal clocks run from the
    appeal, not the request), under ``policy``: the version the request ran on (by default the
    version of ``code`` in force on the day of the appeal)."""
    policy = policy or (table or policies()).in_force(code, appeal_received).policy
    appeal = policy.appeal
    days_off = holiday_calendar(policy, country, region)
    acknowledge_by, acknowledge = (
        None,
        Explanation(rule=f"no acknowledgement deadline in {policy.name}", source=None),
    )
    if appeal is not None and appeal.acknowledge is not None:
        acknowledge_by = period_end(appeal.acknowledge.within, appeal_received, days_off)
        acknowledge = _explain_rule(appeal.acknowledge, "the complaint", days_off)
    if appeal is None or appeal.within is None:
        none = Explanation(rule=f"no appeal deadline in {policy.name}", source=None)
        return AppealDueDates(
            jurisdiction=code,
            appeal_received=appeal_received,
            acknowledge_by=acknowledge_by,
            respond_by=None,
            extended_respond_by=None,
            extension_notice_by=None,
            route=appeal.route if appeal else None,
            rules={
                "acknowledge_by": acknowledge,
                "respond_by": none,
                "extended_respond_by": none,
                "extension_notice_by": none,
            },
        )
    clock = _ClockInputs(appeal_received, "the appeal", days_off, 0)
    extended_by, extended, notice_by, notice = _extension(appeal.extension, appeal.within, clock)
    respond = Explanation(rule=appeal.within.describe("the appeal"), source=appeal.source)
    return AppealDueDates(
        jurisdiction=code,
        appeal_received=appeal_received,
        acknowledge_by=acknowledge_by,
        respond_by=period_end(appeal.within, appeal_received, days_off),
        extended_respond_by=extended_by,
        extension_notice_by=notice_by,
        route=appeal.route,
        rules={
            "acknowledge_by": acknowledge,
            "respond_by": respond,
            "extended_respond_by": extended,
            "extension_notice_by": notice,
        },
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
    """Opt-out requests have their own period and no extension; a type the law gives its own
    period (``respond_by_type``) that period and its extension; every other request the general one."""
    if policy.opt_out is not None and kind in policy.opt_out.types:
        return policy.opt_out, None
    for rule in policy.respond_by_type:
        if kind in rule.types:
            return rule, rule.extension
    return policy.respond, policy.extension


def _extension(
    extension: Extension | None, period: Period, clock: _ClockInputs
) -> tuple[date | None, Explanation, date | None, Explanation]:
    if extension is None:
        none = Explanation(rule="no extension", source=None)
        return None, none, None, none
    extended_by = extended_end(extension, period, clock.start, clock.days_off, clock.paused_days)
    text = _describe_extension(extension, period, clock.start_word)
    if period.roll == "next_working_day" and extended_by is not None:
        text += f", then moved to the next working day if it ends on a day off ({clock.days_off.days_off()})"
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
        singular, plural = UNIT_WORDS[period.unit]
        return f"{amount} {singular if amount == 1 else plural}"

    if extension.adds is None or extension.cap is None:
        return "no fixed length and no cap: the notice gives the subject the new date"
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
    if extension.uncapped_when:
        text += f"; no cap when {extension.uncapped_when}"
    return text


def _explain_rule(rule: Rule, start_word: str, days_off: HolidayCalendar) -> Explanation:
    explanation = _explain_period(rule.within, start_word, days_off, rule.source)
    if rule.note:
        return explanation.model_copy(update={"rule": f"{explanation.rule}; {rule.note}"})
    return explanation


def _explain_switch_off(policy: DeadlinePolicy, explanation: Explanation) -> Explanation:
    """Where the law's period stops applying under some event (Utah: suspected fraud), the response
    date's rule says so: the date stands, and nothing moves it."""
    clock = policy.clock
    if not clock.switched_off_by:
        return explanation
    events = ", ".join(event.replace("_", " ") for event in clock.switched_off_by)
    text = f"{explanation.rule}; switched off, not paused, by {events}: {clock.note or 'see the law'}"
    return explanation.model_copy(update={"rule": text})


def _explain_period(period: Period, start_word: str, days_off: HolidayCalendar, source: str) -> Explanation:
    return Explanation(rule=period.describe(start_word, days_off.days_off()), source=source)


def _explain_target(days: int | None) -> Explanation:
    if days is None:
        return Explanation(rule="no internal target", source=None)
    return Explanation(rule=f"company target: {days} calendar days after receipt", source="company policy")


def as_json(dates: DueDates, *, with_rules: bool = True) -> dict[str, Any]:
    """The four deadlines as ISO dates (null where the law has none), and the rules behind them,
    with the policy version that applies and why (``rules.policy``)."""
    keys = ("acknowledge_by", "respond_by", "extended_respond_by", "extension_notice_by")
    document: dict[str, Any] = {key: _iso(getattr(dates, key)) for key in keys}
    if with_rules:
        document["rules"] = {key: dates.rules[key].model_dump() for key in (*keys, "policy")}
    return document


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def load_calendars(on: date | None = None) -> None:
    """Read the policies and count a deadline under each jurisdiction: the holidays package and
    the calendars of the countries the policies name are loaded, as the first count would."""
    received = on or date.today()
    for code in jurisdiction_codes():
        due_dates(code, received)
