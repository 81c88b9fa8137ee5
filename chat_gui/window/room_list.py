"""The list of rooms on the server with member counts; the current room is marked (Tk thread).

Double-click or the Join button goes to the selected room; "New room…" asks
for a name.  The list follows the server's `rooms` push and is redrawn only
when what it shows has changed, so a push that brings nothing new does not
disturb a selection.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import simpledialog, ttk

from shared.names import name_key


class RoomList(ttk.LabelFrame):
    def __init__(self, master: tk.Misc, on_join: Callable[[str], None]) -> None:
        super().__init__(master, text="Rooms", padding=4)
        self.on_join = on_join
        self.rooms: list[tuple[str, int]] = []
        self.current: str | None = None
        self.locked: set[str] = set()  # name keys of rooms with a key (marked with a lock)
        self.listbox = tk.Listbox(self, height=8, width=18, exportselection=False, activestyle="none")
        self.listbox.grid(row=0, column=0, columnspan=2, sticky="nsew")
        self.join_button = ttk.Button(self, text="Join", command=self.join_selected, width=6)
        self.new_button = ttk.Button(self, text="New room…", command=self.ask_new_room)
        self.join_button.grid(row=1, column=0, sticky="ew", pady=(4, 0))
        self.new_button.grid(row=1, column=1, sticky="ew", pady=(4, 0), padx=(4, 0))
        self.rowconfigure(0, weight=1)
        self.columnconfigure(1, weight=1)
        self.listbox.bind("<Double-Button-1>", self.on_room_double_click)
        self.listbox.bind("<Return>", lambda event: self.join_selected())

    # -- intent methods --
    def set_rooms(self, rooms: list[tuple[str, int]], current: str | None) -> None:
        """Show these (name, member count) pairs; `current` is the room this user is in."""
        shown = sorted(rooms, key=lambda room: name_key(room[0]))
        if current and not any(name_key(name) == name_key(current) for name, _ in shown):
            shown = sorted([*shown, (current, 1)], key=lambda room: name_key(room[0]))
        if shown == self.rooms and current == self.current:
            return
        selected = self.selected_room()
        self.rooms, self.current = shown, current
        self.listbox.delete(0, "end")
        for index, (name, count) in enumerate(shown):
            here = current is not None and name_key(name) == name_key(current)
            lock = " 🔒" if name_key(name) in self.locked else ""
            self.listbox.insert("end", f"{'▶ ' if here else '   '}#{name}{lock}  ({count})")
            if here:
                self.listbox.itemconfigure(index, foreground="#0b57d0", selectforeground="white")
            if selected is not None and name_key(name) == name_key(selected):
                self.listbox.selection_set(index)

    def set_locked(self, locked: set[str]) -> None:
        """Mark these rooms (name keys) as locked."""
        if locked != self.locked:
            self.locked = set(locked)
            rooms, self.rooms = self.rooms, []
            self.set_rooms(rooms, self.current)

    def set_current(self, current: str | None) -> None:
        self.set_rooms(self.rooms, current)

    def room_names(self) -> list[str]:
        return [name for name, _ in self.rooms]

    def selected_room(self) -> str | None:
        selection = self.listbox.curselection()
        return self.rooms[selection[0]][0] if selection and selection[0] < len(self.rooms) else None

    def join_selected(self) -> None:
        room = self.selected_room()
        if room is not None:
            self.on_join(room)

    def ask_new_room(self) -> None:
        name = simpledialog.askstring(
            "New room", "Name of the new room (letters, digits, _ or -):", parent=self.winfo_toplevel()
        )
        if name and name.strip():
            self.on_join(name.strip())

    def on_room_double_click(self, event: tk.Event) -> None:
        index = self.listbox.nearest(event.y)
        if 0 <= index < len(self.rooms):
            self.listbox.selection_clear(0, "end")
            self.listbox.selection_set(index)
            self.on_join(self.rooms[index][0])
