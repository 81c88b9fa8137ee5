"""A budget of log lines per address for connections coming and going (handler threads, any thread).

Every connection writes "connection from ..." and, once it had a nickname,
"... disconnected (...)".  A student's script that connects and closes a
thousand times a second would write two thousand lines a second (about
190 KiB of log a second, which fills a disk within hours and buries what
the teacher wants to read).  Each address gets LINES_PER_WINDOW such lines
per WINDOW_SECONDS; past them its lines are counted instead, and the next
line that gets through from that address says how many were held back.
Other addresses keep their own budget, so a flood from one computer hides
nobody else's comings and goings.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

LINES_PER_WINDOW = 20
WINDOW_SECONDS = 60.0
FORGET_AFTER = 4096  # addresses kept before those whose window has ended are dropped


class AddressLogBudget:
    """Whether a line about an address may be logged now, and how many were held back before it."""

    def __init__(
        self,
        lines: int = LINES_PER_WINDOW,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lines = lines
        self._window = window
        self._clock = clock
        self._lock = threading.Lock()
        # host -> [window start, lines logged in it, lines held back since the last one logged]
        self._hosts: dict[str, list[float]] = {}

    def take(self, host: str) -> int | None:
        """None: hold this line back (it is counted); else log it, mentioning this many held-back lines."""
        with self._lock:
            now = self._clock()
            entry = self._hosts.get(host)
            if entry is None:
                if len(self._hosts) >= FORGET_AFTER:
                    self._forget_before(now - self._window)
                    if len(self._hosts) >= FORGET_AFTER:  # that many addresses in one window: start over
                        self._hosts.clear()
                entry = self._hosts[host] = [now, 0, 0]
            elif now - entry[0] >= self._window:
                entry[0], entry[1] = now, 0
            if entry[1] >= self._lines:
                entry[2] += 1
                return None
            entry[1] += 1
            held, entry[2] = int(entry[2]), 0
            return held

    def _forget_before(self, start: float) -> None:
        """Drop addresses whose window began before `start` and that hold nothing back (lock held)."""
        for host in [host for host, entry in self._hosts.items() if entry[0] < start and not entry[2]]:
            del self._hosts[host]


def held_back_note(held: int, host: str) -> str:
    """The suffix of a logged line that follows held-back ones ("" when none were)."""
    if not held:
        return ""
    lines = "line" if held == 1 else "lines"
    return f" ({held} more {lines} about {host} not logged: too many connections)"
