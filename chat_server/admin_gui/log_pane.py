"""LogPane: the admin window's log, a read-only Text with a level filter (Tk thread only).

The window's poller hands it LogLines taken off the QueueLogHandler.  It
keeps the last MAX_LINES lines of each level in a buffer of that level's
own, so a flood of INFO (students coming and going) never pushes out the
WARNING lines that record what the admin did, and changing the filter
shows older lines again without asking the server for anything.  The
Text shows exactly the kept lines at or above the filter's level, in the
order they came: a line dropped from its buffer leaves the view too.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import tkinter as tk
from collections import deque
from tkinter import ttk

from chat_server.admin_gui.look import Look, admin_colours, apply_look
from chat_server.log_queue import LogLine
from shared.palette import Palette
from shared_tk.theme import on_palette_change

MAX_LINES = 2000
LOG_ROWS = 5  # the lines the pane asks for; it gets more when the window is taller
LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARNING": logging.WARNING, "ERROR": logging.ERROR}
LEVEL_TAGS = {logging.WARNING: "warning", logging.ERROR: "error", logging.CRITICAL: "error"}
# Each line is also tagged with its buffer's name, so the view can find the oldest line of a buffer that dropped it.
BUFFER_TAGS = {level: f"kept-{name.lower()}" for name, level in LEVELS.items()}


def buffer_of(level: int) -> int:
    """The buffer a line of `level` is kept in: the highest of LEVELS at or below it (CRITICAL with ERROR)."""
    return max((kept for kept in LEVELS.values() if kept <= level), default=logging.DEBUG)


class LogPane(ttk.Frame):
    def __init__(self, parent: tk.Misc, level_name: str = "INFO", look: Look | None = None) -> None:
        super().__init__(parent)
        look = look or apply_look(parent)
        # Per level, the last MAX_LINES lines with their arrival number (to merge the buffers in order).
        self.kept: dict[int, deque[tuple[int, LogLine]]] = {level: deque() for level in LEVELS.values()}
        self._arrivals = itertools.count()
        self.level_name = tk.StringVar(self, value=level_name)
        self.bar = bar = ttk.Frame(self)
        bar.grid(row=0, column=0, columnspan=2, sticky="ew")
        ttk.Label(bar, text="Log", style="Heading.TLabel").pack(side="left")
        self.level_box = ttk.Combobox(bar, textvariable=self.level_name, values=list(LEVELS), state="readonly", width=9)
        self.level_box.pack(side="right")
        ttk.Label(bar, text="Show from level:").pack(side="right", padx=(0, 4))
        self.level_box.bind("<<ComboboxSelected>>", lambda _event: self.refilter())
        self.text = tk.Text(
            self,
            height=LOG_ROWS,
            wrap="none",
            state="disabled",
            font=look.log,
            undo=False,
        )
        self.recolour(look.palette)
        on_palette_change(self.text, self.recolour)  # a Text is not a ttk widget: the theme does not colour its tags
        scrollbar = ttk.Scrollbar(self, orient="vertical", command=self.text.yview)
        # Lines are not wrapped (each keeps its time and level at the left): a long one (the TLS
        # fingerprint, an export's path) is read by scrolling sideways.
        self.xscroll = ttk.Scrollbar(self, orient="horizontal", command=self.text.xview)
        self.text.configure(yscrollcommand=scrollbar.set, xscrollcommand=self.xscroll.set)
        self.text.grid(row=1, column=0, sticky="nsew")
        scrollbar.grid(row=1, column=1, sticky="ns")
        self.xscroll.grid(row=2, column=0, sticky="ew")
        self.rowconfigure(1, weight=1)
        self.columnconfigure(0, weight=1)
        self._following = True  # the view shows the newest line; false once the admin scrolls up
        self.text.bind("<Configure>", self._keep_following)

    def recolour(self, palette: Palette) -> None:
        """The pane and its level colours for the theme's palette."""
        self.text.configure(
            background=palette.background,
            foreground=palette.text,
            insertbackground=palette.text,
            selectbackground=palette.selection_background,
            selectforeground=palette.selection_text,
            inactiveselectbackground=palette.selection_background,
        )
        self.text.tag_configure("warning", foreground=admin_colours(palette).log_warning)
        self.text.tag_configure("error", foreground=palette.error)

    def least_height(self) -> int:
        """The height that still shows the level filter, two lines of log and the sideways scrollbar."""
        text = self.text
        frame = 2 * sum(int(text.cget(option)) for option in ("borderwidth", "highlightthickness", "pady"))
        line = int(self.tk.call("font", "metrics", text.cget("font"), "-linespace"))
        return self.bar.winfo_reqheight() + frame + 2 * line + self.xscroll.winfo_reqheight()

    @property
    def threshold(self) -> int:
        return LEVELS.get(self.level_name.get(), logging.INFO)

    def _kept_from(self, threshold: int) -> list[LogLine]:
        buffers = [buffer for level, buffer in self.kept.items() if level >= threshold]
        return [line for _arrival, line in heapq.merge(*buffers, key=lambda kept: kept[0])]

    def add_lines(self, lines: list[LogLine], dropped: int = 0) -> None:
        """Append lines (and a note of any the queue had to drop); the view follows the end if it was there."""
        if dropped:
            lines = [*lines, LogLine(logging.WARNING, f"({dropped} log lines dropped: the window fell behind)")]
        if not lines:
            return
        threshold = self.threshold
        gone: list[tuple[int, LogLine]] = []  # lines dropped from shown buffers, oldest first
        for line in lines:
            level = buffer_of(line.level)
            buffer = self.kept[level]
            buffer.append((next(self._arrivals), line))
            if len(buffer) > MAX_LINES:
                _arrival, dropped_line = buffer.popleft()
                if level >= threshold:
                    gone.append((level, dropped_line))
        shown = [line for line in lines if buffer_of(line.level) >= threshold]
        if shown:
            self._append(shown, gone)

    def refilter(self) -> None:
        """Show the kept lines again at the chosen level."""
        self.text.configure(state="normal")
        self.text.delete("1.0", "end")
        self.text.configure(state="disabled")
        self._append(self._kept_from(self.threshold), [])

    def shown_text(self) -> str:
        return self.text.get("1.0", "end-1c")

    def _keep_following(self, _event: tk.Event) -> None:
        if self._following:  # a resize keeps the top line in view; the admin wants the newest
            self.text.see("end")

    def _append(self, lines: list[LogLine], gone: list[tuple[int, LogLine]]) -> None:
        """Add `lines` at the end, then take out the lines `gone` from their buffers (each its buffer's oldest)."""
        self._following = self.text.yview()[1] >= 0.999
        text = self.text
        text.configure(state="normal")
        for line in lines:
            level = buffer_of(line.level)
            colour = LEVEL_TAGS.get(level)
            text.insert("end", line.text + "\n", (BUFFER_TAGS[level], colour) if colour else BUFFER_TAGS[level])
        for level, line in gone:  # the first text with the buffer's tag; a traceback is several lines long
            found = text.tag_nextrange(BUFFER_TAGS[level], "1.0")
            if found:
                rows = line.text.count("\n") + 1
                text.delete(found[0], f"{found[0]} +{rows} lines")
        text.configure(state="disabled")
        if self._following:
            self.text.see("end")
