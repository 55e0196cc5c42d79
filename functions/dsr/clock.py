"""Time, handed in rather than read from the wall, so deadlines can be tested and demonstrated."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock, optionally moved forward (the local cloud does this for demonstrations)."""

    def __init__(self) -> None:
        self._offset = timedelta()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def advance(self, by: timedelta) -> None:
        with self._lock:
            self._offset += by

    def reset(self) -> None:
        """Back to the wall clock (a local cloud that moved it is stopping)."""
        with self._lock:
            self._offset = timedelta()


class FixedClock:
    """A clock that stands still until moved; for tests."""

    def __init__(self, at: datetime) -> None:
        self._at = at

    def now(self) -> datetime:
        return self._at

    def advance(self, by: timedelta) -> None:
        self._at += by


system_clock = SystemClock()
