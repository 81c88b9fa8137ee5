"""How many really new rooms each address made lately, each room counted once (handler threads; a small lock of its own).

    made = RoomsMade(limit=10, window=600.0)
    made.acquire(host, room_key) -> 0.0 (counted, or made by this address lately already) or the seconds to wait

A room name with kept history, an owner, a topic or a key is the class's
for good, so one address may make only `limit` new ones in `window`
seconds (handlers/room_entry.py).  A room that emptied without anything to
keep loses its record, though, and entering it again looked like making
it: a student going back and forth between two quiet rooms was locked out
of changing rooms for ten minutes after the tenth switch (a probe).  So a
room this address made within the window is not counted a second time.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class RoomsMade:
    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._made: dict[str, OrderedDict[str, float]] = {}  # address -> room key -> when made, oldest first
        self._swept = clock()

    def __len__(self) -> int:
        """How many addresses are remembered."""
        return len(self._made)

    def acquire(self, host: str, room_key: str) -> float:
        """0.0 if `host` may make room `room_key` now (counted, unless it made it within the window already);
        else the seconds until it may make another, and nothing is counted."""
        if self._limit <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            if now - self._swept >= self._window:  # once a window: forget addresses with nothing left in it
                self._swept = now
                for stale in [key for key, rooms in self._made.items() if self._newest(rooms) <= now - self._window]:
                    del self._made[stale]
            made = self._made.setdefault(host, OrderedDict())
            while made:
                oldest, when = next(iter(made.items()))
                if now - when < self._window:
                    break
                del made[oldest]
            if room_key in made:
                return 0.0
            if len(made) >= self._limit:
                return max(0.001, self._window - (now - next(iter(made.values()))))
            made[room_key] = now
            return 0.0

    @staticmethod
    def _newest(rooms: OrderedDict[str, float]) -> float:
        return next(reversed(rooms.values())) if rooms else float("-inf")
