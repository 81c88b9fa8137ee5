"""Tabs that do not fit beside each other go into a "N more" menu at the end of the tab row (Tk thread).

    TabOverflow(notebook)
        set_title(tab, text)   the tab's whole title; the row shows it shortened (long names end in "…")
        fit()                  hide the tabs the row has no room for, list every tab in the menu

A ttk.Notebook squeezes its tabs when there are too many for its width, and
cuts every title short ("✉ st"), so with six or seven conversations open
nobody could tell the tabs apart (found at 800x600 in the ninth review and
at 1024x600 in the tenth).  Here, as in a browser's "List all tabs" button,
the row keeps whole titles: the room's tab and the tab in front always
stay, then tabs with unread lines, then the others in order while they
fit; the menu button at the right names every tab with its unread count
and brings the chosen one to the front.  A tab's width is its title's
width in the tab font plus the theme's padding, learned from the room's
tab the first time it stands alone in the row.
"""

from __future__ import annotations

import functools
import re
import tkinter as tk
from tkinter import ttk

from chat_gui.window.tk_text import shown_name, shown_notice

MAX_NAME_CHARS = 16  # a longer room name or nickname is shown as its first 15 characters and "…"
DEFAULT_TAB_PADDING = 40  # px beside the title in a tab, until measured (sv-ttk draws 34 at any scaling)
_UNREAD = re.compile(r" \((\d+)\)$")


def short_name(name: str) -> str:
    """`name` for a tab: at most MAX_NAME_CHARS characters, a longer one cut with "…" (never inside a ZWJ join)."""
    if len(name) <= MAX_NAME_CHARS:
        return name
    return name[: MAX_NAME_CHARS - 1].rstrip("\u200d\ufe0f") + "…"


class TabOverflow:
    def __init__(self, notebook: ttk.Notebook) -> None:
        self.notebook = notebook
        self.titles: dict[str, str] = {}  # tab (its window's path) -> whole title
        self.tab_padding: int | None = None
        self.button = ttk.Menubutton(notebook, text="", takefocus=False)
        self.menu = tk.Menu(self.button, tearoff=False)
        self.button.configure(menu=self.menu)
        self._due = False
        notebook.bind("<Configure>", lambda _event: self.fit_soon(), add="+")
        notebook.bind("<<NotebookTabChanged>>", lambda _event: self.fit_soon(), add="+")

    # -- intent methods --
    def set_title(self, tab: tk.Misc | str, text: str) -> None:
        self.titles[str(tab)] = text
        self.notebook.tab(tab, text=text)
        self.fit_soon()

    def forget(self, tab: tk.Misc | str) -> None:
        self.titles.pop(str(tab), None)
        self.fit_soon()

    def hidden(self) -> list[str]:
        """The tabs the row has no room for just now (they are in the menu)."""
        return [tab for tab in self.notebook.tabs() if self.notebook.tab(tab, "state") == "hidden"]

    def fit_soon(self) -> None:
        if not self._due:
            self._due = True
            self.notebook.after_idle(self.fit)

    def fit(self) -> None:
        self._due = False
        notebook = self.notebook
        if not notebook.winfo_exists():
            return
        tabs = [str(tab) for tab in notebook.tabs()]
        shown = {tab: self._shown_title(tab) for tab in tabs}
        padding = self._padding(tabs)
        widths = {tab: title_width(notebook, shown[tab]) + padding for tab in tabs}
        room = notebook.winfo_width() - 4
        keep = list(tabs)
        if sum(widths.values()) > room and len(tabs) > 1:
            front = notebook.select()
            self.button.configure(text=f"{len(tabs)} more (99)")  # its widest text, for the room it needs
            room -= self.button.winfo_reqwidth() + 8
            wanted = [tabs[0], *([front] if front in tabs and front != tabs[0] else [])]
            wanted += [tab for tab in tabs if tab not in wanted and _unread(self.titles.get(tab, ""))]
            wanted += [tab for tab in tabs if tab not in wanted]
            keep, used = [], 0
            for tab in wanted:
                if used + widths[tab] <= room or len(keep) < 2 and tab in wanted[:2]:
                    keep.append(tab)
                    used += widths[tab]
        for tab in tabs:
            state = "hidden" if tab not in keep else "normal"
            if notebook.tab(tab, "state") != state or notebook.tab(tab, "text") != shown[tab]:
                notebook.tab(tab, state=state, text=shown[tab])
        self._show_button([tab for tab in tabs if tab not in keep], tabs)

    # -- inside --
    def _shown_title(self, tab: str) -> str:
        text = self.titles.get(tab) or str(self.notebook.tab(tab, "text"))
        unread = _UNREAD.search(text)
        head = text[: unread.start()] if unread else text
        left = " (left)" if head.endswith(" (left)") else ""
        head = head.removesuffix(left)
        prefix = "✉ " if head.startswith("✉ ") else "#" if head.startswith("#") else ""
        name = short_name(head[len(prefix) :])
        if tab in self.titles:  # a title as set, never one already drawn (it would be turned twice)
            name = shown_name(self.notebook, name)
        return prefix + name + left + (unread.group(0) if unread else "")

    def _padding(self, tabs: list[str]) -> int:
        """The theme's room beside a title, measured on the first tab while it is alone in the row."""
        if self.tab_padding is None and len(tabs) == 1 and self.notebook.winfo_ismapped():
            title = str(self.notebook.tab(tabs[0], "text"))
            width = tab_width(self.notebook, 0)
            if width > 0:
                self.tab_padding = max(0, width - title_width(self.notebook, title))
        return DEFAULT_TAB_PADDING if self.tab_padding is None else self.tab_padding

    def _show_button(self, hidden: list[str], tabs: list[str]) -> None:
        self.menu.delete(0, "end")
        if not hidden:
            self.button.place_forget()
            return
        unread = sum(_unread(self.titles.get(tab, "")) for tab in hidden)
        self.button.configure(text=f"{len(hidden)} more ({unread})" if unread else f"{len(hidden)} more")
        front = self.notebook.select()
        for tab in tabs:
            title = self.titles.get(tab) or str(self.notebook.tab(tab, "text"))
            if tab in self.titles:  # right-to-left names in reading order, as on the tabs
                title = shown_notice(self.notebook, title)
            self.menu.add_command(
                label=("● " if tab == front else "   ") + title,
                command=functools.partial(self.notebook.select, tab),
            )
        self.button.place(in_=self.notebook, relx=1.0, x=-2, y=1, anchor="ne")
        self.button.lift()


def title_width(notebook: ttk.Notebook, title: str) -> int:
    """How wide `title` is in the tab font (the theme's, or Tk's default), in pixels."""
    font = ttk.Style(notebook).lookup("TNotebook.Tab", "font") or "TkDefaultFont"
    return int(notebook.tk.call("font", "measure", font, title))


def tab_width(notebook: ttk.Notebook, index: int) -> int:
    """How wide tab `index` is drawn, in pixels, found with `index @x,y` along the tab row (0 if not found)."""
    row = tab_row_y(notebook)
    if row is None:
        return 0
    xs = [x for x in range(notebook.winfo_width()) if _index_at(notebook, x, row) == index]
    return xs[-1] - xs[0] + 1 if xs else 0


def tab_row_y(notebook: ttk.Notebook) -> int | None:
    """A y inside the tab row (its middle, as near as it can be found), or None."""
    ys = [y for y in range(min(80, notebook.winfo_height())) if _index_at(notebook, 6, y) is not None]
    return (ys[0] + ys[-1]) // 2 if ys else None


def _index_at(notebook: ttk.Notebook, x: int, y: int) -> int | None:
    try:
        found = notebook.index(f"@{x},{y}")
    except tk.TclError:
        return None
    return int(found) if str(found) != "" else None


def _unread(title: str) -> int:
    found = _UNREAD.search(title)
    return int(found.group(1)) if found else 0
