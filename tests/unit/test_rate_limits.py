"""Fixed-window rate limits on a moto DynamoDB table of their own (no local cloud)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from dsr.storage import rate_limits
from dsr.storage.rate_limits import (
    CODE_ATTEMPTS_PER_ADDRESS,
    DOWNLOAD_CODES_PER_REQUEST,
    MAILS_PER_RECIPIENT,
    NEW_CODES_PER_REQUEST,
    SIGNALS_PER_ADDRESS,
    SUBMISSIONS_PER_ADDRESS,
    SUBMISSIONS_PER_SUBJECT,
    RateLimit,
    RateLimiter,
    Verdict,
    check_opaque,
    opaque_key,
)

REGION = "us-east-1"
TABLE = "requests"
SECRET = b"test-secret-not-for-production"
# The start of an hour, and of a day: windows of 60 s, 1 h and 24 h all begin here.
T0 = datetime(2025, 3, 10, 0, 0, tzinfo=UTC)
KEY = opaque_key("ada@example.com", SECRET)
OTHER_KEY = opaque_key("grace@example.org", SECRET)

PER_MINUTE = RateLimit(name="test-per-minute", limit=3, window_seconds=60)
WITH_LOCKOUT = RateLimit(name="test-lockout", limit=2, window_seconds=60, lockout_seconds=300)


@pytest.fixture
def table(aws: None) -> Iterator[Any]:
    """The requests table's shape, in moto (opened by the aws fixture)."""
    dynamodb = boto3.resource("dynamodb", region_name=REGION)
    created = dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    boto3.client("dynamodb", region_name=REGION).update_time_to_live(
        TableName=TABLE, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
    )
    yield created


@pytest.fixture
def limiter(table: Any) -> RateLimiter:
    return RateLimiter(table)


def hits(limiter: RateLimiter, rule: RateLimit, count: int, at: datetime, key: str = KEY) -> list[Verdict]:
    return [limiter.hit(rule, key, at) for _ in range(count)]


def all_items(table: Any) -> list[dict[str, Any]]:
    return list(table.scan(ConsistentRead=True)["Items"])


# --- counting ----------------------------------------------------------------------------------


def test_allowed_up_to_the_limit_then_refused(limiter: RateLimiter) -> None:
    verdicts = hits(limiter, PER_MINUTE, 5, T0 + timedelta(seconds=10))
    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert all(v.retry_after_seconds == 0 and not v.locked_now for v in verdicts[:3])
    assert not any(v.locked_now for v in verdicts)


def test_refusals_do_not_add_to_the_count(limiter: RateLimiter, table: Any) -> None:
    hits(limiter, PER_MINUTE, 10, T0)
    (window,) = all_items(table)
    assert window["count"] == PER_MINUTE.limit


def test_a_new_window_resets_the_count(limiter: RateLimiter) -> None:
    first = hits(limiter, PER_MINUTE, 4, T0 + timedelta(seconds=59))
    second = hits(limiter, PER_MINUTE, 4, T0 + timedelta(seconds=60))
    assert [v.allowed for v in first] == [True, True, True, False]
    assert [v.allowed for v in second] == [True, True, True, False]


def test_windows_are_fixed_not_sliding(limiter: RateLimiter) -> None:
    """Fixed windows start at multiples of window_seconds since the epoch."""
    hits(limiter, PER_MINUTE, 3, T0 + timedelta(seconds=58))
    assert not limiter.hit(PER_MINUTE, KEY, T0 + timedelta(seconds=59)).allowed
    assert limiter.hit(PER_MINUTE, KEY, T0 + timedelta(seconds=61)).allowed


def test_keys_are_independent(limiter: RateLimiter) -> None:
    hits(limiter, PER_MINUTE, 3, T0)
    assert not limiter.hit(PER_MINUTE, KEY, T0).allowed
    assert limiter.hit(PER_MINUTE, OTHER_KEY, T0).allowed


def test_rules_are_independent(limiter: RateLimiter) -> None:
    other_rule = RateLimit(name="test-other", limit=1, window_seconds=60)
    hits(limiter, PER_MINUTE, 3, T0)
    assert not limiter.hit(PER_MINUTE, KEY, T0).allowed
    assert limiter.hit(other_rule, KEY, T0).allowed
    assert not limiter.hit(other_rule, KEY, T0).allowed
    assert limiter.hit(WITH_LOCKOUT, KEY, T0).allowed


# --- retry-after -------------------------------------------------------------------------------


def test_retry_after_is_the_rest_of_the_window(limiter: RateLimiter) -> None:
    hits(limiter, PER_MINUTE, 3, T0 + timedelta(seconds=15))
    refused = limiter.hit(PER_MINUTE, KEY, T0 + timedelta(seconds=20))
    assert refused == Verdict(allowed=False, retry_after_seconds=40, locked_now=False)
    assert limiter.hit(PER_MINUTE, KEY, T0 + timedelta(seconds=20 + refused.retry_after_seconds)).allowed


def test_retry_after_is_never_zero_when_refused(limiter: RateLimiter) -> None:
    hits(limiter, PER_MINUTE, 3, T0)
    refused = limiter.hit(PER_MINUTE, KEY, T0 + timedelta(seconds=59, microseconds=999_999))
    assert not refused.allowed
    assert refused.retry_after_seconds == 1


def test_retry_after_covers_a_window_longer_than_the_lockout(limiter: RateLimiter) -> None:
    """With 30 an hour and a 15-minute lockout, going over at minute 5 means the hour's window is
    still full when the lockout ends: the honest answer is the end of the window."""
    at = T0 + timedelta(minutes=5)
    hits(limiter, SUBMISSIONS_PER_ADDRESS, 30, at)
    refused = limiter.hit(SUBMISSIONS_PER_ADDRESS, KEY, at)
    assert refused.locked_now
    assert refused.retry_after_seconds == 55 * 60


# --- lockout -----------------------------------------------------------------------------------


def test_lockout_refuses_even_in_a_new_window_until_it_ends(limiter: RateLimiter) -> None:
    start = T0 + timedelta(seconds=30)
    assert [v.allowed for v in hits(limiter, WITH_LOCKOUT, 2, start)] == [True, True]
    tripped = limiter.hit(WITH_LOCKOUT, KEY, start)
    assert tripped == Verdict(allowed=False, retry_after_seconds=300, locked_now=True)

    later = [limiter.hit(WITH_LOCKOUT, KEY, start + timedelta(seconds=s)) for s in (1, 30, 60, 120, 299)]
    assert not any(v.allowed for v in later), "windows after the first are still locked"
    assert not any(v.locked_now for v in later), "locked_now is reported once per lockout"
    assert [v.retry_after_seconds for v in later] == [299, 270, 240, 180, 1]

    assert limiter.hit(WITH_LOCKOUT, KEY, start + timedelta(seconds=300)).allowed


def test_locked_attempts_are_not_counted(limiter: RateLimiter, table: Any) -> None:
    hits(limiter, WITH_LOCKOUT, 3, T0)
    hits(limiter, WITH_LOCKOUT, 20, T0 + timedelta(seconds=30))
    (window,) = [item for item in all_items(table) if str(item["sk"]).startswith("W#")]
    assert window["count"] == WITH_LOCKOUT.limit


def test_a_lockout_that_ends_inside_a_full_window_starts_again(limiter: RateLimiter) -> None:
    """The lockout is shorter than the window: when it ends, the window is still full, so the
    next attempt starts a new lockout, reported (and audited) once more."""
    rule = RateLimit(name="test-short-lockout", limit=2, window_seconds=3600, lockout_seconds=60)
    first = hits(limiter, rule, 3, T0)
    assert first[2].locked_now
    assert first[2].retry_after_seconds == 3600
    assert not limiter.hit(rule, KEY, T0 + timedelta(seconds=59)).locked_now
    again = hits(limiter, rule, 2, T0 + timedelta(seconds=60))
    assert [(v.allowed, v.locked_now) for v in again] == [(False, True), (False, False)]
    assert limiter.hit(rule, KEY, T0 + timedelta(seconds=3600)).allowed


def test_lockout_is_per_key(limiter: RateLimiter) -> None:
    hits(limiter, WITH_LOCKOUT, 3, T0)
    assert limiter.hit(WITH_LOCKOUT, OTHER_KEY, T0).allowed


def test_no_lockout_means_a_new_window_is_enough(limiter: RateLimiter) -> None:
    hits(limiter, PER_MINUTE, 10, T0)
    assert limiter.hit(PER_MINUTE, KEY, T0 + timedelta(seconds=60)).allowed


# --- concurrency -------------------------------------------------------------------------------


@pytest.fixture
def slow_moto_conditions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Widen moto's gap between reading an item and checking the condition, so a backend that
    did not check and write as one step would let more than the limit through in this test."""
    import time

    import moto.dynamodb.models as dynamodb_models

    parse = dynamodb_models.create_condition_expression_parser

    def slow_parse(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.005)
        return parse(*args, **kwargs)

    monkeypatch.setattr(dynamodb_models, "create_condition_expression_parser", slow_parse)


@pytest.mark.usefixtures("slow_moto_conditions")
def test_concurrent_hits_allow_exactly_the_limit(table: Any) -> None:
    from local_cloud.cloud import _make_dynamodb_writes_atomic

    # DynamoDB checks a condition and writes in one step; moto needs a lock to do the same
    _make_dynamodb_writes_atomic()
    rule = RateLimit(name="test-concurrent", limit=5, window_seconds=3600, lockout_seconds=600)
    barrier = threading.Barrier(8, timeout=30)
    verdicts: list[Verdict] = []
    errors: list[BaseException] = []
    guard = threading.Lock()

    def attempt() -> None:
        try:
            # boto3 resources are not thread-safe: one session per thread, as in separate Lambdas
            own_table = boto3.session.Session().resource("dynamodb", region_name=REGION).Table(TABLE)
            own_limiter = RateLimiter(own_table)
            barrier.wait()
            verdict = own_limiter.hit(rule, KEY, T0)
        except BaseException as error:
            with guard:
                errors.append(error)
            raise
        with guard:
            verdicts.append(verdict)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert len(verdicts) == 8
    assert sum(v.allowed for v in verdicts) == 5
    assert sum(v.locked_now for v in verdicts) == 1
    (window,) = [item for item in all_items(table) if str(item["sk"]).startswith("W#")]
    assert window["count"] == 5


# --- what is stored ----------------------------------------------------------------------------


def test_items_have_the_documented_keys_and_expire(limiter: RateLimiter, table: Any) -> None:
    at = T0 + timedelta(seconds=30)
    hits(limiter, WITH_LOCKOUT, 3, at)
    items = {item["sk"]: item for item in all_items(table)}
    window_start = int(T0.timestamp())
    assert set(items) == {f"W#{window_start}", "LOCK"}
    assert {item["pk"] for item in items.values()} == {f"RATE#test-lockout#{KEY}"}
    assert items[f"W#{window_start}"]["expires_at"] == window_start + 60
    assert items["LOCK"]["until"] == int(at.timestamp()) + 300
    assert items["LOCK"]["expires_at"] == int(at.timestamp()) + 300


def test_an_expired_lock_that_ttl_has_not_removed_yet_is_ignored(limiter: RateLimiter, table: Any) -> None:
    """TTL deletes late; the lock's own until decides."""
    hits(limiter, WITH_LOCKOUT, 3, T0)
    much_later = T0 + timedelta(days=1)
    assert any(item["sk"] == "LOCK" for item in all_items(table))
    assert limiter.hit(WITH_LOCKOUT, KEY, much_later).allowed


def test_nothing_personal_is_stored(limiter: RateLimiter, table: Any) -> None:
    email, address = "ada@example.com", "203.0.113.7"
    limiter.hit(SUBMISSIONS_PER_SUBJECT, opaque_key(email, SECRET), T0)
    hits(limiter, WITH_LOCKOUT, 3, T0, key=opaque_key(address, SECRET))
    stored = repr(all_items(table))
    for personal in (email, "ada", "example.com", address, "203.0.113"):
        assert personal not in stored
    for item in all_items(table):
        assert set(item) <= {"pk", "sk", "count", "until", "expires_at"}


@pytest.mark.parametrize(
    "value",
    [
        "ada@example.com",
        "203.0.113.7",
        "2001:db8::8a2e:370:7334",
        "+442071838750",
        "",
        "short",
        "RATE#x#y" + "0" * 40,
    ],
)
def test_keys_that_are_not_opaque_are_refused(limiter: RateLimiter, table: Any, value: str) -> None:
    with pytest.raises(ValueError, match="opaque"):
        limiter.hit(PER_MINUTE, value, T0)
    assert all_items(table) == []


def test_opaque_keys_pass() -> None:
    digest = opaque_key("ada@example.com", SECRET)
    assert check_opaque(digest) == digest
    assert check_opaque("3b241101-e2bb-4255-8caf-4136c566a962") == "3b241101-e2bb-4255-8caf-4136c566a962"
    kms_style = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="
    assert check_opaque(kms_style) == kms_style


def test_opaque_key_is_a_keyed_hmac_sha256() -> None:
    digest = opaque_key("203.0.113.7", SECRET)
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    assert digest == opaque_key("203.0.113.7", SECRET)
    assert digest != opaque_key("203.0.113.7", b"another secret")
    assert digest != opaque_key("203.0.113.8", SECRET)
    with pytest.raises(ValueError, match="secret"):
        opaque_key("203.0.113.7", b"")


def test_naive_datetimes_are_refused(limiter: RateLimiter) -> None:
    with pytest.raises(ValueError, match="timezone"):
        limiter.hit(PER_MINUTE, KEY, datetime(2025, 3, 10))


# --- the rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"window_seconds": 0}, "window_seconds"),
        ({"lockout_seconds": -1}, "lockout_seconds"),
        ({"name": "Has Spaces"}, "name"),
        ({"name": "with#hash"}, "name"),
    ],
)
def test_rules_are_validated(fields: dict[str, Any], field: str) -> None:
    valid: dict[str, Any] = {"name": "ok", "limit": 1, "window_seconds": 1, "lockout_seconds": 0}
    with pytest.raises(ValueError, match=field):
        RateLimit(**{**valid, **fields})


def test_rules_are_frozen() -> None:
    with pytest.raises(AttributeError):
        PER_MINUTE.limit = 10  # type: ignore[misc]


def test_the_desks_rules() -> None:
    assert (SUBMISSIONS_PER_SUBJECT.limit, SUBMISSIONS_PER_SUBJECT.window_seconds) == (5, 24 * 3600)
    assert SUBMISSIONS_PER_SUBJECT.lockout_seconds == 0
    assert (SUBMISSIONS_PER_ADDRESS.limit, SUBMISSIONS_PER_ADDRESS.window_seconds) == (30, 3600)
    assert SUBMISSIONS_PER_ADDRESS.lockout_seconds == 15 * 60
    assert (CODE_ATTEMPTS_PER_ADDRESS.limit, CODE_ATTEMPTS_PER_ADDRESS.window_seconds) == (20, 3600)
    assert CODE_ATTEMPTS_PER_ADDRESS.lockout_seconds == 30 * 60
    assert (NEW_CODES_PER_REQUEST.limit, NEW_CODES_PER_REQUEST.window_seconds) == (3, 3600)
    assert NEW_CODES_PER_REQUEST.lockout_seconds == 0
    assert (DOWNLOAD_CODES_PER_REQUEST.limit, DOWNLOAD_CODES_PER_REQUEST.window_seconds) == (3, 3600)
    assert DOWNLOAD_CODES_PER_REQUEST.lockout_seconds == 0
    assert (MAILS_PER_RECIPIENT.limit, MAILS_PER_RECIPIENT.window_seconds) == (15, 24 * 3600)
    assert MAILS_PER_RECIPIENT.lockout_seconds == 0
    names = [rule.name for rule in vars(rate_limits).values() if isinstance(rule, RateLimit)]
    assert (SIGNALS_PER_ADDRESS.limit, SIGNALS_PER_ADDRESS.window_seconds) == (600, 3600)
    assert len(names) == len(set(names)) == 8
