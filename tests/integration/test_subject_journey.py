"""The subject's own journey: a second request, the status page at every status, and verification
answers that say what went wrong."""

from __future__ import annotations

import base64
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from dsr.core.models import Status
from dsr.notices.public_views import NEXT_STEPS, WAITING_FOR_PROOF
from dsr.policies.proofs import Proof
from dsr.web.page_markup import STATUS_LABELS, status_label
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient, HttpAnswer
from local_cloud.cloud import LocalCloud
from local_cloud.http_api import states_timeline
from tests.support import submit, verification_code, wait_for_status, wait_until

FORM = "application/x-www-form-urlencoded"
GRACE = {"email": "grace@example.org"}
GRACE_DETAILS = {"phone": "(202) 555-0143", "postal_code": "94105"}


def _status_json(public: DeskClient, receipt: dict[str, str]) -> HttpAnswer:
    return public.get(f"/requests/{receipt['request_id']}?token={receipt['status_token']}")


def _status_html(public: DeskClient, receipt: dict[str, str]) -> HttpAnswer:
    return public.get(f"/status/{receipt['request_id']}?token={receipt['status_token']}")


def _verify(public: DeskClient, request_id: str, code: str, **points: str) -> HttpAnswer:
    return public.post(f"/requests/{request_id}/verification", {"code": code, "data_points": points})


def _post_form(public: DeskClient, path: str, fields: list[tuple[str, str]]) -> HttpAnswer:
    return public.call("POST", path, raw=urlencode(fields).encode(), content_type=FORM)


def test_a_second_request_is_answered_like_any_other_and_linked_once_verified(
    public: DeskClient, desk: Desk, cloud: LocalCloud
) -> None:
    first = submit(public).body
    verified_first = _verify(public, first["request_id"], verification_code(cloud, first["request_id"]))
    assert verified_first.status == 200
    wait_for_status(desk, first["request_id"], "AWAITING_APPROVAL")

    second = submit(public, subject={"email": "ADA@example.com "}).body
    stranger = submit(public, subject={"email": "alan@example.net"}).body

    # Nothing tells the second from a first request of someone who never asked before.
    assert second["status"] == stranger["status"] == "RECEIVED"
    assert set(second) == set(stranger)
    for receipt in (second, stranger):
        wait_for_status(desk, receipt["request_id"], "VERIFYING")
    second_view, stranger_view = _status_json(public, second), _status_json(public, stranger)
    assert (second_view.status, stranger_view.status) == (200, 200)
    assert second_view.body["next_step"] == stranger_view.body["next_step"]
    assert _status_html(public, second).status == 200

    # The code is sent as to anyone; once the address is proven, it is joined to the open request.
    code = verification_code(cloud, second["request_id"])
    assert _verify(public, second["request_id"], code).status == 200
    wait_for_status(desk, second["request_id"], "LINKED")

    record = desk.store.get(second["request_id"])
    assert record.linked_to == first["request_id"]
    view = _status_json(public, second)
    assert (view.status, view.body["status"], view.body["linked_to"]) == (200, "LINKED", first["request_id"])
    page = _status_html(public, second)
    assert page.status == 200
    assert first["request_id"] in page.body
    assert "We will respond by" not in page.body
    joined = [
        m for m in cloud.outbox() if m.request_id == second["request_id"] and "is joined to" in m.subject
    ]
    assert len(joined) == 1 and first["request_id"] in joined[0].body
    open_ids = {r.request_id for r in desk.store.open_requests()}
    assert first["request_id"] in open_ids and second["request_id"] not in open_ids
    assert "duplicate submission" in [e.action for e in desk.store.events(first["request_id"])]
    wait_until(
        "the execution to end", lambda: cloud.execution_history(second["request_id"])["status"] != "RUNNING"
    )
    history = cloud.execution_history(second["request_id"])
    assert history["status"] == "SUCCEEDED"
    assert "ReviewRequest" not in [s["state"] for s in states_timeline(history["events"])]


WAITING = (Status.RECEIVED, Status.VERIFYING)
"""While the request waits for its proof, the next step says what that proof is."""


@pytest.mark.parametrize("status", list(Status))
def test_every_status_has_a_page_and_a_json_view_for_the_subject(
    public: DeskClient, desk: Desk, cloud: LocalCloud, status: Status
) -> None:
    receipt = submit(public, subject=GRACE, jurisdiction="US-CA").body
    verification_code(cloud, receipt["request_id"])  # the workflow is waiting: nothing moves it now
    closed_at = desk.now() + timedelta(days=3)
    desk.store.set_fields(receipt["request_id"], {"status": status.value, "closed_at": closed_at.isoformat()})

    view = _status_json(public, receipt)
    page = _status_html(public, receipt)

    assert (view.status, page.status) == (200, 200)
    assert view.body["status"] == status.value
    said = WAITING_FOR_PROOF[Proof.CODE_AND_DETAILS] if status in WAITING else NEXT_STEPS[status]
    assert view.body["next_step"] == said
    # Grace's access in California is proved by the code and two details: the page says so.
    assert status_label(status, Proof.CODE_AND_DETAILS) in page.body
    assert said in page.body
    answered = status in {
        Status.COMPLETED,
        Status.DENIED,
        Status.UNVERIFIABLE,
        Status.LINKED,
        Status.CANCELLED,
    }
    assert ("We will respond by" in page.body) is not answered
    assert (view.body["closed_on"] is not None) is answered
    waiting_for_code = status in {Status.RECEIVED, Status.VERIFYING}
    # While the address is unconfirmed the page takes the code and the details the request needs.
    assert ('name="code"' in page.body) is waiting_for_code
    assert ('name="point_phone"' in page.body) is waiting_for_code


def test_every_status_has_a_next_step_and_a_label() -> None:
    assert set(NEXT_STEPS) == set(Status)
    assert set(STATUS_LABELS) == set(Status)


def test_a_right_code_without_the_details_says_which_details_are_needed(
    public: DeskClient, desk: Desk, cloud: LocalCloud
) -> None:
    request_id = submit(public, subject=GRACE, jurisdiction="US-CA").body["request_id"]
    code = verification_code(cloud, request_id)

    missing = _verify(public, request_id, code)
    wrong = _verify(public, request_id, code, phone="+14155550100", postal_code="10001")
    wrong_code = _verify(public, request_id, f"{(int(code) + 1) % 1_000_000:06d}", **GRACE_DETAILS)
    right = _verify(public, request_id, code, **GRACE_DETAILS)

    assert (missing.status, wrong.status, wrong_code.status, right.status) == (403, 403, 403, 200)
    assert missing.body["message"].startswith("Your code is right")
    assert "2 of these details" in missing.body["message"]
    assert "Phone number on the account (phone)" in missing.body["message"]
    assert missing.body["details_needed"] == 2
    assert {"phone", "postal_code"} <= set(missing.body["details"])
    assert "do not match" in wrong.body["message"] or "match what we hold" in wrong.body["message"]
    assert "code is right" not in wrong_code.body["message"]
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")


def test_the_verification_page_asks_for_the_details_rather_than_blaming_a_right_code(
    public: DeskClient, desk: Desk, cloud: LocalCloud
) -> None:
    receipt = submit(public, subject=GRACE, jurisdiction="US-CA").body
    request_id, token = receipt["request_id"], receipt["status_token"]
    code = verification_code(cloud, request_id)

    answer = _post_form(public, f"/status/{request_id}/verification", [("token", token), ("code", code)])

    assert answer.status == 400
    assert "did not work" not in answer.body
    assert "Your code is right" in answer.body
    assert 'name="point_phone"' in answer.body and 'name="point_postal_code"' in answer.body
    assert f'value="{code}"' in answer.body  # kept, so only the details need typing
    fields = [("token", token), ("code", code), *((f"point_{k}", v) for k, v in GRACE_DETAILS.items())]
    confirmed = _post_form(public, f"/status/{request_id}/verification", fields)
    assert confirmed.status == 200
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")


def test_a_country_or_region_that_does_not_exist_is_refused_naming_the_field(
    public: DeskClient, desk: Desk
) -> None:
    no_country = submit(public, country="XX")
    no_region = submit(public, country="US", region="ZZZ")

    assert (no_country.status, no_region.status) == (422, 422)
    [country_error] = no_country.body["detail"]
    [region_error] = no_region.body["detail"]
    assert country_error["loc"] == ["body", "country"]
    assert "XX is not a country code" in country_error["msg"]
    assert region_error["loc"] == ["body", "region"]
    assert "ZZZ is not a region of US" in region_error["msg"]
    assert desk.store.open_requests() == []


def test_a_request_waiting_for_a_sign_in_or_a_power_of_attorney_does_not_ask_for_a_code(
    public: DeskClient, desk: Desk, cloud: LocalCloud
) -> None:
    account = {"email": "grace@example.org", "account_id": "acct-1002"}
    signing_in = submit(
        public,
        request_types=["erasure"],
        subject=account,
        relationship="account_holder",
        jurisdiction="US-CA",
    ).body
    agent = {
        "name": "Pat Agent",
        "email": "pat@agents.example",
        "permission_document": base64.b64encode(b"%PDF power of attorney").decode(),
        "power_of_attorney": True,
    }
    by_agent = submit(public, agent=agent).body
    for receipt in (signing_in, by_agent):
        wait_for_status(desk, receipt["request_id"], "VERIFYING")

    sign_in_view, sign_in_page = _status_json(public, signing_in), _status_html(public, signing_in)
    agent_view, agent_page = _status_json(public, by_agent), _status_html(public, by_agent)

    assert "Sign in to your account" in sign_in_view.body["next_step"]
    assert "power of attorney" in agent_view.body["next_step"]
    for page in (sign_in_page, agent_page):
        assert page.status == 200
        assert 'name="code"' not in page.body
        assert "code we emailed" not in page.body


def test_the_status_page_emails_a_new_code_and_the_wrong_code_page_says_where_to_ask(
    public: DeskClient, desk: Desk, cloud: LocalCloud
) -> None:
    receipt = submit(public).body
    request_id, token = receipt["request_id"], receipt["status_token"]
    first_code = verification_code(cloud, request_id)
    wait_for_status(desk, request_id, "VERIFYING")
    page = _status_html(public, receipt).body
    assert f'action="/status/{request_id}/new-code"' in page

    wrong = _post_form(public, f"/status/{request_id}/verification", [("token", token), ("code", "000000")])
    assert "ask for a new one on the status page" in wrong.body
    assert "wait for a new one" not in wrong.body
    answered = _post_form(public, f"/status/{request_id}/new-code", [("token", token)])
    guessed = _post_form(public, f"/status/{request_id}/new-code", [("token", "AAAAAAAAAAAAAAAA")])

    assert (answered.status, guessed.status) == (200, 404)
    assert "We have emailed you a new code" in answered.body
    new_code = wait_until(
        "a second code", lambda: (code := cloud.latest_code(request_id)) != first_code and code
    )
    fields = [("token", token), ("code", str(new_code))]
    assert _post_form(public, f"/status/{request_id}/verification", fields).status == 200
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
