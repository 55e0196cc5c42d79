"""A Global Privacy Control signal: the product's statement of the signed-in account (refused
when forged, expired, or made for another purpose), what the endpoint refuses, and one opt-out
request per person and jurisdiction however often the signal comes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

import pytest
from nacl.encoding import Base64Encoder
from nacl.signing import SigningKey
from pydantic import ValidationError

from dsr.core.models import Status
from dsr.core.refusals import SignInRequiredError
from dsr.verification import gpc_signals
from dsr.verification.account_assertion import (
    AccountAssertion,
    InvalidAssertionError,
    RefusalReason,
    sign_assertion,
    verify_assertion,
)
from dsr.verification.gpc_signals import GpcSignal, SignalNotSentError, UnacceptableStatementError
from dsr.verification.signal_assertion import (
    PURPOSE,
    SignalAssertion,
    sign_signal_assertion,
    verify_signal_assertion,
)
from dsr.web.http_errors import STATUS_OF_REFUSAL
from dsr.wiring.desk import Desk

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
PRODUCT_KEY = SigningKey.generate()
PUBLIC_KEY = PRODUCT_KEY.verify_key.encode(encoder=Base64Encoder).decode()


def _statement(**changes: Any) -> str:
    fields: dict[str, Any] = {
        "purpose": PURPOSE,
        "account_id": "acct-1002",
        "email": "grace@example.org",
        "country": "US",
        "region": "CA",
        "authenticated_at": NOW - timedelta(minutes=1),
        "expires_at": NOW + timedelta(minutes=9),
        "nonce": "n0nce-n0nce-n0nce-01",
    }
    return sign_signal_assertion(SignalAssertion(**{**fields, **changes}), PRODUCT_KEY)


def _refusal(token: str, now: datetime = NOW) -> RefusalReason:
    with pytest.raises(InvalidAssertionError) as refused:
        verify_signal_assertion(token, PUBLIC_KEY, now=now)
    return refused.value.reason


def test_the_products_statement_names_the_account_and_where_it_lives() -> None:
    statement = verify_signal_assertion(_statement(), PUBLIC_KEY, now=NOW)

    assert (statement.account_id, statement.email, statement.country, statement.region) == (
        "acct-1002",
        "grace@example.org",
        "US",
        "CA",
    )


def test_a_statement_signed_with_another_key_is_refused() -> None:
    forged = sign_signal_assertion(
        SignalAssertion.model_validate_json(
            json.dumps(
                {
                    "purpose": PURPOSE,
                    "account_id": "acct-1002",
                    "email": "grace@example.org",
                    "authenticated_at": NOW.isoformat(),
                    "expires_at": (NOW + timedelta(minutes=5)).isoformat(),
                    "nonce": "n0nce-n0nce-n0nce-02",
                }
            )
        ),
        SigningKey.generate(),
    )

    assert _refusal(forged) is RefusalReason.BAD_SIGNATURE
    assert _refusal("not base64!") is RefusalReason.BAD_ENCODING


def test_an_expired_statement_is_refused() -> None:
    assert _refusal(_statement(), now=NOW + timedelta(minutes=10)) is RefusalReason.EXPIRED


def test_a_request_confirmation_is_not_a_signal_and_a_signal_is_not_a_confirmation() -> None:
    confirmation = sign_assertion(
        AccountAssertion(
            request_id="0b7e6f0e-3c1d-4d7a-9a57-2f0e6c1b9d44",
            account_id="acct-1002",
            email="grace@example.org",
            authenticated_at=NOW - timedelta(minutes=1),
            expires_at=NOW + timedelta(minutes=9),
            nonce="n0nce-n0nce-n0nce-03",
        ),
        PRODUCT_KEY,
    )

    assert _refusal(confirmation) is RefusalReason.WRONG_PURPOSE
    with pytest.raises(InvalidAssertionError) as refused:
        verify_assertion(_statement(), PUBLIC_KEY, request_id="0b7e6f0e-3c1d-4d7a-9a57-2f0e6c1b9d44", now=NOW)
    assert refused.value.reason is RefusalReason.WRONG_PURPOSE


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "browser_id"),
        ({"browser_id": "short"}, "browser_id"),
        ({"browser_id": "b" * 22, "email": "not an address"}, "email"),
        ({"browser_id": "b" * 22, "country": "usa"}, "country"),
        ({"browser_id": "b" * 22, "tracking": True}, "tracking"),
    ],
)
def test_a_malformed_signal_is_refused_naming_the_field(body: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        GpcSignal.model_validate(body)


def test_the_endpoints_refusals_are_4xx_with_a_reason() -> None:
    desk = cast(Desk, SimpleNamespace(settings=SimpleNamespace(product_login_public_key=PUBLIC_KEY)))
    with pytest.raises(SignalNotSentError, match="Sec-GPC: 1"):
        gpc_signals.receive_signal(desk, GpcSignal(browser_id="b" * 22), header_sent=False, caller="x")
    with pytest.raises(UnacceptableStatementError, match="expired"):
        gpc_signals._checked_statement(desk, _statement(), NOW + timedelta(hours=1))
    assert isinstance(UnacceptableStatementError("expired"), SignInRequiredError)
    assert STATUS_OF_REFUSAL[SignInRequiredError] == 401


class _Claims:
    """The store's conditional writes of a claim, in memory."""

    def __init__(self) -> None:
        self.holders: dict[tuple[str, str], str] = {}
        self.requests: dict[str, Status] = {}
        self.suppressed: set[str] = set()

    def claim_subject_type(self, subject: str, claim: str, request_id: str) -> str | None:
        if (subject, claim) in self.holders:
            return self.holders[(subject, claim)]
        self.holders[(subject, claim)] = request_id
        return None

    def take_over_claim(self, subject: str, claim: str, stale: str, request_id: str) -> bool:
        if self.holders.get((subject, claim)) != stale:
            return False
        self.holders[(subject, claim)] = request_id
        return True

    def find(self, request_id: str) -> Any:
        status = self.requests.get(request_id)
        return None if status is None else SimpleNamespace(status=status)

    def suppression_reasons(self, subject: str) -> set[str]:
        return {gpc_signals.OPTED_OUT_REASON} if subject in self.suppressed else set()


def test_a_second_signal_opens_nothing_while_the_first_request_stands() -> None:
    claims = _Claims()
    desk = cast(Desk, SimpleNamespace(store=claims))

    assert gpc_signals._claimed(desk, "grace", "gpc:US-CA", "first") is True
    claims.requests["first"] = Status.IN_PROGRESS
    assert gpc_signals._claimed(desk, "grace", "gpc:US-CA", "second") is False
    claims.requests["first"] = Status.COMPLETED
    claims.suppressed.add("grace")
    assert gpc_signals._claimed(desk, "grace", "gpc:US-CA", "third") is False
    assert gpc_signals._claimed(desk, "grace", "gpc:US-CO", "elsewhere") is True  # one per jurisdiction


def test_a_signal_after_the_opt_out_ended_otherwise_or_was_reversed_opens_a_new_request() -> None:
    claims = _Claims()
    desk = cast(Desk, SimpleNamespace(store=claims))
    gpc_signals._claimed(desk, "grace", "gpc:US-CA", "first")
    claims.requests["first"] = Status.CANCELLED

    assert gpc_signals._claimed(desk, "grace", "gpc:US-CA", "second") is True
    claims.requests["second"] = Status.COMPLETED  # carried out, then the person opted back in
    assert gpc_signals._claimed(desk, "grace", "gpc:US-CA", "third") is True
    assert claims.holders[("grace", "gpc:US-CA")] == "third"
