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
from typing import Annotated, Any, NamedTuple, Self

from pydantic import Field, PrivateAttr, TypeAdapter, ValidationError, model_validator

from dsr.core.jurisdictions import DEFAULT, JURISDICTIONS
from dsr.core.models import RequestType
from dsr.core.yaml_text import parse_yaml
from dsr.policies.deadline_rules import (
    AcknowledgeRule,
    AppealRule,
    Clock,
    Extension,
    HolidaySource,
    OptOutRule,
    PolicyModel,
    Records,
    Rights,
    Rule,
    Text,
    TypeRule,
    check_extension,
)

POLICY_PATH = Path(__file__).parents[1] / "config" / "deadline_policies.yaml"
POLICY_PATH_VARIABLE = "DEADLINE_POLICIES_PATH"

PolicyCode = Annotated[str, Field(pattern=r"^(DEFAULT|[A-Z]{2}(-[A-Z0-9]{1,3})?)$")]


class DeadlineError(ValueError):
    """A policy table, jurisdiction, date or request type that cannot be used; the message says why."""


# ------------------------------------------------------------------------------ the table


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
            check_extension(self.extension, self.respond.within, "extension")
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
        document = parse_yaml(text)
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
