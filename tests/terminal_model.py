"""A terminal as tmux draws what chat-term writes: how wide each character is, and where its own autowrap starts a row.

The width is glibc's wcwidth (what tmux and screen draw by), with a
combining mark taken as one column, or that of a terminal set to draw East
Asian "Ambiguous" characters wide (gnome-terminal, iTerm, PuTTY as CJK
users set them). Written out here rather than taken from chat_gui, so the
tests compare chat-term's counting with something it did not compute.
"""

from __future__ import annotations

import unicodedata

AUTOWRAP_OFF = "\x1b[?7l"
AUTOWRAP_ON = "\x1b[?7h"


def drawn_width(text: str, wide_ambiguous: bool = False) -> int:
    total = 0
    for ch in text:
        east_asian = unicodedata.east_asian_width(ch)
        wide = east_asian in ("W", "F") or "\u3248" <= ch <= "\u324f" or (wide_ambiguous and east_asian == "A")
        total += 2 if wide else 1
    return total


def screen_rows(output: str, columns: int, wide_ambiguous: bool = False, obeys_autowrap_off: bool = True) -> list[str]:
    """The rows a terminal `columns` wide shows for `output` (already decoded; "\\r\\n" or "\\n" ends a line).

    Where a character does not fit, autowrap puts it at column 0 of a new
    row; with autowrap off (ESC[?7l, when the terminal obeys it) it lands
    on the last column instead, and the row goes no further.
    """
    rows: list[str] = []
    row: list[str] = []
    used = 0
    autowrap = True
    index = 0
    text = output.replace("\r\n", "\n")
    while index < len(text):
        for switch, on in ((AUTOWRAP_OFF, False), (AUTOWRAP_ON, True)):
            if text.startswith(switch, index):
                autowrap = on if obeys_autowrap_off else True
                index += len(switch)
                break
        else:
            ch = text[index]
            index += 1
            if ch == "\n":
                rows.append("".join(row))
                row, used = [], 0
                continue
            width = drawn_width(ch, wide_ambiguous)
            if used + width > columns:
                if not autowrap:
                    continue  # it replaces what is in the last column: nothing new on this row's left
                rows.append("".join(row))
                row, used = [], 0
            row.append(ch)
            used += width
    if row:
        rows.append("".join(row))
    return rows
