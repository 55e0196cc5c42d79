"""Who may do what in the staff API. The claims come from the Cognito authorizer in AWS and from
the local cloud's token check locally, which hands them over in the same shape (every claim a
string); this code reads them the same way in both."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, NamedTuple

from dsr.core.refusals import NotPermittedError, SignInRequiredError
from dsr.core.staff_catalog import staff_text


class StaffGroup(StrEnum):
    ANALYST = "privacy-analyst"
    APPROVER = "privacy-approver"
    ADMIN = "privacy-admin"


# Each group may do what the groups before it may do.
RANK = {StaffGroup.ANALYST: 1, StaffGroup.APPROVER: 2, StaffGroup.ADMIN: 3}


# What each group adds, by name, for the console to offer only what the API will allow. The API
# checks the group itself on every call; this list only shapes the page.
ABILITIES = {
    StaffGroup.ANALYST: ("view", "ask", "confirm", "triage"),
    StaffGroup.APPROVER: (
        "decide",
        "extend",
        "rerun",
        "power_of_attorney",
        "cancel",
        "bulk",
        "review_package",
    ),
    StaffGroup.ADMIN: ("reports", "agents"),
}


# The authorization matrix: the least group each staff route needs, by method and the route's
# template path (API Gateway's ``resource``). Checked before anything else reads the call, so a
# caller outside the group learns nothing from validation errors; a route missing here is refused.
ROUTE_GROUPS: dict[tuple[str, str], StaffGroup] = {
    ("GET", "/staff/me"): StaffGroup.ANALYST,
    ("GET", "/staff/openapi.json"): StaffGroup.ANALYST,
    ("GET", "/staff/requests"): StaffGroup.ANALYST,
    ("GET", "/staff/requests/{request_id}"): StaffGroup.ANALYST,
    ("GET", "/staff/floods"): StaffGroup.ANALYST,
    ("POST", "/staff/requests/{request_id}/identity"): StaffGroup.ANALYST,
    ("POST", "/staff/requests/{request_id}/triage"): StaffGroup.ANALYST,
    ("POST", "/staff/requests/{request_id}/evidence"): StaffGroup.ANALYST,
    ("POST", "/staff/requests/{request_id}/deletion-certificate"): StaffGroup.ANALYST,
    ("GET", "/staff/appeals"): StaffGroup.ANALYST,
    ("GET", "/staff/dashboard"): StaffGroup.ANALYST,
    ("GET", "/staff/triage"): StaffGroup.ANALYST,
    ("POST", "/staff/triage/{triage_id}/resolution"): StaffGroup.ANALYST,
    ("POST", "/staff/suppression/check"): StaffGroup.ANALYST,
    ("POST", "/staff/requests/{request_id}/information-request"): StaffGroup.ANALYST,
    ("POST", "/staff/requests/{request_id}/information-received"): StaffGroup.ANALYST,
    ("POST", "/staff/requests/{request_id}/systems/{system_id}/{action}/confirmation"): StaffGroup.ANALYST,
    ("POST", "/staff/requests/{request_id}/decision"): StaffGroup.APPROVER,
    ("POST", "/staff/bulk"): StaffGroup.APPROVER,
    ("POST", "/staff/requests/{request_id}/rerun"): StaffGroup.APPROVER,
    ("POST", "/staff/requests/{request_id}/cancel"): StaffGroup.APPROVER,
    ("POST", "/staff/requests/{request_id}/extension"): StaffGroup.APPROVER,
    ("POST", "/staff/requests/{request_id}/power-of-attorney"): StaffGroup.APPROVER,
    ("GET", "/staff/packages"): StaffGroup.APPROVER,
    ("GET", "/staff/requests/{request_id}/package"): StaffGroup.APPROVER,
    ("GET", "/staff/requests/{request_id}/package/systems/{system_id}"): StaffGroup.APPROVER,
    ("POST", "/staff/requests/{request_id}/package/redactions"): StaffGroup.APPROVER,
    ("POST", "/staff/requests/{request_id}/package/redactions/removal"): StaffGroup.APPROVER,
    ("POST", "/staff/requests/{request_id}/package/release"): StaffGroup.APPROVER,
    ("POST", "/staff/requests/{request_id}/appeal/decision"): StaffGroup.APPROVER,
    ("POST", "/staff/requests/{request_id}/appeal/extension"): StaffGroup.APPROVER,
    ("GET", "/staff/reports/metrics"): StaffGroup.ADMIN,
    ("GET", "/staff/agents"): StaffGroup.ADMIN,
    ("POST", "/staff/agents"): StaffGroup.ADMIN,
    ("POST", "/staff/agents/{agent_id}/status"): StaffGroup.ADMIN,
}


class NotSignedInError(PermissionError, SignInRequiredError):
    """No verified identity on the call."""


class ForbiddenError(PermissionError, NotPermittedError):
    """Signed in, but not in a group allowed to do this."""


class StaffMember(NamedTuple):
    username: str
    groups: frozenset[StaffGroup]

    def may(self, needed: StaffGroup) -> bool:
        return any(RANK[group] >= RANK[needed] for group in self.groups)

    def abilities(self) -> list[str]:
        return [ability for group in StaffGroup if self.may(group) for ability in ABILITIES[group]]


def staff_member_from(claims: Mapping[str, Any] | None) -> StaffMember:
    if not claims or not claims.get("sub"):
        raise NotSignedInError(staff_text("sign in as staff to use this API"))
    username = str(claims.get("cognito:username") or claims.get("email") or claims["sub"])
    return StaffMember(username=username, groups=frozenset(_groups(claims.get("cognito:groups"))))


def require(claims: Mapping[str, Any] | None, needed: StaffGroup) -> StaffMember:
    member = staff_member_from(claims)
    if not member.may(needed):
        raise ForbiddenError(staff_text("this action needs the %(group)s group", group=needed.value))
    return member


def authorize_route(method: str, resource: str, claims: Mapping[str, Any] | None) -> StaffMember:
    """The staff member calling ``method resource``, if their group may; raises otherwise."""
    needed = ROUTE_GROUPS.get((method.upper(), resource))
    member = staff_member_from(claims)
    if needed is None:
        raise ForbiddenError(staff_text("this route is not open to staff"))
    if not member.may(needed):
        raise ForbiddenError(staff_text("this action needs the %(group)s group", group=needed.value))
    return member


def _groups(raw: Any) -> list[StaffGroup]:
    """The ``cognito:groups`` claim as the REST API's Cognito authorizer hands it over: every claim
    a string, a list of groups joined by commas ("privacy-analyst,privacy-approver"). Nothing
    looser: a name counts only when it is exactly a group's name, so brackets, spaces or any other
    rendering give no rights, and neither does a claim that is not a string."""
    if not isinstance(raw, str) or not raw:
        return []
    return [StaffGroup(name) for name in raw.split(",") if name in StaffGroup._value2member_map_]
