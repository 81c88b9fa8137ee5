"""Unit tests for chat_gui/terminal.py without sockets: arguments, and the screen that never blocks the core."""

from __future__ import annotations

import io
import threading

import pytest

from chat_gui.terminal import Screen, build_parser, main, server_address
from tests.support import wait_until


def test_arguments():
    args = build_parser().parse_args(["10.0.0.5", "4000", "--nick", "ann", "--room", "lab"])
    assert (args.nick, args.room) == ("ann", "lab")
    assert server_address(args.host, args.port) == ("10.0.0.5", 4000)
    defaults = build_parser().parse_args([])
    assert server_address(defaults.host, defaults.port) == ("127.0.0.1", 55555) and defaults.nick is None


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["10.0.0.5:4000"], ("10.0.0.5", 4000)),
        (["10.0.0.5:4000", "4000"], ("10.0.0.5", 4000)),  # the same port twice is no clash
        (["[fe80::1]:4000"], ("fe80::1", 4000)),
        (["fe80::1", "4000"], ("fe80::1", 4000)),
        (["fe80::1"], ("fe80::1", 55555)),
        (["lab-pc"], ("lab-pc", 55555)),
    ],
)
def test_the_port_may_come_with_the_address(words, expected):
    args = build_parser().parse_args(words)
    assert server_address(args.host, args.port) == expected


@pytest.mark.parametrize(
    ("words", "says"),
    [
        (["10.0.0.5:4000", "5000"], "two ports given, 4000 in the address and 5000 after it"),
        (["10.0.0.5:lab"], "'lab' is not a port"),
        (["10.0.0.5", "lab"], "'lab' is not a port"),
        (["10.0.0.5", "70000"], "'70000' is not a port"),
    ],
)
def test_a_wrong_port_stops_chat_term_before_connecting_and_says_why(words, says, capsys):
    assert main(words) == 2
    assert says in capsys.readouterr().err


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
