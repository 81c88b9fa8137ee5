"""DeletionClock: the wall clock checked against the time this run has seen pass, for deletions and stamps (any thread).

Retention deletes messages, expired bans and mutes, and old shared files by
the computer's clock. A clock set a year ahead (by hand, a wrong NTP server,
a restored virtual machine), at start or in the middle of a lesson, made the
first purge delete the whole term's history at once, and setting the clock
right afterwards brought none of it back.

Reads still hide what the wall clock says is too old (that is undone when the
clock is set right). What is deleted goes by `now()`: the wall clock, but
never later than the anchor plus the time this run has lasted (a clock that
counts a suspend too, not the wall clock). The anchor is the newest time the
data already holds (the newest message's), else the wall clock at start. So a
forward jump deletes nothing early; the cost is that deletion can lag behind
hiding by the gap between the last message of the previous run and this
start (a night, a weekend, a holiday) until the next restart.

`stamp()` is the time a new message is stamped with: the wall clock, unless
it says a date before EARLIEST, when it is certainly wrong (a dead CMOS
battery's 1970 or 2000, a virtual machine that has not set its clock yet);
then the last sane reading plus the run's own time since. Messages said in
1970 were hidden at once when the clock was set right (older than the
retention), and shown under "1 January 1970" meanwhile.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# 2026-01-01 UTC, before this version was made: a wall clock earlier than this is wrong, not early
EARLIEST = 1_767_225_600.0


_BOOTTIME = getattr(time, "CLOCK_BOOTTIME", None)


def run_time() -> float:
    """Seconds on a clock that nobody sets and that counts a suspend (Linux's boot time), else time.monotonic()."""
    return time.clock_gettime(_BOOTTIME) if _BOOTTIME is not None else time.monotonic()


class DeletionClock:
    def __init__(self, wall: Callable[[], float] = time.time, elapsed: Callable[[], float] = run_time) -> None:
        self._wall = wall
        self._elapsed = elapsed
        self._lock = threading.Lock()
        self._anchor = wall()  # seconds on the wall clock known to have passed at `_anchor_at`
        self._anchor_at = elapsed()
        # (wall, elapsed) of the last wall clock reading after EARLIEST, for stamp(); None before there was one
        self._last_sane: tuple[float, float] | None = (
            (self._anchor, self._anchor_at) if self._anchor >= EARLIEST else None
        )

    def anchor_at(self, seconds: float) -> None:
        """The data holds times up to `seconds` (the newest message): the wall clock had reached that by now."""
        with self._lock:
            self._anchor = seconds
            self._anchor_at = self._elapsed()
            if self._last_sane is None and seconds >= EARLIEST:
                self._last_sane = (seconds, self._anchor_at)

    def stamp(self) -> float:
        """The time to stamp a new message with: the wall clock, or, when it is before EARLIEST, the last sane
        reading plus the run's own time since (EARLIEST if there was none). No lock on the usual path."""
        wall = self._wall()
        if wall >= EARLIEST:
            self._last_sane = (wall, self._elapsed())  # one tuple: readers see the old or the new one
            return wall
        last = self._last_sane
        if last is None:
            return EARLIEST
        return max(EARLIEST, last[0] + max(0.0, self._elapsed() - last[1]))

    def now(self) -> float:
        """The wall clock, or the anchor plus the run's own time if that is earlier (seconds since the epoch)."""
        with self._lock:
            witnessed = self._anchor + max(0.0, self._elapsed() - self._anchor_at)
        return min(self._wall(), witnessed)

    def ahead(self) -> float:
        """How far the wall clock is ahead of what the run has seen pass (seconds; 0 when it is not)."""
        return max(0.0, self._wall() - self.now())
