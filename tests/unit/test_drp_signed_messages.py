"""Every check of DRP 1.0's 3.07, in its order, on the domain function itself: each malformed,
truncated, re-signed, wrong-key, wrong-business, future, expired, oversized, non-JSON or
non-object body is refused with a 4xx and a message naming the check, never an exception of
another kind (which the API would answer 500)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsr.agents.signed_messages import CLOCK_SKEW, MAX_BODY_CHARACTERS, MessageRefused, open_signed
from tests.unit.drp_signing import AGENT_ID, BUSINESS_ID, agent_key, envelope, signed, verify_key_of

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
KEY = agent_key()
VERIFY_KEY = verify_key_of(KEY)


def _open(body: str, *, now: datetime = NOW, verify_key: str = VERIFY_KEY) -> dict[str, object]:
    return open_signed(
        body, verify_key=verify_key, agent_id=AGENT_ID, business_id=BUSINESS_ID, now=now
    ).claims


def _refused_check(body: str, **options: object) -> tuple[str, int]:
    with pytest.raises(MessageRefused) as refused:
        _open(body, **options)  # type: ignore[arg-type]
    assert 400 <= refused.value.status < 500
    return refused.value.check, refused.value.status


def test_a_well_signed_message_opens_to_its_claims() -> None:
    claims = _open(signed(KEY, envelope(NOW, exercise="deletion")))

    assert claims["exercise"] == "deletion"


@pytest.mark.parametrize(
    ("body", "check", "status"),
    [
        ("not base64 at all!", "base64", 400),
        ("x" * (MAX_BODY_CHARACTERS + 1), "size", 413),
        (base64.b64encode(b"short").decode(), "signature", 403),
        (signed(agent_key(2), envelope(NOW)), "signature", 403),
        (signed(KEY, envelope(NOW, **{"agent-id": "OTHER_AGENT"})), "agent-id", 403),
        (signed(KEY, envelope(NOW, **{"business-id": "SOMEONE_ELSE"})), "business-id", 403),
        (signed(KEY, envelope(NOW + CLOCK_SKEW + timedelta(seconds=1))), "issued-at", 400),
        (signed(KEY, envelope(NOW - timedelta(minutes=6))), "expires-at", 400),
        (
            signed(KEY, envelope(NOW, **{"expires-at": (NOW + timedelta(minutes=11)).isoformat()})),
            "validity",
            400,
        ),
        (signed(KEY, envelope(NOW, **{"drp.version": "0.9"})), "drp.version", 400),
        (signed(KEY, envelope(NOW, **{"issued-at": "yesterday"})), "issued-at", 400),
        (signed(KEY, [1, 2, 3]), "json", 400),
        (base64.b64encode(KEY.sign(b"\xff\xfe not utf-8").__bytes__()).decode(), "json", 400),
        (base64.b64encode(KEY.sign(b"{not json").__bytes__()).decode(), "json", 400),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 20 else None,
)
def test_each_failed_check_is_refused_and_named(body: str, check: str, status: int) -> None:
    assert _refused_check(body) == (check, status)


def test_the_checks_run_in_the_specs_order_signature_before_agent_before_business() -> None:
    wrong_everything = envelope(NOW - timedelta(hours=1), **{"agent-id": "X", "business-id": "Y"})

    assert _refused_check(signed(agent_key(3), wrong_everything))[0] == "signature"
    assert _refused_check(signed(KEY, wrong_everything))[0] == "agent-id"
    assert _refused_check(signed(KEY, {**wrong_everything, "agent-id": AGENT_ID}))[0] == "business-id"


def test_an_agent_clock_a_little_ahead_is_allowed() -> None:
    assert _open(signed(KEY, envelope(NOW + CLOCK_SKEW)))


@settings(max_examples=15, deadline=None)
@given(cut=st.integers(min_value=0, max_value=400))
def test_a_truncated_body_is_refused_with_a_4xx(cut: int) -> None:
    body = signed(KEY, envelope(NOW, exercise="access"))
    truncated = body[: min(cut, len(body) - 1)]

    _refused_check(truncated)


@settings(max_examples=15, deadline=None)
@given(position=st.integers(min_value=0), flip=st.integers(min_value=1, max_value=255))
def test_a_message_altered_after_signing_is_refused(position: int, flip: int) -> None:
    raw = bytearray(base64.b64decode(signed(KEY, envelope(NOW, exercise="access"))))
    raw[position % len(raw)] ^= flip

    assert _refused_check(base64.b64encode(bytes(raw)).decode())[0] == "signature"


@settings(max_examples=15, deadline=None)
@given(
    claims=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
        max_leaves=12,
    )
)
def test_any_json_re_signed_by_the_agent_is_opened_or_refused_with_a_4xx(claims: object) -> None:
    body = base64.b64encode(KEY.sign(json.dumps(claims).encode()).__bytes__()).decode()
    try:
        _open(body)
    except MessageRefused as refused:
        assert 400 <= refused.status < 500


@settings(max_examples=15, deadline=None)
@given(body=st.text(max_size=300))
def test_any_text_is_refused_with_a_4xx(body: str) -> None:
    _refused_check(body)
