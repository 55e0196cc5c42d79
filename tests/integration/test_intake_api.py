"""The public API: clear errors for bad input, and a status page only for the token holder."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import boto3
import pytest

from dsr.core.catalogs import gettext
from dsr.core.keyed_hash import normalized_email
from dsr.core.models import Channel, Status
from dsr.notices.public_views import NEXT_STEPS
from dsr.web.http_guards import json_depth
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud
from tests.support import submit, verification_code


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
        "closed_on",
        "linked_to",
        "can_appeal_until",
        "appeal",
        "preference_signal",
    }
    assert (own.body["can_appeal_until"], own.body["appeal"]) == (None, None)
    assert (guessed.status, unknown.status) == (404, 404)
    assert guessed.body == unknown.body


def test_openapi_document_describes_the_public_routes(public: DeskClient) -> None:
    document = public.get("/openapi.json").body

    assert document["openapi"].startswith("3.")
    assert "/requests" in document["paths"]
    assert "/requests/{request_id}/verification" in document["paths"]


def test_the_api_documentation_page_shows_the_openapi_document(public: DeskClient) -> None:
    page = public.get("/swagger")
    document = public.get("/openapi.json").body

    assert page.status == 200
    assert isinstance(page.body, str) and "SwaggerUIBundle" in page.body
    # The document itself, inside the page's script, as the JSON route gives it.
    assert '"title": "Privacy request API"' in page.body
    assert all(f'"{path}"' in page.body for path in document["paths"])


def test_a_body_over_the_limit_is_refused_with_413(public: DeskClient, desk: Desk) -> None:
    answer = submit(public, details="x" * (600 * 1024))

    assert answer.status == 413
    assert "larger than" in answer.body["message"]
    assert desk.store.open_requests() == []


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"request_types":["access"],"subject":{"email":"ada@example.com"},"details":'
        + '{"x":' * 5_000
        + "1"
        + "}" * 5_000
        + "}",
    ],
    ids=["arrays", "objects"],
)
def test_a_body_nested_too_deeply_is_refused_before_it_is_parsed(
    public: DeskClient, desk: Desk, body: str
) -> None:
    answer = public.call("POST", "/requests", raw=body.encode(), content_type="application/json")

    assert answer.status == 400
    assert answer.body["message"] == "The request body nests deeper than 32 levels."
    assert desk.store.open_requests() == []


def test_json_depth_counts_brackets_outside_strings_only() -> None:
    assert json_depth('{"a": [1, {"b": []}]}') == 4
    assert json_depth('{"a": "[[[[{{{{", "b": "\\"}') == 1
    assert json_depth('"just a string with ] and ["') == 0


def test_a_body_that_is_not_json_is_refused_with_415(public: DeskClient) -> None:
    answer = public.call("POST", "/requests", raw=b"request_types=access", content_type="text/plain")

    assert answer.status == 415
    assert "application/json" in answer.body["message"]


def test_a_repeated_idempotency_key_returns_the_first_answer(public: DeskClient, desk: Desk) -> None:
    payload = {"request_types": ["access"], "subject": {"email": "ada@example.com"}}
    first = public.call("POST", "/requests", payload, headers={"Idempotency-Key": "form-7f3a"})
    again = public.call("POST", "/requests", payload, headers={"Idempotency-Key": "form-7f3a"})
    other = public.call(
        "POST", "/requests", {**payload, "details": "changed"}, headers={"Idempotency-Key": "form-7f3a"}
    )

    assert (first.status, again.status) == (201, 201)
    assert again.body == first.body
    assert other.status == 409
    assert len(desk.store.open_requests()) == 1


def test_a_different_request_type_from_the_same_subject_is_its_own_request(
    public: DeskClient, desk: Desk
) -> None:
    submit(public, request_types=["access"])
    submit(public, request_types=["erasure"])

    assert len(desk.store.open_requests()) == 2


def test_global_privacy_control_opts_the_person_out_of_sale_by_a_request_of_its_own(
    public: DeskClient, desk: Desk
) -> None:
    answer = public.call(
        "POST",
        "/requests",
        {
            "request_types": ["access"],
            "subject": {"email": "grace@example.org"},
            "country": "US",
            "region": "CA",
        },
        headers={"Sec-GPC": "1"},
    )

    record = desk.store.get(answer.body["request_id"])
    assert [t.value for t in record.request_types] == ["access"]  # not an email unsubscribe
    assert record.global_privacy_control is True
    subject_hash = desk.hasher.digest(normalized_email("grace@example.org"))
    (opt_out,) = [r for r in desk.store.requests_of_subject(subject_hash) if r != record.request_id]
    signalled = desk.store.get(opt_out)
    assert signalled.channel is Channel.GPC
    assert [t.value for t in signalled.request_types] == ["sale_sharing_opt_out"]
    assert signalled.jurisdiction == "US-CA"


def test_jurisdiction_is_inferred_from_where_the_subject_lives(public: DeskClient, desk: Desk) -> None:
    german = submit(public, country="DE").body["request_id"]
    californian = submit(public, subject={"email": "grace@example.org"}, country="US", region="CA").body
    stated = submit(public, subject={"email": "alan@example.net"}, country="DE", jurisdiction="UK").body

    assert desk.store.get(german).jurisdiction == "EU"
    assert desk.store.get(californian["request_id"]).jurisdiction == "US-CA"
    assert desk.store.get(stated["request_id"]).jurisdiction == "UK"


def test_phone_numbers_are_stored_in_e164(public: DeskClient, desk: Desk) -> None:
    answer = submit(
        public,
        subject={
            "email": "ada@example.com",
            "phone": "020 7123 4567",
            "postal_address": {"street": "1 Example Row", "city": "London", "country": "GB"},
        },
    )

    assert desk.store.get(answer.body["request_id"]).subject.phone == "+442071234567"


def test_rectification_needs_the_corrections_field_by_field(public: DeskClient, desk: Desk) -> None:
    missing = submit(public, request_types=["rectification"])
    given = submit(
        public,
        request_types=["rectification"],
        corrections=[{"field": "phone", "current_value": "+12025550100", "corrected_value": "+12025550143"}],
    )

    assert missing.status == 422
    assert "corrections" in missing.body["detail"][0]["msg"]
    assert given.status == 201
    assert desk.store.get(given.body["request_id"]).corrections[0].corrected_value == "+12025550143"


def test_an_agent_submission_keeps_the_signed_permission_encrypted(public: DeskClient, desk: Desk) -> None:
    document = base64.b64encode(b"%PDF-1.7 signed permission").decode()
    answer = submit(
        public,
        agent={"name": "Pat Agent", "email": "pat@agents.example", "permission_document": document},
    )

    record = desk.store.get(answer.body["request_id"])
    assert record.agent is not None
    stored = boto3.client("s3").get_object(
        Bucket=desk.settings.packages_bucket, Key=record.agent.permission_document_key
    )
    assert stored["Body"].read() == b"%PDF-1.7 signed permission"
    assert stored["ServerSideEncryption"] == "aws:kms"
    assert "request received" in [e.action for e in desk.store.events(record.request_id)]


def test_intake_answers_alike_whether_or_not_we_hold_data_about_the_subject(public: DeskClient) -> None:
    known = submit(public, subject={"email": "ada@example.com"}, jurisdiction="US-CA")
    unknown = submit(public, subject={"email": "nobody@example.net"}, jurisdiction="US-CA")

    assert known.status == unknown.status == 201
    assert set(known.body) == set(unknown.body)
    assert (known.body["status"], known.body["respond_by"]) == (
        unknown.body["status"],
        unknown.body["respond_by"],
    )


def test_one_requests_token_and_code_open_nothing_of_another(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    mine = submit(public, subject={"email": "ada@example.com"}).body
    theirs = submit(public, subject={"email": "alan@example.net"}).body
    my_code = verification_code(cloud, mine["request_id"])
    verification_code(cloud, theirs["request_id"])  # theirs is waiting for its own code

    with_my_token = public.get(f"/requests/{theirs['request_id']}?token={mine['status_token']}")
    with_my_code = public.post(f"/requests/{theirs['request_id']}/verification", {"code": my_code})
    appeal_with_my_token = public.post(
        f"/requests/{theirs['request_id']}/appeal", {"token": mine["status_token"], "statement": "mine"}
    )

    assert with_my_token.status == 404
    assert with_my_code.status == 403
    assert appeal_with_my_token.status == 404
    assert desk.store.get(theirs["request_id"]).status.value == "VERIFYING"
    # My code still works for my own request: using it elsewhere did not spend it
    assert public.post(f"/requests/{mine['request_id']}/verification", {"code": my_code}).status == 200


def test_the_apis_words_are_in_the_language_asked_for_else_the_requests(public: DeskClient) -> None:
    receipt = submit(public, preferred_language="de").body
    request_id, token = receipt["request_id"], receipt["status_token"]
    status_path = f"/requests/{request_id}?token={token}"

    german = public.get(status_path)
    spanish = public.call("GET", status_path, headers={"Accept-Language": "es-MX, en;q=0.5"})
    english = public.call("GET", status_path, headers={"Accept-Language": "en-GB"})
    wrong_code = public.call(
        "POST", f"/requests/{request_id}/verification", {"code": "000000"}, headers={"Accept-Language": "fr"}
    )
    no_appeal = public.call(
        "POST",
        f"/requests/{request_id}/appeal",
        {"token": token, "statement": "Ich bin nicht einverstanden."},
        headers={"Accept-Language": "de"},
    )
    # The status page's appeal form, sent without reasons, answers with a page
    no_reasons = public.call(
        "POST",
        f"/status/{request_id}/appeal",
        raw=urlencode({"token": token, "statement": ""}).encode(),
        content_type="application/x-www-form-urlencoded",
        headers={"Accept-Language": "es"},
    )

    step = NEXT_STEPS[Status(german.body["status"])]
    assert german.body["next_step"] == gettext("de", step) != step
    assert spanish.body["next_step"] == gettext("es", NEXT_STEPS[Status(spanish.body["status"])])
    assert english.body["next_step"] == NEXT_STEPS[Status(english.body["status"])]
    assert wrong_code.status == 403
    assert wrong_code.body["message"].startswith("Cela n'a pas fonctionné.")
    assert no_appeal.status == 409
    assert no_appeal.body["message"] == (
        "Gegen diese Anfrage kann kein Einspruch eingelegt werden: das für diese Anfrage geltende Recht "
        "sieht keinen Einspruch bei uns vor; Sie können sich bei der Aufsichtsbehörde beschweren."
    )
    assert no_reasons.status == 400
    assert "Díganos por qué no está de acuerdo con nuestra decisión." in str(no_reasons.body)


def test_an_invalid_submission_is_explained_in_the_language_asked_for(public: DeskClient) -> None:
    body = {"request_types": ["access"], "subject": {"email": "ada@example.com", "name": "A" * 201}, "x": 1}

    german = public.call("POST", "/requests", body, headers={"Accept-Language": "de-AT"})
    english = public.post("/requests", body)

    assert german.status == english.status == 422
    assert german.body["message"] == "Ungültige Anfrage: subject.name, x"
    assert [item["msg"] for item in german.body["detail"]] == [
        "Verwenden Sie höchstens 200 Zeichen.",
        "Dieses Feld wird nicht angenommen.",
    ]
    assert [item["loc"] for item in german.body["detail"]] == [item["loc"] for item in english.body["detail"]]
    assert english.body["message"] == "Invalid request: subject.name, x"
    assert english.body["detail"][1]["msg"] == "Extra inputs are not permitted"
