"""chat-term's presence lines, at most one per person every PRESENCE_GAP_SECONDS, the latest kept (core thread).

A student who switches AWAY and BACK as fast as the rate limit allows (a
muted one too: a muted user may still go away, without words) printed a
line in every chat-term of the room each time.  The window shows presence
as dots and is not troubled; chat-term prints a person's first change at
once, and later changes within the gap only as the last of them, when the
gap is over:

    PresenceLines(scheduler, show).offer(frame)     every `presence` frame
"""

from __future__ import annotations

import time
from collections.abc import Callable

from chat_gui.core.scheduler import Scheduler
from shared.frame_types import ServerFrame
from shared.names import name_key

PRESENCE_GAP_SECONDS = 5.0


class PresenceLines:
    def __init__(
        self,
        scheduler: Scheduler,
        show: Callable[[ServerFrame], None],
        gap: float = PRESENCE_GAP_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.scheduler = scheduler
        self.show = show
        self.gap = gap
        self.clock = clock
        self._printed: dict[str, float] = {}  # name key -> when its last line was printed
        self._waiting: dict[str, ServerFrame] = {}  # name key -> the latest change not printed yet

    def offer(self, frame: ServerFrame) -> None:
        key = name_key(str(frame.get("user", "")))
        now = self.clock()
        last = self._printed.get(key)
        if last is None or now - last >= self.gap:
            self._waiting.pop(key, None)
            self._print(key, frame, now)
            return
        if key not in self._waiting:
            self.scheduler.after(int((last + self.gap - now) * 1000) + 1, lambda: self._flush(key))
        self._waiting[key] = frame

    def _flush(self, key: str) -> None:
        frame = self._waiting.pop(key, None)
        if frame is not None:
            self._print(key, frame, self.clock())

    def _print(self, key: str, frame: ServerFrame, now: float) -> None:
        self._printed[key] = now
        if len(self._printed) > 1000:  # forget people not heard of for a gap: the dict stays small
            self._printed = {name: when for name, when in self._printed.items() if now - when < self.gap}
        self.show(frame)
