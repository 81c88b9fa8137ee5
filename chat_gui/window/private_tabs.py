"""The conversation tabs: the room's tab first, then closable private tabs, and one tab collecting a flood (Tk thread).

A private tab has a purple banner saying who sees it and a Close button
(Ctrl+W closes the tab in front too).  A tab that is not in front counts
its unread lines in its title.  Tabs belong to a nickname (compared as the
server compares names) and never change it: who may receive what is typed
in one is chat_gui.core.partners' business.  Private messages from more
than MAX_TABS_BY_OTHERS people who have no tab open collect in one
"✉ more" tab instead of opening a tab each.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass
from tkinter import ttk

from chat_gui.window.message_view import MessageView
from shared.names import name_key

MAX_TABS_BY_OTHERS = 8
COLLECTOR_TITLE = "✉ more"


@dataclass
class PrivateTab:
    nick: str  # "" for the collecting tab
    frame: ttk.Frame
    view: MessageView
    banner: ttk.Label
    unread: int = 0
    by_other: bool = False  # opened by someone else's message, not by this user

    @property
    def title(self) -> str:
        return f"✉ {self.nick}" if self.nick else COLLECTOR_TITLE


class ConversationTabs(ttk.Notebook):
    def __init__(self, master: tk.Misc, on_tab_changed: Callable[[], None] = lambda: None) -> None:
        super().__init__(master)
        self.on_tab_changed = on_tab_changed
        self.room_view = MessageView(self)
        self.add(self.room_view, text="(no room)")
        self.private: dict[str, PrivateTab] = {}
        self.collector: PrivateTab | None = None
        self.bind("<<NotebookTabChanged>>", self._on_changed)
        style = ttk.Style(self)
        style.configure("Private.TFrame", background="#f3e8ff")
        style.configure("Private.TLabel", background="#f3e8ff", foreground="#5b1a8c")

    # -- intent methods --
    def set_room_title(self, room: str | None) -> None:
        self.tab(self.room_view, text=f"#{room}" if room else "(no room)")

    def open_private(self, nick: str, select: bool = True, by_other: bool = False) -> PrivateTab:
        """The tab for a conversation with nick, made if needed."""
        tab = self.private.get(name_key(nick))
        if tab is None:
            tab = self._make_tab(nick, _banner_text(nick), lambda: self.close_private(nick))
            tab.by_other = by_other
            self.private[name_key(nick)] = tab
        elif not by_other:
            tab.by_other = False
        if select:
            self.select(tab.frame)
        return tab

    def room_for_another_tab(self) -> bool:
        """False when MAX_TABS_BY_OTHERS tabs opened by other people's messages are open already."""
        return sum(tab.by_other for tab in self.private.values()) < MAX_TABS_BY_OTHERS

    def collecting_tab(self) -> PrivateTab:
        """The one tab for private messages from people beyond MAX_TABS_BY_OTHERS, made if needed."""
        if self.collector is None:
            self.collector = self._make_tab(
                "",
                "Private messages from people who have no tab of their own (too many came at once). "
                "Only you see them. Answer with /pm NICK TEXT.",
                self.close_collector,
            )
        return self.collector

    def close_private(self, nick: str) -> None:
        tab = self.private.pop(name_key(nick), None)
        if tab is not None:
            self.forget(tab.frame)
            tab.frame.destroy()

    def close_collector(self) -> None:
        tab, self.collector = self.collector, None
        if tab is not None:
            self.forget(tab.frame)
            tab.frame.destroy()

    def close_current(self) -> None:
        tab = self.current_tab()
        if tab is self.collector:
            self.close_collector()
        elif tab is not None:
            self.close_private(tab.nick)

    def current_tab(self) -> PrivateTab | None:
        """The private tab in front (the collecting one too), or None for the room's tab."""
        selected = self.select()
        for tab in [*self.private.values(), *([self.collector] if self.collector else [])]:
            if str(tab.frame) == selected:
                return tab
        return None

    def current_private(self) -> str | None:
        """The nickname whose private tab is in front, or None (the room's tab, or the collecting tab)."""
        tab = self.current_tab()
        if tab is None or not tab.nick:
            return None
        return tab.nick

    def set_shut(self, nick: str, shut: bool) -> None:
        """Say in the banner whether what is typed in nick's tab is sent (see chat_gui.core.partners)."""
        tab = self.private.get(name_key(nick))
        if tab is not None:
            tab.banner.configure(
                text=f"{tab.nick} is not here: nothing you type in this tab is sent."
                if shut
                else _banner_text(tab.nick)
            )

    def mark_unread(self, tab: PrivateTab) -> None:
        if self.current_tab() is not tab:
            tab.unread += 1
            self.tab(tab.frame, text=f"{tab.title} ({tab.unread})")

    # -- inside --
    def _make_tab(self, nick: str, banner_text: str, on_close: Callable[[], None]) -> PrivateTab:
        frame = ttk.Frame(self)
        banner = ttk.Frame(frame, style="Private.TFrame", padding=(8, 4))
        banner.pack(fill="x")
        label = ttk.Label(banner, text=banner_text, style="Private.TLabel", wraplength=520, justify="left")
        label.pack(side="left", fill="x", expand=True)
        tab = PrivateTab(nick, frame, MessageView(frame), label)
        ttk.Button(banner, text="Close", command=on_close).pack(side="right")
        tab.view.pack(fill="both", expand=True)
        self.add(frame, text=tab.title)
        return tab

    def _on_changed(self, event: tk.Event) -> None:
        tab = self.current_tab()
        if tab is not None:
            tab.unread = 0
            self.tab(tab.frame, text=tab.title)
        self.on_tab_changed()


def _banner_text(nick: str) -> str:
    return f"Private conversation with {nick}: only the two of you see it."
