"""Live tables of the admin window: ClientsView and RoomsView, two measured ttk.Treeviews (Tk thread only).

Each has an `actions` bar under its table for the window's buttons.
The window's poller calls their intent methods (`show_client`,
`remove_client`, `set_sent`, ...) with snapshots from the AdminFeed; a view
changes only the rows an event names, it never redraws the whole table.
A click on a heading sorts the table by that column (again: the other way);
a row that arrives or changes afterwards moves to its place in that order.
"""

from __future__ import annotations

import bisect
import time
import tkinter as tk
from dataclasses import dataclass, replace
from tkinter import font as tkfont
from tkinter import ttk
from typing import TYPE_CHECKING, Literal

from chat_server.admin_gui.look import HEADING_PAD, display_scale

if TYPE_CHECKING:  # the server's modules load when a server starts, not with the window (docs/executables.md)
    from chat_server.admin import ClientInfo, RoomInfo

NO_NICK = "(no nickname yet)"
TEACHER_MARK = "(teacher)"
TABLE_ROWS = 6  # the rows a table asks for; it gets more when the window is taller (6: the menu bar fits at 100%)
CELL_MARGIN = 14  # px at 100% scaling: the cell's own padding on both sides, and a little air
# After the heading of the column the table is sorted by; the heading's own padding (HEADING_PAD) has room for it.
ASCENDING_MARK, DESCENDING_MARK = " ▲", " ▼"


@dataclass(frozen=True)
class Column:
    name: str
    heading: str
    sample: str  # realistic wide content: the column starts wide enough for it
    fit_content: bool = False  # widen the column when a value wider than it arrives
    stretch: bool = False  # takes the table's spare width (the last column)
    anchor: Literal["w", "e"] = "w"  # numbers are right-aligned


def _font_of(widget: tk.Misc, style: str, fallback: str) -> tkfont.Font:
    name = str(ttk.Style(widget).lookup(style, "font") or fallback)
    try:
        return tkfont.nametofont(name, root=widget)
    except tk.TclError:  # a font description rather than a named font
        return tkfont.Font(root=widget, font=name)


class Table(ttk.Frame):
    """A titled ttk.Treeview whose columns are as wide as their content, with an `actions` bar under it.

    Widths come from measuring the headings and realistic content in the
    fonts the table draws with (so they follow `tk scaling`); a column
    marked `fit_content` also widens when a wider value arrives, and the
    horizontal scrollbar shows itself only when the columns no longer fit.
    """

    COLUMNS: tuple[Column, ...] = ()

    def __init__(self, parent: tk.Misc, title: str) -> None:
        super().__init__(parent)
        self.title_text = title
        self.title = ttk.Label(self, text=f"{title}: 0", style="Heading.TLabel")
        self.title.grid(row=0, column=0, sticky="w")
        self.tree = ttk.Treeview(
            self, columns=[c.name for c in self.COLUMNS], show="headings", selectmode="extended", height=TABLE_ROWS
        )
        self.row_font = _font_of(self, "Treeview", "TkDefaultFont")
        heading_font = _font_of(self, "Treeview.Heading", "TkHeadingFont")
        self.cell_margin = round(CELL_MARGIN * display_scale(self))
        self._values: dict[str, tuple[str, ...]] = {}  # each row's values, by iid (read without asking Tk)
        self._sorted_by: int | None = None  # the index of the column the rows are sorted by; None: arrival order
        self._descending = False
        # While sorted: each row's sort key, and all of them in ascending order (the tree shows them so, or reversed).
        self._keys: dict[str, tuple[object, ...]] = {}
        self._order: list[tuple[object, ...]] = []
        for column in self.COLUMNS:
            width = max(
                heading_font.measure(column.heading) + self.cell_margin + round(2 * HEADING_PAD * display_scale(self)),
                self.row_font.measure(column.sample) + self.cell_margin,
            )
            self.tree.heading(
                column.name,
                text=column.heading,
                anchor=column.anchor,
                command=lambda name=column.name: self.sort_by(name),
            )
            self.tree.column(
                column.name,
                width=width,
                minwidth=width,
                stretch=column.stretch,
                anchor=column.anchor,
            )
        self._fitted = [column.name for column in self.COLUMNS if column.fit_content]
        yscroll = ttk.Scrollbar(self, orient="vertical", command=self.tree.yview)
        self.xscroll = ttk.Scrollbar(self, orient="horizontal", command=self.tree.xview)
        self.tree.configure(yscrollcommand=yscroll.set, xscrollcommand=self._on_xscroll)
        self.tree.grid(row=1, column=0, sticky="nsew")
        yscroll.grid(row=1, column=1, sticky="ns")
        self.xscroll.grid(row=2, column=0, sticky="ew")
        self.xscroll.grid_remove()
        self.actions = ttk.Frame(self)  # the window puts its buttons for this table here
        self.actions.grid(row=3, column=0, columnspan=2, sticky="ew", pady=(4, 0))
        self.rowconfigure(1, weight=1)  # when space is short the table shrinks, not the buttons
        self.columnconfigure(0, weight=1)

    def _on_xscroll(self, first: float | str, last: float | str) -> None:  # Tk passes strings
        self.xscroll.set(first, last)
        if float(first) <= 0.0 and float(last) >= 1.0:
            self.xscroll.grid_remove()
        else:
            self.xscroll.grid()

    def _fit(self, values: dict[str, str]) -> None:
        """Widen the `fit_content` columns that `values` would not fit in (they never narrow by themselves)."""
        for name in self._fitted:
            needed = self.row_font.measure(values[name]) + self.cell_margin
            if needed > int(self.tree.column(name, "width")):
                self.tree.column(name, width=needed, minwidth=needed)

    def _retitle(self, count: int) -> None:
        self.title.configure(text=f"{self.title_text}: {count}")

    # -- rows, kept in the order the admin asked for --
    def sort_by(self, name: str) -> None:
        """Sort the rows by this column; the same column again: the other way round."""
        index = [column.name for column in self.COLUMNS].index(name)
        self._descending = not self._descending if self._sorted_by == index else False
        self._sorted_by = index
        for number, column in enumerate(self.COLUMNS):
            mark = (DESCENDING_MARK if self._descending else ASCENDING_MARK) if number == index else ""
            self.tree.heading(column.name, text=column.heading + mark)
        self._keys = {iid: self._sort_key(iid) for iid in self._values}
        self._order = sorted(self._keys.values())
        for place, iid in enumerate(sorted(self._values, key=self._keys.__getitem__, reverse=self._descending)):
            self.tree.move(iid, "", place)

    def _sort_key(self, iid: str) -> tuple[object, ...]:
        assert self._sorted_by is not None
        value = self._values[iid][self._sorted_by]
        if self.COLUMNS[self._sorted_by].anchor == "e":  # a number
            return (int(value) if value.isdigit() else -1, iid)
        return (value.casefold(), iid)

    def _put(self, iid: str, row: tuple[str, ...]) -> None:
        """Add the row, or change it; either way it goes to its place in the order shown."""
        if iid in self._values:
            if self._values[iid] == row:
                return
            self.tree.item(iid, values=row)
        else:
            self.tree.insert("", "end", iid=iid, values=row)
        self._values[iid] = row
        self._place(iid)

    def _set_cell(self, iid: str, name: str, value: str) -> None:
        index = [column.name for column in self.COLUMNS].index(name)
        row = self._values[iid]
        self._put(iid, (*row[:index], value, *row[index + 1 :]))

    def _drop(self, iid: str) -> None:
        del self._values[iid]
        self._forget_key(iid)
        self.tree.delete(iid)

    def _drop_all(self) -> None:
        self.tree.delete(*self.tree.get_children())
        self._values.clear()
        self._keys.clear()
        self._order.clear()

    def _forget_key(self, iid: str) -> None:
        key = self._keys.pop(iid, None)
        if key is not None:
            del self._order[bisect.bisect_left(self._order, key)]

    def _place(self, iid: str) -> None:
        """Move one row to where the sort puts it: nothing when its sort key is unchanged, else one bisect and one Tk call.

        The other rows are in order already, and their keys are kept (`_order`), so
        a change costs no reading of the other rows.
        """
        if self._sorted_by is None:
            return
        key = self._sort_key(iid)
        if self._keys.get(iid) == key:
            return
        self._forget_key(iid)
        self._keys[iid] = key
        index = bisect.bisect_left(self._order, key)
        self._order.insert(index, key)
        self.tree.move(iid, "", len(self._order) - 1 - index if self._descending else index)


class ClientsView(Table):
    """One row per connection, keyed by the session id."""

    COLUMNS = (
        # Nicknames are up to 24 characters, addresses IPv4 unless the server listens on IPv6: both
        # widen for a wider value (a 24-character name of wide letters, a full IPv6 address).
        Column("nick", "Nickname", "Alexandra_Konstantinova", fit_content=True),
        Column("address", "Address", "255.255.255.255:65535", fit_content=True),
        Column("room", "Room", "#chemistry-lab", fit_content=True),
        Column("since", "Since", "00:00:00"),
        Column("sent", "Sent", "99999", anchor="e"),
        Column("muted", "Muted", "muted", stretch=True),
    )

    def __init__(self, parent: tk.Misc) -> None:
        super().__init__(parent, "Clients")
        self.clients: dict[int, ClientInfo] = {}

    def show_client(self, client: ClientInfo) -> None:
        """Add the connection's row, or bring it up to date."""
        iid = str(client.session_id)
        values = {
            "nick": _nick_shown(client),
            "address": client.address,
            "room": f"#{client.room}" if client.room else "",
            "since": time.strftime("%H:%M:%S", time.localtime(client.connected_at)),
            "sent": str(client.messages_sent),
            "muted": "muted" if client.muted else "",
        }
        self._fit(values)
        self._put(iid, tuple(values[column.name] for column in self.COLUMNS))
        self.clients[client.session_id] = client
        self._retitle(len(self.clients))

    def remove_client(self, session_id: int) -> None:
        if self.clients.pop(session_id, None) is not None:
            self._drop(str(session_id))
            self._retitle(len(self.clients))

    def set_sent(self, session_id: int, messages_sent: int) -> None:
        client = self.clients.get(session_id)
        if client is not None and client.messages_sent != messages_sent:
            self.clients[session_id] = replace(client, messages_sent=messages_sent)
            self._set_cell(str(session_id), "sent", str(messages_sent))

    def clear(self) -> None:
        self._drop_all()
        self.clients.clear()
        self._retitle(0)

    def selected(self) -> list[ClientInfo]:
        return [self.clients[int(iid)] for iid in self.tree.selection() if int(iid) in self.clients]

    def select_nick(self, nick: str) -> None:
        """Select the row of `nick` (compared case-insensitively), for keyboard users and tests."""
        wanted = nick.casefold()
        rows = [str(c.session_id) for c in self.clients.values() if c.nick and c.nick.casefold() == wanted]
        self.tree.selection_set(rows)

    def row_values(self, session_id: int) -> tuple[str, ...]:
        return tuple(str(value) for value in self.tree.item(str(session_id), "values"))


def _nick_shown(client: ClientInfo) -> str:
    """The nickname, marked when it is a teacher's (logged in to a teacher account), so the admin sees who moderates."""
    if not client.nick:
        return NO_NICK
    return f"{client.nick} {TEACHER_MARK}" if client.role == "teacher" and client.account else client.nick


class RoomsView(Table):
    """One row per room, keyed by its name key; a token tells a room from a later one of the same name."""

    COLUMNS = (
        Column("room", "Room", "#chemistry-lab", fit_content=True),
        Column("count", "Members", "999", anchor="e"),
        Column("messages", "Messages", "999999", anchor="e"),
        # Last, so that a long list of names runs off the right edge, not over the counts.
        Column("names", "Who", "alice, bob, chloe", stretch=True),
    )

    def __init__(self, parent: tk.Misc) -> None:
        super().__init__(parent, "Rooms")
        self.rooms: dict[str, tuple[RoomInfo, int]] = {}

    def show_room(self, room: RoomInfo, token: int) -> None:
        values = {
            "room": f"#{room.name}",
            "count": str(len(room.members)),
            "messages": str(room.messages),
            "names": ", ".join(room.members),
        }
        self._fit(values)
        self._put(room.key, tuple(values[column.name] for column in self.COLUMNS))
        self.rooms[room.key] = (room, token)
        self._retitle(len(self.rooms))

    def remove_room(self, key: str, token: int | None = None) -> None:
        """Drop the row of room `key` (only if it is that room, when a token is given)."""
        known = self.rooms.get(key)
        if known is not None and token in (None, known[1]):
            del self.rooms[key]
            self._drop(key)
            self._retitle(len(self.rooms))

    def set_messages(self, key: str, token: int, messages: int) -> None:
        known = self.rooms.get(key)
        if known is not None and known[1] == token and known[0].messages != messages:
            self.rooms[key] = (replace(known[0], messages=messages), token)
            self._set_cell(key, "messages", str(messages))

    def clear(self) -> None:
        self._drop_all()
        self.rooms.clear()
        self._retitle(0)

    def selected(self) -> list[RoomInfo]:
        return [self.rooms[iid][0] for iid in self.tree.selection() if iid in self.rooms]

    def select_room(self, key: str) -> None:
        self.tree.selection_set([key] if key in self.rooms else [])

    def row_values(self, key: str) -> tuple[str, ...]:
        """The row as (room, members, messages, who)."""
        return tuple(str(value) for value in self.tree.item(key, "values"))
