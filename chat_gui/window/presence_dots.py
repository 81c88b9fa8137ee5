"""A coloured dot beside each name of the people list, online or away, and the away text in a tooltip (Tk thread).

    DotGutter(master, listbox, nick_at, status_of, away_text)
        a narrow Canvas left of the Listbox: one dot per visible row, at that row's height
        redrawn when the list's view changes (its yscrollcommand), its size, or the palette

A Listbox colours a whole row, never a part of it, so the dots live in a
Canvas of their own that follows the rows (Listbox.bbox).  Online is a
filled dot, away a ring in the palette's away colour: two colours that
pass 3:1 against the pane (shared/palette.py), and two shapes, so the
difference does not rest on colour alone.  Hovering a name or its dot
shows the away text, if there is one.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable

from chat_gui.window.tk_text import shown_name
from shared.palette import LIGHT, Palette
from shared.quoted_words import quoted
from shared_tk.theme import on_palette_change

AWAY = "away"
UNKNOWN = "unknown"  # not connected: nobody's presence is known, so no dot is drawn
TOOLTIP_DELAY_MS = 400


class Tooltip:
    """A small borderless window of text near the pointer; one at a time per widget."""

    def __init__(self, widget: tk.Misc) -> None:
        self.widget = widget
        self.window: tk.Toplevel | None = None
        self.label: tk.Label | None = None
        self.text = ""
        self.palette = LIGHT

    def show(self, text: str, x_root: int, y_root: int) -> None:
        if self.window is None:
            self.window = tk.Toplevel(self.widget)
            self.window.wm_overrideredirect(True)
            self.label = tk.Label(self.window, justify="left", padx=6, pady=3, borderwidth=1, relief="solid")
            self.label.pack()
        assert self.label is not None
        self.text = text
        self.label.configure(
            text=text, background=self.palette.background, foreground=self.palette.text, wraplength=320
        )
        self.window.wm_geometry(f"+{x_root + 14}+{y_root + 12}")
        self.window.deiconify()
        self.window.lift()

    def hide(self) -> None:
        self.text = ""
        if self.window is not None:
            self.window.withdraw()

    @property
    def shown(self) -> bool:
        return bool(self.text) and self.window is not None and self.window.winfo_ismapped()


class DotGutter(tk.Canvas):
    def __init__(
        self,
        master: tk.Misc,
        listbox: tk.Listbox,
        nick_at: Callable[[int], str | None],
        status_of: Callable[[str], str],
        away_text: Callable[[str], str],
    ) -> None:
        # height 1: the gutter stretches with the list (sticky "ns") and never asks for height of its own
        super().__init__(master, width=14, height=1, highlightthickness=0, borderwidth=0, takefocus=False)
        self.listbox = listbox
        self.nick_at = nick_at
        self.status_of = status_of
        self.away_text = away_text
        self.palette = LIGHT
        self.tooltip = Tooltip(self)
        self._tooltip_id: str | None = None
        self._hovered: str | None = None
        self._redraw_id: str | None = None
        previous = str(listbox.cget("yscrollcommand"))

        def view_changed(first: float, last: float) -> None:
            if previous:  # a scrollbar's "set", say: it still hears the list
                self.tk.eval(f"{previous} {first} {last}")
            self.redraw_soon()

        listbox.configure(yscrollcommand=view_changed)
        for widget in (listbox, self):
            widget.bind("<Motion>", self._on_motion, add="+")
            widget.bind("<Leave>", self._on_leave, add="+")
        listbox.bind("<Configure>", lambda _event: self.redraw_soon(), add="+")
        on_palette_change(self, self.set_palette)

    # -- intent methods --
    def set_palette(self, palette: Palette) -> None:
        self.palette = palette
        self.tooltip.palette = palette
        self.configure(background=palette.background)
        self.redraw()

    def redraw_soon(self) -> None:
        if self._redraw_id is None:
            self._redraw_id = self.after_idle(self.redraw)

    def redraw(self) -> None:
        """One dot per visible row, at the row's middle."""
        self._redraw_id = None
        self.delete("dot")
        offset = self.listbox.winfo_y() - self.winfo_y()  # the list may sit lower than the gutter's top
        for index in range(int(self.listbox.index("@0,0")), self.listbox.size()):
            box = self.listbox.bbox(index)
            if not box:
                break  # below the visible rows
            nick = self.nick_at(index)
            if nick is None:
                continue
            status = self.status_of(nick)
            if status == UNKNOWN:
                continue
            _x, y, _width, height = box
            middle = offset + y + height // 2
            radius = max(3, min(6, height // 4))
            left, right = 7 - radius, 7 + radius
            if status == AWAY:
                self.create_oval(
                    left + 1, middle - radius + 1, right - 1, middle + radius - 1,
                    outline=self.palette.away, width=2, tags=("dot", "away"),
                )  # fmt: skip
            else:
                self.create_oval(
                    left, middle - radius, right, middle + radius,
                    fill=self.palette.online, outline=self.palette.online, tags=("dot", "online"),
                )  # fmt: skip

    def dots(self) -> list[tuple[str, int]]:
        """(kind, y of the middle) of each dot drawn, top to bottom: for tests."""
        found = []
        for item in self.find_withtag("dot"):
            kind = "away" if "away" in self.gettags(item) else "online"
            _x0, y0, _x1, y1 = self.coords(item)
            found.append((kind, round((y0 + y1) / 2)))
        return sorted(found, key=lambda dot: dot[1])

    # -- the tooltip --
    def _on_motion(self, event: tk.Event) -> None:
        index = self.listbox.nearest(event.y_root - self.listbox.winfo_rooty())
        box = self.listbox.bbox(index) if index >= 0 else None
        y = event.y_root - self.listbox.winfo_rooty()
        nick = self.nick_at(index) if box and box[1] <= y < box[1] + box[3] else None
        if nick == self._hovered:
            return
        self._hovered = nick
        self._cancel_tooltip()
        self.tooltip.hide()
        if nick is not None and self.status_of(nick) == AWAY:
            x_root, y_root = event.x_root, event.y_root
            self._tooltip_id = self.after(TOOLTIP_DELAY_MS, lambda: self.show_tooltip(nick, x_root, y_root))

    def show_tooltip(self, nick: str, x_root: int, y_root: int) -> None:
        self._tooltip_id = None
        words = self.away_text(nick)
        # their words in quotes, as the server words the notice: "bob is away: brb. Ms_Lee is away: ..." read as two
        name = shown_name(self, nick)  # in reading order; their own words are left as written
        shown = f"{name} is away: {quoted(words)}" if words else f"{name} is away"
        self.tooltip.show(shown, x_root, y_root)

    def _on_leave(self, _event: tk.Event) -> None:
        self._hovered = None
        self._cancel_tooltip()
        self.tooltip.hide()

    def _cancel_tooltip(self) -> None:
        if self._tooltip_id is not None:
            self.after_cancel(self._tooltip_id)
            self._tooltip_id = None

    def destroy(self) -> None:
        self._cancel_tooltip()
        if self._redraw_id is not None:
            self.after_cancel(self._redraw_id)
            self._redraw_id = None
        super().destroy()
