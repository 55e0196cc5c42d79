from __future__ import annotations

import pytest

from dsr.staff_auth import ForbiddenError, NotSignedInError, StaffGroup, require


@pytest.mark.parametrize(
    "groups",
    [
        ["privacy-approver"],
        "privacy-approver",
        "[privacy-analyst privacy-approver]",
        "privacy-analyst,privacy-admin",
    ],
)
def test_group_claims_are_read_in_every_shape_an_authorizer_sends(groups: object) -> None:
    member = require({"sub": "1", "cognito:username": "sam", "cognito:groups": groups}, StaffGroup.APPROVER)

    assert member.username == "sam"


def test_an_analyst_may_not_approve() -> None:
    with pytest.raises(ForbiddenError):
        require({"sub": "1", "cognito:groups": ["privacy-analyst"]}, StaffGroup.APPROVER)


def test_an_unknown_group_gives_no_rights() -> None:
    with pytest.raises(ForbiddenError):
        require({"sub": "1", "cognito:groups": ["privacy-approvers"]}, StaffGroup.ANALYST)


@pytest.mark.parametrize("claims", [None, {}, {"cognito:groups": ["privacy-admin"]}])
def test_no_identity_means_not_signed_in(claims: dict | None) -> None:
    with pytest.raises(NotSignedInError):
        require(claims, StaffGroup.ANALYST)
