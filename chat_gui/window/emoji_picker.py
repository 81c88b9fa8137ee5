"""A window of emoji by category, with search; a click hands the emoji to a callback (Tk thread).

    EmojiPicker(master, on_pick)          a Toplevel
      search box      typing shows the matches in place of the tabs
      ttk.Notebook    one tab per category (emoji_data.CATEGORIES)
        EmojiGrid     a Canvas with one text item per emoji, in cells

A tab's grid is drawn the first time it is shown, so opening the picker
draws one category (about 160 items), not 1,900.  One Canvas text item per
emoji, not one Label each: items are cheap and a click is found by
position.  The size follows `tk scaling` (the font is in points).

Fonts: Tk 8.6 on Linux draws colour emoji fonts badly or not at all, so a
monochrome emoji font comes first there (Symbola, from fonts-symbola, or
Noto Emoji); Windows has Segoe UI Emoji and macOS Apple Color Emoji.
"""

from __future__ import annotations

import sys
import tkinter as tk
import tkinter.font as tkfont
from collections.abc import Callable, Sequence
from tkinter import ttk

from chat_gui.text import emoji_data
from chat_gui.text.emoji_data import CATEGORIES, Emoji
from shared.palette import LIGHT, Palette

EMOJI_POINTS = 15
COLUMNS = 9
ROWS_SHOWN = 7
MIN_ROWS_SHOWN = 3  # on a small screen the picker gives up rows, down to this many, to stay above the entry box
TITLE_BAR_PX = 32  # at 100%: room left for the window manager's title bar
TAB_LABELS = {
    "Smileys & Emotion": "\U0001f600",
    "People & Body": "\U0001f44b",
    "Animals & Nature": "\U0001f431",
    "Food & Drink": "\U0001f355",
    "Travel & Places": "\U0001f697",
    "Activities": "\u26bd",
    "Objects": "\U0001f4a1",
    "Symbols": "\u2764",
    "Flags": "\U0001f3c1",
}
_FONT_PREFERENCES = {
    "win32": ("Segoe UI Emoji", "Segoe UI Symbol"),
    "darwin": ("Apple Color Emoji",),
    "linux": ("Symbola", "Noto Emoji", "Twemoji", "Noto Color Emoji", "DejaVu Sans"),
}
_families_cache: dict[str, str | None] = {}


def emoji_font_family(widget: tk.Misc) -> str | None:
    """The first installed font family known to have emoji, for this platform; None if there is none."""
    key = str(widget.tk)
    if key not in _families_cache:
        installed = {family.casefold(): family for family in tkfont.families(widget)}
        platform = "linux" if sys.platform.startswith(("linux", "freebsd", "openbsd")) else sys.platform
        found = [
            installed[name.casefold()] for name in _FONT_PREFERENCES.get(platform, ()) if name.casefold() in installed
        ]
        _families_cache[key] = found[0] if found else None
    return _families_cache[key]


class EmojiGrid(ttk.Frame):
    """Emoji in a scrollable grid of cells; hover shows the name, a click calls `on_pick(emoji)`."""

    def __init__(
        self,
        master: tk.Misc,
        font: tkfont.Font,
        palette: Palette,
        on_pick: Callable[[Emoji], object],
        on_hover: Callable[[Emoji | None], object],
    ) -> None:
        super().__init__(master)
        self.font = font
        self.palette = palette
        self.on_pick = on_pick
        self.on_hover = on_hover
        self.cell = font.metrics("linespace") + 10
        self.columns = COLUMNS
        self.item_ids: list[int] = []
        self.emoji: list[Emoji] = []
        self.canvas = tk.Canvas(
            self,
            width=self.cell * COLUMNS,
            height=self.cell * ROWS_SHOWN,
            background=palette.background,
            highlightthickness=0,
            borderwidth=0,
        )
        self.scrollbar = ttk.Scrollbar(self, orient="vertical", command=self.canvas.yview)
        self.canvas.configure(yscrollcommand=self.scrollbar.set)
        self.canvas.grid(row=0, column=0, sticky="nsew")
        self.scrollbar.grid(row=0, column=1, sticky="ns")
        self.rowconfigure(0, weight=1)
        self.columnconfigure(0, weight=1)
        self.hover = self.canvas.create_rectangle(
            0, 0, 0, 0, outline="", fill=palette.mention_background, state="hidden"
        )
        self.canvas.bind("<Configure>", self._on_resize)
        self.canvas.bind("<Motion>", self._on_motion)
        self.canvas.bind("<Leave>", lambda event: self._show_hover(None))
        self.canvas.bind("<ButtonRelease-1>", self._on_click)
        for sequence in ("<MouseWheel>", "<Button-4>", "<Button-5>"):
            self.canvas.bind(sequence, self._on_wheel)

    def show(self, emoji: Sequence[Emoji]) -> None:
        """Draw these emoji, replacing what was there."""
        canvas = self.canvas
        for item_id in self.item_ids:
            canvas.delete(item_id)
        self.emoji = list(emoji)
        half = self.cell // 2
        self.item_ids = []
        for index, each in enumerate(self.emoji):
            row, column = divmod(index, self.columns)
            x, y = column * self.cell + half, row * self.cell + half
            self.item_ids.append(canvas.create_text(x, y, text=each.char, font=self.font, fill=self.palette.text))
        rows = max(1, -(-len(self.emoji) // self.columns))
        canvas.configure(scrollregion=(0, 0, self.cell * self.columns, rows * self.cell))
        canvas.yview_moveto(0)
        self._show_hover(None)

    def cell_centre(self, emoji: Emoji) -> tuple[int, int]:
        """Where (in window pixels, at the current scroll) the cell of `emoji` is; for tests and keyboard use."""
        index = self.emoji.index(emoji)
        row, column = divmod(index, self.columns)
        top = round(self.canvas.canvasy(0))
        return column * self.cell + self.cell // 2, row * self.cell + self.cell // 2 - top

    def emoji_at(self, x: int, y: int) -> Emoji | None:
        column, row = int(self.canvas.canvasx(x)) // self.cell, int(self.canvas.canvasy(y)) // self.cell
        if not 0 <= column < self.columns or x < 0 or y < 0:
            return None
        index = row * self.columns + column
        return self.emoji[index] if 0 <= index < len(self.emoji) else None

    def recolour(self, palette: Palette) -> None:
        self.palette = palette
        self.canvas.configure(background=palette.background)
        self.canvas.itemconfigure(self.hover, fill=palette.mention_background)
        for item_id in self.item_ids:
            self.canvas.itemconfigure(item_id, fill=palette.text)

    def _show_hover(self, emoji: Emoji | None) -> None:
        if emoji is None:
            self.canvas.itemconfigure(self.hover, state="hidden")
        else:
            row, column = divmod(self.emoji.index(emoji), self.columns)
            x, y = column * self.cell, row * self.cell
            self.canvas.coords(self.hover, x + 1, y + 1, x + self.cell - 1, y + self.cell - 1)
            self.canvas.itemconfigure(self.hover, state="normal")
            self.canvas.tag_lower(self.hover)
        self.on_hover(emoji)

    def _on_resize(self, event: tk.Event[tk.Canvas]) -> None:
        columns = max(1, event.width // self.cell)
        if columns != self.columns:
            self.columns = columns
            self.show(self.emoji)

    def _on_motion(self, event: tk.Event[tk.Canvas]) -> None:
        self._show_hover(self.emoji_at(event.x, event.y))

    def _on_click(self, event: tk.Event[tk.Canvas]) -> None:
        emoji = self.emoji_at(event.x, event.y)
        if emoji is not None:
            self.on_pick(emoji)

    def _on_wheel(self, event: tk.Event[tk.Canvas]) -> None:
        if event.num == 4 or event.delta > 0:
            self.canvas.yview_scroll(-2, "units")
        else:
            self.canvas.yview_scroll(2, "units")


class EmojiPicker(tk.Toplevel):
    """The picker window.  `on_pick(chars)` gets the emoji's characters; it closes after a pick unless told not to."""

    def __init__(
        self,
        master: tk.Misc,
        on_pick: Callable[[str], object],
        palette: Palette = LIGHT,
        close_on_pick: bool = True,
    ) -> None:
        super().__init__(master)
        self.title("Emoji")
        self.on_pick = on_pick
        self.palette = palette
        self.close_on_pick = close_on_pick
        family = emoji_font_family(self)
        self.font = tkfont.Font(self, family=family or "TkDefaultFont", size=EMOJI_POINTS)
        self.grids: dict[str, EmojiGrid] = {}

        body = ttk.Frame(self)  # a Toplevel is a classic widget; the frame carries the theme's background
        body.pack(fill="both", expand=True)
        self.query = tk.StringVar(self)
        self.search_entry = ttk.Entry(body, textvariable=self.query)
        self.search_entry.grid(row=0, column=0, sticky="ew", padx=8, pady=(8, 4))
        self.notebook = ttk.Notebook(body)
        if family is not None:
            ttk.Style(self).configure("Emoji.TNotebook.Tab", font=(family, 13))
            self.notebook.configure(style="Emoji.TNotebook")
        for category in CATEGORIES:
            holder = ttk.Frame(self.notebook)
            label = TAB_LABELS[category] if family is not None else category.split(" ")[0]
            self.notebook.add(holder, text=label)
        self.results = self._make_grid(body)
        self.status = ttk.Label(body, text="", style="Muted.TLabel", anchor="w")
        self.notebook.grid(row=1, column=0, sticky="nsew", padx=8)
        self.status.grid(row=2, column=0, sticky="ew", padx=8, pady=(4, 8))
        body.rowconfigure(1, weight=1)
        body.columnconfigure(0, weight=1)

        self.notebook.bind("<<NotebookTabChanged>>", self._on_tab_changed)
        self.query.trace_add("write", lambda *_args: self._on_query_changed())
        self.search_entry.bind("<Return>", self._on_search_return)
        self.bind("<Escape>", lambda event: self.destroy())
        self.show_category(CATEGORIES[0])
        self.search_entry.focus_set()

    # -- intent methods --
    def show_category(self, category: str) -> EmojiGrid:
        """Select the tab of `category`, drawing its grid if this is the first time."""
        index = CATEGORIES.index(category)
        self.notebook.select(index)
        return self._grid_for(category)

    def place_above(self, widget: tk.Misc) -> None:
        """Put the picker just above `widget` (the ☺ button), right edges lined up, wholly on the screen.

        On a small or HiDPI screen (1024x600 at 150% or 200%) the picker at its own size was taller
        than the room above the entry box, or than the screen: it covered the box where the emoji goes,
        and its name line was off the bottom (found by the screens probe of the tenth review).  It now
        gives up grid rows (the grid scrolls) to fit above the box, keeping at least MIN_ROWS_SHOWN;
        with less room than that it stays as large as the screen allows.
        """
        self.update_idletasks()
        scale = float(self.tk.call("tk", "scaling")) / (96 / 72)
        screen_width, screen_height = self.winfo_screenwidth(), self.winfo_screenheight()
        title_bar, gap = round(TITLE_BAR_PX * scale), 8
        width = min(self.winfo_reqwidth(), screen_width)
        height = min(self.winfo_reqheight(), screen_height - title_bar)
        room_above = widget.winfo_rooty() - gap - title_bar
        smallest = self.winfo_reqheight() - (ROWS_SHOWN - MIN_ROWS_SHOWN) * self.results.cell
        if height > room_above >= smallest:
            height = room_above
        x = min(max(0, widget.winfo_rootx() + widget.winfo_width() - width), screen_width - width)
        y = max(0, min(widget.winfo_rooty() - gap - height - title_bar, screen_height - height - title_bar))
        self.geometry(f"{width}x{height}+{x}+{y}")

    def search(self, query: str) -> None:
        self.query.set(query)

    def recolour(self, palette: Palette) -> None:
        self.palette = palette
        for grid in (*self.grids.values(), self.results):
            grid.recolour(palette)

    @property
    def visible_grid(self) -> EmojiGrid:
        """The grid shown now: the search results while there is a query, else the selected tab's."""
        if self.query.get().strip():
            return self.results
        return self._grid_for(CATEGORIES[self.notebook.index("current")])

    # -- internals --
    def _make_grid(self, master: tk.Misc) -> EmojiGrid:
        return EmojiGrid(master, self.font, self.palette, self._picked, self._hovered)

    def _grid_for(self, category: str) -> EmojiGrid:
        grid = self.grids.get(category)
        if grid is None:
            holder = self.notebook.nametowidget(self.notebook.tabs()[CATEGORIES.index(category)])
            grid = self._make_grid(holder)
            grid.pack(fill="both", expand=True)
            grid.show(emoji_data.emoji_in(category))
            self.grids[category] = grid
        return grid

    def _on_tab_changed(self, _event: object = None) -> None:
        self._grid_for(CATEGORIES[self.notebook.index("current")])

    def _on_query_changed(self) -> None:
        query = self.query.get().strip()
        if query:
            found = emoji_data.search(query)
            self.results.show(found)
            self.notebook.grid_remove()
            self.results.grid(row=1, column=0, sticky="nsew", padx=8)
            self.status.configure(text=f"{len(found)} found" if found else "Nothing found")
        else:
            self.results.grid_remove()
            self.notebook.grid()
            self.status.configure(text="")

    def _on_search_return(self, _event: object) -> str:
        if self.results.emoji and self.query.get().strip():
            self._picked(self.results.emoji[0])
        return "break"

    def _hovered(self, emoji: Emoji | None) -> None:
        if emoji is not None:
            self.status.configure(text=f"{emoji.name}   {emoji.shortcodes[-1]}")

    def _picked(self, emoji: Emoji) -> None:
        self.on_pick(emoji.char)
        if self.close_on_pick:
            self.destroy()
