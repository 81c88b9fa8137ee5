"""The warning when a server's key changed, or a server that encrypted stops doing so (Tk thread).

It shows the remembered and the new fingerprint side by side and goes on
only after a deliberate click: "Do not connect" is the default (Return and
Escape choose it, and it has the focus); "Trust the new key" (or "Connect
without encryption") must be clicked.  Not modal: the window behind keeps
working, and the warning stays until answered.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from chat_gui.core.connection_security import KeyWarning
from chat_gui.window.security_view import PLAIN_STYLE

TRUST_TEXT = "Trust the new key"
PLAIN_TEXT = "Connect without encryption"
REFUSE_TEXT = "Do not connect"


class KeyWarningDialog(tk.Toplevel):
    def __init__(self, master: tk.Misc, warning: KeyWarning, on_answer: Callable[[bool], None]) -> None:
        super().__init__(master)
        self.warning = warning
        self._on_answer = on_answer
        self.answered = False
        changed = warning.presented is not None
        self.title("Warning: the server's key has changed" if changed else "Warning: the connection is not encrypted")
        self.transient(master.winfo_toplevel())
        self.resizable(False, False)
        body = ttk.Frame(self, padding=16)
        body.pack(fill="both", expand=True)
        heading = "The server's key has changed" if changed else "This server no longer encrypts the connection"
        ttk.Label(body, text=heading, font=("TkHeadingFont", 13, "bold"), style=PLAIN_STYLE).grid(
            row=0, column=0, columnspan=2, sticky="w"
        )
        ttk.Label(body, text=self._explanation(), wraplength=460, justify="left").grid(
            row=1, column=0, columnspan=2, sticky="w", pady=(8, 10)
        )
        since = f" (since {warning.pinned_since[:10]})" if warning.pinned_since else ""
        self.remembered = warning.pinned.short
        self.now = warning.presented.short if warning.presented is not None else "no key: not encrypted"
        big = ("TkFixedFont", 16, "bold")
        ttk.Label(body, text=f"Remembered key{since}:").grid(row=2, column=0, sticky="w", padx=(0, 12))
        ttk.Label(body, text=self.remembered, font=big).grid(row=2, column=1, sticky="w")
        ttk.Label(body, text="Key now:").grid(row=3, column=0, sticky="w", padx=(0, 12))
        ttk.Label(body, text=self.now, font=big, style=PLAIN_STYLE).grid(row=3, column=1, sticky="w")
        advice = (
            "Ask your teacher to read out the key shown on the server's screen. Trust the new key only if it is "
            'exactly the same as "Key now".'
            if changed
            else "Go on only if your teacher says encryption was turned off on purpose."
        )
        ttk.Label(body, text=advice, wraplength=460, justify="left").grid(
            row=4, column=0, columnspan=2, sticky="w", pady=(10, 0)
        )
        buttons = ttk.Frame(body)
        buttons.grid(row=5, column=0, columnspan=2, sticky="e", pady=(14, 0))
        self.refuse_button = ttk.Button(buttons, text=REFUSE_TEXT, default="active", command=lambda: self.answer(False))
        self.trust_button = ttk.Button(
            buttons, text=TRUST_TEXT if changed else PLAIN_TEXT, command=lambda: self.answer(True)
        )
        self.refuse_button.pack(side="right")
        self.trust_button.pack(side="right", padx=(0, 8))
        self.bind("<Return>", lambda _event: self.answer(False))
        self.bind("<Escape>", lambda _event: self.answer(False))
        self.protocol("WM_DELETE_WINDOW", lambda: self.answer(False))
        self.refuse_button.focus_set()

    def _explanation(self) -> str:
        warning = self.warning
        if warning.presented is not None:
            return (
                f"The server at {warning.address} shows a different key than the one this computer remembers. "
                "Maybe your teacher started a new server (another computer, a new data folder); maybe someone on "
                "the network is pretending to be the server to read your messages."
            )
        return (
            f"The server at {warning.address} encrypted the connection before, and now it answers without "
            "encryption. Maybe your teacher turned encryption off; maybe someone on the network is between you "
            "and the server, to read your messages."
        )

    def answer(self, go_on: bool) -> None:
        """Close the warning and report the choice once (True: trust the new key / go on without encryption)."""
        if self.answered:
            return
        self.answered = True
        self.destroy()
        self._on_answer(go_on)
