"""/help as rows of a table."""

from __future__ import annotations

from chat_gui.core.typed_lines import help_text
from chat_gui.text.help_table import help_rows


def test_the_help_text_becomes_command_rows_and_prose():
    rows = help_rows(help_text(window=True))
    commands = {key: description for key, description in rows if description}
    assert commands["/say TEXT"] == "say TEXT in your room"
    assert commands["/join ROOM"] == "go to ROOM (it is made if nobody is there)"
    assert commands["/quit [REASON]"] == "leave the chat"
    assert len(commands) >= 10
    prose = [key for key, description in rows if not description]
    assert prose[0].startswith("Lines that start with / are commands")
    assert any(line.startswith("Enter sends") for line in prose)


def test_a_line_without_two_spaces_is_prose():
    assert help_rows("  /x one space only\nplain") == [("/x one space only", ""), ("plain", "")]
