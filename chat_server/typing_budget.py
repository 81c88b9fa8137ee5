"""How many `typing` frames the whole server may deliver per second: a token bucket (handler threads, registry lock held).

    budget = TypingBudget(per_second=160.0)
    budget.allow(recipients=199) -> bool     spend `recipients` tokens, or refuse while the bucket is empty

TYPING is already passed on at most once per 3 s per user, but what it
costs is that once per 3 s times everyone else in the room: 20 typists in a
room of 200 would make the server write 1,300 typing frames a second, for a
hint that is worth nothing late.  The bucket holds one second's worth; a
relay is allowed while there is anything in it and may overdraw it (so a
room larger than the budget still hears typing, only less often); the
overdraft is paid back before the next relay.  Over any stretch of time the
server delivers no more than `per_second` typing frames a second plus one
second's burst.  Only arithmetic: it runs under the registry lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class TypingBudget:
    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_second = per_second  # 0 or less: no budget (every relay allowed)
        self.clock = clock
        self.tokens = max(per_second, 0.0)
        self._last = clock()

    def allow(self, recipients: int) -> bool:
        """Whether a TYPING may go to `recipients` people now; when it may, their frames are paid for."""
        if self.per_second <= 0:
            return True
        now = self.clock()
        self.tokens = min(self.per_second, self.tokens + (now - self._last) * self.per_second)
        self._last = now
        if self.tokens <= 0:
            return False
        self.tokens -= recipients
        return True
