"""One conversation pane per room, in the room's tab: switching rooms switches panes, never mixes them (Tk thread).

    RoomViews(holder, make_view)      holder is the room tab's frame
      .current                        the pane shown (the room you are in, or were in last)
      .current_room                   its room; None for the first pane before any room
      .show_room("maths")             the pane of #maths, made or found, now shown
      .view_for("maths")              the pane of #maths if one is kept, else None

The first pane holds what came before any room (connecting, the notice of
a server started here) and becomes the first room's pane.  Panes of rooms
you left are kept, up to MAX_ROOM_VIEWS, so going back shows what was
said there before; the least recently shown is dropped first (never the
one shown).  Each pane counts the messages that arrived while it was not
in view (`unread_of`), by id, so a message deleted unseen stops counting.
"""

from __future__ import annotations

import tkinter as tk
from collections import OrderedDict
from collections.abc import Callable

from chat_gui.core.unread import UnreadCounts
from chat_gui.window.message_view import MessageView
from shared.names import name_key

MAX_ROOM_VIEWS = 8


class RoomViews:
    def __init__(
        self, holder: tk.Misc, make_view: Callable[[tk.Misc], MessageView], limit: int = MAX_ROOM_VIEWS
    ) -> None:
        self.holder = holder
        self.make_view = make_view
        self.limit = limit
        self.current = make_view(holder)
        self.current.pack(fill="both", expand=True)
        self.current_room: str | None = None
        self._views: OrderedDict[str, tuple[str, MessageView]] = OrderedDict()  # key -> (room as shown, pane)
        self._unread: dict[str, UnreadCounts] = {}  # key -> messages not seen yet, by id

    def view_for(self, room: str | None) -> MessageView | None:
        if room is None:
            return None
        kept = self._views.get(name_key(room))
        return kept[1] if kept is not None else None

    def views(self) -> list[MessageView]:
        """Every pane kept, the one shown among them (also before any room)."""
        kept = [view for _room, view in self._views.values()]
        return kept if self.current in kept else [self.current, *kept]

    def rooms(self) -> list[str]:
        """The rooms whose panes are kept, least recently shown first."""
        return [room for room, _view in self._views.values()]

    def show_room(self, room: str) -> MessageView:
        """Show the pane of `room` (made now if none is kept; the first pane is taken by the first room)."""
        key = name_key(room)
        kept = self._views.get(key)
        if kept is not None:
            view = kept[1]
        elif self.current_room is None and not self._views:
            view = self.current  # what came before any room stays on screen
        else:
            view = self.make_view(self.holder)
        self._views[key] = (room, view)
        self._views.move_to_end(key)
        self._unread.pop(key, None)
        if view is not self.current:
            self.current.pack_forget()
            view.pack(fill="both", expand=True)
            self.current = view
        self.current_room = room
        self._drop_oldest()
        return view

    def keep(self, room: str) -> MessageView:
        """A pane for `room` without showing it (messages for a room whose pane is not kept yet)."""
        view = self.view_for(room)
        if view is None:
            view = self.make_view(self.holder)
            self._views[name_key(room)] = (room, view)
            self._drop_oldest()
        return view

    def count_unread(self, room: str, seen: bool, message_id: int | None = None) -> None:
        """A message arrived in `room`'s pane; `seen` when that pane is in front of the user."""
        key = name_key(room)
        if not seen and key in self._views:
            self._unread.setdefault(key, UnreadCounts()).count(message_id)

    def deleted(self, message_id: int) -> bool:
        """A message was deleted: uncounted if it was waiting unseen; True when a count changed."""
        return any(counts.deleted(message_id) for counts in self._unread.values())

    def mark_seen(self) -> None:
        """The pane shown is in front of the user now."""
        if self.current_room is not None:
            self._unread.pop(name_key(self.current_room), None)

    def unread_of(self, room: str | None) -> int:
        counts = self._unread.get(name_key(room)) if room is not None else None
        return counts.unread if counts is not None else 0

    def unread_by_room(self) -> dict[str, int]:
        return {key: counts.unread for key, counts in self._unread.items() if counts.unread}

    def _drop_oldest(self) -> None:
        while len(self._views) > self.limit:
            key = next(iter(self._views))
            room, view = self._views[key]
            if view is self.current:
                self._views.move_to_end(key)
                continue
            del self._views[key]
            self._unread.pop(key, None)
            view.destroy()
