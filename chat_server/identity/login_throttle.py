"""Throttling of failed logins, per nickname and per address (any connection handler thread).

PROTOCOL.md: after 5 failed logins in a minute, for one nickname or from
one address, further tries get `rate_limited` without the password being
checked.  Use:

    attempt = throttle.try_begin(nick_key, address)
    if attempt is None:
        refuse with rate_limited (throttle.retry_after(...) says for how long)
    elif verify_password(...):           # slow; off the registry lock
        throttle.succeeded(attempt)

`try_begin` counts the try as a failure at once, before the password is
checked, so twenty connections that send LOGIN at the same moment cannot
slip twenty guesses past the limit; `succeeded` takes that count back and
forgets the nickname's earlier failures (its owner proved the password).
It does not forget the address's: otherwise logging in to one's own account
between guesses would reset the count.

A refused try is not counted, so a refused owner is free again one minute
after the fifth failure, however often they retried meanwhile.

The nickname's count must not let anyone keep its owner out, so it does
not hold back an address that has logged in to that nickname before in
this run (the teacher's own laptop): a student sending one wrong password
every twelve seconds from other computers locked the teacher out for the
whole lesson. Such an address still counts its own failures, and one that
never logged in to the nickname is held as the contract says.  The
addresses that logged in to an account are kept in the database too
(`login_addresses`), and the server's login throttle starts with them, so
a restart does not forget the teacher's laptop.  The server's
own computer (127.0.0.1, ::1) is never held by a nickname's count either:
students guessing from their computers kept the teacher at the server's
keyboard out of her account after every restart, when no address is known
yet.

Memory stays bounded: records older than the window are dropped as the
throttle is used, and each table keeps at most `max_entries` keys (the
least recently failed go first), so a flood of made-up nicknames cannot
grow it.  One lock guards it; nothing inside does I/O.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from chat_server.plain_secrets import THIS_COMPUTER

MAX_FAILURES = 5
WINDOW_SECONDS = 60.0
MAX_ENTRIES = 10_000


class _FailureTable:
    """Key -> times of its recent failures, oldest key first. Guarded by LoginThrottle's lock."""

    def __init__(self, max_failures: int, window: float, max_entries: int) -> None:
        self._max_failures = max_failures
        self._window = window
        self._max_entries = max_entries
        self._times: OrderedDict[str, deque[float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._times)

    def recent(self, key: str, now: float) -> deque[float]:
        times = self._times.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self._window:
            times.popleft()
        if not times:
            del self._times[key]
        return times

    def is_full(self, key: str, now: float) -> bool:
        return len(self.recent(key, now)) >= self._max_failures

    def free_in(self, key: str, now: float) -> float:
        times = self.recent(key, now)
        if len(times) < self._max_failures:
            return 0.0
        return times[-self._max_failures] + self._window - now

    def add(self, key: str, now: float) -> None:
        times = self._times.get(key)
        if times is None:
            times = self._times[key] = deque()
        else:
            self._times.move_to_end(key)
        times.append(now)
        self._expire(now)

    def take_back(self, key: str, stamp: float) -> None:
        times = self._times.get(key)
        if times is None:
            return
        try:
            times.remove(stamp)
        except ValueError:
            pass
        if not times:
            del self._times[key]

    def clear(self, key: str) -> None:
        self._times.pop(key, None)

    def _expire(self, now: float) -> None:
        # Keys are in order of their last failure, so the stale ones are at the front.
        while self._times:
            key, times = next(iter(self._times.items()))
            if len(self._times) > self._max_entries or not times or times[-1] <= now - self._window:
                del self._times[key]
            else:
                break


@dataclass(frozen=True)
class LoginAttempt:
    """One try let through by LoginThrottle.try_begin; hand it back to `succeeded` if the password was right.

    `alarm`: this try brought the nickname to the limit (a minute's tries
    without the right password), the first time in a window: worth telling
    the admin that someone may be guessing the password.
    """

    nick_key: str
    address: str
    stamp: float
    alarm: bool = False


class LoginThrottle:
    """Counts failed logins by nickname key (shared.names.name_key) and by client address."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window: float = WINDOW_SECONDS,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
        known: Iterable[tuple[str, str]] = (),
    ) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._by_nick = _FailureTable(max_failures, window, max_entries)
        self._by_address = _FailureTable(max_failures, window, max_entries)
        self._max_entries = max_entries
        # (nickname key, address) pairs that logged in this run, least recent first: not held by the nickname's count.
        self._known: OrderedDict[tuple[str, str], None] = OrderedDict.fromkeys(known)
        while len(self._known) > max_entries:
            self._known.popitem(last=False)
        self._window = window
        self._alarmed: OrderedDict[str, float] = OrderedDict()  # nickname key -> when its alarm was last raised

    def _held_by_nick(self, nick_key: str, address: str, now: float) -> bool:
        if address in THIS_COMPUTER or (nick_key, address) in self._known:
            return False
        return self._by_nick.is_full(nick_key, now)

    def knows(self, nick_key: str, address: str) -> bool:
        """Whether `address` is this computer or has logged in to `nick_key` before (its checks go first)."""
        with self._lock:
            return address in THIS_COMPUTER or (nick_key, address) in self._known

    def try_begin(self, nick_key: str, address: str) -> LoginAttempt | None:
        """None: refuse this try with rate_limited, without checking the password. Otherwise go ahead (counted)."""
        with self._lock:
            now = self._clock()
            if self._held_by_nick(nick_key, address, now) or self._by_address.is_full(address, now):
                return None
            self._by_nick.add(nick_key, now)
            self._by_address.add(address, now)
            return LoginAttempt(nick_key, address, now, self._alarm(nick_key, now))

    def held_by_address(self, address: str) -> bool:
        """Whether tries from `address` are held for its own failures (not a nickname's): everyone behind it is."""
        with self._lock:
            return self._by_address.is_full(address, self._clock())

    def _alarm(self, nick_key: str, now: float) -> bool:
        """Whether this try reaches the nickname's limit for the first time in a window (lock held)."""
        if not self._by_nick.is_full(nick_key, now):
            return False
        last = self._alarmed.get(nick_key)
        if last is not None and now - last < self._window:
            return False
        self._alarmed[nick_key] = now
        self._alarmed.move_to_end(nick_key)
        while self._alarmed and (
            len(self._alarmed) > self._max_entries or next(iter(self._alarmed.values())) <= now - self._window
        ):
            self._alarmed.popitem(last=False)
        return True

    def succeeded(self, attempt: LoginAttempt) -> None:
        """The password was right: forget the nickname's failures and take back this try's count on the address."""
        with self._lock:
            self._by_address.take_back(attempt.address, attempt.stamp)
            self._by_nick.clear(attempt.nick_key)
            pair = (attempt.nick_key, attempt.address)
            self._known[pair] = None
            self._known.move_to_end(pair)
            while len(self._known) > self._max_entries:
                self._known.popitem(last=False)

    def forget(self, nick_key: str) -> None:
        """Forget the addresses that logged in to `nick_key` (its account was deleted or made anew)."""
        with self._lock:
            for pair in [pair for pair in self._known if pair[0] == nick_key]:
                del self._known[pair]

    def retry_after(self, nick_key: str, address: str) -> float:
        """Seconds until a try for this nickname from this address would be let through (0 if now)."""
        with self._lock:
            now = self._clock()
            by_nick = self._by_nick.free_in(nick_key, now) if self._held_by_nick(nick_key, address, now) else 0.0
            return max(by_nick, self._by_address.free_in(address, now), 0.0)

    def entry_count(self) -> int:
        """How many nicknames and addresses are remembered (for tests and the admin's snapshot)."""
        with self._lock:
            return len(self._by_nick) + len(self._by_address) + len(self._known)
