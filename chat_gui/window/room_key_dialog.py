"""A small dialog that asks for a locked room's key, again with the server's words when the key was wrong (Tk thread).

It does not wait: `on_key(room, key)` is called when the user presses Join,
so the window goes on showing the chat meanwhile, and tests fill it in
like a user would.  The key is typed hidden, as a password is.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk


class RoomKeyDialog(tk.Toplevel):
    def __init__(self, master: tk.Misc, room: str, on_key: Callable[[str, str], None], message: str = "") -> None:
        super().__init__(master)
        self.room = room
        self.on_key = on_key
        self.title(f"#{room} — key")
        self.transient(master.winfo_toplevel())
        self.resizable(False, False)
        self.key_var = tk.StringVar()
        body = ttk.Frame(self, padding=14)
        body.pack(fill="both", expand=True)
        ttk.Label(body, text=f"🔒 #{room} is locked", font=("TkHeadingFont", 12, "bold")).grid(
            row=0, column=0, columnspan=2, sticky="w", pady=(0, 6)
        )
        ttk.Label(body, text="Ask its owner or your teacher for the key.", style="Muted.TLabel").grid(
            row=1, column=0, columnspan=2, sticky="w"
        )
        ttk.Label(body, text="Key:").grid(row=2, column=0, sticky="w", padx=(0, 8), pady=(8, 2))
        self.entry = ttk.Entry(body, textvariable=self.key_var, show="•", width=26)
        self.entry.grid(row=2, column=1, sticky="ew", pady=(8, 2))
        # The theme's colours, readable light and dark (a fixed #b00020 was 2.3:1 on the dark background).
        self.message = ttk.Label(body, text=message, style="Error.TLabel", wraplength=300, justify="left")
        self.message.grid(row=3, column=0, columnspan=2, sticky="w")
        buttons = ttk.Frame(body)
        buttons.grid(row=4, column=0, columnspan=2, sticky="e", pady=(10, 0))
        ttk.Button(buttons, text="Join", command=self.submit, default="active").pack(side="right")
        ttk.Button(buttons, text="Cancel", command=self.destroy).pack(side="right", padx=(0, 6))
        self.bind("<Return>", lambda event: self.submit())
        self.bind("<Escape>", lambda event: self.destroy())
        self.entry.focus_set()

    def show_wrong(self, message: str) -> None:
        """The key was refused: say so, empty the field, ask again."""
        self.message.configure(text=message or "That key is not right.")
        self.key_var.set("")
        self.entry.focus_set()
        self.lift()

    def submit(self) -> None:
        key = self.key_var.get().strip()
        if not key or any(ch.isspace() for ch in key):
            self.show_wrong("Type the key (one word, no spaces).")
            return
        self.destroy()
        self.on_key(self.room, key)
