"""KeyBadge: the server key's fingerprint in the join banner, large, with Copy, for students to compare (Tk thread only).

    Join at  192.168.1.20:55555 [Copy]          Server key  0472 9918 3065 4410 7286 [Copy]

It sits at the right end of the banner's big line, so the window keeps its
height when the server starts.  Students open Connection details in their
chat window and compare the 20 digits (docs/encryption.md, "Checking the
fingerprint").  With --no-tls it says "Not encrypted" instead.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import font as tkfont
from tkinter import ttk

from shared.fingerprint import Fingerprint

KEY_POINTS = 16
NOT_ENCRYPTED = "Not encrypted (--no-tls)"
WIDEST_DIGITS = "0000 0000 0000 0000 0000"  # the short form's shape, in the widest digit of most fonts


class KeyBadge(ttk.Frame):
    def __init__(self, parent: tk.Misc) -> None:
        super().__init__(parent)
        body = tkfont.nametofont("TkDefaultFont", root=self)
        self.key_font = tkfont.Font(root=self, family=body.actual("family"), size=KEY_POINTS, weight="bold")
        self.caption = ttk.Label(self, text="Server key", style="Hint.TLabel")
        self.digits = ttk.Label(self, text="", font=self.key_font)
        self.copy_button = ttk.Button(self, text="Copy", style="Small.TButton", command=self.copy)
        self.caption.pack(side="left", padx=(0, 6))
        self.digits.pack(side="left")
        self.copy_button.pack(side="left", padx=(6, 0))
        self.fingerprint: Fingerprint | None = None
        self.clear()

    def show(self, fingerprint: Fingerprint | None) -> None:
        """The running server's key; None: it runs without TLS."""
        self.fingerprint = fingerprint
        self.caption.pack(side="left", padx=(0, 6), before=self.digits)
        if fingerprint is None:
            self.digits.configure(text=NOT_ENCRYPTED, font=self.key_font)
            self.copy_button.pack_forget()
        else:
            self.digits.configure(text=fingerprint.short)
            self.copy_button.pack(side="left", padx=(6, 0))

    def show_widest(self) -> None:
        """Show the widest a key can be, to measure the room it needs; `clear` puts the badge back."""
        self.caption.pack(side="left", padx=(0, 6), before=self.digits)
        self.digits.configure(text=WIDEST_DIGITS)
        self.copy_button.pack(side="left", padx=(6, 0))

    def clear(self) -> None:
        self.fingerprint = None
        self.digits.configure(text="")
        self.caption.pack_forget()
        self.copy_button.pack_forget()

    def copy(self) -> None:
        if self.fingerprint is not None:
            self.clipboard_clear()
            self.clipboard_append(self.fingerprint.short)
