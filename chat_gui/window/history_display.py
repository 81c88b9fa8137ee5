"""The window's side of kept messages: replay, catch-up, scrolling up, search, jump, delete (Tk thread).

    ChatController.on_event --Received(kept frame)--> show_frame: FrameDisplay shows it, the pane learns its id
                            --HistoryPage----------> replay (muted, "new since" line), catch-up, earlier pages
                            --SearchResults--------> the search panel
                            --MessageDeleted-------> every pane of this window drops the message
                            --system history_cleared--> the room's pane drops all its messages (HistoryPane.clear)
    a private tab opened by hand --> private_opened: HISTORY @nick 50 --> its last messages, muted, "new since" line
    scrolling to the top, the header link --> HistoryLoader (history_loader.py) --> HISTORY BEFORE <oldest id>
    Ctrl+F --> SearchPanel (search_panel.py) --> SEARCH;  a result clicked --> jump to it
    right-click on one's own message (a teacher: any room message) --> "Delete message" --> DELETE <id>
        the message is the one whose `msg-<id>` marks hold the pointer (history_pane.py), never one guessed
        from its time, sender and words: two lines of one sender in one second are told apart

The panes stay whatever FrameDisplay and MessageView make them; this module
adds ids, muted kept messages and pages above (history_pane.py).  Menus
are found and extended here, so the window's layout code stays as it is.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import messagebox
from typing import Any

from chat_gui.core.conversations import key_of_target, message_id
from chat_gui.core.events import CoreEvent, HistoryPage, MessageDeleted, PageKind, SearchResults
from chat_gui.core.history_commands import AskHistory, AskSearch, around_pages
from chat_gui.core.session import ClientSession
from chat_gui.text.history_lines import when_said, where_said
from chat_gui.window.history_loader import HistoryLoader
from chat_gui.window.history_pane import HistoryPane
from chat_gui.window.main_window import ChatWindow
from chat_gui.window.message_context import MessageContext
from chat_gui.window.message_view import MessageView, badge_of
from chat_gui.window.search_panel import SearchPanel
from shared.frame_types import ServerFrame
from shared.names import name_key
from shared.reason_glue import with_reason

AskYesNo = Callable[[str, str], bool]
OPENING_PAGE = 50  # a private tab opened by hand shows this many of its last messages, as a room's replay does


def ask_yes_no(title: str, question: str) -> bool:
    return bool(messagebox.askyesno(title, question, icon="warning", default="no"))


REPLY_KEY, REPLY_KEY_WORDS = "<Control-Shift-Up>", "Ctrl+Shift+Up"


class HistoryDisplay:
    def __init__(
        self,
        window: ChatWindow,
        session: ClientSession,
        show: Callable[[ServerFrame], None],
        current_view: Callable[[], MessageView],
        ask: AskYesNo = ask_yes_no,
    ) -> None:
        self.window = window
        self.session = session
        self.show = show  # FrameDisplay.show: how a live frame is shown
        self.current_view = current_view
        self.ask = ask
        self.panes: dict[str, HistoryPane] = {}
        # A kept `file` frame becomes its card (FileSharing.show_kept); None shows its words as a line.
        self.show_file: Callable[[MessageView, Any], None] | None = None
        self.loader = HistoryLoader(self)
        self.context = MessageContext(self)  # a result too far back: shown among its neighbours, in a window
        self.search_panel = SearchPanel(
            window.tabs.master,
            on_search=self.search,
            on_pick=self.jump_to,
            on_close=self.close_search,
            on_older=self.search_older,
        )
        self._searches: dict[int, str] = {}
        # The search whose results are shown, and its last result's id: what Older results (/older) continues.
        self._shown_search: tuple[str, str | None, int] | None = None
        self._opening: dict[int, tuple[MessageView, str]] = {}  # request -> a private tab's pane and key, just opened
        self._catching_up: set[str] = set()  # targets whose "while you were away" notice is shown
        self.context_menu: tk.Menu | None = None
        self.may_delete_others: Callable[[], bool] = lambda: False  # a teacher: any room message (the controller)
        self.hides: Callable[[Any], bool] = lambda frame: False  # from someone ignored: folded (the controller)
        root = window.root
        for sequence in ("<Control-f>", "<Control-F>"):  # F: with Caps Lock on
            root.bind(sequence, lambda event: self.open_search(), add="+")  # this window's widgets only
        # Reply without the mouse: the newest message of someone else.  Not Alt+R: that opens the Rooms menu
        # (its underlined R), and Ctrl+R reconnects.
        # The entry box's own binding too: its Up (the lines typed before) would take the key first.
        for widget in (root, window.entry.text):
            widget.bind(REPLY_KEY, self._reply_key, add="+")
        self._add_menu_entry()

    # -- panes --
    def pane(self, view: MessageView) -> HistoryPane:
        pane = self.panes.get(str(view))
        if pane is None:
            for name in [name for name, kept in self.panes.items() if not kept.view.winfo_exists()]:
                del self.panes[name]  # closed tabs, room panes dropped: their panes go too
            pane = self.panes[str(view)] = HistoryPane(
                view, lambda: self.session.nick, lambda: self.loader.load(view), self.show_file_card
            )
            pane.hides = lambda frame: self.hides(frame)
            view.on_quote_click = lambda number: self.go_to_original(view, number)
            self.loader.watch(view)
            view.text.bind("<Button-3>", lambda event: self.on_right_click(view, event), add="+")
        return pane

    def target_of(self, view: MessageView) -> str | None:
        """The conversation a pane shows: "#room" for a room's pane, "@nick" for a private tab; None otherwise."""
        room_views = self.window.tabs.room_views
        for room in room_views.rooms():
            if room_views.view_for(room) is view:
                return f"#{room}"
        for tab in self.window.tabs.private.values():
            if tab.view is view:
                return f"@{tab.nick}"
        return None

    def view_for(self, target: str, open_tab: bool = False) -> MessageView | None:
        """The pane of "#room" (kept panes only) or "@nick" (its tab, opened if `open_tab`)."""
        if target.startswith("#"):
            return self.window.tabs.room_views.view_for(target[1:])
        tab = self.window.tabs.private.get(name_key(target[1:]))
        if tab is None and open_tab:
            tab = self.window.tabs.open_private(target[1:])
        return tab.view if tab is not None else None

    def _candidate_views(self, frame: Any) -> list[MessageView]:
        tabs = self.window.tabs
        if frame["type"] != "private" and frame.get("room"):
            view = tabs.room_views.view_for(frame["room"])
            return [view] if view is not None else []
        me = name_key(self.session.nick)
        other = frame.get("to", "") if name_key(str(frame.get("sender", ""))) == me else frame.get("sender", "")
        views = []
        tab = tabs.private.get(name_key(str(other)))
        if tab is not None:
            views.append(tab.view)
        if tabs.collector is not None:
            views.append(tabs.collector.view)
        return views

    def show_file_card(self, view: MessageView, frame: Any) -> None:
        if self.show_file is not None:
            self.show_file(view, frame)
        else:
            view.show_message(frame["timestamp"], frame["sender"], frame["content"], "replayed")

    # -- the core's events --
    def show_frame(self, frame: ServerFrame) -> None:
        """Show a frame as FrameDisplay does; a kept one also gets its id remembered by the pane it went to."""
        if message_id(frame) is None:
            self.show(frame)
            if frame["type"] == "system" and frame["event"] == "history_cleared":
                upto = frame.get("upto")
                self.on_cleared(
                    frame.get("room", ""), upto if isinstance(upto, int) and not isinstance(upto, bool) else None
                )
            if frame["type"] == "joined":
                view = self.view_for(f"#{frame['room']}")
                if view is not None:
                    self.pane(view).mark_joined(frame["content"])
            return
        marked = self._candidate_views(frame)
        for view in marked:
            view.text.mark_set("live-start", "end-1c")
            view.text.mark_gravity("live-start", "left")
        self.show(frame)
        for view in self._candidate_views(frame):  # a private tab may have been opened by this frame
            self.pane(view).remember(frame, "live-start" if view in marked else "1.0")

    def on_event(self, event: CoreEvent) -> None:
        if isinstance(event, HistoryPage):
            self.on_page(event)
        elif isinstance(event, SearchResults):
            self.on_search_results(event)
        elif isinstance(event, MessageDeleted):
            self.on_deleted(event.id)

    def on_page(self, page: HistoryPage) -> None:
        if page.request in self._opening:
            self._opened_page(page)
        elif page.kind is PageKind.REPLAY:
            view = self.view_for(page.target)
            if view is not None:
                self.pane(view).show_replay(list(page.frames), key_of_target(page.target), page.more)
        elif page.kind is PageKind.CATCH_UP:
            self._catch_up(page)
        elif page.kind is PageKind.ASKED:
            self._asked(page)
        elif page.kind is PageKind.AROUND:
            self.context.on_page(page)
        else:
            self.loader.on_page(page)

    # -- a private tab opened by hand --
    def private_opened(self, nick: str) -> None:
        """The user opened a private tab: its conversation's last page at once, muted, above a "new since" line.

        Only for a tab whose pane shows no message yet, once per tab; what
        arrives live meanwhile stays below the page.
        """
        tab = self.window.tabs.private.get(name_key(nick))
        if tab is None or not self.session.history.enabled:
            return
        pane = self.pane(tab.view)
        if pane.ids or pane.loading or pane.opened:
            return
        pane.opened = pane.loading = True
        pane.mark_here()
        target = f"@{tab.nick}"
        number = self.session.history.request_page(target, limit=OPENING_PAGE, kind=PageKind.EARLIER)
        self._opening[number] = (tab.view, key_of_target(target))

    def _opened_page(self, page: HistoryPage) -> None:
        view, key = self._opening.pop(page.request)
        if not view.winfo_exists():
            return
        pane = self.pane(view)
        pane.loading = False
        if page.error:
            view.show_notice(
                with_reason("Could not load the earlier messages of this conversation", page.error), "error"
            )
            return
        pane.show_replay(list(page.frames), key, page.more)

    def _catch_up(self, page: HistoryPage) -> None:
        count_now = len(page.frames) + page.following  # what was held while catching up comes right after
        view = self.view_for(page.target, open_tab=bool(count_now)) or self.window.tabs.room_view
        if page.error:
            view.show_notice(with_reason("Could not fetch everything said while you were away", page.error), "error")
        elif count_now and page.target not in self._catching_up:
            self._catching_up.add(page.target)
            count = f"{count_now}{'+' if page.more else ''}"
            view.show_notice(f"Sent while you were away ({count}):", "system")
        for frame in page.frames:
            self.show_frame(frame)  # as if it had come live: tabs open, unread counts, the bell
        if not page.more:
            self._catching_up.discard(page.target)

    def _asked(self, page: HistoryPage) -> None:
        """/history typed in the window: the page as a block where it was typed, muted."""
        view = self.view_for(page.target) if page.target else None
        view = view or self.current_view()
        if page.error:
            view.show_notice(with_reason(f"History of {page.target or 'this room'}", page.error), "error")
            return
        if not page.frames:
            view.show_notice(f"No kept messages in {page.target or 'this room'} there.", "system")
            return
        view.show_notice(f"Kept messages of {page.target}, oldest first:", "system")
        for frame in page.frames:
            if frame["type"] == "file":
                self.show_file_card(view, frame)
            else:
                view.show_message(
                    frame["timestamp"],
                    frame["sender"],
                    frame["content"],
                    "replayed",
                    badge=badge_of(frame),
                    hidden=self.hides(frame),
                )
        view.show_notice(f"(end of the {len(page.frames)} kept messages)", "system")

    # -- typed lines --
    def typed(self, asked: AskHistory | AskSearch, private_to: str | None) -> None:
        history = self.session.history
        if isinstance(asked, AskSearch):
            self.open_search(asked.words, room_only=asked.room is not None)
            self._searches[history.search(asked.words, asked.room, asked.before)] = asked.words
            return
        target = asked.target or (f"@{private_to}" if private_to else None)
        for before, after, limit in around_pages(asked):
            history.request_page(target, before, after, limit, PageKind.ASKED)

    # -- search --
    def open_search(self, words: str = "", room_only: bool = False) -> None:
        panel = self.search_panel
        if not panel.winfo_ismapped():
            panel.pack(fill="x", before=self.window.tabs)
        if words:
            panel.words.set(words)
            panel.room_only.set(room_only)
        panel.open()

    def close_search(self) -> None:
        self.search_panel.pack_forget()
        self.window.entry.focus()

    def search(self, words: str, room_only: bool) -> None:
        room = self.session.room if room_only else None
        if room_only and room is None:
            self.search_panel.say("You are in no room: untick “this room only”, or join a room.")
            return
        self._searches[self.session.history.search(words, room)] = words

    def on_search_results(self, found: SearchResults) -> None:
        words = self._searches.pop(found.request, None)
        if words is None:
            return
        self.open_search()
        if not found.error:  # a refused page (rate_limited) leaves the button asking for the same page again
            last = int(found.results[-1]["id"]) if found.more and found.results else None
            self._shown_search = (words, found.room, last) if last is not None else None
        self.search_panel.show_results(
            words,
            list(found.results),
            found.error,
            found.stopped_early,
            found.more,
            older=found.before is not None,
            by_nickname_only=found.by_nickname_only,
        )

    def search_older(self) -> None:
        """Older results (or /older): the next page of the search shown, the matches older than its last result."""
        shown = self._shown_search
        if shown is None:
            self.open_search()
            self.search_panel.say("No older results to show: search first (Ctrl+F); a search that found more says so.")
            return
        words, room, last = shown
        self._searches[self.session.history.search(words, room, last)] = words

    def jump_to(self, result: Any) -> None:
        """A search result was clicked: show the message in its pane, loading earlier pages until it is there."""
        number = result["id"]
        where = where_said(result)
        if not where:
            self.search_panel.say("That result does not say where it was said.")
            return
        room = self.session.room
        elsewhere = where.startswith("#") and (room is None or name_key(room) != name_key(where[1:]))
        view = None if elsewhere else self.view_for(where, open_tab=where.startswith("@"))
        if view is None:  # a room this window is not in: the server lets its messages be read if it may join
            self.context.open(where, number, result.get("time"))
            self.search_panel.say(
                f"That message was said in {where} ({when_said(result.get('time'))}): it is shown among the "
                f"messages around it. Join {where} to talk there."
            )
            return
        if where.startswith("@"):
            tab = self.window.tabs.private.get(name_key(where[1:]))
            if tab is not None:
                self.window.tabs.select(tab.frame)
        else:
            self.window.tabs.select(view)
        self.loader.jump(view, where, number, result.get("time"))

    # -- deleting --
    def on_deleted(self, number: int) -> None:
        for pane in self.panes.values():
            if pane.view.winfo_exists():
                pane.remove(number)
                pane.view.quote_deleted(number)  # the answers quoting it lose its words
        self.context.on_deleted(number)
        self.search_panel.forget_result(number)

    def on_unsaved(self, target: str, count: int) -> None:
        """Messages shown here that the server lost in a crash (not deleted): they stay, and the pane says so."""
        view = self.view_for(target) or self.window.tabs.room_view
        which = "1 message shown above was" if count == 1 else f"{count} messages shown above were"
        view.show_notice(
            f"{which} not saved: the server stopped unexpectedly before writing them, so its history "
            "(and anyone who joins later) does not have them.",
            "system",
        )

    def on_cleared(self, room: str, upto: int | None = None) -> None:
        """An admin cleared `room`'s history (up to message `upto`; None: all of it): its pane drops those messages,
        and the search results drop the room's."""
        view = self.view_for(f"#{room}") if room else None
        if view is not None:
            for number in self.pane(view).clear(key_of_target(f"#{room}"), room, upto):
                self.search_panel.forget_result(number)
        self.context.on_cleared(room)
        self.search_panel.forget_room(room)

    def on_right_click(self, view: MessageView, event: tk.Event) -> None:
        menu = self.menu_at(view, event.x, event.y)
        if menu is not None:
            menu.tk_popup(event.x_root, event.y_root)

    def menu_at(self, view: MessageView, x: int, y: int) -> tk.Menu | None:
        """The right-click menu for the message at x, y: "Reply" on any message of a conversation; "Delete
        message" on one's own (a teacher's: on any room message, as the server allows); None elsewhere."""
        pane = self.pane(view)
        number = pane.id_at(x, y)
        if number is None:
            return None
        own = number in pane.own
        deletable = own or (self.may_delete_others() and pane.ids.get(number, "").startswith("#"))
        answerable = self.target_of(view) is not None  # the "✉ more" tab is no conversation to answer in
        if not deletable and not answerable:
            return None
        sender, words = pane.said(number)
        if self.context_menu is not None:
            self.context_menu.destroy()
        self.context_menu = menu = tk.Menu(view, tearoff=False)
        if answerable:
            menu.add_command(label="Reply", accelerator=REPLY_KEY_WORDS, command=lambda: self.reply_to(view, number))
        if deletable:
            shown_sender, shown_words = ("", "") if own else (sender, words)
            menu.add_command(label="Delete message", command=lambda: self.delete(number, shown_sender, shown_words))
        return menu

    # -- answering one message (REPLY) --
    def _reply_key(self, event: tk.Event) -> str:
        self.reply_to(self.current_view())
        return "break"

    def reply_to(self, view: MessageView, number: int | None = None) -> None:
        """Answer message `number` of `view` with the next line typed (None: the newest of someone else's)."""
        pane = self.pane(view)
        if number is None:
            others = [shown for shown in reversed(pane.ids) if shown not in pane.own and pane.has(shown)]
            if not others or self.target_of(view) is None:
                view.show_notice("No message here to reply to: right-click a message and choose Reply.", "error")
                return
            number = others[0]
        sender, words = pane.said(number)
        self.window.reply_bar.start(view, number, sender, words)
        self.window.entry.focus()

    def go_to_original(self, view: MessageView, number: int) -> None:
        """A click on an answer's quote: the original flashes in this pane, earlier pages loaded if need be."""
        target = self.target_of(view)
        if target is None:
            self.pane(view).see(number)
            return
        self.loader.jump(view, target, number)

    def delete_newest_own(self, view: MessageView) -> None:
        """/delete last: the newest of the user's messages shown in this pane, after the same question as a right-click."""
        own = self.pane(view).own
        if not own:
            view.show_notice("No message of yours is shown here to delete.", "error")
            return
        self.delete(max(own))

    def delete(self, number: int, sender: str = "", words: str = "") -> None:
        """Delete message `number` after asking; `sender` and `words` name someone else's message in the question."""
        whose = f"{sender}'s message “{words}”" if sender else "this message"
        if self.ask("Delete message?", f"Delete {whose} for everyone? It cannot be brought back."):
            self.session.history.delete(number)

    def _add_menu_entry(self) -> None:
        """Chat > Search messages… (Ctrl+F), added to the menu the window built."""
        root = self.window.root
        try:
            menubar = root.nametowidget(root.cget("menu"))
            chat = root.nametowidget(menubar.entrycget(0, "menu"))
        except (KeyError, tk.TclError):
            return
        chat.insert_command(2, label="Search messages…", accelerator="Ctrl+F", command=self.open_search)
