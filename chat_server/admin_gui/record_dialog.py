"""RecordDialog: the frame of the admin window's list dialogs: a heading, a table, action buttons, Close and the status line (Tk thread only).

AccountsDialog and BansDialog build on it: each names its columns, adds its
own buttons to `self.buttons` with `add_buttons`, and fills the table in
its `refresh`.  The status line repeats what the admin window's own
(owner.status) says from the dialog's opening on, so an action's answer
shows in the dialog and in the window alike, but an older, unrelated
message of the window (a refused Start) is not shown as if the dialog's.
"""

from __future__ import annotations

import math
import tkinter as tk
from tkinter import ttk
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chat_server.admin_gui.identity_actions import AdminIdentity

Column = tuple[str, str, int]  # (name, heading, width in pixels)
SCREEN_MARGIN = 40  # px of the screen's width a window frame takes
SCREEN_HEIGHT_MARGIN = 80  # px of the screen's height a title bar and a taskbar take
ROWS = 10  # the table's rows, fewer on a short screen (`add_buttons`)
MIN_ROWS = 3


class RecordDialog(tk.Toplevel):
    def __init__(
        self,
        parent: tk.Misc,
        owner: AdminIdentity,
        title: str,
        columns: tuple[Column, ...],
        stretch: str,
        wraplength: int,
    ) -> None:
        """`stretch`: the column that takes the width the others leave; `wraplength`: of the status line."""
        super().__init__(parent)
        self.owner = owner
        self.title(title)
        frame = ttk.Frame(self, padding=8)
        frame.pack(fill="both", expand=True)
        self.heading = ttk.Label(frame, text=f"{title}: 0", style="Heading.TLabel")
        self.heading.grid(row=0, column=0, sticky="w")
        self.tree = ttk.Treeview(frame, columns=[name for name, _, _ in columns], show="headings", height=ROWS)
        for name, heading, width in columns:
            self.tree.heading(name, text=heading, anchor="w")
            self.tree.column(name, width=width, minwidth=width // 2, stretch=name == stretch)
        scroll = ttk.Scrollbar(frame, orient="vertical", command=self.tree.yview)
        self.tree.configure(yscrollcommand=scroll.set)
        self.tree.grid(row=1, column=0, sticky="nsew")
        scroll.grid(row=1, column=1, sticky="ns")
        self.tree.bind("<<TreeviewSelect>>", lambda _event: self.refresh_buttons(), add=True)
        self.buttons = ttk.Frame(frame)
        self.buttons.grid(row=2, column=0, columnspan=2, sticky="ew", pady=(6, 0))
        self.close_button = ttk.Button(self.buttons, text="Close", command=self.destroy)
        self.close_button.pack(side="right")
        self.status = tk.StringVar(self, value="")
        self._status_trace = owner.status.trace_add("write", lambda *_: self.status.set(owner.status.get()))
        ttk.Label(frame, textvariable=self.status, style="Hint.TLabel", wraplength=wraplength).grid(
            row=3, column=0, columnspan=2, sticky="w", pady=(6, 0)
        )
        frame.rowconfigure(1, weight=1)
        frame.columnconfigure(0, weight=1)
        self.protocol("WM_DELETE_WINDOW", self.destroy)
        self.shown_running = False

    def destroy(self) -> None:
        """However the dialog goes, it stops following the window's status line."""
        if self._status_trace:
            self.owner.status.trace_remove("write", self._status_trace)
            self._status_trace = ""
        super().destroy()

    def add_buttons(self, *buttons: ttk.Button) -> None:
        """The dialog's own buttons, left to right (Close stays at the right of the first row).

        Where one row would be wider than the screen (the Accounts dialog's seven buttons at 150% on a
        1024-pixel screen: 1036 px), the buttons that do not fit start a second row under the first; where
        the dialog would be taller than the screen, the table gives up rows.
        """
        self.update_idletasks()
        room = self.winfo_screenwidth() - SCREEN_MARGIN
        used = self.winfo_reqwidth()  # the table, Close and the dialog's padding
        row: ttk.Frame = self.buttons
        for button in buttons:
            width = button.winfo_reqwidth() + 4
            if used + width > room and row is self.buttons:
                row = ttk.Frame(self.buttons)
                row.pack(side="bottom", fill="x", pady=(4, 0), before=self.close_button)
                used = self.winfo_reqwidth() - self.buttons.winfo_reqwidth()
            button.pack(in_=row, side="left", padx=(0, 4))
            if row is not self.buttons:
                button.lift(row)  # made before the second row's frame, it would be drawn under it
            used += width
        # Likewise the table gives up rows (down to MIN_ROWS) where the dialog would be taller than the screen.
        self.update_idletasks()
        excess = self.winfo_reqheight() - (self.winfo_screenheight() - SCREEN_HEIGHT_MARGIN)
        if excess > 0:
            row_height = int(ttk.Style(self).lookup("Treeview", "rowheight") or 20)
            rows = int(self.tree.cget("height")) - math.ceil(excess / row_height)
            self.tree.configure(height=max(MIN_ROWS, rows))

    def server_running(self) -> bool:
        """Whether the owner's server runs now (remembered in `shown_running` for the list drawn from it)."""
        self.shown_running = self.owner.server is not None and self.owner.phase == "running"
        return self.shown_running

    def refresh_buttons(self) -> None:
        """Enable each button as the selection allows; the dialogs say how."""
