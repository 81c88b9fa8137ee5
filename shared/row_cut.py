"""row_cut: where a line of text breaks to fit a row of so many terminal columns (pure; any thread).

Used by chat-term's wrapping (chat_gui/terminal_wrap.py) and the server's
.txt transcript (chat_server/storage/export.py), each with its own idea of
how wide a character is drawn.
"""

from __future__ import annotations

from collections.abc import Callable


def row_cut(text: str, used: int, limit: int, width: Callable[[str], int]) -> int | None:
    """How many characters of `text` go on a row that has `used` of its `limit` columns taken; None: all of it.

    The break comes after the last blank that fits, else at the first
    character that does not fit; at least one character goes, so a character
    wider than the row still moves on.
    """
    last_space = -1
    for index, ch in enumerate(text):
        used += width(ch)
        if used > limit:
            return max(last_space if last_space > 0 else index, 1)
        if ch.isspace():
            last_space = index + 1
    return None
