"""Downloading the access package as the subject does: the emailed link, a fresh code, short-lived links."""

from __future__ import annotations

import html
import json
import re
import time
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient, HttpAnswer
from local_cloud.cloud import LocalCloud, SentMail
from tests.support import advance, answer_hand_offs, submit, verification_code, wait_for_status, wait_until

FORM = "application/x-www-form-urlencoded"
DOWNLOAD_LINK = re.compile(r"https?://\S+(/download/[0-9a-f-]{36})\?token=(\S+)")
PACKAGE_LINK = re.compile(r'<a href="([^"]+)">Your data ([^<]+)</a>')


class Completed:
    """A completed access request, with what its subject was emailed."""

    def __init__(self, request_id: str, verification_code: str, completion: SentMail) -> None:
        self.request_id = request_id
        self.verification_code = verification_code
        self.completion = completion
        found = DOWNLOAD_LINK.search(completion.body)
        assert found, "the completion email has no download link"
        self.path = found.group(1)
        self.token = found.group(2)


@pytest.fixture
def completed(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> Completed:
    return _completed_access(cloud, desk, public, approver, analyst, "ada@example.com")


def _completed_access(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient, email: str
) -> Completed:
    request_id = submit(public, request_types=["access"], subject={"email": email}).body["request_id"]
    code = verification_code(cloud, request_id)
    assert public.post(f"/requests/{request_id}/verification", {"code": code}).status == 200
    wait_until(  # the review task is stored just after the status changes
        "the request to wait for staff",
        lambda: any(e.action == "staff review requested" for e in desk.store.events(request_id)),
    )
    assert approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"}).status == 200
    answer_hand_offs(desk, analyst, request_id)
    wait_for_status(desk, request_id, "COMPLETED")
    completion = wait_until("the completion email", lambda: _mails(cloud, request_id, "is complete"))[-1]
    return Completed(request_id, code, completion)


def _mails(cloud: LocalCloud, request_id: str, subject_part: str) -> list[SentMail]:
    return [m for m in cloud.outbox() if m.request_id == request_id and subject_part in m.subject]


def _post_form(public: DeskClient, path: str, fields: dict[str, str]) -> HttpAnswer:
    return public.call("POST", path, raw=urlencode(fields).encode(), content_type=FORM)


def _ask_for_code(public: DeskClient, cloud: LocalCloud, done: Completed) -> str:
    """Press "Email me a code" and read the code from the mail that arrives."""
    before = len(_mails(cloud, done.request_id, "download code"))
    answer = _post_form(public, f"{done.path}/code", {"token": done.token})
    assert answer.status == 200, answer.body
    assert "We have emailed a 6-digit code" in answer.body
    mails = wait_until(
        "the download code email",
        lambda: (found := _mails(cloud, done.request_id, "download code"))[before:] and found,
    )
    code = re.search(r"code is (\d{6})", mails[-1].body)
    assert code
    return code.group(1)


def _enter(public: DeskClient, done: Completed, code: str) -> HttpAnswer:
    return _post_form(public, done.path, {"token": done.token, "code": code})


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _package_links(page: str) -> dict[str, str]:
    return {
        ("json" if "JSON" in kind else "html"): html.unescape(url) for url, kind in PACKAGE_LINK.findall(page)
    }


def _seconds_valid(url: str) -> float:
    """How long a presigned link works: X-Amz-Expires (SigV4), or Expires as an epoch (SigV2)."""
    query = parse_qs(urlsplit(url).query)
    if "X-Amz-Expires" in query:
        return float(query["X-Amz-Expires"][0])
    return float(query["Expires"][0]) - time.time()


def test_the_emailed_link_asks_for_a_fresh_code_and_the_right_code_downloads_the_package(
    completed: Completed, cloud: LocalCloud, desk: Desk, public: DeskClient, analyst: DeskClient
) -> None:
    request_id = completed.request_id
    record = desk.store.get(request_id)
    # Staff see until when the subject's download page works
    shown = analyst.get(f"/staff/requests/{request_id}").body["package_available_until"]
    assert record.package_available_until is not None
    assert shown == record.package_available_until.isoformat()

    # The completion email links to the desk's page, never to the package itself, and says until when
    body = completed.completion.body
    assert "s3.amazonaws.com" not in body and "X-Amz" not in body and "Signature=" not in body
    assert record.package_available_until is not None and record.closed_at is not None
    assert timedelta(0) < record.package_available_until - record.closed_at <= timedelta(days=7)
    until = record.package_available_until
    assert f"The link works until {until.day} {until:%B %Y, %H:%M} UTC" in body

    # Following it: a page that offers to email a code, with no link to the package yet
    page = public.get(f"{completed.path}?token={completed.token}")
    assert page.status == 200
    assert "Email me a code" in page.body
    assert "amazonaws" not in page.body

    # The code goes to the address on file
    code = _ask_for_code(public, cloud, completed)
    assert _mails(cloud, request_id, "download code")[-1].to == ["ada@example.com"]

    # A wrong code is refused, saying how many tries are left
    wrong = _enter(public, completed, _wrong(code))
    assert wrong.status == 400
    assert "That code is not right. You can try 4 more times with it." in wrong.body
    assert "amazonaws" not in wrong.body

    # The right one answers with links to both formats, each working for 5 minutes
    granted = _enter(public, completed, code)
    assert granted.status == 200, granted.body
    links = _package_links(granted.body)
    assert set(links) == {"json", "html"}
    for url in links.values():
        assert 240 < _seconds_valid(url) <= 300
        assert url.startswith(f"{cloud.base_url}/")  # S3 is at the local cloud's address: links open

    # And what they fetch is this subject's package
    data = requests.get(links["json"], timeout=10)
    assert data.status_code == 200
    package = data.json()
    assert package["request"]["reference"] == request_id
    assert package["systems"]["accounts"][0]["email"] == "ada@example.com"
    assert "grace@example.org" not in json.dumps(package)
    readable = requests.get(links["html"], timeout=10)
    assert readable.status_code == 200
    assert "Your personal data" in readable.text and "ada@example.com" in readable.text
    # Each system's section counts what the completion email counts, and shows the data itself:
    # the email provider's section holds her subscription, not a processor's stub
    copied = re.findall(r"- (.+): (\d+) records? copied into your download\.", body)
    assert len(copied) >= 8
    for name, count in copied:
        records = f"{count} record{'s' if count != '1' else ''} about you."
        assert re.search(f"<h2>{re.escape(html.escape(name))}</h2>.*?<p>{records}</p>", readable.text, re.S)
    marketing = readable.text.split("<h2>Marketing email (our email provider)</h2>", 1)[1].split(
        "</section>"
    )[0]
    assert "<dt>Mailing list</dt><dd>Product news</dd>" in marketing
    assert "subject_request_id" not in readable.text and "card_last4" not in readable.text

    # The code works once
    again = _enter(public, completed, code)
    assert again.status == 400
    assert "That code has been used already" in again.body
    assert not _package_links(again.body)

    # Each step is in the audit trail, by id only
    trail = [e for e in desk.store.events(request_id) if e.action in {"download code", "download"}]
    assert [(e.action, e.outcome, e.detail.get("reason")) for e in trail] == [
        ("download code", "sent", None),
        ("download code", "refused", "wrong code"),
        ("download", "granted", None),
        ("download code", "refused", "already used"),
    ]
    assert "ada@example.com" not in json.dumps([e.model_dump(mode="json") for e in trail])


def test_the_identity_verification_code_does_not_unlock_the_download(
    completed: Completed, cloud: LocalCloud, public: DeskClient
) -> None:
    code = _ask_for_code(public, cloud, completed)
    if code == completed.verification_code:  # one in a million; the binding is what matters
        return

    refused = _enter(public, completed, completed.verification_code)

    assert refused.status == 400
    assert "That code is not right" in refused.body
    assert not _package_links(refused.body)
    assert _enter(public, completed, code).status == 200  # the download code still works


def test_five_wrong_codes_use_the_code_up_and_codes_are_rate_limited(
    completed: Completed, cloud: LocalCloud, public: DeskClient
) -> None:
    code = _ask_for_code(public, cloud, completed)
    answers = [_enter(public, completed, _wrong(code)) for _ in range(5)]
    assert [a.status for a in answers] == [400] * 5
    assert "it cannot be tried again" in answers[-1].body

    locked = _enter(public, completed, code)
    assert locked.status == 400
    assert "tried too many times" in locked.body

    # A fresh code works; it replaces the locked one
    fresh = _ask_for_code(public, cloud, completed)
    assert _enter(public, completed, fresh).status == 200

    # Three codes an hour, then the page asks them to wait
    _ask_for_code(public, cloud, completed)
    limited = _post_form(public, f"{completed.path}/code", {"token": completed.token})
    assert limited.status == 429
    assert "ask again later" in limited.body


def test_past_its_window_the_link_has_expired_and_sends_no_code(
    completed: Completed, cloud: LocalCloud, desk: Desk, public: DeskClient, moved_clock: list[timedelta]
) -> None:
    code = _ask_for_code(public, cloud, completed)
    until = desk.store.get(completed.request_id).package_available_until
    assert until is not None
    move = until - datetime.now(until.tzinfo) + timedelta(minutes=1)
    advance(moved_clock, move)
    codes_sent = len(_mails(cloud, completed.request_id, "download code"))

    page = public.get(f"{completed.path}?token={completed.token}")
    asked = _post_form(public, f"{completed.path}/code", {"token": completed.token})
    entered = _enter(public, completed, code)

    assert page.status == 410
    assert "This download link has expired" in page.body
    assert "make a new request" in page.body and "/privacy-request" in page.body
    assert (asked.status, entered.status) == (410, 410)
    assert not _package_links(entered.body)
    assert len(_mails(cloud, completed.request_id, "download code")) == codes_sent


def test_a_wrong_token_gets_the_status_pages_404_and_no_code_is_sent(
    completed: Completed, cloud: LocalCloud, public: DeskClient
) -> None:
    wrong_token = "A" * len(completed.token)
    unknown = "/download/00000000-0000-4000-8000-000000000000"

    wrong = public.get(f"{completed.path}?token={wrong_token}")
    missing = public.get(f"{unknown}?token={completed.token}")
    status_page = public.get(f"/status/{completed.request_id}?token={wrong_token}")
    asked = _post_form(public, f"{completed.path}/code", {"token": wrong_token})
    entered = _post_form(public, completed.path, {"token": wrong_token, "code": "123456"})

    assert wrong.status == missing.status == status_page.status == 404
    assert wrong.body == missing.body == status_page.body
    assert (asked.status, entered.status) == (404, 404)
    assert asked.body == entered.body == wrong.body
    assert _mails(cloud, completed.request_id, "download code") == []


def test_a_download_link_or_code_of_one_request_opens_nothing_of_another(
    completed: Completed,
    cloud: LocalCloud,
    desk: Desk,
    public: DeskClient,
    approver: DeskClient,
    analyst: DeskClient,
) -> None:
    graces = _completed_access(cloud, desk, public, approver, analyst, "grace@example.org")

    # Ada's token on Grace's download page: the same 404 as any wrong token, and no code sent
    page = public.get(f"{graces.path}?token={completed.token}")
    asked = _post_form(public, f"{graces.path}/code", {"token": completed.token})
    assert (page.status, asked.status) == (404, 404)
    assert _mails(cloud, graces.request_id, "download code") == []

    # Ada's download code, typed on Grace's page with Grace's own token, is not Grace's code
    adas_code = _ask_for_code(public, cloud, completed)
    graces_code = _ask_for_code(public, cloud, graces)
    if adas_code == graces_code:  # one in a million; the binding is what matters
        return
    refused = _enter(public, graces, adas_code)
    assert refused.status == 400
    assert "That code is not right" in refused.body
    assert not _package_links(refused.body)

    # Each code still opens only its own package
    links = _package_links(_enter(public, completed, adas_code).body)
    package = requests.get(links["json"], timeout=10).json()
    assert package["request"]["reference"] == completed.request_id
    assert "grace@example.org" not in json.dumps(package)
    graces_links = _package_links(_enter(public, graces, graces_code).body)
    assert requests.get(graces_links["json"], timeout=10).json()["request"]["reference"] == graces.request_id
