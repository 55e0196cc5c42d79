"""Time, handed in rather than read from the wall, so deadlines can be tested and demonstrated."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock, as every function reads it in Lambda."""

    def now(self) -> datetime:
        return datetime.now(UTC)


system_clock: Clock = SystemClock()
"""The clock ``desk_from_environment`` hands the desk. The local cloud puts one of its own here
while it runs (``local_cloud.clock``), which it can move forward to show deadlines passing."""
