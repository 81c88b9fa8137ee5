"""Turns at the password hash: at most a few at once, logins from known computers first (connection handler threads).

    with PASSWORD_TURNS.turn(first=True):    the server's own computer, or a teacher's account from a computer
        hashlib.scrypt(...)                      that logged in to it before
    with PASSWORD_TURNS.turn(first=False, who=address):   everyone else, in the order they came

A hash takes about 100 ms of a core and 128 MiB, so only `slots` run at
once. Without an order among the waiters, forty computers each sending
five wrong logins (inside every throttle) queued 200 checks in front of the
teacher, whose login then waited past the 30 s nickname limit. Waiters in
the first lane always go before the others; each lane is first come, first
served. `waiting()` and `waiting_from(address)` let a caller refuse a new
ordinary check while the queue is long, or while that address has checks
waiting already, instead of making it wait (chat_server/handlers/accounts.py):
a student logging in to their own accounts again and again filled the
queue for everyone else (a probe), which the first lane must not allow, so
it is kept for the teacher.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Iterator
from contextlib import contextmanager

HASHES_AT_ONCE = 2


class HashTurns:
    def __init__(self, slots: int = HASHES_AT_ONCE) -> None:
        self._changed = threading.Condition()
        self._free = slots
        self._first: collections.deque[object] = collections.deque()
        self._others: collections.deque[object] = collections.deque()
        self._by_who: collections.Counter[str] = collections.Counter()  # waiting checks per address

    def waiting(self, *, first: bool = False) -> int:
        """How many wait in that lane now."""
        with self._changed:
            return len(self._first if first else self._others)

    def waiting_from(self, who: str) -> int:
        """How many checks of this address wait now (either lane)."""
        with self._changed:
            return self._by_who[who]

    @contextmanager
    def turn(self, *, first: bool, who: str = "") -> Iterator[None]:
        """Wait for a free slot and this caller's turn in its lane (first lane before the other), then hold it."""
        ticket = object()
        lane = self._first if first else self._others
        with self._changed:
            lane.append(ticket)
            self._by_who[who] += 1
            try:
                self._changed.wait_for(lambda: self._free > 0 and self._next() is ticket)
            finally:
                lane.remove(ticket)
                self._by_who[who] -= 1
                if not self._by_who[who]:
                    del self._by_who[who]
            self._free -= 1
            self._changed.notify_all()  # the next waiter's head-of-lane changed
        try:
            yield
        finally:
            with self._changed:
                self._free += 1
                self._changed.notify_all()

    def _next(self) -> object | None:
        if self._first:
            return self._first[0]
        return self._others[0] if self._others else None


PASSWORD_TURNS = HashTurns()
