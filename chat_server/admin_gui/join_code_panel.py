"""JoinCodePanel: the join code in big letters beside the join address, with New, Set… and Off (Tk thread only).

It sits in the join banner, to the right of the address, so the banner
keeps its height: the code (or "none") in the big line, and New, Set…
and Off in the small line under it.  The panel only shows a code
and reports presses; the window decides what they do (AdminIdentity).
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

NO_CODE = "none"


class JoinCodePanel(ttk.Frame):
    def __init__(
        self,
        parent: tk.Misc,
        on_new: Callable[[], object],
        on_set: Callable[[], object],
        on_off: Callable[[], object],
    ) -> None:
        super().__init__(parent)
        line = ttk.Frame(self)
        line.grid(row=0, column=0, sticky="w")
        ttk.Label(line, text="Code", style="Hint.TLabel").pack(side="left", padx=(0, 6))
        self.big = ttk.Label(line, text=NO_CODE, style="JoinIdle.TLabel")
        self.big.pack(side="left")
        # The buttons sit in the banner's small second line, narrow, so that the banner fits a
        # 1366-pixel screen at 150% scaling beside the address and its note.
        under = ttk.Frame(self)
        under.grid(row=1, column=0, sticky="w")
        self.new_button = ttk.Button(under, text="New", style="Small.TButton", width=5, command=on_new)
        self.set_button = ttk.Button(under, text="Set…", style="Small.TButton", width=5, command=on_set)
        self.off_button = ttk.Button(under, text="Off", style="Small.TButton", width=5, command=on_off)
        for button in (self.new_button, self.set_button, self.off_button):
            button.pack(side="left", padx=(0, 4))
        self.code: str | None = None

    def show(self, code: str | None) -> None:
        """The code as shown (e.g. "K7M-XR4"), or None for no code."""
        self.code = code
        if code is None:
            self.big.configure(text=NO_CODE, style="JoinIdle.TLabel")
            self.off_button.state(["disabled"])
        else:
            self.big.configure(text=code, style="JoinAddress.TLabel")
            self.off_button.state(["!disabled"])
