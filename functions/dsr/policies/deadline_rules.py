"""The building blocks of the deadline policy table (``dsr.policies.deadline_table``): a period
and how it is counted, the rules made of periods (acknowledge, respond, extend, opt out, appeal),
the clock, records, the holiday calendar and the rights a law gives. Each refuses what does not
fit, naming the field."""

from functools import cache
from typing import Annotated, Literal, Self

from pydantic import ConfigDict, Field, model_validator

from dsr.core.desk_model import DeskModel
from dsr.core.models import RequestType

CONTROLLER_COUNTRY_VARIABLE = "CONTROLLER_COUNTRY"

Unit = Literal["calendar_months", "calendar_days", "business_days"]
Counting = Literal["day_after_receipt", "day_of_receipt"]
Roll = Literal["none", "next_working_day"]
Text = Annotated[str, Field(min_length=1, max_length=500)]
ClockEvent = Annotated[str, Field(pattern=r"^[a-z][a-z_]{1,40}$")]

UNIT_WORDS = {
    "calendar_months": ("calendar month", "calendar months"),
    "calendar_days": ("calendar day", "calendar days"),
    "business_days": ("business day", "business days"),
}


class PolicyModel(DeskModel):
    """Unknown fields are refused, so a misspelt key is an error rather than silently ignored.

    Validators are built when first used, not at import: most functions never read this file."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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
            check_extension(self.extension, self.within, "extension")
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
            check_extension(self.extension, self.within, "extension")
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


def check_extension(extension: Extension, period: Period, where: str) -> None:
    if extension.cap is not None and extension.cap <= period.amount:
        raise ValueError(f"{where}.cap: {extension.cap} is not beyond the period of {period.amount}")


@cache
def supported_holiday_countries() -> dict[str, list[str]]:
    import holidays  # noqa: PLC0415 - slow to import: only when a table is checked

    return dict(holidays.list_supported_countries())
