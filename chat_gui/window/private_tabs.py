"""The conversation tabs: the room's tab first, then closable private tabs, and one tab collecting a flood (Tk thread).

The room's tab shows the pane of the room you are in (chat_gui/window/room_views.py
keeps one per room visited); its title says which room that is, and counts
the messages that came while another tab was in front.

A private tab has a purple banner saying who sees it and a Close button
(Ctrl+W closes the tab in front too; Ctrl+Tab and Ctrl+Page Down bring the next tab to the front).  A tab that is not in front counts
its unread lines in its title.  Tabs belong to a nickname (compared as the
server compares names) and never change it: who may receive what is typed
in one is chat_gui.core.partners' business.  Private messages from more
than MAX_TABS_BY_OTHERS people who have no tab open collect in one
"✉ more" tab instead of opening a tab each.  Tabs the row has no room for
go into a "N more" menu at its right end (chat_gui/window/tab_overflow.py).
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass, field
from tkinter import ttk

from chat_gui.core.unread import UnreadCounts
from chat_gui.window.message_view import MessageView
from chat_gui.window.room_views import RoomViews
from chat_gui.window.tab_overflow import TabOverflow
from shared.names import name_key

MAX_TABS_BY_OTHERS = 8
COLLECTOR_TITLE = "✉ more"


@dataclass
class PrivateTab:
    nick: str  # "" for the collecting tab
    frame: ttk.Frame
    view: MessageView
    banner: ttk.Label
    counts: UnreadCounts = field(default_factory=UnreadCounts)  # lines not seen, by id: a deleted one stops counting
    by_other: bool = False  # opened by someone else's message, not by this user

    @property
    def title(self) -> str:
        return f"✉ {self.nick}" if self.nick else COLLECTOR_TITLE

    @property
    def unread(self) -> int:
        return self.counts.unread

    @property
    def shown_title(self) -> str:
        """The tab's title with its unread count, "✉ bob (2)"."""
        return f"{self.title} ({self.unread})" if self.unread else self.title


class ConversationTabs(ttk.Notebook):
    def __init__(
        self,
        master: tk.Misc,
        on_tab_changed: Callable[[], None] = lambda: None,
        on_unread: Callable[[], None] = lambda: None,
        on_front: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__(master)
        self.on_front = on_front  # another tab may be in front: called at once by select(), and on the Tk event
        self.on_tab_changed = on_tab_changed
        self.on_unread = on_unread  # an unread count changed (the room list shows them)
        self.room_frame = ttk.Frame(self)
        self.presence_shown = True
        self.room_views = RoomViews(self.room_frame, self._make_room_view)
        self.add(self.room_frame, text="(no room)")
        self._room_title: tuple[str | None, bool] = (None, False)
        self.private: dict[str, PrivateTab] = {}
        self.collector: PrivateTab | None = None
        self.bind("<<NotebookTabChanged>>", self._on_changed)
        self.overflow = TabOverflow(self)  # tabs beyond the row's width go into a "N more" menu
        style = ttk.Style(self)
        style.configure("Private.TFrame", background="#f3e8ff")
        style.configure("Private.TLabel", background="#f3e8ff", foreground="#5b1a8c")

    @property
    def room_view(self) -> MessageView:
        """The pane in the room's tab: the room you are in, or the one you were in last."""
        return self.room_views.current

    def select(self, tab_id: tk.Misc | str | int | None = None) -> str:
        """As Notebook.select; a room's pane stands for the room's tab."""
        if isinstance(tab_id, MessageView) and tab_id.master is self.room_frame:
            tab_id = self.room_frame
        if tab_id is None:
            return str(super().select())
        super().select(tab_id)
        self.on_front()  # at once: a line typed right after belongs to the tab now in front
        return ""

    # -- intent methods --
    def show_room(self, room: str) -> MessageView:
        """The room's tab shows `room`'s pane (made if none is kept); the title names it."""
        view = self.room_views.show_room(room)
        if self.select() == str(self.room_frame):
            self.room_views.mark_seen()
        self.set_room_title(room)
        return view

    def view_for_room(self, room: str) -> MessageView:
        """The pane where `room`'s messages go: its own, even when another room's pane is in front."""
        return self.room_views.view_for(room) or self.room_views.keep(room)

    def count_room_message(self, room: str, message_id: int | None = None) -> None:
        """A message arrived in `room`: count it unless its pane is in front."""
        seen = self.select() == str(self.room_frame) and self.room_views.current is self.room_views.view_for(room)
        self.room_views.count_unread(room, seen, message_id)
        if not seen:
            self.on_unread()  # the window redraws the counts once Tk is idle, not once per message

    def set_room_title(self, room: str | None, here: bool = True) -> None:
        """Name the room's tab: the room shown, and "(left)" when you are no longer in it."""
        self._room_title = (room, here)
        self.refresh_room_title()

    def set_presence_shown(self, shown: bool) -> None:
        """Show or hide the join and leave lines in every room's pane (View > Show joins and leaves)."""
        self.presence_shown = shown
        for view in self.room_views.views():
            view.set_presence_shown(shown)

    def unread_rooms(self) -> dict[str, int]:
        return self.room_views.unread_by_room()

    def unread_private(self) -> list[tuple[str, int]]:
        """(nickname, unread) for every private tab, in the order they were opened."""
        return [(tab.nick, tab.unread) for tab in self.private.values()]

    def open_private(self, nick: str, select: bool = True, by_other: bool = False) -> PrivateTab:
        """The tab for a conversation with nick, made if needed."""
        tab = self.private.get(name_key(nick))
        if tab is None:
            tab = self._make_tab(nick, _banner_text(nick), lambda: self.close_private(nick))
            tab.by_other = by_other
            self.private[name_key(nick)] = tab
            self.on_unread()
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
            self.overflow.forget(tab.frame)
            tab.frame.destroy()
            self.on_unread()

    def close_collector(self) -> None:
        tab, self.collector = self.collector, None
        if tab is not None:
            self.forget(tab.frame)
            self.overflow.forget(tab.frame)
            tab.frame.destroy()

    def close_current(self) -> None:
        tab = self.current_tab()
        if tab is self.collector:
            self.close_collector()
        elif tab is not None:
            self.close_private(tab.nick)

    def cycle(self, step: int) -> None:
        """Bring the next tab (step 1) or the previous one (-1) to the front, round the end (Ctrl+Tab)."""
        tabs = self.tabs()
        if len(tabs) > 1:
            self.select(tabs[(self.index(self.select()) + step) % len(tabs)])

    def current_tab(self) -> PrivateTab | None:
        """The private tab in front (the collecting one too), or None for the room's tab."""
        selected = self.select()
        for tab in [*self.private.values(), *([self.collector] if self.collector else [])]:
            if str(tab.frame) == selected:
                return tab
        return None

    def front_key(self) -> str:
        """Which conversation the tab in front is, by name: "#" the room's tab, "@" + a name key a private one,
        "@" the collecting one. A closed tab opened again has a new frame but the same key."""
        tab = self.current_tab()
        return "#" if tab is None else "@" + name_key(tab.nick) if tab.nick else "@"

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

    def mark_unread(self, tab: PrivateTab, message_id: int | None = None) -> None:
        if self.current_tab() is not tab:
            tab.counts.count(message_id)
            self.overflow.set_title(tab.frame, tab.shown_title)
            self.on_unread()

    def deleted(self, message_id: int) -> None:
        """A message was deleted: if it waited unseen in a tab or a room's pane, it no longer counts there."""
        changed = False
        for tab in [*self.private.values(), *([self.collector] if self.collector else [])]:
            if tab.counts.deleted(message_id):
                self.overflow.set_title(tab.frame, tab.shown_title)
                changed = True
        if self.room_views.deleted(message_id) or changed:
            self.on_unread()  # the room's tab title and the rooms list are redrawn when Tk is idle

    # -- inside --
    def _make_room_view(self, master: tk.Misc) -> MessageView:
        view = MessageView(master)
        view.set_presence_shown(self.presence_shown)
        return view

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
        self.overflow.set_title(frame, tab.title)
        return tab

    def _on_changed(self, event: tk.Event) -> None:
        self.on_front()
        tab = self.current_tab()
        if tab is not None:
            tab.counts.seen()
            self.overflow.set_title(tab.frame, tab.title)
        elif self.select() == str(self.room_frame):
            self.room_views.mark_seen()
            self.refresh_room_title()
        self.on_unread()
        self.on_tab_changed()

    def refresh_room_title(self) -> None:
        room, here = self._room_title
        title = "(no room)" if room is None else f"#{room}" if here else f"#{room} (left)"
        unread = self.room_views.unread_of(room)
        self.overflow.set_title(self.room_frame, f"{title} ({unread})" if unread else title)


def _banner_text(nick: str) -> str:
    return f"Private conversation with {nick}: only the two of you see it."
