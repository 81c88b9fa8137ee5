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


def test_every_command_line_of_the_help_is_a_row_and_a_second_line_stays_with_its_row():
    # Found by the eleventh review: in the window's /help, "/send PATH [NICK] share a file ..." (one space
    # after the command) showed as a line of prose, and the second line of /ban's description ("no minutes:
    # until /unban NICK") as prose of its own under the table.
    for window in (True, False):
        text = help_text(window=window)
        rows = dict(row for row in help_rows(text) if row[1])
        commands = [line.split()[0] for line in text.splitlines() if line.startswith("  /")]
        assert [key.split()[0] for key in rows] == commands
        assert rows["/send PATH [NICK]"].startswith("share a file with your room")
        ban = rows["/ban NICK [MINUTES] [REASON]"]
        assert ban.endswith("(or 10m, 2h, 3d, 1w); no minutes: until /unban NICK"), ban
    prose = [key for key, description in help_rows(help_text(window=True)) if not description]
    assert not any(line.startswith("no minutes") for line in prose)
