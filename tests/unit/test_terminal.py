"""Unit tests for chat_gui/terminal.py without sockets: arguments, and the screen that never blocks the core."""

from __future__ import annotations

import io
import threading

from chat_gui.terminal import Screen, build_parser
from tests.support import wait_until


def test_arguments():
    args = build_parser().parse_args(["10.0.0.5", "4000", "--nick", "ann", "--room", "lab"])
    assert (args.host, args.port, args.nick, args.room) == ("10.0.0.5", 4000, "ann", "lab")
    defaults = build_parser().parse_args([])
    assert (defaults.host, defaults.port, defaults.nick) == ("127.0.0.1", 55555, None)


class StuckTerminal(io.StringIO):
    """A terminal paused with Ctrl+S: every write waits until it is released."""

    def __init__(self) -> None:
        super().__init__()
        self.released = threading.Event()

    def write(self, text: str) -> int:
        self.released.wait()
        return super().write(text)


def test_a_paused_terminal_does_not_stop_the_caller_and_gets_every_line_once_released():
    out = StuckTerminal()
    screen = Screen(out)
    for number in range(100):
        screen.show(f"line {number}")  # returns at once although nothing can be written
    assert screen.backlog() >= 99
    out.released.set()
    wait_until(lambda: screen.backlog() == 0)
    screen.close()
    assert out.getvalue().splitlines() == [f"line {number}" for number in range(100)]
