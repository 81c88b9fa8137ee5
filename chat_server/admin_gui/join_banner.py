"""JoinBanner: the addresses to join by, in letters big enough to read from the back of a classroom (Tk thread only)."""

from __future__ import annotations

import tkinter as tk
from tkinter import font as tkfont
from tkinter import ttk

BIG_POINTS = 30


class JoinBanner(ttk.LabelFrame):
    def __init__(self, parent: tk.Misc) -> None:
        super().__init__(parent, text="Join at", padding=(10, 4))
        self.big_font = tkfont.Font(
            self, family=tkfont.nametofont("TkDefaultFont").cget("family"), size=BIG_POINTS, weight="bold"
        )
        self.addresses: list[str] = []
        self.note = ttk.Label(self, text="Press Start; the addresses to join by appear here.", style="Hint.TLabel")
        self.note.grid(row=0, column=0, columnspan=2, sticky="w")
        self._rows: list[tuple[ttk.Label, ttk.Button]] = []

    def show(self, addresses: list[str], local_only: bool) -> None:
        """One big line with a Copy button per address."""
        self.clear()
        self.addresses = list(addresses)
        for index, address in enumerate(addresses):
            label = ttk.Label(self, text=address, font=self.big_font, foreground="#0b3d91")
            button = ttk.Button(self, text="Copy", command=lambda text=address: self.copy(text))  # type: ignore[misc]
            label.grid(row=index, column=0, sticky="w", padx=(0, 16))
            button.grid(row=index, column=1, sticky="w")
            self._rows.append((label, button))
        if local_only:
            self.note.configure(
                text="Only this computer can join: listen on host 0.0.0.0, and connect this "
                "computer to the class network, to let the class in."
            )
        else:
            self.note.configure(text="In the chat client: server address as shown (host:port).")
        self.note.grid(row=len(addresses), column=0, columnspan=2, sticky="w")

    def clear(self) -> None:
        for label, button in self._rows:
            label.destroy()
            button.destroy()
        self._rows = []
        self.addresses = []
        self.note.configure(text="Press Start; the addresses to join by appear here.")
        self.note.grid(row=0, column=0, columnspan=2, sticky="w")

    def copy(self, address: str) -> None:
        self.clipboard_clear()
        self.clipboard_append(address)
