"""The /help text as rows of a table: command and what it does, for the pane to align (any thread; pure).

    help_rows("intro\\n  /say TEXT    say TEXT in your room\\nmore") ->
        [("intro", ""), ("/say TEXT", "say TEXT in your room"), ("more", "")]

A row is a line indented by spaces whose command and description are
parted by two or more spaces (the layout of chat_gui.core.typed_lines'
COMMANDS_HELP, which chat-term prints as it is).  Any other line is prose:
its second element is "".  Both columns come back without the padding, so
the window can align them with a tab stop in any font.
"""

from __future__ import annotations

import re

_ROW = re.compile(r"^ +(\S.*?) {2,}(\S.*)$")


def help_rows(text: str) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for line in text.splitlines():
        match = _ROW.match(line)
        rows.append((match.group(1), match.group(2)) if match else (line.strip(), ""))
    return rows
