"""What the window does: the client core's events become widget calls, typed lines and clicks become commands (Tk thread).

    ClientSession --StateChanged--> ChatController.on_state --> status bar, notices, ConnectFlow (connect_flow.py)
                  --Received-----> HistoryDisplay.show_frame --> FileSharing.take or FrameDisplay.show --> widgets
                  --HistoryPage, SearchResults, MessageDeleted--> HistoryDisplay (chat_gui/window/history_display.py)
                  --LineSent-----> LineSending: the "waiting to send" marker goes away
    widgets --WindowActions (submit, join, private, reconnect, ...)--> ChatController
    typed lines --> LineSending (line_sending.py) --send--> ClientSession
    every change --> Standing.refresh (chat_gui/window/standing.py) --> status bar and title composed afresh

The session runs on Tk's event loop through TkScheduler.  The window never
polls the server: the rooms list follows the server's `rooms` push, and
LIST goes out only when the user asks (/list, F5).
"""

from __future__ import annotations

import tkinter as tk
from tkinter import messagebox

from chat_gui.core.events import (
    CoreEvent,
    HistoryPage,
    LineSent,
    LinesNotDelivered,
    MessageDeleted,
    MessagesGone,
    Problem,
    Received,
    SearchResults,
    SecretHeld,
    State,
    StateChanged,
)
from chat_gui.core.ignored_names import IgnoredNames
from chat_gui.core.partners import Partners
from chat_gui.core.session import ClientSession
from chat_gui.core.typed_lines import help_text
from chat_gui.core.unread import UnreadCounts
from chat_gui.settings import ClientSettings, save_changes
from chat_gui.text.help_table import help_rows
from chat_gui.window.attach import choose_file
from chat_gui.window.connect_dialog import ConnectDialog
from chat_gui.window.connect_flow import ConnectFlow
from chat_gui.window.embedded_server import EmbeddedServer
from chat_gui.window.file_sharing import FileSharing
from chat_gui.window.frame_display import FrameDisplay
from chat_gui.window.history_display import HistoryDisplay
from chat_gui.window.identity_flow import IdentityFlow
from chat_gui.window.line_sending import LineSending
from chat_gui.window.main_window import ChatWindow, WindowActions
from chat_gui.window.mention_alerts import MentionAlerts
from chat_gui.window.message_view import MessageView
from chat_gui.window.security_shown import SecurityShown
from chat_gui.window.standing import Standing
from chat_gui.window.teacher_menu import Questions, tk_questions
from chat_gui.window.text_size import TextSize, next_size
from chat_gui.window.tk_scheduler import TkScheduler
from chat_gui.window.window_look import WindowLook
from chat_gui.window.window_presence import WindowPresence
from shared.frame_types import ServerFrame
from shared.names import name_key
from shared.version import PRODUCT_NAME, __version__

RECONNECT_LABEL = "Reconnect now"


class ChatController:
    def __init__(
        self, root: tk.Tk | tk.Toplevel, settings: ClientSettings, save: bool = True, questions: Questions | None = None
    ) -> None:
        self.root = root
        self.settings = settings
        self.save = save  # tests and benchmarks leave the user's settings file alone
        self.mention_alerts = MentionAlerts(root)
        # before the window is built, so that it opens at the remembered text size
        self.text_size = TextSize(
            root, settings, self._save_text_size, restyle=self._restyle, windows=lambda: [self.root]
        )
        self.window = ChatWindow(
            root,
            WindowActions(
                submit=self.on_submit,
                join=self.join_room,
                private=self.open_private,
                connect=self.show_connect_dialog,
                reconnect=self.reconnect_now,
                disconnect=self.disconnect,
                join_dialog=self.ask_join,
                leave=lambda: self.send_typed("/leave"),
                who=self.ask_who,
                help=self.show_help,
                about=self.show_about,
                quit=self.quit,
                tab_changed=self._update_title,
                nicknames=self.known_nicknames,
                presence_shown=self.set_presence_shown,
                theme=lambda choice: self.look.set_theme(choice),
                text_size=self.set_text_size,
                text_step=lambda step: self.set_text_size(next_size(self.text_size.size, step)),
                emoji=lambda: self.look.open_picker(),
                details=self.show_connection_details,
                attach=self.attach_file,
            ),
        )
        self.look = WindowLook(root, self.window, settings, self._save_theme)
        self.window.text_size_choice.set(self.text_size.size)
        self.session = ClientSession(TkScheduler(root), self.on_event)
        self.partners = Partners(keep=lambda key: key in self.window.tabs.private)
        self.frames = FrameDisplay(
            self.window, self.session, self.partners, self.current_view, self._count_unread, self._update_title
        )
        self.files = FileSharing(root, self.window, self.session)
        self.history = HistoryDisplay(self.window, self.session, self._show_frame, self.current_view)
        self.history.show_file = self.files.show_kept  # kept files get their cards too
        self.files.count_unread = self._count_unread  # a file shared while the window is in the background counts
        self.history.may_delete_others = lambda: self.session.sign_in.is_teacher  # Delete on anyone's room message
        self.questions = questions or tk_questions(root)  # tests give their own answers
        # join code, login, roles, topics, room keys, moderation menus
        self.identity = IdentityFlow(self, self.questions)
        self.embedded = EmbeddedServer()
        self.standing = Standing(
            self.window,
            self.session,
            self.frames,
            lambda: self.embedded.addresses() if self.embedded.running else [],
            lambda reason: self.lines.fail_pending(reason),
            (RECONNECT_LABEL, self.reconnect_now),
        )
        self.frames.on_muted = lambda muted: self._update_title()
        self.presence = WindowPresence(root, self.window, self.session)  # dots, typing line, automatic away
        self.presence.muted = lambda: self.frames.muted
        self.ignored = IgnoredNames()  # whose mentions do not alert (chat_gui/core/ignored_names.py)
        self.frames.mentioned = lambda frame: (
            not self.ignored.ignores(frame["sender"])
            and self.mention_alerts.check(frame, self.session.nick, self.focused)
        )
        self.frames.hides = self.history.hides = self.files.hides = self.ignored.hides  # their room lines fold
        self.frames.drop_empty_tab = self._drop_empty_tab
        self.connect_flow = ConnectFlow(self)  # the Connect dialog: connect, start a server, what went wrong
        self.lines = LineSending(self)  # typed lines: what they mean, sending, lines waiting to be sent
        self.security = SecurityShown(self)  # the padlock, Connection details, the changed-key warning
        self.standing.title_note = self.security.title_note
        self.focused = True
        self.counts = UnreadCounts()  # the title's unread and mention counts (chat_gui/core/unread.py)
        if not settings.show_joins:
            self.window.show_presence.set(False)
            self.window.tabs.set_presence_shown(False)
        self._lost_notice_shown = False
        self._was_behind = False  # the status bar says "catching up…"
        self.was_connected = False  # once chatting, cancelling the dialog keeps the window open
        root.bind("<FocusIn>", lambda event: self.set_focused(True), add="+")
        root.bind("<FocusOut>", lambda event: self.root.after_idle(self._check_focus), add="+")
        self._update_title()

    @property
    def room_view(self) -> MessageView:
        return self.window.tabs.room_view

    # -- starting and stopping --
    def start(self, host: str, port: int, nick: str, room: str | None) -> None:
        self.frames.set_muted(False)  # a new connection: what a server said of the last one no longer holds
        self.session.start(host, port, nick, room)

    def show_connect_dialog(self) -> None:
        self.connect_flow.show()

    @property
    def dialog(self) -> ConnectDialog | None:
        return self.connect_flow.dialog

    def _close_dialog(self) -> None:
        self.connect_flow.close()

    def disconnect(self) -> None:
        self.standing.hanging_up = self.session.state is not State.OFFLINE
        self.session.disconnect()

    def reconnect_now(self) -> None:
        if not self.session.reconnect_now():
            state = self.session.state
            if not self.session.host:
                self.show_connect_dialog()
            elif state is not State.READY:
                self.window.show_status(f"Already connecting to {self.session.host}:{self.session.port}…")

    def quit(self, command: str = "QUIT") -> None:
        waiting = len(self.session.pending)
        if waiting and not messagebox.askyesno(
            "Quit ClassChat?",
            f"{waiting} line{'s' if waiting != 1 else ''} you typed could not be sent yet and "
            f"will be lost. Quit anyway?",
            parent=self.root,
            icon="warning",
            default="no",
        ):
            return
        self.shutdown(command)
        self.root.destroy()

    def quit_soon(self) -> None:
        """For a SIGTERM handler: close as Quit does, without a question, on the Tk thread's next turn.

        The handler runs on the main thread between two Tk callbacks; `after`
        puts the close among them, so an in-app server stops cleanly (its
        database closed) instead of the process just ending.
        """
        self.root.after(0, self._quit_now)

    def _quit_now(self) -> None:
        try:
            self.root.winfo_exists()
        except tk.TclError:  # already closed
            return
        self.shutdown()
        self.root.destroy()

    def shutdown(self, command: str = "QUIT") -> None:
        """Say goodbye, stop the session and its timers, stop an embedded server; the widgets stay."""
        self.session.send_now(command)
        self.session.close()
        self.presence.close()
        self.mention_alerts.close()
        self.files.shutdown()
        self._close_dialog()
        self.embedded.stop()

    # -- the client core's events --
    def on_event(self, event: CoreEvent) -> None:
        if isinstance(event, Received):
            before = self.ignored.keys()
            self.ignored.on_frame(event.frame)
            if event.frame["type"] == "system":  # the list, or a rename: "(ignored)" in People here
                now = self.ignored.keys()
                self.window.users.set_ignored(now)
                if event.frame["event"] == "ignoring":  # lines shown already fold, or unfold after /unignore
                    for view in self.window.tabs.room_views.views():
                        view.refold(now, now - before)
            self.history.show_frame(event.frame)  # _show_frame, and the pane learns the message's id
            behind = self.session.behind() or self.session.reader_gone()
            if behind != self._was_behind:  # "catching up…" in the status bar while far behind, and gone after
                self._was_behind = behind
                self._update_title()
            self.presence.on_frame(event.frame["type"])
            self.identity.on_frame(event.frame)
            self.security.after_frame()
        elif isinstance(event, (HistoryPage, SearchResults, MessageDeleted)):
            self.history.on_event(event)
            if isinstance(event, MessageDeleted):
                self.files.message_deleted(event.id)
                self._uncount(event.id)
        elif isinstance(event, MessagesGone) and event.unsaved:  # lost in a crash: said, and left where they are
            self.history.on_unsaved(event.target, len(event.ids))
        elif isinstance(event, MessagesGone):  # deleted or cleared while this window was elsewhere
            for number in event.ids:
                self.history.on_deleted(number)
                self.files.message_deleted(number)
                self._uncount(number)
        elif isinstance(event, StateChanged):
            self.on_state(event)
            self.presence.refresh()
        elif isinstance(event, LineSent):
            self.lines.line_sent(event)
        elif isinstance(event, LinesNotDelivered):
            self.lines.not_delivered(event)
        elif isinstance(event, SecretHeld):
            self.security.ask_plain_secret(event)

    def on_state(self, event: StateChanged) -> None:
        self.standing.on_state(event, dialog_open=self.dialog is not None)
        self.frames.tell_partners(self.partners.follow(event.state))  # a lost connection shuts private tabs
        self.security.follow(event.state)
        self.window.rooms.set_connected(event.state is State.READY)
        if event.state is State.READY:
            self._on_ready(event.detail)
        elif event.state is State.RECONNECTING and not self._lost_notice_shown:
            self._lost_notice_shown = True
            self.room_view.show_notice(
                "Connection lost. Reconnecting by itself; lines you type meanwhile are kept and sent once the "
                "connection is back.",
                "error",
                action=(RECONNECT_LABEL, self.reconnect_now),
            )
        elif event.state is State.REMOVED:
            self.identity.on_removed()  # Standing said it (banner, title, status); the dialog says a ban once
            if self.dialog is not None:
                self.dialog.show_error(event.detail, "host")  # a ban at Connect: said in the dialog, once
        elif event.problem is Problem.BROKE_PROTOCOL:
            self.room_view.show_notice(event.detail, "error", action=(RECONNECT_LABEL, self.reconnect_now))
        elif event.problem is Problem.KEY_CHANGED:
            self.security.warn()
        elif event.problem is not None:
            self.connect_flow.show_problem(event)
        self._update_title()

    def _on_ready(self, detail: str) -> None:
        session = self.session
        if self._lost_notice_shown:
            self.room_view.show_notice(detail, "system")
        self._lost_notice_shown = False
        self.was_connected = True
        self._close_dialog()
        self.security.on_ready()
        if self.save:
            save_changes(  # every other setting (show_joins, theme, ...) stays as the file has it
                host="localhost" if self.embedded.running else session.host,
                port=session.port,
                nick=session.nick,
                room=session.room or self.settings.room,
                log_in=self.identity.logged_in(),
            )

    # -- typed lines and clicks --
    def on_submit(self, line: str) -> bool:
        """The entry box's Enter; False leaves the line in the box (it could not be sent as it is)."""
        return self.send_typed(line)

    def send_typed(self, line: str, from_dialog: bool = False) -> bool:
        return self.lines.send_typed(line, from_dialog)

    def _show_frame(self, frame: ServerFrame) -> None:
        """A live frame: file frames and the answers to UPLOAD/DOWNLOAD are file_sharing.py's, the rest FrameDisplay's."""
        if not self.files.take(dict(frame)):
            self.frames.show(frame)

    # -- files (file_sharing.py does the work) --
    def attach_file(self) -> None:
        path = choose_file(self.root)
        if path is not None:
            self.files.send_file(path, self.window.tabs.current_private())

    def join_room(self, room: str) -> None:
        if self.identity.join_room(room):
            return  # a locked room: the key dialog joins once the key is typed
        if self.session.room is None or name_key(room) != name_key(self.session.room):
            self.send_typed(f"/join {room}")
        self.window.tabs.select(self.room_view)
        self.window.entry.focus()

    def open_private(self, nick: str) -> None:
        partner, was_shut = self.partners.open(nick)
        tab = self.window.tabs.open_private(nick)
        self.history.private_opened(nick)  # a new tab shows the conversation's last messages at once
        self.window.tabs.set_shut(nick, False)
        if was_shut:
            tab.view.show_notice(f"What you type here goes to whoever is called {nick} now.", "system")
        self.window.entry.focus()

    def _drop_empty_tab(self, nick: str) -> None:
        """A /pm to nobody of that name opened this tab: it goes unless it shows a conversation (kept messages,
        or one that came meanwhile) or the user went to it."""
        tab = self.window.tabs.private.get(name_key(nick))
        if tab is None or tab is self.window.tabs.current_tab() or self.history.pane(tab.view).ids:
            return
        self.window.tabs.close_private(nick)

    def ask_join(self) -> None:
        room = self.window.rooms.ask_room_name("Join room", "Room to join (it is created if nobody is there):")
        if room is not None:
            self.join_room(room)

    def ask_who(self) -> None:
        self.send_typed("/list")

    def show_help(self) -> None:
        self.current_view().show_table(help_rows(help_text(window=True)))

    def set_text_size(self, size: int) -> None:
        """View > Text size, Ctrl++, Ctrl+-, Ctrl+0: every font of the window, at once, remembered."""
        before = self.text_size.size
        self.window.text_size_choice.set(self.text_size.set(size))
        if self.text_size.size != before:
            self.window.rescale_side(self.text_size.size / before)

    def _restyle(self) -> None:
        """What is measured from the fonts, measured again (the theme re-applied; the entry box's height)."""
        self.look.set_theme(self.settings.theme)
        self.window.entry.fit_height()

    def _save_text_size(self) -> None:
        if self.save:
            save_changes(text_size=self.settings.text_size)

    def _save_theme(self) -> None:
        if self.save:
            save_changes(theme=self.settings.theme)

    def set_presence_shown(self, shown: bool) -> None:
        """View > Show joins and leaves: every room's pane, and remembered for next time."""
        self.window.tabs.set_presence_shown(shown)
        self.settings.show_joins = shown
        if self.save:
            save_changes(show_joins=shown)

    def show_connection_details(self) -> None:
        self.security.show_details()

    def show_about(self) -> None:
        messagebox.showinfo(
            f"About {PRODUCT_NAME}", f"{PRODUCT_NAME} {__version__}\nA chat for a classroom.", parent=self.root
        )

    def current_view(self) -> MessageView:
        tab = self.window.tabs.current_tab()
        return tab.view if tab is not None else self.room_view

    def known_nicknames(self) -> list[str]:
        return self.session.roster.known()

    # -- unread count in the title --
    def set_focused(self, focused: bool) -> None:
        self.focused = focused
        if focused:
            self.counts.seen()
        self._update_title()

    def _check_focus(self) -> None:
        try:
            has_focus = self.root.focus_get() is not None
        except (KeyError, tk.TclError):
            has_focus = False
        self.set_focused(has_focus)

    def _count_unread(self, message_id: int | None = None, mention: bool = False) -> None:
        if not self.focused:
            self.counts.count(message_id, mention)
            self._update_title()

    def _uncount(self, message_id: int) -> None:
        """A deleted message no longer waits to be read (found by a probe: the title kept "(5, @5)"), nor on its tab."""
        self.window.tabs.deleted(message_id)
        if self.counts.deleted(message_id):
            self._update_title()

    def _update_title(self) -> None:
        self.window.mentions = self.counts.mentions
        self.standing.refresh(self.counts.unread)
