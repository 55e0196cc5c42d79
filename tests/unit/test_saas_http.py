"""The SaaS connector's HTTP side without a network: the declared rate is never exceeded, a 429
is waited out for its Retry-After, transient statuses are retried with backoff and counted, other
errors fail naming the tool, the request and the status only, the secret is read once and an
OAuth token is kept until it expires."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from email.message import Message
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsr.connectors.base import SaasError, Subject
from dsr.connectors.saas import SaasConnector
from dsr.connectors.saas_http import SaasHttp, TokenBucket
from dsr.core.saas_definitions import RateLimit, load_definition, parse_definition


class FakeClock:
    """Time that moves only when the code sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class Reply:
    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.headers = Message()
        self._body = json.dumps(body).encode()

    def read(self, _: int = -1) -> bytes:
        return self._body

    def __enter__(self) -> Reply:
        return self

    def __exit__(self, *_: object) -> None:
        return None


class FakeOpener:
    """Answers each request from a script of (status, body, headers); records when each came."""

    def __init__(self, clock: FakeClock, script: list[tuple[int, Any, dict[str, str]]]) -> None:
        self.clock = clock
        self.script = list(script)
        self.sent: list[tuple[float, urllib.request.Request]] = []

    def open(self, request: urllib.request.Request, timeout: float = 0) -> Reply:
        self.sent.append((self.clock.now, request))
        status, body, headers = self.script.pop(0) if self.script else (200, {"data": []}, {})
        if status >= 400:
            message = Message()
            for name, value in headers.items():
                message[name] = value
            raise urllib.error.HTTPError(
                request.full_url, status, "refused", message, io.BytesIO(json.dumps(body).encode())
            )
        return Reply(status, body)


def stripe(clock: FakeClock, opener: FakeOpener, reads: list[str] | None = None) -> SaasConnector:
    def read_secret(name: str) -> dict[str, str]:
        if reads is not None:
            reads.append(name)
        return {"api_key": "sk_test_x"}

    http = SaasHttp(
        load_definition("stripe"),
        {},
        read_secret,
        opener=opener,  # type: ignore[arg-type]
        sleep=clock.sleep,
        clock=clock,
    )
    return SaasConnector(http, {})


ADA = Subject(email="ada@example.com")
CUSTOMER = {"data": [{"id": "cus_1", "email": "ada@example.com"}], "has_more": False}


def test_a_429_is_waited_out_for_its_retry_after_then_the_request_goes_again() -> None:
    clock = FakeClock()
    opener = FakeOpener(
        clock, [(429, {"error": {"type": "rate_limit"}}, {"Retry-After": "3"}), (200, CUSTOMER, {})]
    )
    connector = stripe(clock, opener)

    records = list(connector.export(ADA))

    assert records[0]["id"] == "cus_1"
    first, second = opener.sent[0][0], opener.sent[1][0]
    assert second - first >= 3
    assert connector.http.retries == 1


def test_transient_statuses_are_retried_with_growing_backoff_then_fail_naming_tool_request_and_status() -> (
    None
):
    clock = FakeClock()
    opener = FakeOpener(clock, [(503, {}, {})] * 6)
    connector = stripe(clock, opener)

    with pytest.raises(SaasError) as failed:
        list(connector.export(ADA))

    assert str(failed.value) == "stripe: find.request (GET /v1/customers) answered 503 (after 5 retries)"
    gaps = [b[0] - a[0] for a, b in zip(opener.sent, opener.sent[1:], strict=False)]
    assert gaps == sorted(gaps) and gaps[0] >= 0.5
    assert len(opener.sent) == 6 and connector.http.retries == 5


def test_a_refusal_is_not_retried_and_the_message_holds_no_personal_data() -> None:
    clock = FakeClock()
    refusal = {"error": {"type": "invalid_request_error", "message": "No such customer: ada@example.com"}}
    opener = FakeOpener(clock, [(200, CUSTOMER, {}), (400, refusal, {})])

    with pytest.raises(SaasError) as failed:
        stripe(clock, opener).delete(ADA)

    assert (
        str(failed.value)
        == "stripe: actions.erase.steps.0 (DELETE /v1/customers/{id}) answered 400 (invalid_request_error)"
    )
    assert "ada" not in str(failed.value)
    assert len(opener.sent) == 2


def test_a_record_already_gone_counts_nothing() -> None:
    clock = FakeClock()
    opener = FakeOpener(clock, [(200, CUSTOMER, {}), (404, {"error": {"code": "resource_missing"}}, {})])
    assert stripe(clock, opener).delete(ADA) == 0


def test_the_secret_is_read_once_per_container() -> None:
    clock = FakeClock()
    reads: list[str] = []
    connector = stripe(clock, FakeOpener(clock, []), reads)
    for _ in range(3):
        list(connector.export(ADA))
    assert reads == ["privacy-desk/saas/stripe"]
    assert opener_authorization(connector) == "Bearer sk_test_x"


def opener_authorization(connector: SaasConnector) -> str | None:
    opener = connector.http._opener
    return opener.sent[-1][1].get_header("Authorization")  # type: ignore[attr-defined, no-any-return]


OAUTH = """
tool: acme
base_url: https://api.acme.example
auth: {scheme: oauth_client_credentials, secret: privacy-desk/saas/acme, token_url: /oauth/token}
rate_limit: {requests: 100, per_seconds: 1}
find:
  request: {method: GET, path: /people, query: {email: "{email}"}}
  records_at: people
"""


def test_an_oauth_token_is_asked_for_once_and_again_only_when_it_expires() -> None:
    clock = FakeClock()
    token = {"access_token": "tok-1", "expires_in": 600}
    script = [(200, token, {}), (200, {"people": []}, {}), (200, {"people": []}, {})]
    script += [(200, {**token, "access_token": "tok-2"}, {}), (200, {"people": []}, {})]
    opener = FakeOpener(clock, script)
    http = SaasHttp(
        parse_definition(OAUTH, "acme.yaml"),
        {},
        lambda _: {"client_id": "id", "client_secret": "secret"},
        opener=opener,  # type: ignore[arg-type]
        sleep=clock.sleep,
        clock=clock,
    )
    connector = SaasConnector(http, {})

    list(connector.export(ADA))
    list(connector.export(ADA))
    clock.now += 600  # the token has expired
    list(connector.export(ADA))

    urls = [request.full_url for _, request in opener.sent]
    assert urls.count("https://api.acme.example/oauth/token") == 2
    assert opener.sent[2][1].get_header("Authorization") == "Bearer tok-1"
    assert opener.sent[4][1].get_header("Authorization") == "Bearer tok-2"


@settings(max_examples=25, deadline=None)
@given(
    requests=st.integers(min_value=1, max_value=20),
    per_seconds=st.floats(min_value=0.1, max_value=10),
    arrivals=st.lists(st.floats(min_value=0, max_value=5), min_size=1, max_size=40),
)
def test_the_bucket_never_lets_more_than_the_declared_requests_into_any_window(
    requests: int, per_seconds: float, arrivals: list[float]
) -> None:
    clock = FakeClock()
    bucket = TokenBucket(RateLimit(requests=requests, per_seconds=per_seconds), clock, clock.sleep)
    sent = []
    for pause in arrivals:
        clock.now += pause / 10
        bucket.take()
        sent.append(clock.now)
    for index, start in enumerate(sent):
        in_window = [t for t in sent[index:] if t < start + per_seconds - 1e-9]
        assert len(in_window) <= requests


def test_an_address_written_with_capitals_is_looked_up_as_written_too_and_counted_once() -> None:
    clock = FakeClock()
    empty = {"data": [], "has_more": False}
    same = {"data": [{"id": "cus_1", "email": "Ada@Example.com"}], "has_more": False}
    # export: lower-cased finds nothing, as written finds her (Stripe compares exactly)
    opener = FakeOpener(clock, [(200, empty, {}), (200, same, {}), (200, empty, {}), (200, empty, {})])
    records = list(stripe(clock, opener).export(Subject(email="Ada@Example.com")))
    queries = [request.full_url.split("?")[1] for _, request in opener.sent[:2]]
    assert queries == ["email=ada%40example.com&limit=100", "email=Ada%40Example.com&limit=100"]
    assert [r["id"] for r in records if r["record_set"] == "person"] == ["cus_1"]

    # erase: found both ways, deleted once
    opener = FakeOpener(clock, [(200, same, {}), (200, same, {}), (200, {"deleted": True}, {})])
    assert stripe(clock, opener).delete(Subject(email="Ada@Example.com")) == 1
    assert [request.get_method() for _, request in opener.sent] == ["GET", "GET", "DELETE"]
