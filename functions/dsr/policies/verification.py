"""How sure the desk must be of who is asking, per request type and jurisdiction.

The rules live in ``config/verification.yaml`` with the reason beside each one, so a privacy
lawyer can audit them and a company can make them stricter without touching code.
"""

from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, Field

from dsr.core.desk_model import DeskModel
from dsr.core.models import PrivacyRequest, Relationship, RequestType
from dsr.core.yaml_text import parse_yaml

POLICY_PATH = Path(__file__).parents[1] / "config" / "verification.yaml"


class Level(StrEnum):
    NONE = "none"
    EMAIL = "email"
    MATCHED = "matched"
    ACCOUNT = "account"


LEVEL_ORDER = [Level.NONE, Level.EMAIL, Level.MATCHED, Level.ACCOUNT]
ClockRule = Literal["keeps_running", "restarts"]
Comparison = Literal["phone", "postal_code", "amount", "month", "exact"]


class Rule(DeskModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    level: Level
    reason: str = Field(min_length=10)
    data_points: int = Field(default=0, ge=0, le=4)
    account_data_points: int | None = Field(default=None, ge=1, le=4)


class JurisdictionRules(DeskModel):
    model_config = ConfigDict(extra="forbid")

    reason: str
    types: dict[RequestType, Rule] = Field(default_factory=dict)
    clock_on_verification: ClockRule | None = None


class DataPoint(DeskModel):
    model_config = ConfigDict(extra="forbid")

    attribute: str
    compare: Comparison
    label: str


class DataPointSource(DeskModel):
    model_config = ConfigDict(extra="forbid")

    source_system: str
    points: dict[str, DataPoint] = Field(min_length=1)


class Requirement(DeskModel):
    """What one request needs: a level, how many data points, and why."""

    level: Level
    data_points: int
    reasons: list[str]
    clock_on_verification: ClockRule


AgentAcceptance = Literal[
    "agent_verified_email", "agent_verified_email_and_matching_claims", "person_confirms"
]


class AgentRule(DeskModel):
    """What an authorized agent's verified claims (Data Rights Protocol) count for at one level."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    accepts: AgentAcceptance
    reason: str = Field(min_length=10)


class VerificationPolicy(DeskModel):
    model_config = ConfigDict(extra="forbid")

    version: str
    types: dict[RequestType, Rule]
    account_holders: Rule
    jurisdictions: dict[str, JurisdictionRules] = Field(default_factory=dict)
    clock_on_verification: ClockRule
    data_points: DataPointSource
    authorized_agents: dict[Level, AgentRule] = Field(default_factory=dict)

    def rule_for(self, request_type: RequestType, jurisdiction: str) -> Rule:
        override = self.jurisdictions.get(jurisdiction)
        if override and request_type in override.types:
            return override.types[request_type]
        if request_type not in self.types:
            raise KeyError(f"the verification policy has no rule for {request_type.value}")
        return self.types[request_type]

    def requirement_for(self, request: PrivacyRequest, *, account_login: bool = True) -> Requirement:
        """The strictest rule among the request's types; account holders sign in instead, when
        the product's login can vouch for them (``account_login``)."""
        rules = [self.rule_for(t, request.jurisdiction) for t in request.request_types]
        strictest = max(rules, key=lambda rule: (LEVEL_ORDER.index(rule.level), rule.data_points))
        points = max(self._points(rule, request) for rule in rules)
        requirement = Requirement(
            level=strictest.level,
            data_points=points if strictest.level is Level.MATCHED else 0,
            reasons=sorted({rule.reason for rule in rules}),
            clock_on_verification=self.clock_rule(request.jurisdiction),
        )
        if (
            account_login
            and requirement.level in (Level.MATCHED, Level.ACCOUNT)
            and _is_account_holder(request)
        ):
            return requirement.model_copy(
                update={"level": Level.ACCOUNT, "data_points": 0, "reasons": [self.account_holders.reason]}
            )
        return requirement

    def clock_rule(self, jurisdiction: str) -> ClockRule:
        override = self.jurisdictions.get(jurisdiction)
        if override and override.clock_on_verification:
            return override.clock_on_verification
        return self.clock_on_verification

    def _points(self, rule: Rule, request: PrivacyRequest) -> int:
        if rule.account_data_points and request.relationship is Relationship.ACCOUNT_HOLDER:
            return rule.account_data_points
        return rule.data_points


def _is_account_holder(request: PrivacyRequest) -> bool:
    return request.relationship is Relationship.ACCOUNT_HOLDER and bool(request.subject.account_id)


@cache
def load_policy(path: Path = POLICY_PATH) -> VerificationPolicy:
    return VerificationPolicy.model_validate(parse_yaml(path.read_text(encoding="utf-8")))
