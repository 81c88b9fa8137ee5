"""chat-term's line wrapping: a long line broken to the terminal's width, the rest indented (printer thread; pure).

A terminal that wraps a long line itself starts the rest at column 0, where
it looks like a line of its own: a student could pad a message with blanks
up to the edge and follow it with "[10:02:11] * Mrs_Smith is now a teacher"
or "<teacher> the test is cancelled". chat-term breaks every line itself,
a little short of the width, and starts each continuation with an indent,
so only the first line of a message reaches column 0.

Widths are counted generously (an emoji or a wide CJK letter as two
columns, every other character as at least one): a line counted too wide
is merely broken early, while one counted too narrow would be wrapped by
the terminal again, at column 0.
"""

from __future__ import annotations

import unicodedata

CONTINUATION_INDENT = " " * 4
# The terminal's last column is not used: on many terminals a character there moves the cursor to the next line.
RIGHT_MARGIN = 1


def cell_width(ch: str) -> int:
    """Columns a character may take on a terminal, never less than it takes: 2 for wide and emoji, else 1."""
    if ch < "\u1100":  # Latin, Greek, Cyrillic, ...: the common case, without a table look-up
        return 1
    if unicodedata.east_asian_width(ch) in ("W", "F") or unicodedata.category(ch) == "So":
        return 2
    return 1


def wrap_for_terminal(line: str, columns: int) -> list[str]:
    """`line` (no line breaks in it) as rows of at most `columns - RIGHT_MARGIN` cells, breaking after a space if it can.

    Rows after the first start with CONTINUATION_INDENT; the blanks at a
    break are dropped, so no row starts with blanks that could push text
    to where a new line would begin.
    """
    limit = columns - RIGHT_MARGIN
    if limit < 2 * len(CONTINUATION_INDENT) or len(line) * 2 <= limit:  # a tiny terminal, or surely short enough
        return [line]
    rows: list[str] = []
    indent = ""
    rest = line
    while rest:
        used = len(indent)
        cut = len(rest)  # characters of `rest` that fit
        last_space = -1
        for index, ch in enumerate(rest):
            width = cell_width(ch)
            if used + width > limit:
                cut = index
                break
            used += width
            if ch.isspace():
                last_space = index + 1
        else:
            rows.append(indent + rest)
            break
        if last_space > 0:  # break after the last blank that fits
            cut = last_space
        cut = max(cut, 1)  # one character wider than the row: it goes alone
        rows.append(indent + rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
        indent = CONTINUATION_INDENT
    return rows
