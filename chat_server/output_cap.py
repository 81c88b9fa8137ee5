"""The server-wide cap on unsent output: large optional answers refused while past it, the worst non-readers cut (handler threads, registry lock held).

    cap = OutputCap(limit=256 MiB)
    cap.busy(writer) -> bool                      past the cap: HISTORY, SEARCH and LIST get `rate_limited`
    cap.sweep(registry, hang_ups, writer)         at most once a second: cut off the non-readers that hold the most

Each outbox has a limit (`--max-outbound-bytes`, 1 MiB), but nothing
bounded them all together: 48 addresses with 20 connections each, asking
for a 200 KB HISTORY page every 2 s and never reading, took the server from
52 MB to 1,011 MB (a probe).  So while the bytes queued for unsent output
(WriterPool.unsent_total, chat_server/outbox.py) are past `limit`:

- answers a client can ask again for (HISTORY pages, SEARCH results, LIST)
  are refused with `rate_limited` saying the server is busy (once a
  second per connection; the rest dropped, as every rate_limited is).  Chat
  messages, notices and replies to other commands still go out: a reader
  that keeps up loses nothing.
- at most once every SWEEP_SECONDS, connections that hold at least
  MIN_CUT_BYTES (1/64 of a smaller cap) and have not taken a byte for STALLED_SECONDS are cut off,
  the largest first, until the total would be under BELOW of the limit:
  their outboxes are emptied at once (Outbox.cut, no socket call), and they
  are hung up once the registry lock is released.  A reader that keeps up
  is never among them.

Only arithmetic over the sessions under the registry lock: no socket, disk
or log call.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from chat_server.outbox import WriterPool
from chat_server.registry import ChatRegistry
from chat_server.session import Session

STALLED_SECONDS = 10.0  # a connection that took nothing for this long while the server is past its cap may be cut
SWEEP_SECONDS = 1.0
MIN_CUT_BYTES = 64 * 1024  # a connection holding less is not worth cutting (less under a cap below 4 MiB: 1/64 of it)
BELOW = 0.75  # a sweep cuts until the total would be this share of the limit
CUT_REASON = "cut off: the server is short of memory for unsent output, and this connection read nothing for a while"


class HangUpList(Protocol):
    def add(self, session: Session) -> None: ...


class OutputCap:
    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit  # 0: no cap
        self._clock = clock
        self._last_sweep = float("-inf")

    def busy(self, writer: WriterPool) -> bool:
        """Whether the server holds more unsent output than its cap (no lock needed: one int read)."""
        return bool(self.limit) and writer.unsent_total > self.limit

    def sweep(self, registry: ChatRegistry, hang_ups: HangUpList, writer: WriterPool) -> list[Session]:
        """Past the cap: cut off the stalled connections that hold the most, until under BELOW of it (lock held)."""
        now = self._clock()
        if not self.busy(writer) or now - self._last_sweep < SWEEP_SECONDS:
            return []
        self._last_sweep = now
        least = min(MIN_CUT_BYTES, self.limit // 64)
        stalled = [
            session
            for session in registry.sessions
            if not session.closing
            and session.outbox.unsent >= least
            and now - session.outbox.progress >= STALLED_SECONDS
        ]
        stalled.sort(key=lambda session: session.outbox.unsent, reverse=True)
        excess = writer.unsent_total - int(self.limit * BELOW)
        cut: list[Session] = []
        for session in stalled:
            if excess <= 0:
                break
            excess -= session.outbox.unsent
            session.end(CUT_REASON, keep_token=True)  # a laptop that slept may still RESUME
            session.outbox.cut()
            hang_ups.add(session)
            cut.append(session)
        return cut
