"""The public API: clear errors for bad input, and a status page only for the token holder."""

from __future__ import annotations

from dsr.desk import Desk
from dsr_cli.http_client import DeskClient
from tests.conftest import submit


def test_an_invalid_submission_names_each_invalid_field(public: DeskClient, desk: Desk) -> None:
    answer = public.post("/requests", {"request_types": ["teleport"], "subject": {"email": "not-an-address"}})

    assert answer.status == 422
    fields = {tuple(error["loc"][1:]) for error in answer.body["detail"]}
    assert ("request_types", 0) in fields
    assert ("subject", "email") in fields
    assert desk.store.open_requests() == []


def test_unknown_fields_are_refused_not_dropped(public: DeskClient) -> None:
    answer = submit(public, favourite_colour="blue")

    assert answer.status == 422
    assert ["body", "favourite_colour"] in [error["loc"] for error in answer.body["detail"]]


def test_malformed_json_gets_a_clear_error(public: DeskClient) -> None:
    answer = public.call("POST", "/requests", raw=b'{"request_types": [', content_type="application/json")

    assert answer.status == 422
    assert answer.body["detail"][0]["type"] == "json_invalid"


def test_status_page_shows_the_status_only_to_the_token_holder(public: DeskClient) -> None:
    receipt = submit(public).body
    request_id = receipt["request_id"]

    own = public.get(f"/requests/{request_id}?token={receipt['status_token']}")
    guessed = public.get(f"/requests/{request_id}?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    unknown = public.get(f"/requests/00000000-0000-4000-8000-000000000000?token={receipt['status_token']}")

    assert own.status == 200
    assert own.body["request_id"] == request_id
    assert set(own.body) == {
        "request_id",
        "status",
        "next_step",
        "request_types",
        "received_on",
        "respond_by",
    }
    assert (guessed.status, unknown.status) == (404, 404)
    assert guessed.body == unknown.body


def test_openapi_document_describes_the_public_routes(public: DeskClient) -> None:
    document = public.get("/openapi.json").body

    assert document["openapi"].startswith("3.")
    assert "/requests" in document["paths"]
    assert "/requests/{request_id}/verification" in document["paths"]
