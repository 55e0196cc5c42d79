"""Any body sent to POST /requests ends as a recorded request or a clear 4xx naming the problem."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsr.core.models import Relationship, RequestType
from dsr.wiring.desk import Desk, desk_from_environment
from dsr_cli.http_client import DeskClient
from dsr_cli.local import running_local_cloud

# One worker runs every test here: they share the module's one local cloud.
pytestmark = pytest.mark.xdist_group("intake-properties")


@pytest.fixture(scope="module")
def shared_api() -> Iterator[tuple[DeskClient, Desk]]:
    """One local cloud for the whole module: these tests only submit, they never wait."""
    with running_local_cloud() as api:
        yield DeskClient(api.cloud.base_url), desk_from_environment()


@pytest.mark.parametrize("request_type", list(RequestType))
def test_every_request_type_can_be_submitted(
    shared_api: tuple[DeskClient, Desk], request_type: RequestType
) -> None:
    public, desk = shared_api
    payload: dict[str, Any] = {
        "request_types": [request_type.value],
        "subject": {"email": f"{request_type.value}@example.com"},
    }
    if request_type is RequestType.RECTIFICATION:
        payload["corrections"] = [{"field": "name", "corrected_value": "Ada King"}]

    answer = public.post("/requests", payload)

    assert answer.status == 201, answer.body
    assert desk.store.get(answer.body["request_id"]).request_types == [request_type]


@pytest.mark.parametrize("relationship", list(Relationship))
def test_every_relationship_can_be_stated(
    shared_api: tuple[DeskClient, Desk], relationship: Relationship
) -> None:
    public, desk = shared_api
    answer = public.post(
        "/requests",
        {
            "request_types": ["access"],
            "subject": {"email": f"{relationship.value}@example.org"},
            "relationship": relationship.value,
        },
    )

    assert answer.status == 201, answer.body
    assert desk.store.get(answer.body["request_id"]).relationship is relationship


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
plausible_bodies = st.fixed_dictionaries(
    {
        "request_types": st.lists(st.sampled_from([*[t.value for t in RequestType], "teleport"]), max_size=3),
        "subject": st.fixed_dictionaries(
            {"email": st.sampled_from(["ada@example.com", "not-an-email", "", "x@y"])},
            optional={
                "name": st.text(max_size=40),
                "phone": st.sampled_from(["+442071234567", "12", "call me", "+1 202 555 0143"]),
                "account_id": st.text(max_size=20),
            },
        ),
    },
    optional={
        "relationship": st.sampled_from([*[r.value for r in Relationship], "friend"]),
        "jurisdiction": st.sampled_from(["EU", "US-CA", "MARS", "DEFAULT"]),
        "country": st.text(max_size=3),
        "details": st.text(max_size=100),
        "corrections": st.lists(
            st.fixed_dictionaries({"field": st.text(max_size=10), "corrected_value": st.text(max_size=10)}),
            max_size=2,
        ),
        "unexpected": json_values,
    },
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(plausible_bodies, json_values))
def test_any_json_body_is_recorded_or_refused_with_a_reason(
    shared_api: tuple[DeskClient, Desk], body: Any
) -> None:
    public, desk = shared_api

    answer = public.call("POST", "/requests", raw=json.dumps(body).encode(), content_type="application/json")

    # 429: the rate limits per address and per subject are real here too (all from 127.0.0.1)
    assert answer.status in {201, 422, 429}, answer.body
    if answer.status == 429:
        assert answer.body == {"message": "Too many attempts; try again later."}
    elif answer.status == 201:
        recorded = desk.store.get(answer.body["request_id"])
        assert set(recorded.request_types) == set(body["request_types"])
        # Its execution may already be under way: where a subject or staff must answer, it waits
        # (an opt-out asks for no verification, so it can be waiting for approval already).
        assert recorded.status.value in {"RECEIVED", "VERIFYING", "AWAITING_APPROVAL"}
    else:
        assert answer.body["detail"], "a refusal names what is wrong"
        assert all(problem["msg"] for problem in answer.body["detail"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    raw=st.binary(max_size=200),
    content_type=st.sampled_from(["application/json", "text/plain", "", "application/xml"]),
)
def test_any_bytes_get_an_answer_below_500(
    shared_api: tuple[DeskClient, Desk], raw: bytes, content_type: str
) -> None:
    public, _ = shared_api

    answer = public.call("POST", "/requests", raw=raw, content_type=content_type or None)

    assert 400 <= answer.status < 500 or answer.status == 201
