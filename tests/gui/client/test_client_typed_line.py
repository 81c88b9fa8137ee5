"""Typed lines become the right wire commands; plain text always stays public."""

from chat_gui.typed_line import interpret_line


def test_plain_lines_are_said_publicly_even_when_they_look_like_commands():
    assert interpret_line("join me for lunch").command == "SAY join me for lunch"
    assert interpret_line("bob: are you there?").command == "SAY bob: are you there?"
    assert interpret_line("  hello  ").command == "SAY hello"


def test_slash_commands():
    assert interpret_line("/join maths").command == "JOIN maths"
    assert interpret_line("/JOIN #maths").command == "JOIN #maths"
    assert interpret_line("/leave").command == "LEAVE"
    assert interpret_line("/list").command == "LIST"
    assert interpret_line("/nick carol").command == "NICK carol"
    assert interpret_line("/ping x").command == "ping x"
    quit_line = interpret_line("/quit bye all")
    assert (quit_line.kind, quit_line.command) == ("quit", "QUIT bye all")
    assert interpret_line("/help").kind == "help"


def test_private_messages():
    line = interpret_line("/msg bob see you at 3")
    assert (line.kind, line.command, line.nick, line.text) == ("send", "PM bob see you at 3", "bob", "see you at 3")
    assert interpret_line("/pm bob: hi").command == "PM bob hi"
    opened = interpret_line("/msg bob")
    assert (opened.kind, opened.nick) == ("private", "bob")
    assert interpret_line("hi there", private_to="bob").command == "PM bob hi there"


def test_double_slash_says_the_slash_and_blank_lines_do_nothing():
    assert interpret_line("//etc is a folder").command == "SAY /etc is a folder"
    assert interpret_line("   ").kind == "empty"
    assert interpret_line("/join").kind == "error"
    assert interpret_line("/msg").kind == "error"


def test_a_message_over_the_limit_is_refused_before_sending():
    assert interpret_line("x" * 2000).kind == "send"
    too_long = interpret_line("x" * 2001)
    assert too_long.kind == "error" and "2001 characters" in too_long.text
    assert interpret_line("/msg bob " + "y" * 2001).kind == "error"
