"""Turns at the password hash: at most a few at once, logins from known computers first (connection handler threads).

    with PASSWORD_TURNS.turn(first=True):    the teacher's own computer, or one that logged in to the account before
        hashlib.scrypt(...)
    with PASSWORD_TURNS.turn(first=False):   everyone else, in the order they came

A hash takes about 100 ms of a core and 128 MiB, so only `slots` run at
once. Without an order among the waiters, forty computers each sending
five wrong logins (inside every throttle) queued 200 checks in front of the
teacher, whose login then waited past the 30 s nickname limit. Waiters in
the first lane always go before the others; each lane is first come, first
served. `waiting()` lets a caller refuse a new ordinary check while the
queue is long, instead of making it wait (chat_server/handlers/accounts.py).
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

    def waiting(self, *, first: bool = False) -> int:
        """How many wait in that lane now."""
        with self._changed:
            return len(self._first if first else self._others)

    @contextmanager
    def turn(self, *, first: bool) -> Iterator[None]:
        """Wait for a free slot and this caller's turn in its lane (first lane before the other), then hold it."""
        ticket = object()
        lane = self._first if first else self._others
        with self._changed:
            lane.append(ticket)
            try:
                self._changed.wait_for(lambda: self._free > 0 and self._next() is ticket)
            finally:
                lane.remove(ticket)
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
