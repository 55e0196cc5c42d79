"""The local cloud's clock: while a local cloud runs, the desks it makes read a clock that
demonstrations and tests move forward; once it stops they read the wall clock again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

import dsr.core.clock
from dsr.wiring.desk import desk_from_environment
from local_cloud.clock import local_clock, use_local_clock, use_wall_clock

LEEWAY = timedelta(seconds=5)
SETTINGS = {
    "REQUESTS_TABLE": "requests",
    "PACKAGES_BUCKET": "packages",
    "INBOUND_MAIL_BUCKET": "inbound",
    "DATA_KEY_ID": "data-key",
    "IDENTITY_KEY_ID": "identity-key",
    "SENDER_ADDRESS": "privacy@desk.example",
    "PRIVACY_MAILBOX": "privacy@desk.example",
    "STAFF_ALERT_ADDRESS": "team@desk.example",
    "PUBLIC_BASE_URL": "https://privacy.desk.example",
    "ALERTS_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:alerts",
}


@pytest.fixture
def desks_from_this_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in SETTINGS.items():
        monkeypatch.setenv(name, value)
    desk_from_environment.cache_clear()
    yield
    desk_from_environment.cache_clear()


@pytest.mark.usefixtures("desks_from_this_environment")
def test_the_desk_a_function_makes_while_the_local_cloud_runs_reads_the_moved_clock() -> None:
    use_local_clock()
    try:
        desk_from_environment.cache_clear()
        local_clock.advance(timedelta(days=40))
        assert desk_from_environment().now() - datetime.now(UTC) > timedelta(days=40) - LEEWAY
    finally:
        use_wall_clock()
    desk_from_environment.cache_clear()
    assert abs(desk_from_environment().now() - datetime.now(UTC)) < LEEWAY


def test_a_moved_local_clock_is_what_the_desk_reads_until_the_wall_clock_is_back() -> None:
    use_local_clock()
    try:
        local_clock.advance(timedelta(days=3))
        assert dsr.core.clock.system_clock.now() - datetime.now(UTC) > timedelta(days=3) - LEEWAY
    finally:
        use_wall_clock()
    assert abs(dsr.core.clock.system_clock.now() - datetime.now(UTC)) < LEEWAY
    assert abs(local_clock.now() - datetime.now(UTC)) < LEEWAY, "a stopped cloud's move is forgotten"


def test_a_new_local_cloud_starts_from_the_wall_clocks_time() -> None:
    local_clock.advance(-timedelta(hours=2))  # a test's undoing after its cloud stopped
    use_local_clock()
    try:
        assert abs(dsr.core.clock.system_clock.now() - datetime.now(UTC)) < LEEWAY
    finally:
        use_wall_clock()
