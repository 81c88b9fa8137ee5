"""How much one computer may say, all its connections together: messages and characters a second (handler threads, registry lock held).

The rate limit (`--rate`, `--burst`) is per connection, and a computer may
have 20 connections (`--max-per-address`).  Two students with 19 scripted
connections each, every one of them under its own limit, sent 340 messages
of 2,000 characters a second into one room: every chat window in it fell
behind and was cut off as a slow reader, and the history grew by 20 MB a
second.  So the room and private messages (SAY, MSG, PM, text-mode lines)
of one address also share one budget: twice a connection's rate and burst
in messages (a window and chat-term on the same computer), and
CHARS_PER_SECOND characters with a burst of CHARS_BURST.  Past it a
message is refused with `rate_limited` (at most one a second; the rest are
dropped without an answer), and nothing of it is delivered or kept.
Commands a room hears of (JOIN, LEAVE, renames, AWAY, BACK) have a budget
of the same size, apart from the messages'.

A room's TOPIC and KEY are each written to disk before the answer (and a
KEY is a PBKDF2 hash first), so they have a much smaller budget of their
own: SETTINGS_BURST at once, then SETTINGS_PER_MINUTE a minute.  Ten
students' connections on each of five computers, each the owner of a
room of its own and each within its own rate, set a key or a topic 450
times a second: the server used a whole core and the class's messages
took 27 ms at the median and 334 ms at the 99th percentile instead of 2.5
and 16 (a probe).  An owner naming and locking a room, and a teacher, are
far below it (teachers are not held to it: handlers/room_settings.py).

HISTORY pages have one too: 20 connections on each of three computers,
each asking for a 100-message page 9 times a second (every one within its
own rate), kept the server at 80-98% CPU and took the class's message
delivery from 1.8 to 103 ms at the median (a probe).  A computer gets
PAGES_PER_SECOND pages a second with bursts of PAGES_BURST, all its
connections together: a window's scrolling, a reconnect's catch-up (one
page at a time per client) and chat-term beside it stay far below that,
and the replay after JOIN is not a HISTORY.  Past it a page is not refused
but waits its turn, up to PAGE_WAIT_SECONDS (handlers/history.py sleeps it
off the lock, on the asker's own thread); only a page that would wait longer
is refused with `rate_limited`.

A class behind one address (a school's NAT, with `--max-per-address`
raised) comes back from a Wi-Fi drop all at once, and each client catches
up its room and every private conversation: 36 chat-terms with three
partners each needed about 180 pages at once, and the last student saw
the teacher's private line 41 s after the network came back (59 s for 40
students with five partners; 5 s without the budget).  So the burst
grows by PAGES_PER_CONNECTION for each connection the address has at
most while its budget lives (the high-water mark: closing and reopening
one connection brings nothing), and that room comes full.  The rate
stays PAGES_PER_SECOND, so twenty connections paging without end are
held as before.

The server's own computer (127.0.0.1, ::1: the teacher's window, the
benchmarks) has no such budget, as it has no limit on plain passwords;
with `--rate 0` there is none either.  A budget lives while its address has
a connection (AddressBudgets counts them).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from chat_server.plain_secrets import THIS_COMPUTER
from chat_server.rate_limit import TokenBucket

CHARS_PER_SECOND = 8_000  # four long messages a second, all of a computer's connections together
CHARS_BURST = 64_000  # a few pastes at once
PAGES_PER_SECOND = 5.0  # HISTORY pages: a client pages one at a time, ~3 a second at most (its own rate)
PAGES_BURST = 30  # a reconnect's catch-up of a room and its private conversations without waiting
PAGES_PER_CONNECTION = 6  # a reconnect's catch-up: the room and a few private conversations, at once
PAGE_WAIT_SECONDS = 5.0  # a page past the budget waits this long at most for its turn; later: rate_limited
SETTINGS_BURST = 10  # TOPIC and KEY of all of a computer's connections at once: naming and locking a few rooms...
SETTINGS_PER_MINUTE = 10  # ...then this many a minute (each is a disk write, a KEY a slow hash too)


def page_burst(connections: int) -> int:
    """The HISTORY pages an address with (at most) this many connections may ask for at once."""
    return PAGES_BURST + PAGES_PER_CONNECTION * max(0, connections - 1)


class AddressBudget:
    __slots__ = ("_messages", "_chars", "_notices", "_pages", "_settings", "_most_connections")

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._messages = TokenBucket(2 * rate, 2 * burst, clock)
        self._chars = TokenBucket(CHARS_PER_SECOND, CHARS_BURST, clock)
        # JOIN, LEAVE, renames, AWAY and BACK: each is a notice to a room, so a computer's churn is bounded
        # like its messages (a muted computer with 19 connections sent 220 a second), in a budget of its own.
        self._notices = TokenBucket(2 * rate, 2 * burst, clock)
        self._pages = TokenBucket(PAGES_PER_SECOND, PAGES_BURST, clock)
        self._settings = TokenBucket(SETTINGS_PER_MINUTE / 60.0, SETTINGS_BURST, clock)
        self._most_connections = 1

    def connections_now(self, count: int) -> None:
        """The address has `count` connections: past its most so far, its page burst grows by their catch-ups."""
        if count > self._most_connections:
            self._most_connections = count
            self._pages.raise_burst(page_burst(count))

    def reserve_page(self) -> float | None:
        """The seconds one more HISTORY page must wait for its turn (0: now), paid for; None: refuse it."""
        return self._pages.reserve(1.0, PAGE_WAIT_SECONDS)

    def allow_notice(self) -> bool:
        """Whether one more command that the room hears of may go now; if so it is paid for."""
        return self._notices.allow()

    def allow_setting(self) -> bool:
        """Whether one more TOPIC or KEY (a disk write; a KEY is a slow hash too) may go now; if so it is paid for."""
        return self._settings.allow()

    def allow(self, chars: int) -> bool:
        """Whether one more message of `chars` characters may go now; if so it is paid for."""
        if not self._chars.allow(chars):
            return False
        if not self._messages.allow():
            self._chars.give_back(chars)  # refused for its count: its characters are not spent
            return False
        return True


class AddressBudgets:
    """The budget of each address with connections (registry lock held)."""

    def __init__(self, rate: float, burst: int) -> None:
        self._rate = rate
        self._burst = burst
        self._budgets: dict[str, tuple[AddressBudget, int]] = {}  # host -> (budget, its connections)

    def join(self, host: str) -> AddressBudget | None:
        """A connection from `host` came in: the budget it shares (None: no budget for it)."""
        if not self._rate or host in THIS_COMPUTER:
            return None
        budget, count = self._budgets.get(host) or (AddressBudget(self._rate, self._burst), 0)
        self._budgets[host] = (budget, count + 1)
        budget.connections_now(count + 1)
        return budget

    def leave(self, host: str) -> None:
        """A connection from `host` that joined has ended."""
        entry = self._budgets.get(host)
        if entry is None:
            return
        budget, count = entry
        if count <= 1:
            del self._budgets[host]
        else:
            self._budgets[host] = (budget, count - 1)

    def __len__(self) -> int:
        return len(self._budgets)
