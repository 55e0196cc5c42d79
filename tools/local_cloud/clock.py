"""The local cloud's clock: the wall clock moved forward on request, so that a demonstration or a
test can show deadlines and verification windows passing (``POST /_local/clock``).

While a local cloud runs, the desk reads this clock (``dsr.core.clock.system_clock``); when it stops,
the desk reads the wall clock again and any move is forgotten."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import dsr.core.clock


class MovableClock:
    """The wall clock plus an offset that can be moved."""

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
        """Back to the wall clock."""
        with self._lock:
            self._offset = timedelta()


local_clock = MovableClock()
WALL_CLOCK = dsr.core.clock.SystemClock()


def use_local_clock() -> None:
    """The desks made from now on read ``local_clock``, from the wall clock's time."""
    local_clock.reset()
    dsr.core.clock.system_clock = local_clock


def use_wall_clock() -> None:
    """The desks made from now on read the wall clock, as in Lambda."""
    local_clock.reset()
    dsr.core.clock.system_clock = WALL_CLOCK
