"""The rules the request models check beyond a field's type, as their JSON Schema (and so the
OpenAPI documents) states them: a body the schema accepts, the model accepts, and the reverse."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from pydantic import BaseModel, ValidationError

from dsr.core.models import NewRequest
from dsr.review.approval import StaffDecision


def _documented_and_accepted(model: type[BaseModel], body: dict[str, Any]) -> tuple[bool, bool]:
    documented = jsonschema.Draft202012Validator(model.model_json_schema()).is_valid(body)
    try:
        model.model_validate(body)
    except ValidationError:
        return documented, False
    return documented, True


@pytest.mark.parametrize("reason", ["because", " x ", "\ufeff", "", " ", "\x85", "\x1c\x1f", "\u2028"])
def test_the_document_accepts_a_denial_reason_exactly_when_the_api_does(reason: str) -> None:
    documented, accepted = _documented_and_accepted(StaffDecision, {"decision": "deny", "reason": reason})

    assert documented == accepted


@pytest.mark.parametrize(
    ("request_types", "corrections"),
    [
        (["rectification"], []),
        (["rectification"], [{"field": "name", "corrected_value": "Ada"}]),
        (["access"], [{"field": "name", "corrected_value": "Ada"}]),
        (["access"], []),
        (["access"], [{"field": "\x85", "corrected_value": "Ada"}]),
    ],
)
def test_the_document_accepts_corrections_exactly_when_the_api_does(
    request_types: list[str], corrections: list[dict[str, str]]
) -> None:
    body = {
        "request_types": request_types,
        "subject": {"email": "ada@example.com", "name": "Ada"},
        "corrections": corrections,
    }

    documented, accepted = _documented_and_accepted(NewRequest, body)

    assert documented == accepted


@pytest.mark.parametrize(("country", "region"), [("US", "CA"), ("US", "ZZ"), (None, "CA"), ("GB", None)])
def test_the_document_never_accepts_a_region_the_api_refuses(country: str | None, region: str | None) -> None:
    body = {
        "request_types": ["access"],
        "subject": {"email": "ada@example.com"},
        "country": country,
        "region": region,
    }

    documented, accepted = _documented_and_accepted(NewRequest, body)

    assert accepted or not documented
