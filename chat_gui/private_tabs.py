"""The conversation tabs: the room's tab first, then one closable tab per private conversation (Tk thread).

A private tab has a purple banner saying who sees it and a Close button
(Ctrl+W closes the tab in front too).  A tab that is not in front counts
its unread lines in its title.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass
from tkinter import ttk

from chat_gui.message_view import MessageView
from shared.names import name_key


@dataclass
class PrivateTab:
    nick: str
    frame: ttk.Frame
    view: MessageView
    banner: ttk.Label
    unread: int = 0


class ConversationTabs(ttk.Notebook):
    def __init__(self, master: tk.Misc, on_tab_changed: Callable[[], None] = lambda: None) -> None:
        super().__init__(master)
        self.on_tab_changed = on_tab_changed
        self.room_view = MessageView(self)
        self.add(self.room_view, text="(no room)")
        self.private: dict[str, PrivateTab] = {}
        self.bind("<<NotebookTabChanged>>", self._on_changed)
        style = ttk.Style(self)
        style.configure("Private.TFrame", background="#f3e8ff")
        style.configure("Private.TLabel", background="#f3e8ff", foreground="#5b1a8c")

    # -- intent methods --
    def set_room_title(self, room: str | None) -> None:
        self.tab(self.room_view, text=f"#{room}" if room else "(no room)")

    def open_private(self, nick: str, select: bool = True) -> PrivateTab:
        """The tab for a conversation with nick, made if needed."""
        key = name_key(nick)
        tab = self.private.get(key)
        if tab is None:
            frame = ttk.Frame(self)
            banner = ttk.Frame(frame, style="Private.TFrame", padding=(8, 4))
            banner.pack(fill="x")
            label = ttk.Label(banner, text=_banner_text(nick), style="Private.TLabel")
            label.pack(side="left")
            tab = PrivateTab(nick, frame, MessageView(frame), label)
            ttk.Button(banner, text="Close", command=lambda: self.close_private(tab.nick)).pack(side="right")
            tab.view.pack(fill="both", expand=True)
            self.private[key] = tab
            self.add(frame, text=f"✉ {nick}")
        if select:
            self.select(tab.frame)
        return tab

    def close_private(self, nick: str) -> None:
        tab = self.private.pop(name_key(nick), None)
        if tab is not None:
            self.forget(tab.frame)
            tab.frame.destroy()

    def close_current(self) -> None:
        nick = self.current_private()
        if nick is not None:
            self.close_private(nick)

    def current_private(self) -> str | None:
        """The nickname whose private tab is in front, or None for the room tab."""
        selected = self.select()
        for tab in self.private.values():
            if str(tab.frame) == selected:
                return tab.nick
        return None

    def mark_unread(self, nick: str) -> None:
        tab = self.private.get(name_key(nick))
        if tab is not None and self.current_private() != tab.nick:
            tab.unread += 1
            self.tab(tab.frame, text=f"✉ {tab.nick} ({tab.unread})")

    def rename_private(self, old: str, new: str) -> None:
        tab = self.private.pop(name_key(old), None)
        if tab is not None:
            tab.nick = new
            self.private[name_key(new)] = tab
            self.tab(tab.frame, text=f"✉ {new}")
            tab.banner.configure(text=_banner_text(new))

    def _on_changed(self, event: tk.Event) -> None:
        nick = self.current_private()
        if nick is not None:
            tab = self.private[name_key(nick)]
            tab.unread = 0
            self.tab(tab.frame, text=f"✉ {tab.nick}")
        self.on_tab_changed()


def _banner_text(nick: str) -> str:
    return f"Private conversation with {nick}: only the two of you see it."
