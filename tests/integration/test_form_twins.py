"""The web pages do what their JSON twins do, answered as pages a person reads: the request form
is recorded once however often the same form is sent, and a refusal is a page, not JSON."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient, HttpAnswer
from local_cloud.cloud import LocalCloud
from tests.support import submit, verification_code

FORM = "application/x-www-form-urlencoded"


def _post_form(public: DeskClient, path: str, fields: list[tuple[str, str]]) -> HttpAnswer:
    return public.call("POST", path, raw=urlencode(fields).encode(), content_type=FORM)


def _shown_key(public: DeskClient) -> str:
    """The hidden key of the form as the page shows it."""
    shown = re.search(r'name="submission_key" value="([^"]+)"', public.get("/privacy-request").body)
    assert shown is not None, "the form carries no submission key"
    return shown.group(1)


def test_the_same_form_sent_twice_records_one_request(public: DeskClient, desk: Desk) -> None:
    fields = [
        ("submission_key", _shown_key(public)),
        ("request_types", "access"),
        ("email", "ada@example.com"),
    ]

    first = _post_form(public, "/privacy-request", fields)
    again = _post_form(public, "/privacy-request", fields)

    assert (first.status, again.status) == (200, 200)  # each followed the redirect to the status page
    assert "we have your request" in again.body
    [request] = desk.store.open_requests()
    assert request.subject.email == "ada@example.com"


def test_the_same_form_changed_and_sent_again_is_a_request_of_its_own(public: DeskClient, desk: Desk) -> None:
    key = _shown_key(public)

    _post_form(
        public,
        "/privacy-request",
        [("submission_key", key), ("request_types", "access"), ("email", "ada@example.com")],
    )
    _post_form(
        public,
        "/privacy-request",
        [("submission_key", key), ("request_types", "erasure"), ("email", "ada@example.com")],
    )

    kinds = sorted(kind.value for request in desk.store.open_requests() for kind in request.request_types)
    assert kinds == ["access", "erasure"]


def test_a_form_with_mistakes_keeps_its_key(public: DeskClient, desk: Desk) -> None:
    key = _shown_key(public)

    answer = _post_form(public, "/privacy-request", [("submission_key", key), ("email", "not-an-address")])

    assert answer.status == 422
    assert f'name="submission_key" value="{key}"' in answer.body
    assert desk.store.open_requests() == []


def test_too_many_codes_from_one_address_on_the_status_page_are_answered_with_a_page(
    public: DeskClient, cloud: LocalCloud
) -> None:
    receipt = submit(public).body
    request_id, token = receipt["request_id"], receipt["status_token"]
    verification_code(cloud, request_id)
    form = [("token", token), ("code", "000000")]

    answers = [_post_form(public, f"/status/{request_id}/verification", form) for _ in range(21)]

    assert [answer.status for answer in answers] == [400] * 20 + [429]
    assert isinstance(answers[-1].body, str), answers[-1].body
    assert "<h1>Too many attempts</h1>" in answers[-1].body
