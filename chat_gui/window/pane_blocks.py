"""The pane's blocks beyond messages and notices: banners, tables, quiet join/leave lines, undelivered lines (Tk thread).

A mix-in of chat_gui.window.message_view.MessageView, which provides the
text widget, `_append` and `_with_links`:

    show_banner(title, text)           a block across the pane: an announcement ("banner"), or "alert"
    show_table(rows)                   (command, description) rows aligned on a tab stop; prose rows between
    show_presence(event, nick, text)   a join or leave, folded into the join/leave line just before it
    set_presence_shown(False)          hides every join/leave line (and shows them again with True)
    show_undelivered(text, reason)     a line the server refused, struck out, with the reason
    fail_pending(token, reason)        a line that waited to be sent will not be: struck out instead
"""

from __future__ import annotations

import itertools
import time
import tkinter as tk
from collections.abc import Callable

from chat_gui.text.presence_summary import PresenceBatch
from chat_gui.window.pane_style import PaneStyle
from chat_gui.window.tk_text import shown_notice

Parts = list[tuple[str, tuple[str, ...]]]
PRESENCE_BATCH = "presence-batch"  # the tag of the join/leave line that later joins and leaves fold into
UNDELIVERED_CHARS = 300  # a refused line is shown up to this many characters


class PaneBlocks:
    text: tk.Text
    style: PaneStyle
    _actions: dict[str, Callable[[], None]]
    _serial: itertools.count[int]
    _pending_tags: dict[str, str]  # tag -> the text waiting to be sent
    _presence: tuple[PresenceBatch, str] | None  # the batch the last line shows, and its time stamp

    def _init_blocks(self) -> None:
        self._presence = None
        self.presence_shown = True

    def _append(self, parts: Parts, line_tags: tuple[str, ...] = (), presence: bool = False) -> bool:
        raise NotImplementedError

    def _written(self, written: str) -> tuple[str, ...]:
        raise NotImplementedError

    def _with_links(self, text: str, extra: tuple[str, ...]) -> Parts:
        raise NotImplementedError

    # -- intent methods --
    def show_banner(
        self,
        title: str,
        text: str = "",
        stamp: str = "",
        style: str = "banner",
        action: tuple[str, Callable[[], None]] | None = None,
    ) -> None:
        """A block across the pane: a bold title line, then the text (style "banner", or "alert" for trouble)."""
        tags = (style,)
        lines = text.split("\n") if text else []
        last = (style, "banner-end")
        parts: Parts = [(f"{stamp}  ", (style, "banner-title"))] if stamp else []
        parts += self._with_links(title, (style, "banner-title") if lines else (style, "banner-title", "banner-end"))
        for number, line in enumerate(lines):
            parts.append(("\n", tags if number == 0 else last))
            parts += self._with_links(line, last if number == len(lines) - 1 else tags)
        if action is not None:
            parts += [("  ", last), self._action_part(action, last)]
        self._append(parts, line_tags=last)

    def show_table(self, rows: list[tuple[str, str]]) -> None:
        """Rows of (key, description) aligned in two columns; a row with no description is a line of prose."""
        keys = [key for key, description in rows if description]
        column = max((self.style.bold.measure(key) for key in keys), default=0) + self.style.body.measure("    ")
        tag = f"table-{column}"
        # a description that wraps goes on under the description, not under the key
        self.text.tag_configure(tag, tabs=(column,), lmargin1=0, lmargin2=column)
        for key, description in rows:
            if description:
                self._append([(key, ("table-key", tag)), ("\t", (tag,)), *self._with_links(description, (tag,))])
            else:
                self._append(self._with_links(key, ("notice",)))

    def show_presence(self, event: str, nick: str, text: str, stamp: str = "") -> None:
        """A join ("join") or leave ("leave") of `nick`; `text` is the server's words for it alone.

        Several in a row, with nothing said between them, share one line:
        "ann, bob and 3 others joined".  The first is shown in the server's
        words; the line is rewritten as more come.
        """
        now = time.monotonic()
        current = self._presence
        if current is not None and current[0].fresh(now) and self.text.tag_ranges(PRESENCE_BATCH):
            batch, stamp = current
            batch.add(event, nick)
            self.text.delete(f"{PRESENCE_BATCH}.first", "end-1c")
            text = batch.summary()
        else:
            batch = PresenceBatch(started=now)
            batch.add(event, nick)
            self.text.tag_remove(PRESENCE_BATCH, "1.0", "end")
        parts: Parts = [(f"{stamp}  ", ("time", "presence", "notice"))] if stamp else []
        shown = shown_notice(self.text, text)  # "דנה joined": her name read right to left
        parts.append((shown, ("presence", "notice", *self._written(text if shown != text else ""))))
        self._append(parts, line_tags=("presence",), presence=True)
        self.text.tag_add(PRESENCE_BATCH, "end-1c -1 lines linestart", "end-1c")
        self._presence = (batch, stamp)

    def set_presence_shown(self, shown: bool) -> None:
        """Show or hide every join and leave line (those to come too)."""
        self.presence_shown = shown
        self.text.tag_configure("presence", elide=not shown)

    def show_undelivered(self, text: str, reason: str) -> None:
        """A line of yours that was not delivered: its text struck out, then why."""
        one_line = " ".join(text.split())
        shown = one_line[:UNDELIVERED_CHARS] + ("…" if len(one_line) > UNDELIVERED_CHARS else "")
        self._append(
            [
                ("not delivered: ", ("error", "notice")),
                (shown, ("undelivered", "notice")),
                (f"  {reason}", ("reason", "notice")),
            ]
        )

    def fail_pending(self, token: int, reason: str) -> None:
        """A line that waited to be sent will not be sent: its marker goes, a struck-out line says so."""
        tag = f"pending-{token}"
        text = self._pending_tags.pop(tag, None)
        if text is None:
            return
        ranges = self.text.tag_ranges(tag)
        if ranges:
            self.text.delete(ranges[0], f"{ranges[-1]} +1c")
        self.text.tag_delete(tag)
        self.show_undelivered(text, reason)

    # -- inside --
    def _action_part(
        self, action: tuple[str, Callable[[], None]], extra: tuple[str, ...]
    ) -> tuple[str, tuple[str, ...]]:
        label, callback = action
        tag = f"action-{next(self._serial)}"
        self._actions[tag] = callback
        return label, ("action", tag, *extra)
