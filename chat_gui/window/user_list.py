"""The members of the current room; double-click one to talk privately (Tk thread).

Each row is a nickname, "(you)" after yours, "(teacher)" after a
teacher's ("(you, teacher)" for both) and "(ignored)" after someone this
user ignores (/ignore; in the muted colour), in the palette's colours.
Other features mark rows without knowing how they are drawn:
`set_mark(nick, before="●", after=" (teacher)")` puts a presence dot before
a name or a role after it (empty strings take a mark away).  Presence has
a gutter of coloured dots left of the names (chat_gui/window/presence_dots.py),
asking `status_of(nick)` and `away_text(nick)`.

Changes redraw the list once, when Tk is idle: a burst of joins (a class
arriving, a server announcing a thousand people) costs one redraw, not
one per join (measured: 1,000 joins one by one took 7.6 s and 3,000 took
62 s when each redrew the whole list).  A join goes into its sorted place
without sorting the list again.  Clicks and the presence dots go by the
rows as drawn (`drawn`), so a click between a change and its redraw still
means the name that was under the pointer.
"""

from __future__ import annotations

import bisect
import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from chat_gui.window.presence_dots import DotGutter
from chat_gui.window.tk_text import shown_name
from shared.names import name_key
from shared.palette import LIGHT, Palette
from shared_tk.theme import on_palette_change


class UserList(ttk.LabelFrame):
    def __init__(self, master: tk.Misc, on_private: Callable[[str], None]) -> None:
        super().__init__(master, text="People here", padding=4)
        self.on_private = on_private
        self.users: list[str] = []  # sorted by name_key; what the list will show
        self.drawn: list[str] = []  # what it shows now (the rows of the listbox)
        self._draw_after: str | None = None  # the idle callback that redraws, while one is pending
        self.me = ""
        self.teachers: set[str] = set()  # name keys of the teachers in the list (marked "(teacher)")
        self.ignored: frozenset[str] = frozenset()  # name keys of the people this user ignores ("(ignored)")
        self.marks: dict[str, tuple[str, str]] = {}  # name key -> (before the name, after it)
        self.palette = LIGHT
        # the dots and the names share one sunken box, as the rooms list has one: the dots belong to the rows
        self.box = tk.Frame(self, relief="sunken", borderwidth=1, highlightthickness=1)
        self.box.grid(row=0, column=0, columnspan=2, sticky="nsew")
        self.listbox = tk.Listbox(
            self.box, height=10, width=18, exportselection=False, activestyle="none", borderwidth=0
        )
        self.listbox.grid(row=0, column=1, sticky="nsew")
        self.status_of: Callable[[str], str] = lambda nick: "online"  # presence, set by the controller
        self.away_text: Callable[[str], str] = lambda nick: ""
        self.dots = DotGutter(
            self.box, self.listbox, self._nick_at, lambda nick: self.status_of(nick), lambda nick: self.away_text(nick)
        )
        self.dots.grid(row=0, column=0, sticky="ns")
        self.hint = ttk.Label(self, text="Double-click a name\nto talk privately.")
        self.hint.grid(row=1, column=0, columnspan=2, sticky="w", pady=(4, 0))
        self.rowconfigure(0, weight=1)
        self.columnconfigure(1, weight=1)
        self.box.rowconfigure(0, weight=1)
        self.box.columnconfigure(1, weight=1)
        self.listbox.bind("<Double-Button-1>", self.on_user_double_click)
        self.listbox.bind("<Return>", lambda event: self._open_selected())
        self.set_palette(LIGHT)
        on_palette_change(self, self.set_palette)

    # -- intent methods --
    def set_users(self, users: list[str], me: str) -> None:
        shown = sorted(set(users), key=name_key)
        if shown == self.users and me == self.me:
            return
        self.users, self.me = shown, me
        self._redraw()

    def set_mark(self, nick: str, before: str = "", after: str = "") -> None:
        """Text shown before and after `nick`'s name (a presence dot, a role); both empty: none."""
        key = name_key(nick)
        if (before, after) == self.marks.get(key, ("", "")):
            return
        if before or after:
            self.marks[key] = (before, after)
        else:
            self.marks.pop(key, None)
        self._redraw()

    def set_palette(self, palette: Palette) -> None:
        self.palette = palette
        self.listbox.configure(
            background=palette.background,
            foreground=palette.text,
            selectbackground=palette.selection_background,
            selectforeground=palette.selection_text,
            highlightbackground=palette.background,  # the focus ring shows only when the list has the focus
        )
        self.box.configure(background=palette.background)
        self.hint.configure(foreground=palette.muted)
        self.draw_now()  # the rows' colours change with the list's background, in the same turn

    def row_texts(self) -> list[str]:
        self.draw_now()
        return [str(self.listbox.get(index)) for index in range(self.listbox.size())]

    def set_teachers(self, teachers: set[str]) -> None:
        """Mark these (name keys) as teachers."""
        if teachers != self.teachers:
            self.teachers = set(teachers)
            self._redraw()

    def set_ignored(self, ignored: frozenset[str]) -> None:
        """Mark these (name keys) as ignored by this user (never shown on a teacher's row)."""
        if ignored != self.ignored:
            self.ignored = ignored
            self._redraw()

    def add_user(self, nick: str) -> None:
        first, after = self._sorting_with(nick)
        if nick in self.users[first:after]:  # names that sort the same sit together: only they can be it
            return
        self.users.insert(after, nick)  # after them, as sorting the list with it added would put it
        self._redraw()

    def remove_user(self, nick: str) -> None:
        first, after = self._sorting_with(nick)
        if first < after:  # every name that sorts the same goes, as the server's names are unique by it
            del self.users[first:after]
            self._redraw()

    def _sorting_with(self, nick: str) -> tuple[int, int]:
        """The slice of `users` whose names sort the same as `nick` (empty: where it would go)."""
        key = name_key(nick)
        first = bisect.bisect_left(self.users, key, key=name_key)
        return first, bisect.bisect_right(self.users, key, key=name_key, lo=first)

    def rename_user(self, old: str, new: str) -> None:
        self.set_users([new if name_key(user) == name_key(old) else user for user in self.users], self.me)

    def _redraw(self) -> None:
        """Redraw once Tk is idle (however many changes come before that)."""
        if self._draw_after is None:
            self._draw_after = self.after_idle(self._draw_when_idle)

    def _draw_when_idle(self) -> None:
        self._draw_after = None
        self._draw()

    def draw_now(self) -> None:
        """Bring the rows up to date at once (a pending redraw is done now and not again)."""
        self._cancel_draw()
        self._draw()

    def destroy(self) -> None:
        self._cancel_draw()
        super().destroy()

    def _cancel_draw(self) -> None:
        if self._draw_after is not None:
            self.after_cancel(self._draw_after)
            self._draw_after = None

    def _draw(self) -> None:
        palette = self.palette
        self.drawn = list(self.users)
        self.listbox.delete(0, "end")
        for index, nick in enumerate(self.drawn):
            mine = name_key(nick) == name_key(self.me)
            before, after = self.marks.get(name_key(nick), ("", ""))
            name = shown_name(self, nick)  # a Hebrew or Arabic name read back to front on X11
            shown = f"{before} {name}" if before else name
            teacher = name_key(nick) in self.teachers
            ignored = not teacher and not mine and name_key(nick) in self.ignored
            marks = (("you", mine), ("teacher", teacher), ("ignored", ignored))
            tags = ", ".join(tag for tag, on in marks if on)
            self.listbox.insert("end", f"{shown}{after}{f' ({tags})' if tags else ''}")
            self.listbox.itemconfigure(
                index,
                foreground=palette.own_name if mine else palette.muted if ignored else palette.text,
                selectforeground=palette.selection_text,
                selectbackground=palette.selection_background,
            )
        self.configure(text=f"People here ({len(self.users)})" if self.users else "People here")
        self.dots.redraw_soon()

    def _nick_at(self, index: int) -> str | None:
        return self.drawn[index] if 0 <= index < len(self.drawn) else None

    def on_user_double_click(self, event: tk.Event) -> None:
        index = self.listbox.nearest(event.y)
        if 0 <= index < len(self.drawn):
            self.listbox.selection_clear(0, "end")
            self.listbox.selection_set(index)
            self._open_selected()

    def _open_selected(self) -> None:
        selection = self.listbox.curselection()
        if selection and selection[0] < len(self.drawn):
            nick = self.drawn[selection[0]]
            if name_key(nick) != name_key(self.me):
                self.on_private(nick)
