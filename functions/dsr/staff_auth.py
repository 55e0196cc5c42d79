"""Who may do what in the staff API. The claims come from the Cognito authorizer in AWS and from
the local cloud's token check locally; this code reads them the same way in both."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class StaffGroup(StrEnum):
    ANALYST = "privacy-analyst"
    APPROVER = "privacy-approver"
    ADMIN = "privacy-admin"


# Each group may do what the groups before it may do.
RANK = {StaffGroup.ANALYST: 1, StaffGroup.APPROVER: 2, StaffGroup.ADMIN: 3}


class NotSignedInError(PermissionError):
    """No verified identity on the call."""


class ForbiddenError(PermissionError):
    """Signed in, but not in a group allowed to do this."""


@dataclass(frozen=True)
class StaffMember:
    username: str
    groups: frozenset[StaffGroup]

    def may(self, needed: StaffGroup) -> bool:
        return any(RANK[group] >= RANK[needed] for group in self.groups)


def staff_member_from(claims: Mapping[str, Any] | None) -> StaffMember:
    if not claims or not claims.get("sub"):
        raise NotSignedInError("sign in as staff to use this API")
    username = str(claims.get("cognito:username") or claims.get("email") or claims["sub"])
    return StaffMember(username=username, groups=frozenset(_groups(claims.get("cognito:groups"))))


def require(claims: Mapping[str, Any] | None, needed: StaffGroup) -> StaffMember:
    member = staff_member_from(claims)
    if not member.may(needed):
        raise ForbiddenError(f"this action needs the {needed.value} group")
    return member


def _groups(raw: Any) -> list[StaffGroup]:
    """REST API authorizers pass list claims as a string ("[a b]" or "a,b"); tokens as a list."""
    names = raw if isinstance(raw, list) else re.split(r"[\s,\[\]]+", str(raw or ""))
    return [StaffGroup(name) for name in names if name in StaffGroup._value2member_map_]
