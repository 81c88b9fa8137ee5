"""JoinBanner: the address to join by, in letters big enough to read from the back of a classroom (Tk thread only).

Its height is the same before and after Start and whatever the number of
addresses, so the window does not grow when the server starts: one big
line (the first address, or "Not running" before Start), one line under
it (the computer's other addresses, each with Copy, or a note).  What a
teacher reads out next to the address later (a join code, the
certificate's fingerprint) belongs in further columns of the big line,
not in new rows.

Where one line cannot hold a long LAN address, the server key and the
join code (a 1366-pixel screen at 150% scaling, a 1024-pixel one at 125%),
`arrange` puts the key on a line of its own under the address, once,
before Start, so that nothing is drawn over the digits the class compares
(and if the address and the join code still do not fit, as on a 1024-pixel
screen at 150%, their big letters are made smaller until they do):

    Join at  192.168.1.20:55555 [Copy]                  Code K7M-XR4
             Server key 0472 9918 3065 4410 7286 [Copy]      New Set… Off
             Students enter this address (host:port) in ...
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import font as tkfont
from tkinter import ttk

from chat_server.admin_gui.key_badge import KeyBadge
from chat_server.netinfo import ONLY_THIS_COMPUTER

IDLE_TEXT = "Not running"
IDLE_NOTE = "Press Start; the address to join by appears here."
LAN_NOTE = "Students enter this address (host:port) in the chat window's Connect dialog."
LOCAL_NOTE = ONLY_THIS_COMPUTER
WIDE_ADDRESS = "192.168.100.200:55555"  # a long LAN address: what the big line must hold after Start
SHORT_KEY_CAPTION = "Key"  # "Server key" where even the smallest digits leave no room for it
SMALLEST_KEY_POINTS = 11  # the key's digits, bold: still larger than the text around them
SMALLEST_BIG_POINTS = 14  # half the usual size: the least the address and the join code are drawn at


class JoinBanner(ttk.LabelFrame):
    def __init__(self, parent: tk.Misc) -> None:
        super().__init__(parent, text="Join at", padding=(10, 2, 10, 4))
        self.addresses: list[str] = []
        self.big = ttk.Label(self, text=IDLE_TEXT, style="JoinIdle.TLabel")
        self.big.grid(row=0, column=0, sticky="w", padx=(0, 8))  # narrow: a long address fits 1366 px at 100%
        self.copy_button = ttk.Button(self, text="Copy", command=lambda: self.copy(self.addresses[0]))
        self.copy_button.grid(row=0, column=1, sticky="w")
        self.copy_button.grid_remove()  # until Start; the big label, taller than a button, sets the row's height
        self.columnconfigure(2, weight=1)
        self.key = KeyBadge(self)  # the server key's fingerprint, at the right end of the big line
        self.key.grid(row=0, column=2, sticky="e")
        self.key_on_own_line = False
        self.others = ttk.Frame(self)  # the other addresses with their Copy buttons, or the note
        self.others.grid(row=1, column=0, columnspan=3, sticky="ew")
        self.note = ttk.Label(self.others, text=IDLE_NOTE, style="Hint.TLabel")
        self.note.pack(side="left")
        self._other_widgets: list[ttk.Widget] = []
        # Each row is as tall from the start as whatever it will hold (a Copy button may be taller than
        # the text beside it at some scalings), so that Start never changes the window's height.
        small_copy = ttk.Button(self.others, text="Copy", style="Small.TButton")
        self.rowconfigure(0, minsize=self.copy_button.winfo_reqheight())
        self.others_height = max(small_copy.winfo_reqheight(), self.note.winfo_reqheight())
        self.rowconfigure(1, minsize=self.others_height)
        small_copy.destroy()

    def arrange(self, width: int, refit: Callable[[], object] = lambda: None) -> None:
        """Keep one big line if `width` pixels hold it after Start, else move the key to a line under the address.

        If the address and the join code still do not fit (a 1024-pixel screen at 150%), their big letters
        are made smaller until they do, down to SMALLEST_BIG_POINTS; `refit` is called after each change
        (the join code's panel measures its place in those letters).  Call it once the whole banner is
        built (the join code's panel is in its last column) and before Start: the banner's height then
        stays the same when the server starts.
        """
        self.big.configure(text=WIDE_ADDRESS, style="JoinAddress.TLabel")
        self.copy_button.grid()
        self.key.show_widest()
        self.update_idletasks()
        key_height = self.key.winfo_reqheight()
        self.key_on_own_line = self.winfo_reqwidth() > width
        if self.key_on_own_line:
            self.key.grid_configure(row=1, column=0, columnspan=3, sticky="w")
            self.others.grid_configure(row=2, column=0, columnspan=4)
            self.rowconfigure(2, minsize=self.others_height)
            self.rowconfigure(1, minsize=key_height)  # as tall before Start, with no key shown, as after
            self._shrink_letters(width, refit)
            self._shrink_key(width)
        self.clear()

    def _shrink_letters(self, width: int, refit: Callable[[], object]) -> None:
        """Make the big letters smaller, a point at a time, until the banner (widest address shown) fits `width`."""
        big = tkfont.nametofont(str(ttk.Style(self).lookup("JoinAddress.TLabel", "font")), root=self)
        points = int(big.cget("size"))
        self.update_idletasks()
        while self.winfo_reqwidth() > width and points > SMALLEST_BIG_POINTS:
            points -= 1
            big.configure(size=points)
            refit()
            self.rowconfigure(0, minsize=self.copy_button.winfo_reqheight())
            self.update_idletasks()

    def _shrink_key(self, width: int) -> None:
        """Make the key's digits smaller, a point at a time, until its line (beside the join code) fits `width`,
        down to SMALLEST_KEY_POINTS, then shorten its caption: at 200% on a 1024-pixel screen the digits and their
        Copy were cut off (the join code's panel sits at the right of the key's line)."""
        points = int(self.key.key_font.cget("size"))
        while self.winfo_reqwidth() > width and points > SMALLEST_KEY_POINTS:
            points -= 1
            self.key.key_font.configure(size=points)
            self.rowconfigure(1, minsize=self.key.winfo_reqheight())
            self.update_idletasks()
        if self.winfo_reqwidth() > width:  # still cut off: the caption gives up its first word
            self.key.caption.configure(text=SHORT_KEY_CAPTION)

    def show(self, addresses: list[str], local_only: bool) -> None:
        """The first address big with Copy; the others (other networks of this computer) small under it."""
        self.clear()
        if not addresses:
            return
        self.addresses = list(addresses)
        self.big.configure(text=addresses[0], style="JoinAddress.TLabel")
        self.copy_button.grid()
        if len(addresses) > 1:
            self.note.pack_forget()
            label = ttk.Label(self.others, text="Or, on another network of this computer:", style="Hint.TLabel")
            label.pack(side="left", padx=(0, 6))
            self._other_widgets.append(label)
            for address in addresses[1:]:
                text = ttk.Label(self.others, text=address)
                button = ttk.Button(
                    self.others,
                    text="Copy",
                    style="Small.TButton",
                    command=lambda chosen=address: self.copy(chosen),  # type: ignore[misc]
                )
                text.pack(side="left")
                button.pack(side="left", padx=(4, 12))
                self._other_widgets += [text, button]
        else:
            self.note.configure(text=LOCAL_NOTE if local_only else LAN_NOTE)

    def fold_note(self, folded: bool) -> None:
        """Hide the small line under the address when it only holds the note (a short screen), or show it again."""
        row = 2 if self.key_on_own_line else 1
        if folded and len(self.addresses) < 2:
            self.others.grid_remove()
            self.rowconfigure(row, minsize=0)
            return
        self.others.grid()
        self.rowconfigure(row, minsize=self.others_height)

    def clear(self) -> None:
        for widget in self._other_widgets:
            widget.destroy()
        self._other_widgets = []
        self.addresses = []
        self.big.configure(text=IDLE_TEXT, style="JoinIdle.TLabel")
        self.copy_button.grid_remove()
        self.note.configure(text=IDLE_NOTE)
        self.note.pack(side="left")
        self.key.clear()

    def copy(self, address: str) -> None:
        self.clipboard_clear()
        self.clipboard_append(address)
