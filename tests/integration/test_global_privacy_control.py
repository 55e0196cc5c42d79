"""Global Privacy Control over HTTP on the local cloud: the site's statement that it honours the
signal, and what a signal does."""

from __future__ import annotations

import io
import json
import re
import urllib.request
import uuid
from typing import Any

import pytest

from dsr.core.keyed_hash import normalized_email
from dsr.core.models import Channel, Relationship, RequestType
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient, HttpAnswer
from dsr_cli.report import print_metrics
from local_cloud.cloud import LocalCloud
from local_cloud.http_api import LocalApi
from tests.support import answer_hand_offs, staff_client, wait_for_status, wait_until


def test_gpc_json_says_the_site_honours_the_signal_as_json(public: DeskClient) -> None:
    with urllib.request.urlopen(public.base_url + "/.well-known/gpc.json", timeout=30) as answer:
        content_type = answer.headers["Content-Type"]
        document = json.loads(answer.read())

    assert content_type.split(";")[0] == "application/json"
    assert set(document) == {"gpc", "lastUpdate"}
    assert document["gpc"] is True
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", document["lastUpdate"])


GRACE = ("acct-1002", "grace@example.org")
BROWSER = "b" * 22


def _signal(public: DeskClient, body: dict[str, Any], *, gpc: str | None = "1") -> HttpAnswer:
    headers = {"Sec-GPC": gpc} if gpc is not None else {}
    return public.call("POST", "/signals/gpc", body, headers=headers)


def _requests_of(desk: Desk, email: str) -> list[str]:
    return desk.store.requests_of_subject(desk.hasher.digest(normalized_email(email)))


def test_a_signed_in_holders_signal_opens_one_opt_out_carried_out_in_every_system(
    public: DeskClient, approver: DeskClient, desk: Desk, cloud: LocalCloud
) -> None:
    account, email = GRACE
    statement = cloud.product_login.signal_assertion_for(
        account, email, desk.now(), country="US", region="CA"
    )

    first = _signal(public, {"browser_id": BROWSER, "account_assertion": statement})
    (request_id,) = wait_until("the opt-out request", lambda: _requests_of(desk, email))
    again = _signal(public, {"browser_id": BROWSER, "account_assertion": statement})

    assert first.status == again.status == 202
    assert first.body == {"signal": "honoured", "message": "Opt-Out Preference Signal Honored"}
    request = desk.store.get(request_id)
    assert request.channel is Channel.GPC
    assert request.request_types == [RequestType.SALE_SHARING_OPT_OUT]
    assert request.jurisdiction == "US-CA"
    assert request.relationship is Relationship.ACCOUNT_HOLDER
    (acknowledgement,) = wait_until(
        "the acknowledgement",
        lambda: [m for m in cloud.outbox() if m.request_id == request_id and "received" in m.subject],
    )
    assert "Your browser sent the Global Privacy Control signal" in acknowledgement.body
    assert "reviews" not in acknowledgement.body  # approved by rule: nobody reviews it first
    assert request.subject.account_id == account
    answer_hand_offs(desk, approver, request_id)
    wait_for_status(desk, request_id, "COMPLETED")
    opt_outs = {
        o.system_id: o.status for o in desk.store.system_outcomes(request_id) if o.action == "opt_out"
    }
    with_opt_out = {s.id for s in desk.registry.systems if s.actions.opt_out is not None}
    assert set(opt_outs) == with_opt_out
    assert set(opt_outs.values()) <= {"done", "nothing_found"}
    assert "done" in opt_outs.values()
    assert _requests_of(desk, email) == [request_id]  # the second signal opened nothing
    trail = [event.action for event in desk.store.events(request_id)]
    assert "global privacy control signal" in trail
    assert not [
        event for event in desk.store.events(request_id) if email in json.dumps(event.model_dump(mode="json"))
    ]


def test_a_signal_from_an_unknown_browser_is_only_recorded(public: DeskClient, desk: Desk) -> None:
    answer = _signal(public, {"browser_id": "unknown-browser-123456", "email": "nobody@example.net"})

    assert answer.status == 202
    assert answer.body["signal"] == "honoured"  # the same answer as for a customer
    record = desk.store.browser_signal(desk.hasher.digest("gpc-browser:unknown-browser-123456"))
    assert record is not None and record["signals"] == 1
    assert _requests_of(desk, "nobody@example.net") == []
    assert desk.store.open_requests() == []


@pytest.mark.parametrize(
    ("body", "gpc", "status", "names"),
    [
        ({"browser_id": BROWSER}, None, 400, "Sec-GPC"),
        ({"browser_id": BROWSER}, "0", 400, "Sec-GPC"),
        ({"browser_id": "short"}, "1", 422, "browser_id"),
        ({"browser_id": BROWSER, "account_assertion": "A" * 120}, "1", 401, "bad-signature"),
        ({"browser_id": BROWSER, "email": "not an address"}, "1", 422, "email"),
    ],
)
def test_a_signal_that_cannot_be_taken_is_refused_with_a_4xx_naming_the_problem(
    public: DeskClient, body: dict[str, Any], gpc: str | None, status: int, names: str
) -> None:
    answer = _signal(public, body, gpc=gpc)

    assert answer.status == status
    assert names in json.dumps(answer.body)


def test_a_request_confirmation_cannot_be_replayed_as_a_signal(
    public: DeskClient, desk: Desk, cloud: LocalCloud
) -> None:
    account, email = GRACE
    confirmation = cloud.product_login.assertion_for(str(uuid.uuid4()), account, email, desk.now())

    answer = _signal(public, {"browser_id": BROWSER, "account_assertion": confirmation})

    assert answer.status == 401
    assert "wrong-purpose" in answer.body["message"]
    assert _requests_of(desk, email) == []


def test_the_metrics_report_counts_signals_and_opt_outs_per_jurisdiction(
    public: DeskClient, desk: Desk, cloud: LocalCloud, local_api: LocalApi
) -> None:
    account, email = GRACE
    statement = cloud.product_login.signal_assertion_for(
        account, email, desk.now(), country="US", region="CA"
    )
    _signal(public, {"browser_id": BROWSER, "account_assertion": statement})
    _signal(public, {"browser_id": BROWSER, "account_assertion": statement})
    _signal(public, {"browser_id": "a-visitor-from-germany", "country": "DE"})
    admin = staff_client(local_api, "admin@desk.example")

    report = admin.get(f"/staff/reports/metrics?year={desk.now().year}").body
    printed = io.StringIO()
    print_metrics(admin, desk.now().year, out=printed)

    assert report["preference_signals"] == [
        {"jurisdiction": "EU", "received": 1, "opted_out": 0},
        {"jurisdiction": "US-CA", "received": 2, "opted_out": 1},
    ]
    assert "Global Privacy Control signals" in printed.getvalue()
    assert re.search(r"US-CA\s+2\s+1", printed.getvalue())
    (request_id,) = _requests_of(desk, email)
    (applied,) = [e for e in desk.store.events(request_id) if e.action == "global privacy control signal"]
    assert applied.detail["subject"] == "g***@e***.org"
    assert applied.detail["jurisdiction"] == "US-CA"
