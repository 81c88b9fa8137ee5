"""Transfers give way to chat: a file transfer's thread pauses between pieces while chat frames are going out (that thread).

    transfer thread:  piece (recv + write + hash, or sendfile) -- pacer.after_piece(started) --> next piece
                      chat was sent in the last CHAT_ACTIVE_SECONDS?  sleep as long as the piece used the CPU
    writer thread:    WriterPool.last_active = monotonic() on each round that had something to send

Why: the chat threads and a transfer share the machine's cores, and the
process's GIL.  At full speed one transfer keeps a core busy on the server
(a 25 MiB upload is recv_into, os.write and sha256, one 256 KiB piece
after another) and its client keeps another busy, so on a small server
the chat frames queued meanwhile wait for a CPU (issue 15's benchmark:
fanout100 p99 10.3 ms with a transfer running, 5.9 ms without).  While
chat is active the pacer lets a transfer's thread use at most half of a
core (a duty cycle: each piece is followed by a pause as long as the CPU
time it took), so it leaves room for chat whatever the machine's speed;
the client is slowed by TCP's flow control and so gives way too.  With no
chat going on it never pauses: a transfer alone runs at full speed.

Transfers running at the same time share that half core (TransferCrowd):
with n of them each pause is 2n - 1 times its piece's CPU time, so
together they still work half of the time.  Before, each transfer had a
half core of its own: students on five computers fetching the largest
file allowed over and over (19 transfers each, every one within the
limits) took the class's messages from 3 ms at the median and 17 ms at
the 99th percentile to 205 and 793 ms, and a HISTORY page to a second
(a probe on loopback, where a transfer costs the most CPU).

The pause follows the thread's CPU time (time.thread_time), not the wall
time of a piece: a transfer from a slow Wi-Fi client spends its time
waiting in recv, uses little CPU and is hardly paused at all.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# Chat frames sent this recently: pace.  Short, because the uploader's own `upload` answer goes out just
# before its transfer starts (a longer window slowed the first quarter second of every transfer), while
# chat that keeps a transfer's company (200 messages/s in the benchmark) keeps renewing it.
CHAT_ACTIVE_SECONDS = 0.05
PAUSE_RATIO = 1.0  # pause / work while chat is active: 1.0 lets a transfer have half of the time
MAX_PAUSE_SECONDS = 0.05  # one slow piece (a disk that stalls) must not stall the transfer for long


class TransferCrowd:
    """How many transfers run now, all of them sharing the time chat leaves them (any transfer thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0

    @property
    def running(self) -> int:
        return self._running

    @contextmanager
    def one(self) -> Iterator[None]:
        """Count one transfer while the block runs."""
        with self._lock:
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1


class TransferPacer:
    """One transfer's pauses; `last_chat` says when the writer last sent chat frames (time.monotonic()).

    `crowd`: the transfers running now, which share the half core among them (None: this one alone).
    """

    def __init__(
        self,
        last_chat: Callable[[], float],
        sleep: Callable[[float], None] = time.sleep,
        cpu_clock: Callable[[], float] = time.thread_time,
        clock: Callable[[], float] = time.monotonic,
        crowd: TransferCrowd | None = None,
    ) -> None:
        self._crowd = crowd
        self._last_chat = last_chat
        self._sleep = sleep
        self._cpu_clock = cpu_clock
        self._clock = clock
        self.paused_seconds = 0.0  # in all, for the log line at the end

    def now(self) -> float:
        """This thread's CPU time: take it before a piece and pass it to after_piece."""
        return self._cpu_clock()

    def after_piece(self, started: float) -> None:
        """Call after each piece with `now()` from before it; pauses while chat is active."""
        if self._clock() - self._last_chat() > CHAT_ACTIVE_SECONDS:
            return
        share = 2 * max(1, self._crowd.running if self._crowd is not None else 1) - 1
        pause = min((self._cpu_clock() - started) * PAUSE_RATIO * share, MAX_PAUSE_SECONDS * share)
        if pause > 0:
            self._sleep(pause)
            self.paused_seconds += pause


class NoPacing(TransferPacer):
    """Never pauses (servers and tests that run transfers without chat)."""

    def __init__(self) -> None:
        super().__init__(lambda: float("-inf"))

    def after_piece(self, started: float) -> None:
        return
