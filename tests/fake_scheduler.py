"""A Scheduler for tests of the client core: callbacks run on the test's thread, time moves when the test says.

    scheduler = FakeScheduler()
    session = ClientSession(scheduler, events.append, clock=scheduler.clock)
    scheduler.run_until(lambda: session.state == "ready")   # real sockets work meanwhile

`run_until` moves the fake clock in small steps and pauses a little real
time between them, so the reader and connect threads (real sockets, real
server) get their turn; a 15 s backoff passes in a fraction of that.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable


class FakeScheduler:
    def __init__(self) -> None:
        self.now = 1000.0
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._live: set[int] = set()
        self._ids = itertools.count(1)

    def clock(self) -> float:
        return self.now

    def after(self, ms: int, callback: Callable[[], None]) -> int:
        timer = next(self._ids)
        heapq.heappush(self._heap, (self.now + ms / 1000, timer, callback))
        self._live.add(timer)
        return timer

    def cancel(self, timer: object) -> None:
        self._live.discard(timer)  # type: ignore[arg-type]

    def advance(self, seconds: float) -> None:
        """Move the clock forward, running every callback that falls due, in order."""
        end = self.now + seconds
        while self._heap and self._heap[0][0] <= end:
            due, timer, callback = heapq.heappop(self._heap)
            if timer not in self._live:
                continue
            self._live.discard(timer)
            self.now = max(self.now, due)
            callback()
        self.now = end

    def run_until(
        self, condition: Callable[[], object], timeout: float = 20.0, step: float = 0.015, pause: float = 0.003
    ) -> None:
        """Advance `step` fake seconds per `pause` real seconds until `condition()`; fail after `timeout` real seconds."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout} s (fake clock at {self.now:.3f})")
            self.advance(step)
            time.sleep(pause)
