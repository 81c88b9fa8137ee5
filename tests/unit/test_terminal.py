"""Unit tests for chat_gui/terminal.py's typed-line handling (no sockets)."""

from __future__ import annotations

from chat_gui.terminal import build_parser, line_to_command


def test_a_slash_line_is_a_command_and_anything_else_is_said_publicly():
    assert line_to_command("/join general\n") == "join general"
    assert line_to_command("/msg bob: hi") == "msg bob: hi"
    assert line_to_command("bob: are you there?") == "SAY bob: are you there?"
    assert line_to_command("join me for lunch") == "SAY join me for lunch"


def test_blank_lines_send_nothing():
    assert line_to_command("\n") is None
    assert line_to_command("   \t ") is None


def test_arguments():
    args = build_parser().parse_args(["10.0.0.5", "4000", "--nick", "ann", "--room", "lab"])
    assert (args.host, args.port, args.nick, args.room) == ("10.0.0.5", 4000, "ann", "lab")
    defaults = build_parser().parse_args([])
    assert (defaults.host, defaults.port, defaults.nick) == ("127.0.0.1", 55555, None)
