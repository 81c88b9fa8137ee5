"""The search bar above the conversation (Ctrl+F): a box, "this room only", and results to click (Tk thread).

    +---------------------------------------------------------------+
    | Search [plan                    ] [x] this room only  [Find] ✕ |
    | 3 messages found, newest first:                                |
    |  17:25  #lab   bob    the plan for tomorrow                    |
    |  30 Nov 09:12  @bob  alice  the plan?                          |
    | [Older results]           (when older messages match too)      |
    +---------------------------------------------------------------+

Enter (or Find) searches, Escape closes, a click on a result jumps to
it, and so do Down/Up in the box and then Enter.  **Older results** (shown
when the server said older messages match too) asks for the next page.  The panel only composes: what a search or a click does is the
callbacks' business (chat_gui.window.history_display).  Results are
shown in a Text widget, which takes any text as it is (emoji too) and
obeys nothing in it.
"""

from __future__ import annotations

import functools
import tkinter as tk
import tkinter.font as tkfont
from collections.abc import Callable
from tkinter import ttk
from typing import Any

from chat_gui.text.history_lines import MORE_NOTE, NICKNAME_ONLY_NOTE, STOPPED_EARLY_NOTE, result_parts
from chat_gui.window.tk_text import shown_name, shown_text
from shared.names import name_key
from shared.palette import DARK, LIGHT, Palette
from shared.reason_glue import with_reason
from shared_tk.theme import on_palette_change

RESULT_LINES = 8
HINT = "Type words to find in kept messages, then Enter; from:NAME among them keeps only what NAME sent."
NOT_TYPING = frozenset(
    (
        "Up",
        "Down",
        "Return",
        "KP_Enter",
        "Escape",
        "Tab",
        "Shift_L",
        "Shift_R",
        "Control_L",
        "Control_R",
        "Alt_L",
        "Alt_R",
    )
)


def palette_now(widget: tk.Misc) -> Palette:
    """The palette of the theme applied to `widget`'s window (known by its background)."""
    background = str(ttk.Style(widget).lookup("TFrame", "background")).lower()
    return DARK if background == DARK.window.lower() else LIGHT


class SearchPanel(ttk.Frame):
    def __init__(
        self,
        master: tk.Misc,
        on_search: Callable[[str, bool], None],
        on_pick: Callable[[Any], None],
        on_close: Callable[[], None],
        on_older: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__(master, padding=(0, 0, 0, 6))
        self.on_search = on_search
        self.on_older = on_older
        self.on_pick = on_pick
        self.on_close = on_close
        self.results: list[Any] = []
        self.stopped_early = False
        self.more = False
        self.by_nickname_only = False
        self.older_page = False  # the results shown are a next page (older than a page before)
        bar = ttk.Frame(self)
        bar.pack(fill="x")
        ttk.Label(bar, text="Search").pack(side="left")
        self.words = tk.StringVar()
        self.entry = ttk.Entry(bar, textvariable=self.words)
        self.entry.pack(side="left", fill="x", expand=True, padx=6)
        self.room_only = tk.BooleanVar(value=False)
        ttk.Checkbutton(bar, text="this room only", variable=self.room_only).pack(side="left")
        ttk.Button(bar, text="Find", command=self.submit).pack(side="left", padx=(6, 0))
        ttk.Button(bar, text="✕", width=3, command=on_close).pack(side="left", padx=(4, 0))
        self.status = ttk.Label(self, text=HINT, style="Muted.TLabel")
        self.status.pack(fill="x", pady=(4, 2))
        # long notes wrap to the panel: on one line "The server stopped searching before ..." ran past the edge
        self.status.bind("<Configure>", lambda event: self.status.configure(wraplength=max(event.width, 100)))
        self.list = tk.Text(
            self,
            height=1,
            wrap="none",
            cursor="arrow",
            borderwidth=1,
            relief="solid",
            takefocus=False,
            font="TkDefaultFont",
            padx=4,
            pady=2,
        )
        bold = tkfont.nametofont("TkDefaultFont", root=self).copy()
        bold.configure(weight="bold")
        self._bold = bold
        self.list.pack(fill="x")
        # Packed under the list only while older messages match too (a search said all day reaches last week).
        self.older = ttk.Button(self, text="Older results", command=self.ask_older)
        self.list.tag_configure("who", font=bold)
        # The theme's colours, light or dark (fixed ones left "#general" 1.5:1 on the dark background).
        self._recolour(palette_now(self))
        on_palette_change(self.list, self._recolour)
        self.list.bind("<Key>", lambda event: None if event.keysym in ("Up", "Down", "Prior", "Next") else "break")
        self._chosen: int | None = None  # the result Up/Down marked in the box (Enter goes to it)
        self.entry.bind("<Return>", lambda event: self._on_return())
        self.entry.bind("<KP_Enter>", lambda event: self._on_return())
        self.entry.bind("<Down>", lambda event: self._choose(1))
        self.entry.bind("<Up>", lambda event: self._choose(-1))
        self.entry.bind("<Key>", self._forget_choice, add="+")
        self.entry.bind("<Escape>", lambda event: on_close())
        self.list.bind("<Escape>", lambda event: on_close())

    # -- intent methods --
    def open(self) -> None:
        self.entry.focus_set()
        self.entry.select_range(0, "end")

    def submit(self) -> None:
        words = self.words.get().strip()
        if not words:
            self.status.configure(text="Type the words to find first.")
            return
        self.status.configure(text=f"Searching for “{words}”…")
        self.on_search(words, self.room_only.get())

    def ask_older(self) -> None:
        """Older results: the next page of the search shown (its words and its last result: the caller's)."""
        self.status.configure(text=f"Searching for older “{self.words.get().strip()}”…")
        self.on_older()

    def show_results(
        self,
        words: str,
        results: list[Any],
        error: str = "",
        stopped_early: bool = False,
        more: bool = False,
        older: bool | None = None,
        by_nickname_only: bool = False,
    ) -> None:
        """Show one page of results; `older`: a next page (None: as the page shown before, for a re-show)."""
        self.results = list(results)
        self._chosen = None
        self.stopped_early = stopped_early
        self.more = more
        self.by_nickname_only = by_nickname_only
        if older is not None:
            self.older_page = older
        self.list.delete("1.0", "end")
        self.list.configure(height=1)
        self.older.pack_forget()
        if error:
            self.status.configure(text=with_reason(f"Search for “{words}”", error))
            return
        count = len(results)
        was = "older " if self.older_page else ""
        if not count:
            text = f"Nothing {was}found for “{words}”."
        elif more:
            which = "next" if self.older_page else "newest"
            text = f"The {which} {count} messages found for “{words}”. Click one (or Down, then Enter) to go to it."
        else:
            text = (
                f"{count} {was}message{'s' if count != 1 else ''} found for “{words}”, newest first."
                " Click one (or Down, then Enter) to go to it."
            )
        if more:
            self.older.pack(anchor="w", pady=(4, 0))
        notes = [MORE_NOTE] if more else []  # today's 50 "homework" lines would hide last week's without a word
        notes += [STOPPED_EARLY_NOTE] if stopped_early else []
        notes += [NICKNAME_ONLY_NOTE] if by_nickname_only and count else []
        self.status.configure(text=" ".join([text, *notes]))
        self.list.configure(height=max(1, min(count, RESULT_LINES, self._most_lines())))
        for index, result in enumerate(results):
            when, where, who, text = result_parts(result)
            tag = f"result-{index}"
            if index:
                self.list.insert("end", "\n")
            who, text = shown_name(self.list, who), shown_text(self.list, text)  # Hebrew, Arabic on X11
            self.list.insert("end", f"{when}  ", ("when", tag), f"{where}  ", ("where", tag), f"{who}  ", ("who", tag))
            self.list.insert("end", text, tag)
            self.list.tag_bind(tag, "<ButtonRelease-1>", functools.partial(self._clicked, index))
            self.list.tag_bind(tag, "<Enter>", functools.partial(self._hover, tag))
            self.list.tag_bind(tag, "<Leave>", lambda event: self.list.tag_remove("hover", "1.0", "end"))

    def _most_lines(self) -> int:
        """The result lines that leave the conversation below its share of the window: a quarter of the window's
        height, at least two lines (at 150% on 1024x600, eight lines left the conversation one and a half)."""
        line = int(self.list.tk.call("font", "metrics", self.list.cget("font"), "-linespace"))
        return max(2, self.winfo_toplevel().winfo_height() // 4 // max(1, line))

    def _recolour(self, palette: Palette) -> None:
        self.list.tag_configure("when", foreground=palette.muted)
        self.list.tag_configure("where", foreground=palette.private)
        self.list.tag_configure("hover", background=palette.selection_background, foreground=palette.selection_text)

    def forget_result(self, number: int) -> None:
        """A deleted message leaves the results."""
        kept = [result for result in self.results if result.get("id") != number]
        self._show_kept(kept)

    def forget_room(self, room: str) -> None:
        """A room's history was cleared: its results leave the list."""
        key = name_key(room)
        kept = [result for result in self.results if name_key(str(result.get("room", ""))) != key or not room]
        self._show_kept(kept)

    def _show_kept(self, kept: list[Any]) -> None:
        """Show the results left after some went, with the notes the search came with (when any went)."""
        if len(kept) != len(self.results):
            self.show_results(
                self.words.get().strip(),
                kept,
                stopped_early=self.stopped_early,
                more=self.more,
                by_nickname_only=self.by_nickname_only,
            )

    def pick(self, index: int) -> None:
        """As a click on result `index` (tests, keyboard)."""
        self.on_pick(self.results[index])

    def say(self, text: str) -> None:
        self.status.configure(text=text)

    def _on_return(self) -> str:
        """Enter goes to the result chosen with Up/Down, or searches when none is."""
        if self._chosen is not None and self._chosen < len(self.results):
            self.pick(self._chosen)
        else:
            self.submit()
        return "break"

    def _choose(self, step: int) -> str:
        """Down and Up in the box mark the next or previous result (the list takes no focus)."""
        if self.results:
            wanted = 0 if self._chosen is None else self._chosen + step
            self._chosen = max(0, min(len(self.results) - 1, wanted))
            tag = f"result-{self._chosen}"
            self._hover(tag)
            ranges = self.list.tag_ranges(tag)
            if ranges:
                self.list.see(ranges[0])
        return "break"

    def _forget_choice(self, event: tk.Event) -> None:
        """Typing again makes Enter search again."""
        if event.keysym not in NOT_TYPING:
            self._chosen = None
            self.list.tag_remove("hover", "1.0", "end")

    def _clicked(self, index: int, event: tk.Event) -> None:
        if index < len(self.results):
            self.on_pick(self.results[index])

    def _hover(self, tag: str, event: tk.Event | None = None) -> None:
        self.list.tag_remove("hover", "1.0", "end")
        ranges = self.list.tag_ranges(tag)
        if ranges:
            self.list.tag_add("hover", ranges[0], ranges[-1])
