"""Earlier messages on demand: scrolling to the top of a pane loads the page before its oldest message; jumps (Tk thread).

    the user scrolls up (wheel, scrollbar, PageUp, Home) and the pane is at its top
        -> HISTORY <target> BEFORE <oldest id> 50 -> HistoryPage(EARLIER) -> HistoryPane.prepend: above, view kept
    a search result is clicked (jump)
        -> in the pane already: scroll there and flash it
        -> older than the pane: load earlier pages until it is there (at most MAX_JUMP_PAGES, and while
           the pane has room), then scroll there; further back: show it among its neighbours in a window
           of its own (message_context.py)

Loading starts only after the user scrolled, never because a pane happened
to be at its top while it filled, and at most one page per pane is asked
for at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from tkinter import ttk
from typing import TYPE_CHECKING

from chat_gui.core.conversations import key_of_target
from chat_gui.core.events import HistoryPage, PageKind
from chat_gui.window.message_view import MessageView
from shared.reason_glue import with_reason

if TYPE_CHECKING:
    from chat_gui.window.history_display import HistoryDisplay

EARLIER_PAGE = 50
# Pages a jump loads into the pane before it shows the message in a window of its own instead: 40 pages took
# 12 s on a busy room's history and still fell short of last week (the fifteenth review); 4 take about a second.
MAX_JUMP_PAGES = 4
ROOM_FOR_PAGES = 0.8  # a jump stops loading once the pane holds this share of its line limit
SCROLL_KEYS = ("<Prior>", "<Home>", "<Up>", "<Control-Home>")


@dataclass
class Jump:
    view: MessageView
    key: str
    number: int
    said_at: object = None  # the message's `time`, for the title of the window that may show it
    pages: int = 0


class HistoryLoader:
    def __init__(self, display: HistoryDisplay) -> None:
        self.display = display
        self.requests: dict[int, tuple[MessageView, str]] = {}  # request number -> (pane's view, conversation key)
        self.jumping: Jump | None = None

    def watch(self, view: MessageView) -> None:
        """Load earlier messages when the user scrolls this pane to its top."""
        text = view.text
        check = lambda event=None: view.after_idle(lambda: self.at_top(view))  # noqa: E731  # once the scroll is done
        for sequence in ("<Button-4>", "<MouseWheel>", *SCROLL_KEYS):
            text.bind(sequence, check, add="+")
        for child in view.winfo_children():
            if isinstance(child, ttk.Scrollbar):
                child.bind("<ButtonRelease-1>", check, add="+")
                child.bind("<B1-Motion>", check, add="+")

    def at_top(self, view: MessageView) -> None:
        if view.winfo_exists() and view.text.yview()[0] <= 0.0:
            self.load(view)

    def load(self, view: MessageView) -> bool:
        """Ask for the page before the pane's oldest message; False when nothing was asked (busy, none left)."""
        display = self.display
        target = display.target_of(view)
        if target is None or not display.session.history.enabled:
            return False
        key = key_of_target(target)
        pane = display.pane(view)
        if pane.loading or pane.more_before.get(key) is False:
            return False
        oldest = pane.oldest(key)
        number = display.session.history.request_page(target, before=oldest, limit=EARLIER_PAGE, kind=PageKind.EARLIER)
        self.requests[number] = (view, key)
        pane.loading = True
        pane.set_header(key, loading=True)
        return True

    def on_page(self, page: HistoryPage) -> None:
        asked = self.requests.pop(page.request, None)
        if asked is None:
            return
        view, key = asked
        if not view.winfo_exists():
            return
        pane = self.display.pane(view)
        pane.loading = False
        if page.error:
            pane.set_header(key)
            self.display.window.show_status(with_reason("Could not load earlier messages", page.error))
            self._jump_failed(view, with_reason("Could not load earlier messages", page.error))
            return
        pane.prepend(list(page.frames), key, page.more)
        self._go_on_jumping(view)

    # -- jumping to a message --
    def jump(self, view: MessageView, target: str, number: int, said_at: object = None) -> None:
        pane = self.display.pane(view)
        if pane.see(number):
            self.jumping = None
            return
        key = key_of_target(target)
        oldest = pane.oldest(key)
        if oldest is not None and number > oldest:
            self.display.search_panel.say("That message is not in this conversation any more (deleted?).")
            return
        self.jumping = Jump(view, key, number, said_at)
        self.display.search_panel.say("Loading earlier messages to find it…")
        if not pane.loading and not self.load(view):
            self._jump_failed(view, "That message is older than the kept messages that can be loaded.")

    def _go_on_jumping(self, view: MessageView) -> None:
        jump = self.jumping
        if jump is None or jump.view is not view:
            return
        pane = self.display.pane(view)
        jump.pages += 1
        if pane.see(jump.number):
            self.jumping = None
            self.display.search_panel.say("Found it: it is flashing in the conversation.")
            return
        roomy = view.line_count() < view.max_lines * ROOM_FOR_PAGES
        if pane.more_before.get(jump.key) and jump.pages < MAX_JUMP_PAGES and roomy and self.load(view):
            return
        if not pane.more_before.get(jump.key):
            self._jump_failed(view, "That message is no longer kept (deleted, or older than the server keeps).")
            return
        self.jumping = None
        target = self.display.target_of(view)
        if target is None:  # a pane of no one conversation: nothing to ask the server around the message
            self.display.search_panel.say("That message is too far back to load here; its text is in the result.")
            return
        self.display.context.open(target, jump.number, jump.said_at)
        self.display.search_panel.say("That message is further back: it is shown among the messages around it.")

    def _jump_failed(self, view: MessageView, why: str) -> None:
        if self.jumping is not None and self.jumping.view is view:
            self.jumping = None
            self.display.search_panel.say(why)
