"""The chat lines sent and not yet echoed: which one a refusal is about."""

from __future__ import annotations

from chat_gui.core.outgoing import MAX_AGE_SECONDS, OutgoingLines


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_refusal_is_about_the_oldest_line_not_echoed():
    lines: OutgoingLines[str] = OutgoingLines(Clock())
    lines.sent("one", "room")
    lines.sent("two", "tab")
    lines.sent("three", "room")
    lines.echoed()
    assert lines.refused() == ("two", "tab")
    assert lines.refused() == ("three", "room")
    assert lines.refused() is None


def test_old_lines_are_forgotten_rather_than_blamed():
    clock = Clock()
    lines: OutgoingLines[str] = OutgoingLines(clock)
    lines.sent("long ago", "room")
    clock.now = MAX_AGE_SECONDS + 1
    lines.sent("now", "room")
    assert lines.refused() == ("now", "room")
    assert len(lines) == 0


def test_clear():
    lines: OutgoingLines[str] = OutgoingLines(Clock())
    lines.sent("x", "room")
    lines.clear()
    assert lines.refused() is None
