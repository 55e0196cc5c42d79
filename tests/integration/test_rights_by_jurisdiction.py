"""The rights each jurisdiction's law gives: every right honoured everywhere by default, only the
law's where the company says so, and staff told which is which."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from dsr.wiring.desk import Desk, desk_from_environment
from dsr_cli.http_client import DeskClient
from local_cloud.http_api import LocalApi
from tests.support import submit

FORM = "application/x-www-form-urlencoded"
# California's law (the CPRA's version, from 2023-01-01) gives no right to object; the desk knows
# the type, and the EU's law gives it.
CCPA_VERSION = "California CCPA/CPRA, the version in force from 2023-01-01"


@pytest.fixture
def law_only(local_api: LocalApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HONOUR_EVERY_RIGHT", "false")
    desk_from_environment.cache_clear()  # the functions read their settings again


def test_by_default_every_right_is_taken_in_and_staff_see_which_the_law_gives(
    public: DeskClient, approver: DeskClient
) -> None:
    answer = submit(public, jurisdiction="US-CA", request_types=["access", "objection"])
    assert answer.status == 201, answer.body

    detail = approver.get(f"/staff/requests/{answer.body['request_id']}").body

    assert detail["rights"] == [
        {"request_type": "access", "legal": True, "basis": f"a legal right: {CCPA_VERSION}"},
        {
            "request_type": "objection",
            "legal": False,
            "basis": f"honoured voluntarily: {CCPA_VERSION} gives no such right",
        },
    ]


@pytest.mark.usefixtures("law_only")
def test_where_only_the_law_is_honoured_the_api_refuses_a_right_it_does_not_give(
    public: DeskClient, desk: Desk
) -> None:
    refused = submit(public, jurisdiction="US-CA", request_types=["access", "objection"])

    assert refused.status == 400
    assert refused.body["message"].startswith(
        "objection: not a right California CCPA/CPRA gives in US-CA (the version in force from 2023-01-01)"
    )
    assert desk.store.open_requests() == []
    assert submit(public, jurisdiction="US-CA", request_types=["access"]).status == 201
    assert submit(public, jurisdiction="EU", request_types=["objection"]).status == 201
    # Where no law of the table applies, the company's default takes every type.
    assert submit(public, country="NZ", request_types=["objection"]).status == 201


@pytest.mark.usefixtures("law_only")
def test_where_only_the_law_is_honoured_the_form_offers_the_rights_where_the_person_lives(
    public: DeskClient, desk: Desk
) -> None:
    unplaced = public.get("/privacy-request").body
    californian = public.get("/privacy-request?country=US&region=CA").body

    assert 'class="place"' in unplaced and 'value="objection"' in unplaced
    assert 'value="sale_sharing_opt_out"' in californian
    assert 'value="objection"' not in californian
    assert 'id="place-region" name="region" value="CA"' in californian

    fields = [
        ("request_types", "objection"),
        ("email", "ada@example.com"),
        ("country", "US"),
        ("region", "CA"),
    ]
    answer = public.call("POST", "/privacy-request", raw=urlencode(fields).encode(), content_type=FORM)

    assert answer.status == 422
    assert (
        "\u201cStop processing my data for your legitimate interests\u201d: not a right the privacy law "
        "where you live gives (US-CA). Choose from those listed."
    ) in answer.body.replace("&#x27;", "'")
    assert 'value="objection"' not in answer.body
    assert desk.store.open_requests() == []


def test_by_default_the_form_offers_every_right_without_asking_where_first(public: DeskClient) -> None:
    page = public.get("/privacy-request?country=US&region=CA").body

    assert 'value="objection"' in page
    assert 'class="place"' not in page
