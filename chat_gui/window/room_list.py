"""The list of rooms on the server with member counts, then your private conversations; unread counts on each (Tk thread).

    ▶ #general  (4)
      #maths  (2)  · 3 new        a room whose pane you keep, with messages you have not seen
      #exam 🔒  (1)               a room locked with a key
      ✉ bob  · 1 new              a private tab

Double-click or the Join button goes to the selected room (or brings a
private tab to the front); "New room…" asks for a name.  The list follows
the server's `rooms` push and is redrawn only when what it shows has
changed, so a push that brings nothing new does not disturb a selection.
While the connection is down the member counts are old news: the rooms
stay listed (they can be joined again) but muted and without counts, until
the server's next push.
Its colours come from the palette (the selected row too), so every row
stays readable, selected or not, light or dark.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import simpledialog, ttk

from chat_gui.window.tk_text import shown_name
from shared.errors import ProtocolError
from shared.names import MAX_ROOM_CHARS, name_key, normalise_room
from shared.palette import LIGHT, Palette
from shared_tk.theme import on_palette_change

LOCK_MARK = " 🔒"
NEW_ROOM_PROMPT = "Name of the new room (letters, digits, _ or -):"
NEW_ROOM_RULE = f"A room name is 1 to {MAX_ROOM_CHARS} letters, digits, _ or -, with no spaces."


class RoomList(ttk.LabelFrame):
    def __init__(
        self,
        master: tk.Misc,
        on_join: Callable[[str], None],
        on_show_private: Callable[[str], None] = lambda nick: None,
    ) -> None:
        super().__init__(master, text="Rooms", padding=4)
        self.on_join = on_join
        self.on_show_private = on_show_private
        self.rooms: list[tuple[str, int]] = []
        self.current: str | None = None
        self.locked: set[str] = set()  # name keys of rooms with a key (marked with a lock)
        self.unread: dict[str, int] = {}  # room key -> messages not seen
        self.private: list[tuple[str, int]] = []  # (nickname, unread) of the private tabs
        self.connected = True  # False: counts are from a connection that is gone, so none are shown
        self.palette = LIGHT
        # (title, prompt, text already typed) -> the answer, None when cancelled; tests answer instead
        self.ask_text: Callable[[str, str, str], str | None] = self._ask_in_dialog
        self._shown: tuple[object, ...] = ()
        self.listbox = tk.Listbox(self, height=8, width=22, exportselection=False, activestyle="none")
        self.listbox.grid(row=0, column=0, columnspan=2, sticky="nsew")
        self.join_button = ttk.Button(self, text="Join", command=self.join_selected, width=6)
        self.new_button = ttk.Button(self, text="New room…", command=self.ask_new_room)
        self.join_button.grid(row=1, column=0, sticky="ew", pady=(4, 0))
        self.new_button.grid(row=1, column=1, sticky="ew", pady=(4, 0), padx=(4, 0))
        self.rowconfigure(0, weight=1)
        self.columnconfigure(1, weight=1)
        self.listbox.bind("<Double-Button-1>", self.on_room_double_click)
        self.listbox.bind("<Return>", lambda event: self.join_selected())
        self.set_palette(LIGHT)
        on_palette_change(self, self.set_palette)

    # -- intent methods --
    def set_rooms(self, rooms: list[tuple[str, int]], current: str | None) -> None:
        """Show these (name, member count) pairs; `current` is the room this user is in."""
        shown = sorted(rooms, key=lambda room: name_key(room[0]))
        if current and not any(name_key(name) == name_key(current) for name, _ in shown):
            shown = sorted([*shown, (current, 1)], key=lambda room: name_key(room[0]))
        self.rooms, self.current = shown, current
        self._redraw()

    def set_connected(self, connected: bool) -> None:
        """Connected: show member counts; not: show the rooms muted and without counts (they are stale)."""
        if connected != self.connected:
            self.connected = connected
            self._redraw()

    def set_locked(self, locked: set[str]) -> None:
        """Mark these rooms (name keys) as locked."""
        if locked != self.locked:
            self.locked = set(locked)
            self._redraw()

    def set_current(self, current: str | None) -> None:
        self.set_rooms(self.rooms, current)

    def set_unread(self, rooms: dict[str, int], private: list[tuple[str, int]]) -> None:
        """Unread counts: by room key (rooms whose panes are kept), and (nickname, count) per private tab."""
        self.unread = {key: count for key, count in rooms.items() if count}
        self.private = list(private)
        self._redraw()

    def set_palette(self, palette: Palette) -> None:
        self.palette = palette
        self.listbox.configure(
            background=palette.background,
            foreground=palette.text,
            selectbackground=palette.selection_background,
            selectforeground=palette.selection_text,
        )
        self._shown = ()
        self._redraw()

    def room_names(self) -> list[str]:
        return [name for name, _ in self.rooms]

    def row_texts(self) -> list[str]:
        return [str(self.listbox.get(index)) for index in range(self.listbox.size())]

    def selected_room(self) -> str | None:
        selection = self.listbox.curselection()
        return self.rooms[selection[0]][0] if selection and selection[0] < len(self.rooms) else None

    def join_selected(self) -> None:
        selection = self.listbox.curselection()
        if selection:
            self._open_row(selection[0])

    def ask_new_room(self) -> None:
        name = self.ask_room_name("New room", NEW_ROOM_PROMPT)
        if name is not None:
            self.on_join(name)

    def ask_room_name(self, title: str, prompt: str) -> str | None:
        """Ask until the answer is a name a room can have (None: cancelled): the rule, and what was typed, stay
        in the dialog. "my room!" went to the server as a room "my" with the key "room!" (the fifteenth review)."""
        typed = ""
        while True:
            name = self.ask_text(title, prompt, typed)
            if name is None or not name.strip():
                return None
            try:
                normalise_room(name)
            except ProtocolError:
                prompt, typed = f"{NEW_ROOM_RULE} Try another name:", name.strip()
                continue
            return name.strip()

    def _ask_in_dialog(self, title: str, prompt: str, typed: str = "") -> str | None:
        return simpledialog.askstring(title, prompt, initialvalue=typed, parent=self.winfo_toplevel())

    def on_room_double_click(self, event: tk.Event) -> None:
        index = self.listbox.nearest(event.y)
        if 0 <= index < self.listbox.size():
            self.listbox.selection_clear(0, "end")
            self.listbox.selection_set(index)
            self._open_row(index)

    # -- inside --
    def _open_row(self, index: int) -> None:
        if index < len(self.rooms):
            self.on_join(self.rooms[index][0])
        elif index - len(self.rooms) < len(self.private):
            self.on_show_private(self.private[index - len(self.rooms)][0])

    def _redraw(self) -> None:
        wanted = (
            tuple(self.rooms),
            self.current,
            tuple(sorted(self.unread.items())),
            tuple(self.private),
            tuple(sorted(self.locked)),
            self.connected,
        )
        if wanted == self._shown:
            return
        self._shown = wanted
        selection = self.listbox.curselection()
        selected = self.listbox.get(selection[0]) if selection else None
        palette = self.palette
        rows: list[tuple[str, str]] = []  # (text, colour)
        for name, count in self.rooms:
            here = self.current is not None and name_key(name) == name_key(self.current)
            unread = self.unread.get(name_key(name), 0)
            lock = LOCK_MARK if name_key(name) in self.locked else ""
            members = f"  ({count})" if self.connected else ""
            text = f"{'▶ ' if here else '   '}#{name}{lock}{members}{f'  · {unread} new' if unread else ''}"
            colour = palette.muted if not self.connected else palette.own_name if here else palette.text
            rows.append((text, colour))
        for nick, unread in self.private:
            rows.append((f"   ✉ {shown_name(self, nick)}{f'  · {unread} new' if unread else ''}", palette.private))
        self.listbox.delete(0, "end")
        for index, (text, colour) in enumerate(rows):
            self.listbox.insert("end", text)
            # every row's own colours, selected too: a row keeps no colour the selection cannot be read on
            self.listbox.itemconfigure(
                index,
                foreground=colour,
                selectforeground=palette.selection_text,
                selectbackground=palette.selection_background,
            )
            if selected is not None and _same_row(text, str(selected)):
                self.listbox.selection_set(index)


def _same_row(new: str, old: str) -> bool:
    """Whether two row texts name the same room or conversation (counts and markers aside)."""

    def name(text: str) -> str:
        return text.lstrip("▶ ").split("  ")[0].removesuffix(LOCK_MARK)

    return name(new) == name(old)
