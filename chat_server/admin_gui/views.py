"""Live tables of the admin window: ClientsView and RoomsView, two ttk.Treeviews (Tk thread only).

Each has an `actions` bar under its table for the window's buttons.
The window's poller calls their intent methods (`show_client`,
`remove_client`, `set_sent`, ...) with snapshots from the AdminFeed; a view
changes only the rows an event names, it never redraws the whole table.
"""

from __future__ import annotations

import time
import tkinter as tk
from dataclasses import replace
from tkinter import ttk

from chat_server.admin import ClientInfo, RoomInfo

NO_NICK = "(no nickname yet)"


def _scrolled_tree(parent: ttk.Frame, columns: tuple[tuple[str, str, int], ...]) -> ttk.Treeview:
    """A Treeview with its scrollbar in row 1 of `parent`; row 0 is for the title, row 2 for buttons."""
    tree = ttk.Treeview(parent, columns=[name for name, _, _ in columns], show="headings", selectmode="extended")
    for name, heading, width in columns:
        tree.heading(name, text=heading)
        tree.column(name, width=width, stretch=name in ("nick", "names"))
    scrollbar = ttk.Scrollbar(parent, orient="vertical", command=tree.yview)
    tree.configure(yscrollcommand=scrollbar.set)
    tree.grid(row=1, column=0, sticky="nsew")
    scrollbar.grid(row=1, column=1, sticky="ns")
    parent.rowconfigure(1, weight=1)  # when space is short the table shrinks, not the buttons
    parent.columnconfigure(0, weight=1)
    return tree


class ClientsView(ttk.Frame):
    """One row per connection, keyed by the session id."""

    COLUMNS = (
        ("nick", "Nickname", 120),
        ("address", "Address", 140),
        ("room", "Room", 100),
        ("since", "Since", 70),
        ("sent", "Sent", 50),
        ("muted", "Muted", 60),
    )

    def __init__(self, parent: tk.Misc) -> None:
        super().__init__(parent)
        self.title = ttk.Label(self, text="Clients: 0", style="Heading.TLabel")
        self.title.grid(row=0, column=0, sticky="w")
        self.tree = _scrolled_tree(self, self.COLUMNS)
        self.actions = ttk.Frame(self)  # the window puts its buttons for this table here
        self.actions.grid(row=2, column=0, columnspan=2, sticky="ew", pady=(4, 0))
        self.clients: dict[int, ClientInfo] = {}

    def show_client(self, client: ClientInfo) -> None:
        """Add the connection's row, or bring it up to date."""
        iid = str(client.session_id)
        values = (
            client.nick or NO_NICK,
            client.address,
            f"#{client.room}" if client.room else "",
            time.strftime("%H:%M:%S", time.localtime(client.connected_at)),
            client.messages_sent,
            "muted" if client.muted else "",
        )
        if client.session_id in self.clients:
            self.tree.item(iid, values=values)
        else:
            self.tree.insert("", "end", iid=iid, values=values)
        self.clients[client.session_id] = client
        self._retitle()

    def remove_client(self, session_id: int) -> None:
        if self.clients.pop(session_id, None) is not None:
            self.tree.delete(str(session_id))
            self._retitle()

    def set_sent(self, session_id: int, messages_sent: int) -> None:
        client = self.clients.get(session_id)
        if client is not None and client.messages_sent != messages_sent:
            self.clients[session_id] = replace(client, messages_sent=messages_sent)
            self.tree.set(str(session_id), "sent", messages_sent)

    def clear(self) -> None:
        self.tree.delete(*self.tree.get_children())
        self.clients.clear()
        self._retitle()

    def selected(self) -> list[ClientInfo]:
        return [self.clients[int(iid)] for iid in self.tree.selection() if int(iid) in self.clients]

    def select_nick(self, nick: str) -> None:
        """Select the row of `nick` (compared case-insensitively), for keyboard users and tests."""
        wanted = nick.casefold()
        rows = [str(c.session_id) for c in self.clients.values() if c.nick and c.nick.casefold() == wanted]
        self.tree.selection_set(rows)

    def row_values(self, session_id: int) -> tuple[str, ...]:
        return tuple(str(value) for value in self.tree.item(str(session_id), "values"))

    def _retitle(self) -> None:
        self.title.configure(text=f"Clients: {len(self.clients)}")


class RoomsView(ttk.Frame):
    """One row per room, keyed by its name key; a token tells a room from a later one of the same name."""

    COLUMNS = (
        ("room", "Room", 90),
        ("count", "Members", 82),
        ("names", "Who", 90),
        ("messages", "Messages", 88),
    )

    def __init__(self, parent: tk.Misc) -> None:
        super().__init__(parent)
        self.title = ttk.Label(self, text="Rooms: 0", style="Heading.TLabel")
        self.title.grid(row=0, column=0, sticky="w")
        self.tree = _scrolled_tree(self, self.COLUMNS)
        self.actions = ttk.Frame(self)  # the window puts its buttons for this table here
        self.actions.grid(row=2, column=0, columnspan=2, sticky="ew", pady=(4, 0))
        self.rooms: dict[str, tuple[RoomInfo, int]] = {}

    def show_room(self, room: RoomInfo, token: int) -> None:
        values = (f"#{room.name}", len(room.members), ", ".join(room.members), room.messages)
        if room.key in self.rooms:
            self.tree.item(room.key, values=values)
        else:
            self.tree.insert("", "end", iid=room.key, values=values)
        self.rooms[room.key] = (room, token)
        self._retitle()

    def remove_room(self, key: str, token: int) -> None:
        known = self.rooms.get(key)
        if known is not None and known[1] == token:
            del self.rooms[key]
            self.tree.delete(key)
            self._retitle()

    def set_messages(self, key: str, token: int, messages: int) -> None:
        known = self.rooms.get(key)
        if known is not None and known[1] == token and known[0].messages != messages:
            self.rooms[key] = (replace(known[0], messages=messages), token)
            self.tree.set(key, "messages", messages)

    def clear(self) -> None:
        self.tree.delete(*self.tree.get_children())
        self.rooms.clear()
        self._retitle()

    def selected(self) -> list[RoomInfo]:
        return [self.rooms[iid][0] for iid in self.tree.selection() if iid in self.rooms]

    def select_room(self, key: str) -> None:
        self.tree.selection_set([key] if key in self.rooms else [])

    def row_values(self, key: str) -> tuple[str, ...]:
        return tuple(str(value) for value in self.tree.item(key, "values"))

    def _retitle(self) -> None:
        self.title.configure(text=f"Rooms: {len(self.rooms)}")
