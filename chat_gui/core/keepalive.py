"""When an idle client pings its server, and when it gives the server up for dead (scheduler thread; pure).

The reader thread counts the complete lines that arrive (ChatConnection.activity,
not bytes: half a line trickled byte by byte is silence); the core
looks at the count every quarter of `seconds`.  Silence for `seconds`:
PING.  Silence for `seconds` more after that: the connection is dead, even
though TCP has not noticed (a Wi-Fi that went away).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum


class Verdict(Enum):
    FINE = "fine"
    PING = "ping"
    DEAD = "dead"


class Keepalive:
    def __init__(self, clock: Callable[[], float], seconds: float) -> None:
        self.clock = clock
        self.seconds = seconds
        self.heard_at = clock()
        self._activity = -1
        self._pinged_at: float | None = None

    @property
    def check_every_ms(self) -> int:
        return max(1, int(self.seconds * 1000 / 4))

    def restart(self) -> None:
        """A new connection: it has just been heard from."""
        self.heard_at = self.clock()
        self._activity = -1
        self._pinged_at = None

    def check(self, activity: int) -> Verdict:
        now = self.clock()
        if activity != self._activity:
            self._activity = activity
            self.heard_at = now
            self._pinged_at = None
            return Verdict.FINE
        if self._pinged_at is not None:
            return Verdict.DEAD if now - self._pinged_at >= self.seconds else Verdict.FINE
        if now - self.heard_at >= self.seconds:
            self._pinged_at = now
            return Verdict.PING
        return Verdict.FINE

    def silent_for(self) -> float:
        return self.clock() - self.heard_at
