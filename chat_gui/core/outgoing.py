"""The chat lines this client sent that the server has neither echoed nor refused yet (scheduler thread; no I/O).

    lines = OutgoingLines[View]()
    lines.sent("hello", view)           SAY, MSG or PM went out (or will, once connected)
    lines.echoed()                       our own `message`/`private` came back: the oldest line was delivered
    lines.refused() -> ("hello", view)  an `error` `muted` came back: the oldest line was not delivered

The server answers a client's lines in the order they were sent, so the
oldest outstanding line is the one an echo or a refusal is about.  This
is a best guess, not a receipt: the protocol's errors name no line, and
a server may drop a rate-limited refusal, so lines older than
MAX_AGE_SECONDS are forgotten rather than blamed for a later refusal.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

Where = TypeVar("Where")
MAX_AGE_SECONDS = 30.0
MAX_LINES = 200


class OutgoingLines(Generic[Where]):
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lines: deque[tuple[float, str, Where]] = deque(maxlen=MAX_LINES)

    def sent(self, text: str, where: Where) -> None:
        self._lines.append((self.clock(), text, where))

    def echoed(self) -> None:
        self._forget_old()
        if self._lines:
            self._lines.popleft()

    def refused(self) -> tuple[str, Where] | None:
        """The line a refusal is about (the oldest outstanding), or None if none is."""
        self._forget_old()
        if not self._lines:
            return None
        _when, text, where = self._lines.popleft()
        return text, where

    def clear(self) -> None:
        self._lines.clear()

    def __len__(self) -> int:
        return len(self._lines)

    def _forget_old(self) -> None:
        oldest_kept = self.clock() - MAX_AGE_SECONDS
        while self._lines and self._lines[0][0] < oldest_kept:
            self._lines.popleft()
