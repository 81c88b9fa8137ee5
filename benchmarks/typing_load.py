"""Typists, and the count of `typing` frames the clients of one load process receive (load processes).

    mix = TypingMix(window=10, hostile=10)         who types in a scenario; plan_clients hands out mix.paces()
    typing = TypingLoad.for_clients(clients, start_ns, seconds, dialect)
    typing.send_due(now_ns, write)                 writes every TYPING due by now, none after the window
    typing.timeout(now_ns, timeout)                shortens select's timeout to the next TYPING or the window's end
    typing.count(lines, received_ns)               counts the `typing` frames in complete lines read at received_ns
    typing.report()                                plain counts for the controller

Issue 16: 200 clients in a room and 20 of them typing at once.  A typist
at the chat window's pace sends TYPING every `TYPING_EVERY_SECONDS` (the
window's own constant, chat_gui/core/presence.py: while someone types
without a pause that is all the server gets from a window); a hostile
typist sends one on every keystroke, every `keystroke_seconds` (50 ms,
faster than anyone types).  Each kind is spread evenly over its interval.

The figure is what the clients received, not what the server says it
sent: the load process counts `typing` frames in the complete lines its
clients read, and only those read inside the measured window [start,
start + seconds), the same window the typists type in; frames read later
(relays of the last TYPINGs) are counted apart as `late` and left out of
the rate.  The count is kept per second of the window as well, because
the server's budget lets a second's worth go at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from benchmarks.wire import Dialect
from chat_gui.core.presence import TYPING_EVERY_SECONDS

NS = 1_000_000_000


@dataclass(frozen=True)
class TypingMix:
    """Who types in a typing scenario; `TypingMix()` (nobody) still counts typing frames, as the twin without typists."""

    window: int = 0  # typists at the chat window's pace
    hostile: int = 0  # typists sending TYPING on every keystroke
    keystroke_seconds: float = 0.05

    @property
    def typists(self) -> int:
        return self.window + self.hostile

    def paces(self) -> list[tuple[float, float]]:
        """(seconds between TYPINGs, first one after) for each typist: the window-paced ones first."""
        paces = [(TYPING_EVERY_SECONDS, k * TYPING_EVERY_SECONDS / self.window) for k in range(self.window)]
        paces += [(self.keystroke_seconds, k * self.keystroke_seconds / self.hostile) for k in range(self.hostile)]
        return paces

    def describe(self) -> str:
        if not self.typists:
            return "nobody types (typing frames are counted all the same)"
        return (
            f"{self.window} typing at the window's pace (a TYPING every {TYPING_EVERY_SECONDS:g} s) and "
            f"{self.hostile} on every keystroke (a TYPING every {self.keystroke_seconds * 1000:g} ms)"
        )


class TypingLoad:
    def __init__(
        self, typists: Sequence[tuple[Any, float, float]], start_ns: int, seconds: float, command: bytes, marker: bytes
    ) -> None:
        """`typists`: (client, seconds between TYPINGs, first one after) each; `marker`: bytes only a typing frame has."""
        self.start_ns = start_ns
        self.end_ns = start_ns + int(seconds * NS)
        self.command = command
        self.marker = marker
        self._due = [
            [start_ns + int(offset * NS), max(1, int(every * NS)), client] for client, every, offset in typists
        ]
        self.sent = 0
        self.frames = 0  # inside the window
        self.late = 0  # read after it
        self.by_second = [0] * math.ceil(seconds)

    @classmethod
    def for_clients(cls, clients: Sequence[Any], start_ns: int, seconds: float, dialect: Dialect) -> TypingLoad:
        """The typists among `clients` (their plans say so) that are still connected."""
        typists = [
            (c, c.plan.typing_every, c.plan.typing_offset)
            for c in clients
            if c.plan.typing_every and c.sock.fileno() >= 0
        ]
        command = dialect.typing() if typists else b""
        return cls(typists, start_ns, seconds, command, dialect.typing_marker())

    def send_due(self, now_ns: int, write: Callable[[Any, bytes], None]) -> None:
        for entry in self._due:
            due, every, client = entry
            if due > now_ns or due >= self.end_ns:
                continue
            # A typist that fell behind (the loop was busy) catches up in one write, as chat senders do.
            count = 0
            while due <= now_ns and due < self.end_ns:
                count += 1
                due += every
            entry[0] = due
            write(client, self.command * count)
            self.sent += count

    def timeout(self, now_ns: int, timeout: float) -> float:
        """`timeout`, cut short by the next TYPING due or by the end of the window (the loop must see it)."""
        due = [entry[0] for entry in self._due if entry[0] < self.end_ns]
        wake = min(due) if due else self.end_ns
        if now_ns >= self.end_ns:
            return timeout
        return max(0.0, min(timeout, (wake - now_ns) / NS))

    def window_over(self, now_ns: int) -> bool:
        return now_ns >= self.end_ns

    def count(self, lines: bytes, received_ns: int) -> None:
        found = lines.count(self.marker)
        if not found:
            return
        if received_ns >= self.end_ns:
            self.late += found
            return
        self.frames += found
        self.by_second[max(0, received_ns - self.start_ns) // NS] += found

    def report(self) -> dict:
        return {"sent": self.sent, "frames": self.frames, "late": self.late, "by_second": self.by_second}
