"""Links in a text pane styled and made clickable only where the pane is looked at (Tk thread).

Tk lays out a line piece by piece, one piece for every change of tags, so
each styled link costs a message's layout and drawing a piece or two: a
message of 44 short links took 16 ms to show in a full pane instead of 4,
and a class sending such messages from 40 computers outran the window
until the server cut it off as a slow reader (found by a probe).

So a message goes into the pane with one invisible PENDING tag over the
stretch that holds its links, from the first to the last (two tag changes
whatever the number of links). Soon after, and at most every PAINT_GAP
seconds, the painter finds the pending stretches inside the lines on
screen, finds their links again with the same pattern, tags them `link`,
and clears PENDING there. During a flood most messages scroll past
without ever being painted; a reader who scrolls back gets them painted
as they come into view. A link can only be clicked where it is shown, and
what is shown is painted, so nothing clickable is lost.
"""

from __future__ import annotations

import re
import time
import tkinter as tk

from chat_gui.window.tk_text import astral_width, lines_on_screen, tk_offset

PENDING = "link-pending"  # carries no style: where links wait to be painted
PAINT_GAP = 0.1  # seconds between two paints at least: a flood pays for a screenful a tenth of a second


class LinkPainter:
    def __init__(
        self, text: tk.Text, pattern: re.Pattern[str], tag: str = "link", not_in: tuple[str, ...] = ()
    ) -> None:
        self.text = text
        self.pattern = pattern
        self.tag = tag
        self.not_in = frozenset(not_in)  # tags of text where nothing is a link (code), though a stretch spans it
        self._scheduled: str | None = None
        self._last = 0.0

    def schedule(self) -> None:
        """Paint what is on screen soon: at the next idle moment, or PAINT_GAP after the last paint."""
        if self._scheduled is not None:
            return
        wait = self._last + PAINT_GAP - time.monotonic()
        if wait <= 0:
            self._scheduled = self.text.after_idle(self.paint)
        else:
            self._scheduled = self.text.after(int(wait * 1000) + 1, self.paint)

    def cancel(self) -> None:
        if self._scheduled is not None:
            self.text.after_cancel(self._scheduled)
            self._scheduled = None

    def paint(self) -> None:
        """Tag the links of every pending stretch on screen now (tests call this instead of waiting)."""
        self._scheduled = None
        self._last = time.monotonic()
        text = self.text
        shown = lines_on_screen(text)
        if shown is None:  # the pane is going away
            return
        first, last = shown
        start, stop = f"{first}.0", f"{last + 1}.0"
        stretches: list[tuple[str, str]] = []
        before = text.tag_prevrange(PENDING, start)  # a stretch that began above the screen and reaches into it
        if before and text.compare(before[1], ">", start):
            stretches.append((str(before[0]), str(before[1])))
        while True:
            found = text.tag_nextrange(PENDING, start, stop)
            if not found:
                break
            stretches.append((str(found[0]), str(found[1])))
            start = str(found[1])
        spans: list[str] = []
        for begin, end in stretches:
            spans += self._links_in(begin, end)
            text.tag_remove(PENDING, begin, end)
        if spans:
            text.tag_add(self.tag, *spans)

    def _links_in(self, begin: str, end: str) -> list[str]:
        """Tk indices (start, end, start, end, ...) of the links inside begin..end, found in their whole lines."""
        begin_line, begin_column = (int(number) for number in begin.split("."))
        end_line, end_column = (int(number) for number in end.split("."))
        width = astral_width(self.text)
        lines = self.text.get(f"{begin_line}.0", f"{end_line}.end").split("\n")
        spans: list[str] = []
        for number, line in enumerate(lines, start=begin_line):
            counted, counted_to = 0, 0  # Tk's count of line[:counted_to]: matches come in order, so count on
            plain = width == 1 or line.isascii()
            for match in self.pattern.finditer(line):
                if plain:
                    left, right = match.start(), match.end()
                else:
                    left = counted + tk_offset(line[counted_to:], match.start() - counted_to, width)
                    right = left + tk_offset(match.group(), len(match.group()), width)
                    counted, counted_to = right, match.end()
                if (number == begin_line and left < begin_column) or (number == end_line and right > end_column):
                    continue
                if self.not_in and self.not_in.intersection(self.text.tag_names(f"{number}.{left}")):
                    continue
                spans += (f"{number}.{left}", f"{number}.{right}")
        return spans
