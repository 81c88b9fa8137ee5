"""A kicked name's short wait before its computer may take it again (registry lock held, any thread).

A KICK ended one connection and that was it: the student's window (or a
second connection opened beforehand) came straight back as the same name
from the same computer, and the teacher's kick looked as if it had done
nothing (a probe).  A kick is removal now, not a ban (Teams, Discord): so
for KICK_COOLDOWN_SECONDS the kicked name, and the account it was logged in
to, may not be taken again from the computer it was kicked on; NICK, LOGIN
and RESUME get `rate_limited` with `retry_after`, saying why, and so does a
look-alike of it (`еѵе` in Cyrillic came straight back as "eve").  Another name
from that computer is free at once (a classmate behind the school's one
address), and so is the kicked name from any other computer.  This
computer's own addresses are never held (the teacher's window is there).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from chat_server.plain_secrets import THIS_COMPUTER

KICK_COOLDOWN_SECONDS = 60.0
KICKS_KEPT = 1_000  # the newest (name, computer) pairs; older ones are forgotten first


class KickCooldown:
    def __init__(self, seconds: float = KICK_COOLDOWN_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._until: OrderedDict[tuple[str, str], float] = OrderedDict()  # (name key, computer) -> monotonic end

    def kicked(self, keys: list[str | None], computer: str | None) -> None:
        """These name keys (the name, the account) were kicked from `computer` now."""
        if computer is None or computer in THIS_COMPUTER or self.seconds <= 0:
            return
        until = self._clock() + self.seconds
        for key in dict.fromkeys(key for key in keys if key):
            self._until[(key, computer)] = until
            self._until.move_to_end((key, computer))
        while len(self._until) > KICKS_KEPT:
            self._until.popitem(last=False)

    def wait(self, key: str, computer: str) -> float:
        """Seconds until `computer` may take the name `key` again after a kick; 0.0 when it may now."""
        until = self._until.get((key, computer))
        if until is None:
            return 0.0
        left = until - self._clock()
        if left <= 0:
            del self._until[(key, computer)]
            return 0.0
        return left

    def waiting_on(self, computer: str) -> list[tuple[str, float]]:
        """(name key, seconds left) of each name kicked from `computer` that still waits."""
        now = self._clock()
        return [(key, until - now) for (key, where), until in self._until.items() if where == computer and until > now]
