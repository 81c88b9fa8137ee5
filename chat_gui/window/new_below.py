"""The "↓ 3 new messages" button over a pane scrolled up to read, so what comes below is never missed (Tk thread).

    MessageView.show_message --arrived()--> the user reads higher up: count, mark the first, show the button
    the view reaches the end --moved(last)--> the button goes, the count starts again
    a click --> the first new message at the top of the pane; once it is in sight, the end

A pane follows new lines unless the user has scrolled up; then the lines
went in below unseen, and with the window in front neither the title nor
the tab counted them (found by the fifteenth review: 40 messages while a
student read the start of the lesson, nothing on screen said so).  Only
other people's messages count: not one's own, not a replay, not a line
folded because its sender is ignored.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk

FIRST_MARK = "new-below-first"  # where the first message not seen yet starts
NEXT_MARK = "new-below-next"  # where the message going in now starts


class NewBelow:
    def __init__(self, pane: tk.Misc, text: tk.Text) -> None:
        self.text = text
        self.count = 0
        self.button = ttk.Button(pane, command=self.jump, takefocus=False)
        text.mark_set(NEXT_MARK, "end-1c")
        text.mark_gravity(NEXT_MARK, "left")  # once: moving a mark keeps its gravity

    def before(self) -> None:
        """A message is about to go in at the end: remember where it starts (a mark costs no layout)."""
        self.text.mark_set(NEXT_MARK, "end-1c")

    def arrived(self) -> None:
        """The message just put in went below the view: count it and say so on the button."""
        if self.count == 0:
            self.text.mark_set(FIRST_MARK, NEXT_MARK)
            self.text.mark_gravity(FIRST_MARK, "left")
        self.count += 1
        self.button.configure(text=f"↓ {self.count:,} new message{'s' if self.count != 1 else ''}")
        if not self.button.winfo_ismapped():
            self.button.place(relx=0.5, rely=1.0, anchor="s", y=-10)

    def moved(self, last: float) -> None:
        """The view moved; at the end, everything below has been seen."""
        if self.count and last >= 0.999:
            self.count = 0
            self.button.place_forget()

    def jump(self) -> None:
        if self.text.bbox(FIRST_MARK) is None:
            self.text.yview(FIRST_MARK)  # the first unseen message at the top: read on down from there
        else:
            self.text.see("end")
