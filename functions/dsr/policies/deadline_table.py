"""The deadline policy table: its schema, and the table read and checked once.

The rules live in ``config/deadline_policies.yaml`` with the source beside each one, so a privacy
lawyer can audit them and a company can change them without touching code (``DEADLINE_POLICIES_PATH``
names another file). A mistake in the table is refused when it is read, naming the policy and the
field. Counting the dates is ``dsr.policies.deadline_counting``'s; the dates a request is due are
``dsr.policies.deadlines``'.

Laws change: a policy applies from its ``in_force_from`` day, and lists the versions it replaced
(``earlier``, newest first), each with its own ``in_force_from`` and only the fields that differed
from the version that replaced it. A request runs on the version in force on the day it was
received; a jurisdiction whose law was not yet in force that day runs on DEFAULT's.
"""

import os
from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple, Self

from pydantic import ConfigDict, Field, PrivateAttr, TypeAdapter, ValidationError, model_validator

from dsr.core.desk_model import DeskModel
from dsr.core.jurisdictions import DEFAULT, JURISDICTIONS
from dsr.core.models import RequestType

POLICY_PATH = Path(__file__).parents[1] / "config" / "deadline_policies.yaml"
POLICY_PATH_VARIABLE = "DEADLINE_POLICIES_PATH"
CONTROLLER_COUNTRY_VARIABLE = "CONTROLLER_COUNTRY"

Unit = Literal["calendar_months", "calendar_days", "business_days"]
Counting = Literal["day_after_receipt", "day_of_receipt"]
Roll = Literal["none", "next_working_day"]
Text = Annotated[str, Field(min_length=1, max_length=500)]
PolicyCode = Annotated[str, Field(pattern=r"^(DEFAULT|[A-Z]{2}(-[A-Z0-9]{1,3})?)$")]
ClockEvent = Annotated[str, Field(pattern=r"^[a-z][a-z_]{1,40}$")]

UNIT_WORDS = {
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
        singular, plural = UNIT_WORDS[self.unit]
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
    """More time to answer. ``adds`` and ``cap`` null together: the law sets neither a length nor a
    cap, and the subject is told the new date (Switzerland, Singapore)."""

    adds: int | None = Field(
        ge=1, le=1000, description="more units of the response period; null: no fixed length"
    )
    cap: int | None = Field(
        ge=1, le=1000, description="at most this many units from the start of the clock; null: no cap"
    )
    counted_from: Literal["receipt", "original_due_date"] = "receipt"
    notice_within: Period | None = Field(description="the last day to tell the subject; null: none stated")
    when: Text | None = None
    uncapped_when: Text | None = Field(
        default=None, description="where the law lifts the cap in one case (PIPEDA: an alternative format)"
    )
    source: Text

    @model_validator(mode="after")
    def _length_and_cap_together(self) -> Self:
        if (self.adds is None) != (self.cap is None):
            raise ValueError("cap: adds and cap are both set, or both null (no fixed length, no cap)")
        if self.uncapped_when is not None and self.cap is None:
            raise ValueError("uncapped_when: the extension has no cap at all already")
        return self


class TypeRule(Rule):
    """A response period the law sets for some request types only (Argentina: access in 10
    calendar days, rectification and deletion in 5 business days); the other types keep the
    policy's general ``respond`` and ``extension``."""

    types: list[RequestType] = Field(min_length=1, description="the request types answered this way")
    extension: Extension | None = None

    @model_validator(mode="after")
    def _extension_fits_the_period(self) -> Self:
        if self.extension is not None:
            _check_extension(self.extension, self.within, "extension")
        return self


class Clock(PolicyModel):
    restarts_on: list[ClockEvent] = Field(default_factory=list)
    pauses_for: list[ClockEvent] = Field(default_factory=list)
    switched_off_by: list[ClockEvent] = Field(
        default_factory=list,
        description="events under which the law's period no longer applies at all (not a pause: "
        "nothing resumes it, so no date moves)",
    )
    paused_days: Literal["elapsed", "asking_to_reply"] = Field(
        default="elapsed",
        description="the days a pause adds: elapsed (asked on the 3rd, answered on the 8th: 5) or "
        "asking_to_reply (both the day of asking and the day of the reply stand still: 6)",
    )
    note: Text | None = None
    source: Text | None = None

    @model_validator(mode="after")
    def _an_event_pauses_or_switches_off(self) -> Self:
        both = sorted(set(self.pauses_for) & set(self.switched_off_by))
        if both:
            raise ValueError(
                f"switched_off_by: {', '.join(both)} also pauses the clock; it does one or the other"
            )
        return self


class Regulator(PolicyModel):
    """Where a subject whose appeal is refused may complain."""

    name: Text
    complaint_url: Annotated[str, Field(pattern=r"^https://\S+$", max_length=300)] | None = Field(
        default=None, description="the regulator's complaint page; null where none has been verified"
    )


class Coverage(PolicyModel):
    """A law that covers only some companies (Florida: over US$1 billion in revenue): whether the
    company is covered is a deployment setting, "true" or "false" (false when unset)."""

    setting: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]{1,60}$")]
    otherwise: Text = Field(description="the reason given when the company is not covered")
    source: Text

    def covers_the_company(self) -> bool:
        value = os.environ.get(self.setting, "false")
        try:
            return _setting_flag().validate_python(value)
        except ValidationError:
            raise DeadlineError(f"{self.setting}={value!r}: use true or false") from None


@cache
def _setting_flag() -> TypeAdapter[bool]:
    return TypeAdapter(bool)


class AppealRule(PolicyModel):
    acknowledge: Rule | None = Field(
        default=None,
        description="the time to acknowledge a complaint to the controller, from its receipt "
        "(UK: DPA 2018 s.164A)",
    )
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
    calendar_of: Literal["request", "controller"] = Field(
        default="request",
        description="with no country: the request's country, or the controller's establishment "
        f"(the deployment setting {CONTROLLER_COUNTRY_VARIABLE})",
    )

    @model_validator(mode="after")
    def _known_to_the_holidays_package(self) -> Self:
        if self.calendar_of == "controller" and self.country is not None:
            raise ValueError("calendar_of: controller is for a policy without a country of its own")
        if self.country is None:
            if self.subdivision is not None:
                raise ValueError("subdivision: needs a country")
            return self
        subdivisions = supported_holiday_countries().get(self.country)
        if subdivisions is None:
            raise ValueError(f"country: {self.country} is not in the holidays package")
        if self.subdivision is not None and self.subdivision not in subdivisions:
            raise ValueError(f"subdivision: {self.country} has no subdivision {self.subdivision}")
        return self


class Rights(PolicyModel):
    """The request types the law gives a person (DEFAULT: every type the desk knows)."""

    types: list[RequestType] = Field(min_length=1)
    source: Text
    note: Text | None = None

    @model_validator(mode="after")
    def _each_type_once(self) -> Self:
        repeated = sorted({kind.value for kind in self.types if self.types.count(kind) > 1})
        if repeated:
            raise ValueError(f"types: {', '.join(repeated)} listed more than once")
        return self


class EarlierVersion(PolicyModel):
    """A version a policy replaced: the day it applied from, and only the fields that differed
    from the version that replaced it (each field replaced whole)."""

    in_force_from: date
    name: Text | None = None
    law: Text | None = None
    holidays: HolidaySource | None = None
    rights: Rights | None = None
    acknowledge: AcknowledgeRule | None = None
    respond: Rule | None = None
    respond_by_type: list[TypeRule] | None = None
    extension: Extension | None = None
    opt_out: OptOutRule | None = None
    clock: Clock | None = None
    appeal: AppealRule | None = None
    records: Records | None = None
    internal_target_days: int | None = Field(default=None, ge=1, le=366)
    note: Text | None = Field(default=None, description="what changed, and why the version is dated so")


class DeadlinePolicy(PolicyModel):
    """One jurisdiction's deadlines, as in force from ``in_force_from``. Every rule is stated,
    null where the law has none. ``earlier`` lists the versions it replaced, newest first."""

    name: Text
    law: Text
    in_force_from: date = Field(description="the first day a request is answered under this version")
    covered_only_if: Coverage | None = Field(
        default=None, description="the law covers the company only where a deployment setting says so"
    )
    holidays: HolidaySource
    rights: Rights
    acknowledge: AcknowledgeRule | None
    respond: Rule
    respond_by_type: list[TypeRule] = Field(
        default_factory=list, description="periods the law sets for some request types only"
    )
    extension: Extension | None
    opt_out: OptOutRule | None
    clock: Clock
    appeal: AppealRule | None
    records: Records | None
    internal_target_days: int | None = Field(
        default=None, ge=1, le=366, description="overrides the table's default; null: no internal target"
    )
    note: Text | None = None
    earlier: list[EarlierVersion] = Field(default_factory=list)
    _versions: tuple["DeadlinePolicy", ...] = PrivateAttr(default=())

    @model_validator(mode="before")
    @classmethod
    def _version_is_named_by_its_date(cls, data: Any) -> Any:
        if isinstance(data, dict) and "version" in data:
            raise ValueError(
                "version: a policy's version is named by in_force_from, the day it applies from; "
                "replace version with in_force_from"
            )
        return data

    @model_validator(mode="after")
    def _extension_fits_the_response(self) -> Self:
        if self.extension is not None:
            _check_extension(self.extension, self.respond.within, "extension")
        return self

    @model_validator(mode="after")
    def _each_type_has_one_period(self) -> Self:
        """A type answered by its own period is one the law gives, and has no other period."""
        seen = set(self.opt_out.types) if self.opt_out else set()
        for index, rule in enumerate(self.respond_by_type):
            for kind in rule.types:
                if kind in seen:
                    raise ValueError(f"respond_by_type.{index}.types: {kind.value} has a period already")
                if kind not in self.rights.types:
                    raise ValueError(f"respond_by_type.{index}.types: {kind.value} is not among the rights")
                seen.add(kind)
        return self

    @model_validator(mode="after")
    def _earlier_versions_in_order(self) -> Self:
        """Newest first, each from an earlier day than the one that replaced it: the versions never
        overlap, and each applies until the next begins. Each is checked whole, as if written out."""
        versions: list[DeadlinePolicy] = [self]
        fields = self.model_dump(exclude_unset=True, exclude={"earlier", "note"})
        for index, earlier in enumerate(self.earlier):
            replaced_by = versions[-1].in_force_from
            if earlier.in_force_from >= replaced_by:
                raise ValueError(
                    f"earlier.{index}.in_force_from: {earlier.in_force_from} is not before {replaced_by}, "
                    "the day the version after it applies from (list versions newest first, each from "
                    "an earlier day)"
                )
            fields = {**fields, **earlier.model_dump(exclude_unset=True, exclude={"note"})}
            versions.append(_earlier_version(fields, index))
        self._versions = tuple(versions)
        return self

    @property
    def version(self) -> str:
        """The version's name: the day it applies from (``2026-07-01``)."""
        return self.in_force_from.isoformat()

    def versions(self) -> tuple["DeadlinePolicy", ...]:
        """This version and those it replaced, newest first."""
        return self._versions or (self,)

    def version_on(self, day: date) -> "DeadlinePolicy | None":
        """The version in force on ``day``; None if the law did not apply yet."""
        return next((version for version in self.versions() if version.in_force_from <= day), None)

    def version_named(self, name: str) -> "DeadlinePolicy | None":
        return next((version for version in self.versions() if version.version == name), None)

    def gives(self, kind: RequestType) -> bool:
        """Whether the law (in this version) gives the right to this type of request."""
        return kind in self.rights.types

    def target_days(self, default: int | None) -> int | None:
        """The company's internal target: this policy's own if it sets one, else the table's."""
        return self.internal_target_days if "internal_target_days" in self.model_fields_set else default


def _earlier_version(fields: dict[str, Any], index: int) -> DeadlinePolicy:
    try:
        return DeadlinePolicy.model_validate(fields)
    except ValidationError as error:
        problems = "; ".join(_describe(issue["loc"], issue["msg"]) for issue in error.errors())
        raise ValueError(f"earlier.{index}: as written out, {problems}") from None


def _check_extension(extension: Extension, period: Period, where: str) -> None:
    if extension.cap is not None and extension.cap <= period.amount:
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

    def in_force(self, code: str, day: date) -> "PolicyInForce":
        """The version of ``code``'s policy in force on ``day``; where its law did not apply yet,
        DEFAULT's, with the reason."""
        policy = self.policy(code)
        version = policy.version_on(day)
        coverage = version.covered_only_if if version is not None else None
        if coverage is not None and not coverage.covers_the_company():
            default = self._default_on(day)
            reason = (
                f"{coverage.otherwise} ({coverage.setting} is not true): the company's default "
                f"timeframe ({default.name}, the version in force from {default.version})"
            )
            return PolicyInForce(DEFAULT, default, Explanation(rule=reason, source=coverage.source))
        if version is not None:
            reason = f"{version.name}, the version in force from {version.version}; received {day}"
            return PolicyInForce(code, version, Explanation(rule=reason, source=version.law))
        first = policy.versions()[-1]
        default = self._default_on(day)
        reason = (
            f"{first.name} applies from {first.version}; received {day}: the company's default "
            f"timeframe ({default.name}, the version in force from {default.version})"
        )
        return PolicyInForce(DEFAULT, default, Explanation(rule=reason, source=first.law))

    def _default_on(self, day: date) -> "DeadlinePolicy":
        default = self.policy(DEFAULT)
        version = default.version_on(day)
        if version is None:
            first = default.versions()[-1].version
            raise DeadlineError(f"no policy applies on {day}: even DEFAULT applies only from {first}")
        return version


class Explanation(PolicyModel):
    """A date's or a choice's rule in words, and the source it rests on."""

    rule: str
    source: str | None


class PolicyInForce(NamedTuple):
    """The policy a request received on some day runs on: its code (DEFAULT where the jurisdiction's
    law did not apply yet), the version, and why, in words."""

    code: str
    policy: DeadlinePolicy
    reason: Explanation


def parse_policies(text: str, source: str = "deadline policies") -> DeadlinePolicies:
    import yaml  # noqa: PLC0415 - needed only when the policy file is first read

    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise DeadlineError(f"{source}: not valid YAML: {error}") from error
    except ValueError as error:  # a date that does not exist, such as in_force_from: 2026-02-30
        raise DeadlineError(f"{source}: a date that does not exist: {error}") from error
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
    if separator and field.replace(".", "").replace("_", "").isalnum() and field.islower():
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


@cache
def supported_holiday_countries() -> dict[str, list[str]]:
    import holidays  # noqa: PLC0415 - slow to import: only when a table is checked

    return dict(holidays.list_supported_countries())
