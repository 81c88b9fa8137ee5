"""The bar over the entry box while the user answers one message: "Replying to alice: is it 4?  ✕" (Tk thread).

    Reply (right-click menu) or Ctrl+Shift+Up (the newest message of someone else) -> start(view, number, sender, words)
    Enter in the entry box  -> LineSending asks `taken_for(view)` and sends REPLY <id> <text> instead of SAY/PM
    ✕, Escape in the entry box, another tab coming to the front -> cancel()

The answer goes where the original was said (the server decides), so the
reply belongs to the pane it was started in: another tab cancels it.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk
from typing import NamedTuple

from chat_gui.window.reply_quote import Quote, quote_words


class Answering(NamedTuple):
    view: tk.Misc
    number: int


class ReplyBar(ttk.Frame):
    def __init__(self, master: tk.Misc, above: tk.Widget) -> None:
        super().__init__(master)
        self.above = above  # shown just over this widget (the entry row)
        self.answering: Answering | None = None
        self.label = ttk.Label(self, text="", style="Muted.TLabel", anchor="w")
        self.label.pack(side="left", fill="x", expand=True, padx=(4, 0))
        self.cancel_button = ttk.Button(self, text="✕", width=3, command=self.cancel, takefocus=False)
        self.cancel_button.pack(side="right")

    def start(self, view: tk.Misc, number: int, sender: str, words: str) -> None:
        """Answer message `number` of `view` with the next line typed."""
        self.answering = Answering(view, number)
        shown = quote_words(Quote(number, sender or "?", words or "…"))[2:]  # without the arrow
        self.label.configure(text=f"Replying to {shown}   (Esc: cancel)")
        if not self.winfo_ismapped():
            self.pack(side="bottom", fill="x", after=self.above, pady=(4, 0))

    def cancel(self) -> None:
        self.answering = None
        self.label.configure(text="")
        self.pack_forget()

    def taken_for(self, view: tk.Misc) -> int | None:
        """The id the line typed now answers (the bar closes), or None: not answering, or in another pane."""
        answering = self.answering
        if answering is None or answering.view is not view:
            return None
        self.cancel()
        return answering.number
