"""Account assertions: the product's signed word that the account holder, just signed in, confirms."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nacl.encoding import Base64Encoder
from nacl.signing import SigningKey

from dsr.verification.account_assertion import (
    AccountAssertion,
    InvalidAssertionError,
    InvalidPublicKeyError,
    RefusalReason,
    assertion_fingerprint,
    canonical_json,
    sign_assertion,
    verify_assertion,
)
from local_cloud.product_login import DemoProductLogin

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
REQUEST_ID = "0b7e6f0e-3c1d-4d7a-9a57-2f0e6c1b9d44"
OTHER_REQUEST_ID = "9d0c3a52-6f4e-4b8e-8f0d-1c2b3a4d5e6f"
# One key for the whole module: generating keys is cheap, but hypothesis runs many examples.
PRODUCT_KEY = SigningKey.generate()
PUBLIC_KEY = PRODUCT_KEY.verify_key.encode(encoder=Base64Encoder).decode()


def _assertion(**changes: Any) -> AccountAssertion:
    fields: dict[str, Any] = {
        "request_id": REQUEST_ID,
        "account_id": "acct-1001",
        "email": "ada@example.com",
        "authenticated_at": NOW - timedelta(minutes=1),
        "expires_at": NOW + timedelta(minutes=9),
        "nonce": "n0nce-n0nce-n0nce-01",
    }
    return AccountAssertion(**{**fields, **changes})


def _token(assertion: AccountAssertion | None = None, key: SigningKey = PRODUCT_KEY) -> str:
    return sign_assertion(assertion or _assertion(), key)


def _refusal(token: str, *, request_id: str = REQUEST_ID, now: datetime = NOW) -> RefusalReason:
    with pytest.raises(InvalidAssertionError) as refused:
        verify_assertion(token, PUBLIC_KEY, request_id=request_id, now=now)
    return refused.value.reason


def _signed_raw(payload: bytes, key: SigningKey = PRODUCT_KEY) -> str:
    """A correctly signed token around any payload, as a product with a bug (or a thief of the key
    who cannot write JSON) might send."""
    return base64.urlsafe_b64encode(bytes(key.sign(payload))).decode()


def test_a_valid_assertion_verifies_and_returns_its_fields() -> None:
    assertion = verify_assertion(_token(), PUBLIC_KEY, request_id=REQUEST_ID, now=NOW)

    assert assertion == _assertion()
    assert assertion.account_id == "acct-1001"
    assert assertion.email == "ada@example.com"
    assert assertion.authenticated_at == NOW - timedelta(minutes=1)
    assert assertion.authenticated_at.tzinfo is UTC


def test_the_wire_format_is_signature_then_canonical_json_in_base64url() -> None:
    token = _token()
    raw = base64.urlsafe_b64decode(token)
    payload = raw[64:]

    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=")
    assert payload == canonical_json(_assertion())
    assert (
        payload
        == json.dumps(_assertion().model_dump(mode="json"), sort_keys=True, separators=(",", ":")).encode()
    )
    PRODUCT_KEY.verify_key.verify(payload, raw[:64])  # raises if the signature is not the first 64 bytes


def test_a_token_without_padding_verifies_too() -> None:
    token = _token().rstrip("=")

    assert verify_assertion(token, PUBLIC_KEY, request_id=REQUEST_ID, now=NOW) == _assertion()


def test_a_time_in_another_zone_is_read_as_the_same_instant_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    login = datetime(2025, 3, 1, 13, 59, tzinfo=paris)  # 12:59 UTC

    assertion = verify_assertion(
        _token(_assertion(authenticated_at=login, expires_at=login + timedelta(minutes=5))),
        PUBLIC_KEY,
        request_id=REQUEST_ID,
        now=datetime(2025, 3, 1, 13, 0, tzinfo=UTC),
    )

    assert assertion.authenticated_at == datetime(2025, 3, 1, 12, 59, tzinfo=UTC)
    assert assertion.authenticated_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize("position", [64, 80, -2])
def test_a_payload_changed_by_one_byte_is_refused(position: int) -> None:
    raw = bytearray(base64.urlsafe_b64decode(_token()))
    raw[position] ^= 0x01
    tampered = base64.urlsafe_b64encode(bytes(raw)).decode()

    assert _refusal(tampered) is RefusalReason.BAD_SIGNATURE


def test_a_changed_signature_byte_is_refused() -> None:
    raw = bytearray(base64.urlsafe_b64decode(_token()))
    raw[5] ^= 0x80

    assert _refusal(base64.urlsafe_b64encode(bytes(raw)).decode()) is RefusalReason.BAD_SIGNATURE


def test_a_signature_from_another_key_is_refused() -> None:
    assert _refusal(_token(key=SigningKey.generate())) is RefusalReason.BAD_SIGNATURE


def test_a_token_for_another_request_is_refused() -> None:
    assert _refusal(_token(), request_id=OTHER_REQUEST_ID) is RefusalReason.WRONG_REQUEST


@pytest.mark.parametrize("now", [NOW + timedelta(minutes=9), NOW + timedelta(minutes=9, seconds=1)])
def test_an_expired_assertion_is_refused(now: datetime) -> None:
    assert _refusal(_token(), now=now) is RefusalReason.EXPIRED


def test_an_assertion_is_good_until_the_instant_it_expires() -> None:
    just_before = NOW + timedelta(minutes=9) - timedelta(microseconds=1)

    assert verify_assertion(_token(), PUBLIC_KEY, request_id=REQUEST_ID, now=just_before)


def test_a_login_longer_ago_than_max_age_is_refused() -> None:
    stale = _assertion(authenticated_at=NOW - timedelta(minutes=11), expires_at=NOW + timedelta(minutes=4))

    assert _refusal(_token(stale)) is RefusalReason.TOO_OLD


def test_max_age_is_the_callers_choice_and_its_boundary_is_accepted() -> None:
    login = _assertion(authenticated_at=NOW - timedelta(minutes=3), expires_at=NOW + timedelta(minutes=7))

    assert verify_assertion(
        _token(login), PUBLIC_KEY, request_id=REQUEST_ID, now=NOW, max_age=timedelta(minutes=3)
    )
    with pytest.raises(InvalidAssertionError) as refused:
        verify_assertion(
            _token(login), PUBLIC_KEY, request_id=REQUEST_ID, now=NOW, max_age=timedelta(minutes=2)
        )
    assert refused.value.reason is RefusalReason.TOO_OLD


def test_a_login_in_the_future_beyond_the_allowed_skew_is_refused() -> None:
    future = _assertion(authenticated_at=NOW + timedelta(seconds=61), expires_at=NOW + timedelta(minutes=10))

    assert _refusal(_token(future)) is RefusalReason.NOT_YET_VALID


def test_a_login_a_minute_ahead_is_clock_skew_and_accepted() -> None:
    skewed = _assertion(authenticated_at=NOW + timedelta(seconds=60), expires_at=NOW + timedelta(minutes=10))

    assert verify_assertion(_token(skewed), PUBLIC_KEY, request_id=REQUEST_ID, now=NOW) == skewed


def test_a_lifetime_over_fifteen_minutes_is_refused() -> None:
    login = NOW - timedelta(minutes=1)
    long_lived = _assertion(authenticated_at=login, expires_at=login + timedelta(minutes=15, seconds=1))

    assert _refusal(_token(long_lived)) is RefusalReason.LIFETIME_TOO_LONG


def test_a_lifetime_of_exactly_fifteen_minutes_is_accepted() -> None:
    login = NOW - timedelta(minutes=1)
    assertion = _assertion(authenticated_at=login, expires_at=login + timedelta(minutes=15))

    assert verify_assertion(_token(assertion), PUBLIC_KEY, request_id=REQUEST_ID, now=NOW) == assertion


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[]",
        b"\xff\xfe",
        json.dumps({"request_id": REQUEST_ID}).encode(),
        # an unknown field
        json.dumps({**_assertion().model_dump(mode="json"), "level": "admin"}).encode(),
        # a naive time
        json.dumps(
            {**_assertion().model_dump(mode="json"), "authenticated_at": "2025-03-01T11:59:00"}
        ).encode(),
        # a nonce too short to be one
        json.dumps({**_assertion().model_dump(mode="json"), "nonce": "abc"}).encode(),
        # a request id that is not a UUID
        json.dumps({**_assertion().model_dump(mode="json"), "request_id": "REQ-1"}).encode(),
        # expiring before the login it reports
        json.dumps(
            {**_assertion().model_dump(mode="json"), "expires_at": (NOW - timedelta(minutes=2)).isoformat()}
        ).encode(),
    ],
)
def test_a_signed_payload_that_is_not_an_assertion_is_refused(payload: bytes) -> None:
    assert _refusal(_signed_raw(payload)) is RefusalReason.BAD_PAYLOAD


@pytest.mark.parametrize(
    "token",
    [
        "",
        "a",
        "not base64!",
        "tökén",
        "abc=def",
        "====",
        base64.b64encode(b"\xfb\xff" * 60).decode(),  # standard alphabet: '+' and '/'
        base64.urlsafe_b64encode(b"x" * 64).decode(),  # a signature's worth, no message
        "A" * 5000,
    ],
)
def test_what_is_not_a_token_is_refused_as_bad_encoding(token: str) -> None:
    assert _refusal(token) is RefusalReason.BAD_ENCODING


@given(st.text(max_size=600))
def test_any_text_is_refused_with_invalid_assertion_error_only(token: str) -> None:
    with pytest.raises(InvalidAssertionError):
        verify_assertion(token, PUBLIC_KEY, request_id=REQUEST_ID, now=NOW)


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", max_size=600))
def test_any_base64url_text_is_refused_with_invalid_assertion_error_only(token: str) -> None:
    with pytest.raises(InvalidAssertionError):
        verify_assertion(token, PUBLIC_KEY, request_id=REQUEST_ID, now=NOW)


@given(st.binary(max_size=600))
def test_any_correctly_signed_bytes_are_refused_with_invalid_assertion_error_only(payload: bytes) -> None:
    with pytest.raises(InvalidAssertionError):
        verify_assertion(_signed_raw(payload), PUBLIC_KEY, request_id=REQUEST_ID, now=NOW)


def test_the_reason_is_the_exceptions_message_for_the_audit_trail() -> None:
    with pytest.raises(InvalidAssertionError, match=r"^wrong-request$"):
        verify_assertion(_token(), PUBLIC_KEY, request_id=OTHER_REQUEST_ID, now=NOW)


@pytest.mark.parametrize("key", ["", "not base64!", base64.b64encode(b"x" * 31).decode()])
def test_an_unusable_public_key_is_a_configuration_error_not_a_refusal(key: str) -> None:
    with pytest.raises(InvalidPublicKeyError):
        verify_assertion(_token(), key, request_id=REQUEST_ID, now=NOW)


def test_a_naive_now_is_the_callers_mistake() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        verify_assertion(_token(), PUBLIC_KEY, request_id=REQUEST_ID, now=NOW.replace(tzinfo=None))


def test_the_fingerprint_is_stable_and_differs_per_nonce() -> None:
    first = _assertion(nonce="a" * 16)

    assert assertion_fingerprint(first) == assertion_fingerprint(_assertion(nonce="a" * 16))
    assert assertion_fingerprint(first) != assertion_fingerprint(_assertion(nonce="b" * 16))
    assert assertion_fingerprint(first) != assertion_fingerprint(
        _assertion(request_id=OTHER_REQUEST_ID, nonce="a" * 16)
    )
    assert len(assertion_fingerprint(first)) == 64
    assert int(assertion_fingerprint(first), 16) >= 0  # hex


def test_the_fingerprint_holds_no_personal_data() -> None:
    fingerprint = assertion_fingerprint(_assertion())

    assert "ada" not in fingerprint
    assert "acct" not in fingerprint


def test_an_assertion_is_immutable_and_refuses_unknown_fields() -> None:
    assertion = _assertion()

    with pytest.raises(ValueError, match="frozen"):
        assertion.nonce = "x" * 20  # type: ignore[misc]
    with pytest.raises(ValueError, match="Extra inputs"):
        _assertion(level="admin")


def test_the_demo_product_login_issues_assertions_the_desk_accepts() -> None:
    product = DemoProductLogin()

    token = product.assertion_for(REQUEST_ID, "acct-1001", "ada@example.com", NOW)
    assertion = verify_assertion(token, product.public_key_b64, request_id=REQUEST_ID, now=NOW)

    assert (assertion.account_id, assertion.email) == ("acct-1001", "ada@example.com")
    assert assertion.authenticated_at == NOW
    assert assertion.expires_at == NOW + timedelta(minutes=10)
    assert len(base64.b64decode(product.public_key_b64, validate=True)) == 32


def test_each_demo_assertion_has_a_fresh_nonce_and_the_demo_key_is_its_own() -> None:
    product = DemoProductLogin()
    first = verify_assertion(
        product.assertion_for(REQUEST_ID, "acct-1001", "ada@example.com", NOW),
        product.public_key_b64,
        request_id=REQUEST_ID,
        now=NOW,
    )
    second = verify_assertion(
        product.assertion_for(REQUEST_ID, "acct-1001", "ada@example.com", NOW),
        product.public_key_b64,
        request_id=REQUEST_ID,
        now=NOW,
    )

    assert assertion_fingerprint(first) != assertion_fingerprint(second)
    assert DemoProductLogin().public_key_b64 != product.public_key_b64
    with pytest.raises(InvalidAssertionError) as refused:
        verify_assertion(
            product.assertion_for(REQUEST_ID, "acct-1001", "ada@example.com", NOW),
            PUBLIC_KEY,
            request_id=REQUEST_ID,
            now=NOW,
        )
    assert refused.value.reason is RefusalReason.BAD_SIGNATURE
