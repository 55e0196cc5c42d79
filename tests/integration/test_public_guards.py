"""What an attacker meets at the desk's doors: posts from other sites, answers without security
headers, status tokens spelt another way."""

from __future__ import annotations

import base64
import json
import string
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

import pytest

from dsr.intake.status_tokens import status_token
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.http_api import LocalApi
from tests.support import submit, wait_until

FORM = "application/x-www-form-urlencoded"
EVIL = "https://evil.example"
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def _raw(
    local_api: LocalApi,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(
        local_api.cloud.base_url + path, data=body, method=method, headers=headers or {}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # nosec B310
            return answer.status, dict(answer.headers), answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def _filed(public: DeskClient) -> tuple[str, str]:
    receipt = submit(public).body
    return receipt["request_id"], receipt["status_token"]


HTML_POSTS = [
    "/privacy-request",
    "/status/{id}/verification",
    "/status/{id}/new-code",
    "/status/{id}/appeal",
    "/download/{id}/code",
    "/download/{id}",
]


@pytest.mark.parametrize(
    ("path", "sent_from"),
    [
        *[(path, {"Origin": EVIL}) for path in HTML_POSTS],
        ("/privacy-request", {"Origin": "null", "Sec-Fetch-Site": "cross-site"}),
        ("/privacy-request", {"Sec-Fetch-Site": "same-site"}),
        ("/privacy-request", {"Referer": f"{EVIL}/free-prize"}),
        ("/status/{id}/verification", {"Sec-Fetch-Site": "cross-site"}),
    ],
)
def test_a_form_posted_from_another_site_is_refused_with_a_page_saying_why(
    local_api: LocalApi, public: DeskClient, desk: Desk, path: str, sent_from: dict[str, str]
) -> None:
    request_id, token = _filed(public)
    # The workflow acknowledges the request and asks for the code on its own: counted once it has.
    wait_until(
        "the code asked for",
        lambda: any(event.action == "verification requested" for event in desk.store.events(request_id)),
    )
    fields = {
        "token": token,
        "code": "123456",
        "statement": "I disagree",
        "request_types": "access",
        "email": "mallory-victim@example.com",
    }
    before = len(desk.store.events(request_id))

    status, headers, page = _raw(
        local_api,
        "POST",
        path.format(id=request_id),
        urlencode(fields).encode(),
        {"Content-Type": FORM, **sent_from},
    )

    assert status == 403
    assert headers["Content-Type"].startswith("text/html")
    assert "sent from another website" in page
    assert len(desk.store.events(request_id)) == before  # nothing was done
    assert len(desk.store.open_requests()) == 1  # the form filed nothing


@pytest.mark.parametrize(
    "as_sent",
    [
        {"Origin": "{site}", "Referer": "{site}/privacy-request"},
        # what Chromium sends from the desk's own page, which asks for no referrer
        {"Origin": "null", "Sec-Fetch-Site": "same-origin"},
    ],
)
def test_a_form_posted_from_the_desks_own_pages_goes_through(
    local_api: LocalApi, as_sent: dict[str, str]
) -> None:
    site = local_api.cloud.base_url
    fields = {"request_types": "access", "email": "ada@example.com"}
    headers = {name: value.format(site=site) for name, value in as_sent.items()}

    status, _, page = _raw(
        local_api, "POST", "/privacy-request", urlencode(fields).encode(), {"Content-Type": FORM, **headers}
    )

    assert status == 200  # followed the redirect to the status page
    assert "we have your request" in page


def test_json_posted_from_another_site_is_refused(local_api: LocalApi, desk: Desk) -> None:
    body = b'{"request_types": ["access"], "subject": {"email": "ada@example.com"}, "jurisdiction": "EU"}'

    status, _, answer = _raw(
        local_api, "POST", "/requests", body, {"Content-Type": "application/json", "Origin": EVIL}
    )

    assert status == 403
    assert "another website" in answer
    assert desk.store.open_requests() == []


SECURITY_HEADERS = {
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Content-Security-Policy",
}


@pytest.mark.parametrize(
    ("method", "path", "staff"),
    [
        ("GET", "/privacy-request", False),
        ("GET", "/swagger", False),
        ("GET", "/openapi.json", False),
        ("GET", f"/requests/{UNKNOWN_ID}?token=" + "A" * 43, False),
        ("POST", "/requests", False),  # 415: refused before it is read
        ("GET", "/console", False),
        ("GET", "/console/console.js", False),
        ("GET", "/console/config.json", False),
        ("GET", "/staff/requests", True),
    ],
)
def test_every_answer_carries_the_security_headers(
    local_api: LocalApi, method: str, path: str, *, staff: bool
) -> None:
    headers = {"Authorization": f"Bearer {local_api.tokens.issue('analyst@desk.example')}"} if staff else {}

    _, answered, _ = _raw(local_api, method, path, b"x" if method == "POST" else None, headers)

    assert set(answered) >= SECURITY_HEADERS, path
    assert answered["X-Content-Type-Options"] == "nosniff"
    assert answered["Strict-Transport-Security"].startswith("max-age=63072000")
    assert "frame-ancestors 'none'" in answered["Content-Security-Policy"]


def test_the_gateways_own_refusals_carry_them_too(local_api: LocalApi) -> None:
    status, answered, _ = _raw(local_api, "GET", "/staff/requests")  # no token

    assert status == 401
    assert {"Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options"} <= set(answered)


def test_swagger_may_run_only_its_own_inline_script(local_api: LocalApi) -> None:
    _, headers, _ = _raw(local_api, "GET", "/swagger")

    policy = headers["Content-Security-Policy"]
    assert "script-src 'sha256-" in policy
    assert "unsafe-inline" not in policy
    assert "default-src 'none'" in policy


def _respellings(token: str) -> list[str]:
    raw = base64.urlsafe_b64decode(token + "=")
    standard = base64.b64encode(raw).decode()
    alphabet = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
    # The last character carries two bits no byte uses: set one, and the same bytes decode.
    stray_bits = token[:-1] + alphabet[alphabet.index(token[-1]) ^ 1]
    return [
        token + "=",
        standard,  # the +/ alphabet, padded
        standard.rstrip("="),
        token[:10] + "!" + token[10:],
        token[:10] + "." + token[10:],
        token[:10] + " " + token[10:],
        stray_bits,
    ]


def test_a_status_token_opens_the_page_in_one_spelling_only(public: DeskClient, desk: Desk) -> None:
    request_id, token = _filed(public)
    assert token == status_token(desk, request_id)
    assert public.get(f"/requests/{request_id}?token={token}").status == 200

    for spelling in _respellings(token):
        if spelling == token:
            continue
        answer = public.get(f"/requests/{request_id}?{urlencode({'token': spelling})}")
        assert answer.status in {404, 422}, spelling


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("name", "Ada \u202eecilA", "U+202E"),
        ("name", "Ada\u2066Lovelace", "U+2066"),
        ("name", "Ada\x1b[31m", "U+001B"),
        ("details", "please\x07erase", "U+0007"),
    ],
)
def test_text_that_hides_or_reorders_what_it_says_is_refused_naming_the_character(
    public: DeskClient, desk: Desk, field: str, value: str, problem: str
) -> None:
    subject = {"email": "ada@example.com", "name": value if field == "name" else "Ada"}
    extra = {"details": value} if field == "details" else {}

    answer = submit(public, subject=subject, **extra)

    assert answer.status == 422
    [issue] = answer.body["detail"]
    assert issue["loc"][-1] == field
    assert problem in issue["msg"]
    assert desk.store.open_requests() == []


def test_a_nul_character_is_dropped_and_line_breaks_in_free_text_are_kept(
    public: DeskClient, desk: Desk
) -> None:
    answer = submit(
        public, subject={"email": "ada@example.com", "name": "Ada\x00 Lovelace"}, details="first\nsecond"
    )

    assert answer.status == 201
    request = desk.store.get(answer.body["request_id"])
    assert request.subject.name == "Ada Lovelace"
    assert request.details == "first\nsecond"


def test_the_form_shows_the_refused_character_beside_the_name(local_api: LocalApi, desk: Desk) -> None:
    fields = {"request_types": "access", "email": "ada@example.com", "name": "Ada \u202eecilA"}

    status, _, page = _raw(
        local_api, "POST", "/privacy-request", urlencode(fields).encode(), {"Content-Type": FORM}
    )

    assert status == 422
    assert 'id="name-error"' in page
    assert "U+202E" in page
    assert desk.store.open_requests() == []


def _submission_from(local_api: LocalApi, source_ip: str, body: bytes, key: str) -> dict[str, Any]:
    route = next(r for r in local_api.routes if r.match("POST", "/requests") is not None)
    event = local_api.proxy_event(
        route=route,
        method="POST",
        path="/requests",
        params={},
        query="",
        headers={"content-type": "application/json", "idempotency-key": key},
        body=body,
        source_ip=source_ip,
    )
    answer = local_api.cloud.invoke(route.function, event)
    return {"http_status": answer["statusCode"], **json.loads(answer["body"])}


def test_an_idempotency_key_replayed_by_another_caller_never_returns_the_first_callers_token(
    local_api: LocalApi, desk: Desk
) -> None:
    body = b'{"request_types": ["access"], "subject": {"email": "ada@example.com"}, "jurisdiction": "EU"}'

    first = _submission_from(local_api, "198.51.100.7", body, "form-7f3a")
    retried = _submission_from(local_api, "198.51.100.7", body, "form-7f3a")
    replayed = _submission_from(local_api, "203.0.113.9", body, "form-7f3a")

    assert retried == first  # the first caller's own retry gets its own receipt again
    assert replayed["http_status"] == 201
    assert replayed["status_token"] != first["status_token"]
    assert replayed["request_id"] != first["request_id"]
    assert len(desk.store.open_requests()) == 2  # the replay is a submission of its own
