"""The /help text as rows of a table: command and what it does, for the pane to align (any thread; pure).

    help_rows("intro\\n  /say TEXT    say TEXT in your room\\nmore") ->
        [("intro", ""), ("/say TEXT", "say TEXT in your room"), ("more", "")]

A row is a line indented by spaces whose command and description are
parted by two or more spaces (the layout of chat_gui.core.typed_lines'
COMMANDS_HELP, which chat-term prints as it is).  An indented line after a
row that does not start with "/" carries on that row's description (the
second line of /ban's).  Any other line is prose: its second element is "".  Both columns come back without the padding, so
the window can align them with a tab stop in any font.
"""

from __future__ import annotations

import re

_ROW = re.compile(r"^ +(\S.*?) {2,}(\S.*)$")


def help_rows(text: str) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for line in text.splitlines():
        match = _ROW.match(line)
        if match:
            rows.append((match.group(1), match.group(2)))
        elif line.startswith("  ") and rows and rows[-1][1] and not line.strip().startswith("/"):
            command, description = rows[-1]
            rows[-1] = (command, f"{description} {line.strip()}")
        else:
            rows.append((line.strip(), ""))
    return rows
