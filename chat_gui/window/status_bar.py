"""The status bar at the foot of the chat window: where you are connected and in which room, and flags such as muted (Tk thread).

    | Connected to 192.168.1.20:55555 as alice · in #general        [MUTED] [slot: 🔒 encrypted] |

`show(text)` sets the main sentence (the controller composes it from the
connection's state: chat_gui/window/status_words.py); `set_flag(name, text)`
shows a short flag in the error colour ("You are muted"), "" hides it.
`slot` is a frame at the right end for other features' indicators (the
encryption state, say): pack a label into it.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk

from shared.palette import LIGHT, Palette
from shared_tk.theme import on_palette_change


class StatusBar(ttk.Frame):
    def __init__(self, master: tk.Misc) -> None:
        super().__init__(master, relief="sunken", padding=(8, 3))
        self.text_label = ttk.Label(self, text="Not connected.", anchor="w")
        self.flags_frame = ttk.Frame(self)
        self.slot = ttk.Frame(self)
        self.slot.pack(side="right")
        self.flags_frame.pack(side="right")
        # last packed, so it is the one that gives up width when the window is narrow
        self.text_label.pack(side="left", fill="x", expand=True)
        self.flags: dict[str, ttk.Label] = {}
        self.palette = LIGHT
        on_palette_change(self, self.set_palette)

    # -- intent methods --
    def show(self, text: str) -> None:
        self.text_label.configure(text=text)

    def text(self) -> str:
        return str(self.text_label.cget("text"))

    def set_flag(self, name: str, text: str) -> None:
        """Show a short flag (in the error colour) at the right, or hide it when `text` is empty."""
        label = self.flags.get(name)
        if not text:
            if label is not None:
                label.destroy()
                del self.flags[name]
            return
        if label is None:
            label = self.flags[name] = ttk.Label(self.flags_frame, foreground=self.palette.error)
            label.pack(side="left", padx=(8, 0))
        label.configure(text=text)

    def flag(self, name: str) -> str:
        label = self.flags.get(name)
        return str(label.cget("text")) if label is not None else ""

    def set_palette(self, palette: Palette) -> None:
        self.palette = palette
        for label in self.flags.values():
            label.configure(foreground=palette.error)
