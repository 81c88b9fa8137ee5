"""JoinCodePanel: the join code in big letters beside the join address, with New, Set… and Off (Tk thread only).

It sits in the join banner, to the right of the address, so the banner
keeps its height: the code (or "none") in the big line, and New, Set…
and Off in the small line under it.  The panel only shows a code
and reports presses; the window decides what they do (AdminIdentity).

The code's place is as wide as the widest code New makes ("WWW-WWW") in
the big letters, whatever code is shown: a chosen code may be up to 32
characters, which in those letters would push the window past the screen
(Rooms, History… and the server key with it).  A longer code is drawn
smaller, on one line or split at its dash over two, in the same place.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import font as tkfont
from tkinter import ttk

NO_CODE = "none"
WIDEST_MADE_CODE = "WWW-WWW"  # 6 characters of the alphabet New draws from, as shown
SMALLEST_POINTS = 6


class JoinCodePanel(ttk.Frame):
    def __init__(
        self,
        parent: tk.Misc,
        on_new: Callable[[], object],
        on_set: Callable[[], object],
        on_off: Callable[[], object],
    ) -> None:
        super().__init__(parent)
        self.line = line = ttk.Frame(self)
        line.grid(row=0, column=0, sticky="w")
        ttk.Label(line, text="Code", style="Hint.TLabel").grid(row=0, column=0, padx=(0, 6))
        self.big = ttk.Label(line, text=NO_CODE, style="JoinIdle.TLabel", justify="left")
        self.big.grid(row=0, column=1, sticky="w")
        self.smaller = tkfont.Font(root=self)  # for a code too long for the big letters
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

    def _big_font(self) -> tkfont.Font:
        return tkfont.nametofont(str(ttk.Style(self).lookup("JoinAddress.TLabel", "font")), root=self)

    def show(self, code: str | None) -> None:
        """The code as shown (e.g. "K7M-XR4"), or None for no code."""
        self.code = code
        big = self._big_font()
        room_width, room_height = big.measure(WIDEST_MADE_CODE), big.metrics("linespace")
        self.line.columnconfigure(1, minsize=room_width)  # the same width whatever the code: the window never grows
        self.line.rowconfigure(0, minsize=room_height)
        if code is None:
            self.big.configure(text=NO_CODE, style="JoinIdle.TLabel", font="")
            self.off_button.state(["disabled"])
            return
        self.off_button.state(["!disabled"])
        if big.measure(code) <= room_width:
            self.big.configure(text=code, style="JoinAddress.TLabel", font="")
            return
        self.big.configure(text=self._fit(code, big, room_width, room_height), style="JoinAddress.TLabel")
        self.big.configure(font=self.smaller)

    def _fit(self, code: str, big: tkfont.Font, width: int, height: int) -> str:
        """Set `smaller` to the largest size at which `code` fits the room, on one line or two; the text to show."""
        actual = big.actual()
        self.smaller.configure(family=actual["family"], weight=actual["weight"])
        halves = code.replace("-", "-\n", 1)
        for points in range(abs(int(actual["size"])), SMALLEST_POINTS - 1, -1):
            self.smaller.configure(size=points)
            linespace = self.smaller.metrics("linespace")
            if self.smaller.measure(code) <= width:
                return code
            if 2 * linespace <= height and max(self.smaller.measure(half) for half in halves.splitlines()) <= width:
                return halves
        return halves
