"""The members of the current room; double-click one to talk privately (Tk thread)."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from shared.names import name_key


class UserList(ttk.LabelFrame):
    def __init__(self, master: tk.Misc, on_private: Callable[[str], None]) -> None:
        super().__init__(master, text="People here", padding=4)
        self.on_private = on_private
        self.users: list[str] = []
        self.me = ""
        self.teachers: set[str] = set()  # name keys of the teachers in the list (marked "(teacher)")
        self.listbox = tk.Listbox(self, height=10, width=18, exportselection=False, activestyle="none")
        self.listbox.grid(row=0, column=0, sticky="nsew")
        self.hint = ttk.Label(self, text="Double-click a name\nto talk privately.", foreground="#6a6a6a")
        self.hint.grid(row=1, column=0, sticky="w", pady=(4, 0))
        self.rowconfigure(0, weight=1)
        self.columnconfigure(0, weight=1)
        self.listbox.bind("<Double-Button-1>", self.on_user_double_click)
        self.listbox.bind("<Return>", lambda event: self._open_selected())

    # -- intent methods --
    def set_users(self, users: list[str], me: str) -> None:
        shown = sorted(set(users), key=name_key)
        if shown == self.users and me == self.me:
            return
        self.users, self.me = shown, me
        self.listbox.delete(0, "end")
        for index, nick in enumerate(shown):
            mine = name_key(nick) == name_key(me)
            marks = ", ".join(mark for mark, on in (("you", mine), ("teacher", name_key(nick) in self.teachers)) if on)
            self.listbox.insert("end", f"{nick} ({marks})" if marks else nick)
            if mine:
                self.listbox.itemconfigure(index, foreground="#0b57d0")
        self.configure(text=f"People here ({len(shown)})" if shown else "People here")

    def set_teachers(self, teachers: set[str]) -> None:
        """Mark these (name keys) as teachers."""
        if teachers != self.teachers:
            self.teachers = set(teachers)
            users, self.users = self.users, []
            self.set_users(users, self.me)

    def add_user(self, nick: str) -> None:
        self.set_users([*self.users, nick], self.me)

    def remove_user(self, nick: str) -> None:
        self.set_users([user for user in self.users if name_key(user) != name_key(nick)], self.me)

    def rename_user(self, old: str, new: str) -> None:
        self.set_users([new if name_key(user) == name_key(old) else user for user in self.users], self.me)

    def on_user_double_click(self, event: tk.Event) -> None:
        index = self.listbox.nearest(event.y)
        if 0 <= index < len(self.users):
            self.listbox.selection_clear(0, "end")
            self.listbox.selection_set(index)
            self._open_selected()

    def _open_selected(self) -> None:
        selection = self.listbox.curselection()
        if selection and selection[0] < len(self.users):
            nick = self.users[selection[0]]
            if name_key(nick) != name_key(self.me):
                self.on_private(nick)
