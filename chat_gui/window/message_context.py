"""A search result too far back for its pane, shown among the messages around it in a window of its own (Tk thread).

    a result is clicked (history_loader.py) and the message is further back than a few pages
        -> open(target, id): HISTORY <target> BEFORE <id+1> 20   (the message and what came before it)
                             HISTORY <target> AFTER <id> 20      (what came after it)
        -> a window "#math around Tue 24 Nov 10:15": day headings, the message highlighted and in the middle
    scrolling to the top (or the header's link) loads the page before; "Newer messages" (or scrolling to the
    bottom) the page after, until the present: no message twice, none missed (each page starts at the last id
    shown)

The conversation's own pane stays as it was, at the present: loading the
thousands of messages between a lesson of last week and today into it took
12 s and then stopped (found by the fifteenth review). This window shows
what is kept read-only, muted as the pane shows kept messages; a message
deleted meanwhile becomes "message deleted" here too.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk
from typing import TYPE_CHECKING, Any

from chat_gui.core.conversations import key_of_target
from chat_gui.core.events import HistoryPage, PageKind
from chat_gui.text.history_lines import day_words, local_moment, when_said
from chat_gui.window.history_pane import TODAY, HistoryPane, day_of
from chat_gui.window.message_view import MessageView
from shared.reason_glue import with_reason

if TYPE_CHECKING:
    from chat_gui.window.history_display import HistoryDisplay

AROUND_PAGE = 20  # messages before the one found, and after it
MORE_PAGE = 50  # a page loaded by scrolling or with "Newer messages"
FOUND_TAG = "found"
SCROLL_SEQUENCES = ("<Button-4>", "<Button-5>", "<MouseWheel>", "<Prior>", "<Next>", "<Home>", "<End>")


class MessageContext:
    """At most one such window per chat window; a new result shows in it instead of the last one."""

    def __init__(self, display: HistoryDisplay) -> None:
        self.display = display
        self.window: tk.Toplevel | None = None
        self.view: MessageView | None = None
        self.pane: HistoryPane | None = None
        self.target = ""
        self.number = 0
        self.said_at: object = None  # the message's `time`: its day and hour stay in view under the messages
        self.more_after = False
        self.last_day = ""
        self.requests: dict[int, str] = {}  # request number -> "around-before", "around-after", "earlier", "later"
        self.newer: ttk.Button | None = None
        self.note: ttk.Label | None = None

    # -- opening --
    def open(self, target: str, number: int, said_at: object = None) -> None:
        """Show message `number` of `target` ("#room", "@nick") among its neighbours; `said_at`: its `time`."""
        history = self.display.session.history
        when = when_said(said_at)
        self._build(f"{target} around {when}" if when else f"{target}: a message and the ones around it")
        self.target, self.number, self.more_after, self.last_day = target, number, False, ""
        self.said_at = said_at
        self.requests = {
            history.request_page(target, before=number + 1, limit=AROUND_PAGE, kind=PageKind.AROUND): "around-before"
        }
        self._say("Loading the messages around it…")

    def _build(self, title: str) -> None:
        if self.window is None or not self.window.winfo_exists():
            self.window = tk.Toplevel(self.display.window.root)
            self.window.geometry("760x460")
            self.window.protocol("WM_DELETE_WINDOW", self.close)
            self.window.bind("<Escape>", lambda event: self.close())
            bar = ttk.Frame(self.window)
            bar.pack(side="bottom", fill="x", padx=6, pady=6)
            ttk.Button(bar, text="Close", command=self.close).pack(side="right")  # the buttons first: a long note
            self.newer = ttk.Button(bar, text="Newer messages", command=self.load_later)  # wraps, never hides them
            self.newer.pack(side="right", padx=(0, 6))
            self.note = ttk.Label(bar, text="", style="Muted.TLabel")
            self.note.pack(side="left", fill="x", expand=True)
            self.note.bind("<Configure>", lambda event: self.note and self.note.configure(wraplength=event.width))
        if self.view is not None:
            self.view.destroy()
        self.view = MessageView(self.window)
        self.view.pack(side="top", fill="both", expand=True)
        view = self.view
        self.pane = HistoryPane(view, lambda: self.display.session.nick, self.load_earlier, self.display.show_file_card)
        self.pane.hides = self.display.hides
        check = lambda event=None: view.after_idle(self._at_an_end)  # noqa: E731  # once the scroll is done
        for sequence in SCROLL_SEQUENCES:
            view.text.bind(sequence, check, add="+")
        for child in view.winfo_children():  # the scrollbar dragged to an end, as in the conversation's pane
            if isinstance(child, ttk.Scrollbar):
                child.bind("<ButtonRelease-1>", check, add="+")
        self.window.title(title)
        self.window.deiconify()
        self.window.lift()

    def close(self) -> None:
        if self.window is not None and self.window.winfo_exists():
            self.window.destroy()
        self.window = self.view = self.pane = None
        self.requests = {}

    # -- pages --
    def on_page(self, page: HistoryPage) -> None:
        why = self.requests.pop(page.request, None)
        pane, view = self.pane, self.view
        if why is None or pane is None or view is None or not view.winfo_exists():
            return
        pane.loading = False
        key = key_of_target(self.target)
        if page.error:
            pane.set_header(key)
            self._say(with_reason("Could not load the messages around it", page.error))
            return
        frames = list(page.frames)
        if why in ("around-before", "earlier"):
            if why == "around-before":
                self.last_day = day_of(frames[-1]) if frames else ""
            pane.prepend(frames, key, page.more)
        else:
            self._append(frames)
            self.more_after = page.more
        if why == "around-before":
            number = self.display.session.history.request_page(
                self.target, after=self.number, limit=AROUND_PAGE, kind=PageKind.AROUND
            )
            self.requests[number] = "around-after"
            pane.loading = True
            if not pane.has(self.number):
                self._say("That message is no longer kept (deleted, or older than the server keeps).")
            return
        if why == "around-after":
            self._highlight()
        self._show_newer()

    def _append(self, frames: list[Any]) -> None:
        """Newer messages below everything shown, with a heading when the day changes."""
        pane, view = self.pane, self.view
        assert pane is not None and view is not None
        for frame in frames:
            if pane.has(frame["id"]):
                continue
            day = day_of(frame)
            if day != self.last_day:
                view.show_notice(day or TODAY, "system")
                self.last_day = day
            pane.show_kept(frame)

    def _highlight(self) -> None:
        pane, view = self.pane, self.view
        assert pane is not None and view is not None
        span = pane.span(self.number)
        if span is None:
            return
        palette = view.style.palette
        view.text.tag_configure(FOUND_TAG, background=palette.selection_background, foreground=palette.selection_text)
        view.text.tag_add(FOUND_TAG, *span)
        view.text.tag_raise(FOUND_TAG)
        view.text.see(span[0])
        view.update_idletasks()
        view.text.yview(span[0])
        view.text.yview_scroll(-(view.text.winfo_height() // 3), "pixels")  # in the middle, its lines around it
        moment = local_moment(self.said_at)
        when = f"{day_words(self.said_at) or TODAY}, {moment:%H:%M}: " if moment is not None else ""
        self._say(f"{when}the message found is highlighted; scroll up or down for more.")

    def load_earlier(self) -> bool:
        pane = self.pane
        if pane is None or pane.loading or pane.more_before.get(key_of_target(self.target)) is False:
            return False
        oldest = pane.oldest(key_of_target(self.target))
        history = self.display.session.history
        number = history.request_page(self.target, before=oldest, limit=MORE_PAGE, kind=PageKind.AROUND)
        self.requests[number] = "earlier"
        pane.loading = True
        pane.set_header(key_of_target(self.target), loading=True)
        return True

    def load_later(self) -> bool:
        pane = self.pane
        if pane is None or pane.loading or not self.more_after:
            return False
        newest = max((number for number in pane.ids if pane.has(number)), default=self.number)
        history = self.display.session.history
        number = history.request_page(self.target, after=newest, limit=MORE_PAGE, kind=PageKind.AROUND)
        self.requests[number] = "later"
        pane.loading = True
        self._say("Loading newer messages…")
        return True

    def _at_an_end(self) -> None:
        view = self.view
        if view is None or not view.winfo_exists():
            return
        top, bottom = view.text.yview()
        if top <= 0.0:
            self.load_earlier()
        elif bottom >= 1.0:
            self.load_later()

    def _show_newer(self) -> None:
        if self.newer is not None:
            self.newer.state(["!disabled"] if self.more_after else ["disabled"])
        if not self.more_after and self.pane is not None and not self.pane.loading:
            self._say("This reaches the newest kept message: the conversation's own pane goes on from here.")

    def _say(self, words: str) -> None:
        if self.note is not None and self.note.winfo_exists():
            self.note.configure(text=words)

    # -- what happens meanwhile --
    def on_deleted(self, number: int) -> None:
        if self.pane is not None and self.view is not None and self.view.winfo_exists():
            self.pane.remove(number)

    def on_cleared(self, room: str) -> None:
        key = key_of_target(self.target)
        if (
            self.pane is not None
            and self.view is not None
            and self.view.winfo_exists()
            and key == key_of_target(f"#{room}")
        ):
            self.pane.clear(key, room)
