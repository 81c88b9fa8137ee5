"""LogPane: the admin window's log, a read-only Text with a level filter (Tk thread only).

The window's poller hands it LogLines taken off the QueueLogHandler.  It
keeps the last MAX_LINES lines of every level, so changing the filter
shows older lines again without asking the server for anything.
"""

from __future__ import annotations

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


class LogPane(ttk.Frame):
    def __init__(self, parent: tk.Misc, level_name: str = "INFO", look: Look | None = None) -> None:
        super().__init__(parent)
        look = look or apply_look(parent)
        self.lines: deque[LogLine] = deque(maxlen=MAX_LINES)
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
        self.text.configure(yscrollcommand=scrollbar.set)
        self.text.grid(row=1, column=0, sticky="nsew")
        scrollbar.grid(row=1, column=1, sticky="ns")
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
        """The height that still shows the level filter and two lines of log."""
        text = self.text
        frame = 2 * sum(int(text.cget(option)) for option in ("borderwidth", "highlightthickness", "pady"))
        line = int(self.tk.call("font", "metrics", text.cget("font"), "-linespace"))
        return self.bar.winfo_reqheight() + frame + 2 * line

    @property
    def threshold(self) -> int:
        return LEVELS.get(self.level_name.get(), logging.INFO)

    def add_lines(self, lines: list[LogLine], dropped: int = 0) -> None:
        """Append lines (and a note of any the queue had to drop); the view follows the end if it was there."""
        if dropped:
            lines = [*lines, LogLine(logging.WARNING, f"({dropped} log lines dropped: the window fell behind)")]
        if not lines:
            return
        self.lines.extend(lines)
        shown = [line for line in lines if line.level >= self.threshold]
        if shown:
            self._append(shown)

    def refilter(self) -> None:
        """Show the kept lines again at the chosen level."""
        self.text.configure(state="normal")
        self.text.delete("1.0", "end")
        self.text.configure(state="disabled")
        self._append([line for line in self.lines if line.level >= self.threshold])

    def shown_text(self) -> str:
        return self.text.get("1.0", "end-1c")

    def _keep_following(self, _event: tk.Event) -> None:
        if self._following:  # a resize keeps the top line in view; the admin wants the newest
            self.text.see("end")

    def _append(self, lines: list[LogLine]) -> None:
        self._following = self.text.yview()[1] >= 0.999
        self.text.configure(state="normal")
        for line in lines:
            self.text.insert("end", line.text + "\n", LEVEL_TAGS.get(line.level, ()))
        excess = int(self.text.index("end-1c").split(".")[0]) - 1 - MAX_LINES
        if excess > 0:
            self.text.delete("1.0", f"{excess + 1}.0")
        self.text.configure(state="disabled")
        if self._following:
            self.text.see("end")
