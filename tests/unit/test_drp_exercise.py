"""What each right exercised over the Data Rights Protocol becomes at the desk: the request types,
the jurisdiction, the relationship and the subject, and the claims the desk cannot take."""

from __future__ import annotations

import pytest

from dsr.agents.exercise import ExerciseRefused, new_request, read_exercise
from dsr.core.models import Relationship, RequestType

PERSON = {"agent-id": "A", "email": "ada@example.net"}


def _request(**claims: object) -> object:
    return new_request(
        read_exercise({**PERSON, **claims}), agent_name="Agent", agent_email="drp@agent.example"
    )


@pytest.mark.parametrize(
    ("exercise", "types"),
    [
        ("sale:opt-out", [RequestType.SALE_SHARING_OPT_OUT]),
        ("deletion", [RequestType.ERASURE]),
        ("access", [RequestType.ACCESS, RequestType.PORTABILITY]),
        ("access:specific", [RequestType.ACCESS, RequestType.PORTABILITY]),
        ("access:categories", [RequestType.ACCESS]),
    ],
)
def test_each_supported_right_becomes_the_desks_request_types(
    exercise: str, types: list[RequestType]
) -> None:
    assert _request(exercise=exercise, regime="ccpa").request_types == types  # type: ignore[attr-defined]


def test_an_opt_in_is_refused_as_unsupported() -> None:
    with pytest.raises(ExerciseRefused, match="unsupported"):
        read_exercise({**PERSON, "exercise": "sale:opt-in"})


def test_ccpa_is_california_and_without_a_regime_the_address_decides() -> None:
    assert _request(exercise="deletion", regime="ccpa").resolved_jurisdiction() == "US-CA"  # type: ignore[attr-defined]
    address = {"street_address": "1 Rue X", "locality": "Paris", "postal_code": "75001", "country": "France"}
    assert _request(exercise="deletion", address=address).resolved_jurisdiction() == "EU"  # type: ignore[attr-defined]
    virginian = {"locality": "Richmond", "region": "Virginia", "country": "US"}
    assert _request(exercise="deletion", address=virginian).resolved_jurisdiction() == "US-VA"  # type: ignore[attr-defined]


def test_relationship_hints_become_the_desks_relationship_where_one_fits() -> None:
    assert (
        _request(exercise="deletion", relationships=["customer"]).relationship
        is Relationship.CUSTOMER_CONTACT
    )  # type: ignore[attr-defined]
    assert _request(exercise="deletion", relationships=["brand-x"]).relationship is Relationship.OTHER  # type: ignore[attr-defined]


def test_a_power_of_attorney_goes_to_staff_as_any_agents_does() -> None:
    request = _request(exercise="deletion", power_of_attorney="https://agent.example/poa/123")
    assert request.agent is not None and request.agent.power_of_attorney  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("claims", "named"),
    [
        ({"exercise": "deletion", "phone_number": "555-0100"}, "phone_number"),
        ({"exercise": "deletion", "email_verified": "yes"}, "email_verified"),
        ({"exercise": "deletion", "regime": "gdpr"}, "regime"),
        ({"exercise": "erase"}, "exercise"),
    ],
)
def test_a_claim_the_desk_cannot_take_is_refused_naming_it(claims: dict[str, object], named: str) -> None:
    with pytest.raises(ExerciseRefused, match=named):
        _request(**claims)
