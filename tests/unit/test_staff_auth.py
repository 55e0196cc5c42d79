from __future__ import annotations

import pytest

from dsr.staff.auth import ForbiddenError, NotSignedInError, StaffGroup, require
from local_cloud.staff_tokens import LocalTokenIssuer


@pytest.mark.parametrize(
    "groups", ["privacy-approver", "privacy-analyst,privacy-approver", "other-team,privacy-admin"]
)
def test_group_claims_are_read_as_the_rest_apis_cognito_authorizer_sends_them(groups: str) -> None:
    member = require({"sub": "1", "cognito:username": "sam", "cognito:groups": groups}, StaffGroup.APPROVER)

    assert member.username == "sam"


@pytest.mark.parametrize(
    "groups",
    [
        "[privacy-analyst privacy-approver]",
        "[privacy-approver]",
        "privacy-analyst, privacy-approver",
        " privacy-approver",
        "privacy-analyst;privacy-approver",
        ["privacy-approver"],
        {"privacy-approver": True},
    ],
)
def test_group_claims_in_any_other_shape_give_no_rights(groups: object) -> None:
    with pytest.raises(ForbiddenError):
        require({"sub": "1", "cognito:username": "sam", "cognito:groups": groups}, StaffGroup.APPROVER)


def test_the_local_cloud_hands_claims_over_as_api_gateway_does() -> None:
    issuer = LocalTokenIssuer()

    claims = issuer.claims(f"Bearer {issuer.issue('approver@desk.example')}")

    assert claims["cognito:groups"] == "privacy-approver"
    assert all(isinstance(value, str) for value in claims.values())
    assert require(claims, StaffGroup.APPROVER).username == "approver@desk.example"


def test_an_analyst_may_not_approve() -> None:
    with pytest.raises(ForbiddenError):
        require({"sub": "1", "cognito:groups": "privacy-analyst"}, StaffGroup.APPROVER)


def test_an_unknown_group_gives_no_rights() -> None:
    with pytest.raises(ForbiddenError):
        require({"sub": "1", "cognito:groups": "privacy-approvers"}, StaffGroup.ANALYST)


@pytest.mark.parametrize("claims", [None, {}, {"cognito:groups": "privacy-admin"}])
def test_no_identity_means_not_signed_in(claims: dict | None) -> None:
    with pytest.raises(NotSignedInError):
        require(claims, StaffGroup.ANALYST)
