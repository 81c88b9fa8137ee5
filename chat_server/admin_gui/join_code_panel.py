"""JoinCodePanel: the join code in big letters beside the join address, with New, Set… and Off (Tk thread only).

It sits in the join banner's big line, to the right of the address, so the
banner keeps its height: one big line (the code, or "none", and three
small buttons) and one hint line under it.  The panel only shows a code
and reports presses; the window decides what they do (AdminIdentity).
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

NO_CODE = "none"
CODE_HINT = "Students type this code when the chat window asks for it."
NO_CODE_HINT = "No join code: anyone who knows the address can join. New makes one."


class JoinCodePanel(ttk.Frame):
    def __init__(
        self,
        parent: tk.Misc,
        on_new: Callable[[], object],
        on_set: Callable[[], object],
        on_off: Callable[[], object],
    ) -> None:
        super().__init__(parent)
        ttk.Label(self, text="Code", style="Hint.TLabel").grid(row=0, column=0, sticky="w", padx=(0, 6))
        self.big = ttk.Label(self, text=NO_CODE, style="JoinIdle.TLabel")
        self.big.grid(row=0, column=1, sticky="w", padx=(0, 10))
        buttons = ttk.Frame(self)
        buttons.grid(row=0, column=2, sticky="w")
        self.new_button = ttk.Button(buttons, text="New", style="Small.TButton", command=on_new)
        self.set_button = ttk.Button(buttons, text="Set…", style="Small.TButton", command=on_set)
        self.off_button = ttk.Button(buttons, text="Off", style="Small.TButton", command=on_off)
        for button in (self.new_button, self.set_button, self.off_button):
            button.pack(side="left", padx=(0, 4))
        self.hint = ttk.Label(self, text=NO_CODE_HINT, style="Hint.TLabel")
        self.hint.grid(row=1, column=0, columnspan=3, sticky="w")
        self.code: str | None = None

    def show(self, code: str | None) -> None:
        """The code as shown (e.g. "K7M-XR4"), or None for no code."""
        self.code = code
        if code is None:
            self.big.configure(text=NO_CODE, style="JoinIdle.TLabel")
            self.hint.configure(text=NO_CODE_HINT)
            self.off_button.state(["disabled"])
        else:
            self.big.configure(text=code, style="JoinAddress.TLabel")
            self.hint.configure(text=CODE_HINT)
            self.off_button.state(["!disabled"])
