"""How soon the client may try again: reconnect delays, and the pace of lines sent to the server (scheduler thread; pure).

Reconnect delays are short while the server's address answers at all: a
refused connection means the computer is there and only the server is
not listening, which is what a teacher's Stop/Start looks like.  Retrying
twice a second costs one refused packet, and students are chatting again
within a second of the server listening.  When the address does not
answer (Wi-Fi gone, a wrong address) the delays grow to 15 s.

A session that became ready counts as the end of the outage only once it
has stayed up for STABLE_SECONDS: a server that greets, lets us join and
hangs up at once is a failed attempt too, so its delays grow as well
(the hostile probe saw 178 connections in 30 s when every ready session
reset the delays to FIRST_DELAY).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

# The server refuses commands past 10 a second with bursts of 30 (its defaults); staying a little
# below that means a line the user typed is never refused for coming too fast.
SEND_RATE = 8.0
SEND_BURST = 25

FIRST_DELAY = 0.25  # the first retry after a loss: a server that restarts at once is back this soon
REFUSED_DELAY = 0.5  # while the address answers "refused"...
REFUSED_FAST_SECONDS = 300.0  # ...for this long; after that, every REFUSED_SLOW_DELAY
REFUSED_SLOW_DELAY = 5.0
SILENT_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)  # while nothing answers at all
STABLE_SECONDS = 30.0  # a session up this long ends the outage: the next loss starts again at FIRST_DELAY
JITTER = 0.2  # delays are shortened by up to 20%, so a class does not come back in one burst
# A LOGIN or REGISTER refused because the server was checking too many passwords (nothing was checked) goes
# again after these; each is lengthened by up to half, so a class that came back at once does not stay together.
BUSY_DELAYS = (1.0, 2.0, 4.0, 8.0)
BUSY_JITTER = 0.5


class Backoff:
    """The delay before each reconnect attempt of one outage; `connected()` once a session is ready again."""

    def __init__(self, clock: Callable[[], float], jitter: Callable[[], float] = random.random) -> None:
        self.clock = clock
        self.jitter = jitter
        self.attempts = 0
        self._silent = 0
        self._refused_since: float | None = None
        self._up_since: float | None = None  # when the current session became ready

    def reset(self) -> None:
        """A new outage from the start (the user asked to connect)."""
        self.attempts = 0
        self._silent = 0
        self._refused_since = None
        self._up_since = None

    def connected(self) -> None:
        """A session is ready: the outage ends if it stays up STABLE_SECONDS (checked at the next loss)."""
        if self._up_since is None:
            self._up_since = self.clock()

    def next_delay(self, refused: bool) -> float:
        """Seconds to wait before the next attempt; `refused`: the last attempt was turned away at once."""
        if self._up_since is not None:
            stable = self.clock() - self._up_since >= STABLE_SECONDS
            self._up_since = None
            if stable:
                self.reset()
        self.attempts += 1
        if self.attempts == 1:
            delay = FIRST_DELAY
        elif refused:
            now = self.clock()
            if self._refused_since is None:
                self._refused_since = now
            fast = now - self._refused_since < REFUSED_FAST_SECONDS
            delay = REFUSED_DELAY if fast else REFUSED_SLOW_DELAY
        else:
            self._refused_since = None
            delay = SILENT_DELAYS[min(self._silent, len(SILENT_DELAYS) - 1)]
            self._silent += 1
        return delay * (1 - JITTER * self.jitter())


def busy_delay(tries: int, named: float, jitter: Callable[[], float] = random.random) -> float:
    """Seconds before signing in again after the `tries`-th busy refusal in a row (0 for the first): growing,
    jittered, and never shorter than the wait the server named."""
    delay = BUSY_DELAYS[min(tries, len(BUSY_DELAYS) - 1)] * (1 + BUSY_JITTER * jitter())
    return max(named, delay)


class SendBudget:
    """A token bucket: how many commands may go out now without tripping the server's rate limit.

    It runs on the real clock whatever the scheduler's is: the server counts in real time.
    """

    def __init__(
        self, rate: float = SEND_RATE, burst: int = SEND_BURST, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.clock = clock
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.updated = clock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def take(self, force: bool = False) -> bool:
        """Use one token if there is one (or anyway, when forced: the debt delays later lines)."""
        self._refill()
        if self.tokens >= 1 or force:
            self.tokens -= 1
            return True
        return False

    def seconds_until_next(self) -> float:
        return self.seconds_until(1)

    def seconds_until(self, count: int) -> float:
        """How long until `count` commands may go out together (0 when they may now)."""
        self._refill()
        return max(0.0, (min(count, self.burst) - self.tokens) / self.rate)
