"""Where the emoji are in a line of text, so the pane can draw them in an emoji font at a readable size (any thread; pure).

    emoji_ranges("ok 👍🏽 thanks 🙂") -> [(3, 5), (13, 14)]     Python offsets, end exclusive

A range covers a run of pictographs with what joins or modifies them
(skin tones, U+200D joiners, U+FE0F, keycap and tag characters), so a
sequence is never cut in two.  It is a character-class test, not the
`emoji` package's full table: it runs for every message the window shows
(tens of thousands a minute in a flood), and ASCII lines return at once.
Symbols such as ™ or ↔ that Unicode also lists as emoji are left to the
text font, which has them.
"""

from __future__ import annotations

import re

_PICTOGRAPHS = (
    "\u231a-\u231b\u23e9-\u23fa\u24c2\u25aa-\u25ab\u25b6\u25c0\u25fb-\u25fe"
    "\u2600-\u27bf\u2934-\u2935\u2b05-\u2b07\u2b1b-\u2b1c\u2b50\u2b55\u3030\u303d\u3297\u3299"
    "\U0001f000-\U0001faff"
)
_JOINERS = "\u200d\ufe0e\ufe0f\u20e3\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f"
_RUN = re.compile(f"[{_PICTOGRAPHS}][{_PICTOGRAPHS}{_JOINERS}]*|[0-9#*]\ufe0f?\u20e3")


def emoji_ranges(text: str) -> list[tuple[int, int]]:
    """The (start, end) Python offsets of the runs of emoji in `text`, in order, not overlapping."""
    if text.isascii():
        return []
    return [match.span() for match in _RUN.finditer(text)]
