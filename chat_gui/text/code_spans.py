"""Where a message holds code: ``` fenced blocks and `inline` spans, as chat programs read them (any thread; pure).

A fenced block starts at a line whose first non-blank characters are three
backticks (```python, or ```def f(): with the code on the same line) and
ends at the next line that ends with three backticks (``` alone, or
return x```); an unclosed block runs to the end of the message.  Both
fence lines belong to the block.  "```x = 1```" on one line is a block
of one line.  Outside blocks, `text` between single backticks on one line
is inline code.

Nothing here changes the text: the window draws these stretches in a
monospace font (chat_gui/window/message_view.py) and leaves links, emoji
and mentions in them alone; the entry box turns no :shortcode: in them
into an emoji.
"""

from __future__ import annotations

import re
from collections.abc import Callable

FENCE = "```"
_INLINE = re.compile(r"`[^`\n]+`")


def block_lines(text: str) -> list[bool]:
    """For each line of text.split("\\n"): whether it belongs to a fenced block (fence lines included)."""
    inside = False
    kinds: list[bool] = []
    for line in text.split("\n"):
        if inside:
            kinds.append(True)
            inside = not line.rstrip().endswith(FENCE)
        elif line.lstrip().startswith(FENCE):
            kinds.append(True)
            rest = line.lstrip()[len(FENCE) :]
            inside = not rest.rstrip().endswith(FENCE)  # "```x = 1```" opens and closes on its line
        else:
            kinds.append(False)
    return kinds


def inline_spans(line: str) -> list[tuple[int, int]]:
    """(start, end) of every `inline code` span in one line outside blocks, backticks included."""
    if "`" not in line:
        return []
    return [match.span() for match in _INLINE.finditer(line)]


def code_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets in `text` of every stretch of code: whole block lines and inline spans, in order."""
    if "`" not in text:
        return []
    ranges: list[tuple[int, int]] = []
    position = 0
    block_before = False
    for line, in_block in zip(text.split("\n"), block_lines(text), strict=True):
        if in_block and block_before:  # the block goes on: one range over its lines
            ranges[-1] = (ranges[-1][0], position + len(line))
        elif in_block:
            ranges.append((position, position + len(line)))
        else:
            ranges += [(position + start, position + end) for start, end in inline_spans(line)]
        block_before = in_block
        position += len(line) + 1
    return ranges


def outside_code(text: str, change: Callable[[str], str]) -> str:
    """`text` with `change` applied to what is not code; code kept as it is."""
    ranges = code_ranges(text)
    if not ranges:
        return change(text)
    pieces: list[str] = []
    position = 0
    for start, end in ranges:
        pieces.append(change(text[position:start]))
        pieces.append(text[start:end])
        position = end
    pieces.append(change(text[position:]))
    return "".join(pieces)
