"""Timers for the client core: the Scheduler interface, and a timer thread for clients without Tk (its own thread).

The client core never sleeps and never starts timers of its own: it asks
a Scheduler to call it back.  Every callback of one Scheduler runs on one
thread, so the core needs no locks:

    Tk window:      TkScheduler (chat_gui/window/tk_scheduler.py) -> root.after / root.after_cancel, Tk thread
    chat-term:      ThreadScheduler (here) -> one "chat-core" thread
    tests:          tests/fake_scheduler.py -> the test's thread, time moved by hand
"""

from __future__ import annotations

import heapq
import itertools
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Protocol


class Scheduler(Protocol):
    def after(self, ms: int, callback: Callable[[], None]) -> object:
        """Call `callback` once, `ms` milliseconds from now, on the scheduler's thread; returns an id for cancel."""
        ...

    def cancel(self, timer: object) -> None:
        """Forget a callback that has not run yet (a callback that ran or an unknown id: nothing happens)."""
        ...


class ThreadScheduler:
    """Runs callbacks in due order on one thread of its own; `after`, `cancel` and `call_soon` work from any thread.

    A callback that raises is reported on stderr and the others go on.
    """

    def __init__(self, name: str = "chat-core", clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._live: set[int] = set()  # ids in the heap that have not been cancelled
        self._ids = itertools.count(1)
        self._wake = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> ThreadScheduler:
        self._thread.start()
        return self

    def after(self, ms: int, callback: Callable[[], None]) -> object:
        timer = next(self._ids)
        with self._wake:
            heapq.heappush(self._heap, (self.clock() + ms / 1000, timer, callback))
            self._live.add(timer)
            self._wake.notify()
        return timer

    def cancel(self, timer: object) -> None:
        if isinstance(timer, int):
            with self._wake:
                self._live.discard(timer)

    def call_soon(self, callback: Callable[[], None]) -> None:
        """Run `callback` on the scheduler's thread as soon as it is free (how other threads hand work over)."""
        self.after(0, callback)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the callback running now; callbacks not yet run are dropped."""
        with self._wake:
            self._stopped = True
            self._wake.notify()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def on_own_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def _run(self) -> None:
        while True:
            with self._wake:
                callback = self._next_due()
                if callback is None:
                    return
            try:
                callback()
            except Exception:
                print("chat-core: a timer callback failed:", file=sys.stderr)
                traceback.print_exc()

    def _next_due(self) -> Callable[[], None] | None:
        """Wait (holding the condition) until a callback is due; None once stopped."""
        while not self._stopped:
            if not self._heap:
                self._wake.wait()
                continue
            due, timer, callback = self._heap[0]
            if timer not in self._live:
                heapq.heappop(self._heap)
                continue
            wait = due - self.clock()
            if wait > 0:
                self._wake.wait(wait)
                continue
            heapq.heappop(self._heap)
            self._live.discard(timer)
            return callback
        return None
