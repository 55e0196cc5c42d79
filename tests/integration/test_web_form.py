"""The privacy request page, used as a person would: fill it in, fix mistakes, follow the status."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient, HttpAnswer
from local_cloud.cloud import LocalCloud
from tests.support import verification_code, wait_for_status

FORM = "application/x-www-form-urlencoded"


def _post_form(public: DeskClient, path: str, fields: list[tuple[str, str]]) -> HttpAnswer:
    return public.call("POST", path, raw=urlencode(fields).encode(), content_type=FORM)


def test_the_form_is_served_as_html_without_scripts(public: DeskClient) -> None:
    page = public.get("/privacy-request")

    assert page.status == 200
    assert '<form method="post"' in page.body
    assert "<script" not in page.body


def test_mistakes_are_shown_beside_the_fields_and_nothing_is_recorded(public: DeskClient, desk: Desk) -> None:
    answer = _post_form(public, "/privacy-request", [("email", "not-an-address"), ("name", "<b>Ada</b>")])

    assert answer.status == 422
    assert 'id="email-error"' in answer.body
    assert 'id="request_types-error"' in answer.body
    assert "&lt;b&gt;Ada&lt;/b&gt;" in answer.body  # what they typed is kept, as text
    assert desk.store.open_requests() == []


def test_a_person_submits_the_form_and_verifies_on_the_status_page(
    public: DeskClient, desk: Desk, cloud: LocalCloud
) -> None:
    answer = _post_form(
        public,
        "/privacy-request",
        [
            ("request_types", "access"),
            ("request_types", "erasure"),
            ("email", "ada@example.com"),
            ("country", "fr"),
        ],
    )

    assert answer.status == 200  # followed the redirect to the status page
    assert "we have your request" in answer.body
    assert 'name="code"' in answer.body  # the code form is there from the start, whatever the status
    [request] = desk.store.open_requests()
    assert request.jurisdiction == "EU"
    code = verification_code(cloud, request.request_id)
    wait_for_status(desk, request.request_id, "VERIFYING")

    # the status link in the acknowledgement opens the page with the code form
    acknowledgement = next(m for m in cloud.outbox() if "received your privacy request" in m.subject)
    link = re.search(r"(/status/\S+)", acknowledgement.body)
    assert link is not None
    page = public.get(link.group(1)).body
    form = re.search(r'action="([^"]+)".*?name="token" value="([^"]+)"', page, re.DOTALL)
    assert form is not None, page

    confirmed = _post_form(public, form.group(1), [("token", form.group(2)), ("code", code)])

    assert confirmed.status == 200
    assert "confirmed" in confirmed.body
    wait_for_status(desk, request.request_id, "AWAITING_APPROVAL")


def test_the_status_page_needs_the_token(public: DeskClient, desk: Desk) -> None:
    answer = _post_form(
        public, "/privacy-request", [("request_types", "access"), ("email", "ada@example.com")]
    )
    [request] = desk.store.open_requests()

    guessed = public.get(f"/status/{request.request_id}?token=guess")
    wrong_code = _post_form(
        public, f"/status/{request.request_id}/verification", [("token", "guess"), ("code", "123456")]
    )

    assert answer.status == 200
    assert guessed.status == 404
    assert wrong_code.status == 404


def test_the_emailed_link_fills_in_the_code_and_asks_for_the_details_we_hold(
    public: DeskClient, desk: Desk, cloud: LocalCloud
) -> None:
    _post_form(
        public,
        "/privacy-request",
        [("request_types", "access"), ("email", "grace@example.org"), ("country", "US"), ("region", "CA")],
    )
    [request] = desk.store.open_requests()
    verification_code(cloud, request.request_id)
    mail = next(m for m in cloud.outbox() if "verification code" in m.subject)
    link = re.search(r"(/status/\S+&code=\d{6})", mail.body)
    assert link is not None

    page = public.get(link.group(1)).body
    form = re.search(r'action="([^"]+)".*?name="token" value="([^"]+)"', page, re.DOTALL)
    code_input = re.search(r'<input[^>]*id="code"[^>]*>', page)
    assert form is not None and code_input is not None, page
    prefilled = re.search(r'value="(\d{6})"', code_input.group(0))
    assert prefilled is not None
    assert 'name="point_phone"' in page

    without_details = _post_form(
        public, form.group(1), [("token", form.group(2)), ("code", prefilled.group(1))]
    )
    with_details = _post_form(
        public,
        form.group(1),
        [
            ("token", form.group(2)),
            ("code", prefilled.group(1)),
            ("point_phone", "202 555 0143"),
            ("point_postal_code", "94105"),
        ],
    )

    assert (without_details.status, with_details.status) == (400, 200)
    wait_for_status(desk, request.request_id, "AWAITING_APPROVAL")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: object, **_kwargs: object) -> None:
        return None


def test_reloading_the_page_after_a_right_code_shows_the_status_not_a_second_try(
    public: DeskClient, desk: Desk, cloud: LocalCloud
) -> None:
    fields = [("request_types", "access"), ("email", "ada@example.com"), ("country", "fr")]
    _post_form(public, "/privacy-request", fields)
    [request] = desk.store.open_requests()
    code = verification_code(cloud, request.request_id)
    wait_for_status(desk, request.request_id, "VERIFYING")
    acknowledgement = next(m for m in cloud.outbox() if "received your privacy request" in m.subject)
    link = re.search(r"(/status/\S+)", acknowledgement.body)
    assert link is not None
    status = public.get(link.group(1)).body
    form = re.search(r'action="([^"]+)".*?name="token" value="([^"]+)"', status, re.DOTALL)
    assert form is not None, status
    posted = urllib.request.Request(
        public.base_url + form.group(1),
        data=urlencode([("token", form.group(2)), ("code", code)]).encode(),
        headers={"Content-Type": FORM},
        method="POST",
    )

    with pytest.raises(urllib.error.HTTPError) as redirected:
        urllib.request.build_opener(_NoRedirects).open(posted)
    location = redirected.value.headers["Location"]
    reloaded = [public.get(location[len(public.base_url) :]) for _ in range(2)]  # shown, then reloaded

    assert redirected.value.code == 303
    assert location.startswith(f"{public.base_url}/status/{request.request_id}?token=")
    for page in reloaded:
        assert page.status == 200
        assert "Email address confirmed" in page.body
        assert "did not work" not in page.body
    wait_for_status(desk, request.request_id, "AWAITING_APPROVAL")
