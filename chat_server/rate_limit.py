"""Rate limits of one connection: a token bucket for commands and the answer to going past it (its handler thread).

A connection past its rate gets at most one `rate_limited` error a second;
the other refused commands are dropped without a word, so a flood is never
answered at full size.  One that is refused again and again, with no pause
of FLOOD_PAUSE_SECONDS, for `flood_seconds` in a row is disconnected.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum

from shared.errors import ErrorCode, ProtocolError


class TokenBucket:
    """`rate` tokens a second up to `burst`; a rate of 0 means unlimited."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = rate
        self._burst = float(max(burst, 1))
        self._tokens = self._burst
        self._clock = clock
        self._stamp = clock()

    def allow(self, cost: float = 1.0) -> bool:
        """Take `cost` tokens if there are that many now (a command is 1; a message may cost its length)."""
        if not self._rate:
            return True
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now
        if self._tokens >= cost:
            self._tokens -= cost
            return True
        return False

    def reserve(self, cost: float, max_wait: float) -> float | None:
        """Take `cost` tokens, borrowing ahead: the seconds until they are really there (0: now), or None, and
        nothing taken, when that would be more than `max_wait` seconds away.

        What the caller does with the wait is its own business (a HISTORY page sleeps it off its thread);
        the next caller waits behind it, so waits queue up fairly in the order they were asked.
        """
        if not self._rate:
            return 0.0
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now
        wait = max(0.0, cost - self._tokens) / self._rate
        if wait > max_wait:
            return None
        self._tokens -= cost
        return wait

    def raise_burst(self, burst: int) -> None:
        """Let the bucket hold `burst` tokens from now on, the added room full at once (never lowers it)."""
        if burst > self._burst:
            self._tokens += burst - self._burst
            self._burst = float(burst)

    def give_back(self, cost: float) -> None:
        """Return tokens taken by `allow` for something that did not happen after all."""
        self._tokens = min(self._burst, self._tokens + cost)


class Refusal(Enum):
    REPORT = "report"  # answer with one rate_limited error
    DROP = "drop"  # say nothing: one error this second was enough
    DISCONNECT = "disconnect"  # flooding went on too long: bye, then close


REPORT_EVERY_SECONDS = 1.0
FLOOD_PAUSE_SECONDS = 2.0  # a pause this long without a refusal ends a flood


class FloodGuard:
    def __init__(self, flood_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._flood_seconds = flood_seconds
        self._clock = clock
        self._last_report = float("-inf")
        self._last_refusal = float("-inf")
        self._flood_started = 0.0

    def refuse_command(self) -> Refusal:
        """A command went past the connection's rate: report it, drop it, or end the connection."""
        now = self._clock()
        if now - self._last_refusal > FLOOD_PAUSE_SECONDS:
            self._flood_started = now
        self._last_refusal = now
        if self._flood_seconds and now - self._flood_started >= self._flood_seconds:
            return Refusal.DISCONNECT
        return self.refuse_quietly()

    def refuse_quietly(self) -> Refusal:
        """A refusal that does not count towards a flood (a LIST asked for too often): report or drop."""
        now = self._clock()
        if now - self._last_report >= REPORT_EVERY_SECONDS:
            self._last_report = now
            return Refusal.REPORT
        return Refusal.DROP

    def refuse_or_drop(self, reason: str) -> None:
        """Raise `rate_limited` saying `reason` at most once a second; return quietly (drop it) in between."""
        if self.refuse_quietly() is Refusal.REPORT:
            raise ProtocolError(ErrorCode.RATE_LIMITED, reason)
