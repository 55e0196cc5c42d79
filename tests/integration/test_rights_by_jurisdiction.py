"""The rights a person may ask for: those their jurisdiction's law gives, and those the company's
privacy policy promises everyone (by default, to review, correct and delete their data and to
unsubscribe); staff told which is which."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from dsr.core.models import RequestType
from dsr.core.request_type_labels import REQUEST_TYPE_LABELS
from dsr.wiring.desk import Desk, desk_from_environment
from dsr_cli.http_client import DeskClient
from local_cloud.http_api import LocalApi
from tests.support import submit

FORM = "application/x-www-form-urlencoded"
# California's law (in December 2026, the CPRA's version; automated decisions come in 2027) gives
# no right to object, and the company does not promise it everywhere; the EU's law gives it.
# Iowa's law gives no right to correct; the company's privacy policy promises it to everyone.
IOWA_VERSION = "Iowa ICDPA, the version in force from 2025-01-01"


@pytest.fixture
def every_right(local_api: LocalApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RIGHTS_OFFERED_EVERYWHERE", "all")
    desk_from_environment.cache_clear()  # the functions read their settings again


def test_a_right_the_company_promises_everyone_is_taken_in_and_staff_see_it_is_not_the_laws(
    public: DeskClient, approver: DeskClient
) -> None:
    answer = submit(
        public,
        jurisdiction="US-IA",
        request_types=["access", "rectification"],
        corrections=[{"field": "name", "corrected_value": "Augusta Ada King"}],
    )
    assert answer.status == 201, answer.body

    detail = approver.get(f"/staff/requests/{answer.body['request_id']}").body

    assert detail["rights"] == [
        {"request_type": "access", "legal": True, "basis": f"a legal right: {IOWA_VERSION}"},
        {
            "request_type": "rectification",
            "legal": False,
            "basis": f"honoured voluntarily: {IOWA_VERSION} gives no such right",
        },
    ]


def test_the_api_refuses_a_right_neither_the_law_gives_nor_the_company_promises(
    public: DeskClient, desk: Desk
) -> None:
    refused = submit(public, jurisdiction="US-CA", request_types=["access", "objection"])

    assert refused.status == 400
    assert refused.body["message"].startswith(
        "objection: not a right California CCPA/CPRA gives in US-CA (the version in force from 2023-01-01)"
    )
    assert "the rights you may ask for: access, portability, erasure" in refused.body["message"]
    assert desk.store.open_requests() == []
    assert submit(public, jurisdiction="US-CA", request_types=["access"]).status == 201
    assert submit(public, jurisdiction="EU", request_types=["objection"]).status == 201
    # Where no law of the table applies, the company's default takes every type.
    assert submit(public, country="NZ", request_types=["objection"]).status == 201


def test_the_apis_refusal_of_a_right_is_said_in_the_language_asked_for(public: DeskClient) -> None:
    payload = {
        "request_types": ["access", "objection"],
        "subject": {"email": "ada@example.com"},
        "jurisdiction": "US-CA",
    }

    refused = public.call("POST", "/requests", payload, headers={"Accept-Language": "es"})

    assert refused.status == 400
    assert refused.body["message"] == (
        "\u201cDejar de tratar mis datos para sus intereses legítimos\u201d: donde usted vive, la ley "
        "CCPA/CPRA (California) no le da este derecho, y no lo ofrecemos a todos. Los derechos que puede "
        "ejercer: access, portability, erasure, rectification, marketing_opt_out, sale_sharing_opt_out, "
        "limit_sensitive."
    )


def test_the_form_offers_the_rights_where_the_person_lives_and_refuses_others(
    public: DeskClient, desk: Desk
) -> None:
    unplaced = public.get("/privacy-request").body
    californian = public.get("/privacy-request?country=US&region=CA").body
    iowan = public.get("/privacy-request?country=US&region=IA").body

    assert 'class="place"' in unplaced and 'value="objection"' in unplaced
    assert 'value="sale_sharing_opt_out"' in californian and 'value="limit_sensitive"' in californian
    assert 'value="admt_opt_out"' not in californian  # California's right from 1 January 2027
    assert 'value="objection"' not in californian
    assert 'id="place-region" name="region" value="CA"' in californian
    assert 'value="rectification"' in iowan and 'value="admt_opt_out"' not in iowan

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
        "where you live (California CCPA/CPRA) gives, nor one we offer everyone. Choose from those listed."
    ) in answer.body.replace("&#x27;", "'")
    assert 'value="objection"' not in answer.body
    assert desk.store.open_requests() == []


@pytest.mark.usefixtures("every_right")
def test_a_company_that_offers_every_right_everywhere_asks_nowhere_first(public: DeskClient) -> None:
    page = public.get("/privacy-request?country=US&region=CA").body

    assert 'value="objection"' in page
    assert 'class="place"' not in page
    assert submit(public, jurisdiction="US-CA", request_types=["objection"]).status == 201


def test_the_form_says_which_law_it_recognised_where_the_person_lives(public: DeskClient) -> None:
    unplaced = public.get("/privacy-request").body
    oregonian = public.get("/privacy-request?country=US&region=OR").body
    new_zealander = public.get("/privacy-request?country=NZ").body

    recognised = "Where you live, the privacy law Oregon OCPA gives you these rights"
    no_law = "We know of no privacy law that applies where you live, so we offer you every right"
    assert recognised in oregonian
    assert oregonian.index(recognised) < oregonian.index('value="access"')  # above the choices
    assert no_law in new_zealander and 'value="objection"' in new_zealander
    assert "Where you live, the privacy law" not in unplaced and no_law not in unplaced
    assert "form.place{margin:0 0 2rem}" in unplaced  # room between the button and the heading below


def test_a_right_the_law_gives_later_is_refused_saying_from_when(public: DeskClient, desk: Desk) -> None:
    api = submit(public, jurisdiction="US-CA", request_types=["admt_opt_out"])
    fields = [
        ("request_types", "admt_opt_out"),
        ("email", "ada@example.com"),
        ("country", "US"),
        ("region", "CA"),
    ]
    form = public.call("POST", "/privacy-request", raw=urlencode(fields).encode(), content_type=FORM)

    assert api.status == 400
    assert "(the version in force from 2023-01-01; admt_opt_out from 2027-01-01)" in api.body["message"]
    assert form.status == 422
    label = REQUEST_TYPE_LABELS[RequestType.ADMT_OPT_OUT]
    assert f"{label}: California CCPA/CPRA gives it from 1 January 2027." in form.body.replace("&#x27;", "'")
    assert desk.store.open_requests() == []
