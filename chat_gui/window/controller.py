"""What the window does: the client core's events become widget calls, typed lines and clicks become commands (Tk thread).

    ClientSession --StateChanged--> ChatController.on_state --> status bar, notices, the Connect dialog
                  --Received-----> FrameDisplay.show (chat_gui/window/frame_display.py) --> widgets' intent methods
                  --HistoryPage, SearchResults, MessageDeleted--> HistoryDisplay (chat_gui/window/history_display.py)
                  --LineSent-----> the "waiting to send" marker goes away
    widgets --WindowActions (submit, join, private, reconnect, ...)--> ChatController --send--> ClientSession
    every change --> Standing.refresh (chat_gui/window/standing.py) --> status bar and title composed afresh

The session runs on Tk's event loop through TkScheduler.  The window never
polls the server: the rooms list follows the server's `rooms` push, and
LIST goes out only when the user asks (/list, F5).
"""

from __future__ import annotations

import tkinter as tk
from dataclasses import replace
from pathlib import Path
from tkinter import messagebox

from chat_gui.core.events import (
    CoreEvent,
    HistoryPage,
    LineSent,
    MessageDeleted,
    Problem,
    Received,
    SearchResults,
    State,
    StateChanged,
)
from chat_gui.core.history_commands import AskHistory, AskSearch
from chat_gui.core.partners import Partners
from chat_gui.core.sending import NotSent, Waiting
from chat_gui.core.session import ClientSession
from chat_gui.core.typed_lines import (
    GetFile,
    Login,
    OpenPrivate,
    Quit,
    Reconnect,
    Refuse,
    Register,
    Send,
    SendFile,
    ShowHelp,
    help_text,
    interpret,
)
from chat_gui.settings import ClientSettings, save_settings
from chat_gui.text.help_table import help_rows
from chat_gui.window.attach import choose_file
from chat_gui.window.connect_dialog import LOCAL_HOSTS, ConnectDialog
from chat_gui.window.embedded_server import EmbeddedServer, PortTaken
from chat_gui.window.file_sharing import FileSharing
from chat_gui.window.frame_display import FrameDisplay
from chat_gui.window.history_display import HistoryDisplay
from chat_gui.window.identity_flow import IdentityFlow
from chat_gui.window.main_window import ChatWindow, WindowActions
from chat_gui.window.mention_alerts import MentionAlerts
from chat_gui.window.message_view import MessageView
from chat_gui.window.security_shown import SecurityShown
from chat_gui.window.standing import Standing
from chat_gui.window.teacher_menu import Questions
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
                emoji=lambda: self.look.open_picker(),
                details=self.show_connection_details,
                attach=self.attach_file,
            ),
        )
        self.look = WindowLook(root, self.window, settings, self._save_settings)
        self.session = ClientSession(TkScheduler(root), self.on_event)
        self.partners = Partners()
        self.frames = FrameDisplay(
            self.window, self.session, self.partners, self.current_view, self._count_unread, self._update_title
        )
        self.files = FileSharing(root, self.window, self.session)
        self.history = HistoryDisplay(self.window, self.session, self._show_frame, self.current_view)
        self.history.show_file = self.files.show_kept  # kept files get their cards too
        self.identity = IdentityFlow(self, questions)  # join code, login, roles, topics, room keys, moderation menus
        self.embedded = EmbeddedServer()
        self.standing = Standing(
            self.window,
            self.session,
            self.frames,
            lambda: self.embedded.addresses() if self.embedded.running else [],
            self._fail_pending,
            (RECONNECT_LABEL, self.reconnect_now),
        )
        self.frames.on_muted = lambda muted: self._update_title()
        self.presence = WindowPresence(root, self.window, self.session)  # dots, typing line, automatic away
        self.frames.mentioned = lambda frame: self.mention_alerts.check(frame, self.session.nick, self.focused)
        self.dialog: ConnectDialog | None = None
        self.security = SecurityShown(self)  # the padlock, Connection details, the changed-key warning
        self.standing.title_note = self.security.title_note
        self.focused = True
        self.unread = 0
        self._pending_views: dict[int, MessageView] = {}
        self._pending_chat: dict[int, str] = {}  # token -> the text of a waiting chat line (SAY, MSG, PM)
        if not settings.show_joins:
            self.window.show_presence.set(False)
            self.window.tabs.set_presence_shown(False)
        self._lost_notice_shown = False
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
        if self.dialog is not None:
            self.dialog.lift()
            return
        self.dialog = ConnectDialog(
            self.root,
            self.settings,
            on_connect=self._dialog_connect,
            on_start_server=self._dialog_start_server,
            on_cancel=self._dialog_cancel,
            cancel_text="Cancel" if self.was_connected else "Quit",
        )

    def _dialog_connect(self, host: str, port: int, nick: str) -> None:
        assert self.dialog is not None
        self.identity.apply_choice(self.dialog, host, port, nick)
        self.start(host, port, nick, self.session.room or self.settings.room)

    def _dialog_start_server(self, port: int, nick: str) -> None:
        assert self.dialog is not None
        if not self.embedded.running:
            try:
                port = self.embedded.start(port)
            except PortTaken as exc:
                self.dialog.show_error(str(exc), "port")
                return
            except OSError as exc:
                self.dialog.show_error(f"Could not start a server on port {port}: {exc.strerror or exc}.", "port")
                return
            self.room_view.show_notice(
                f"This computer now runs the chat server. Classmates on the same network join with address and "
                f"port: {', '.join(self.embedded.addresses())}. Closing this window stops the server.",
                "system",
            )
        self.dialog.port_var.set(str(port))
        self.identity.apply_choice(self.dialog, "127.0.0.1", port, nick)
        self.start("127.0.0.1", port, nick, self.settings.room)

    def _dialog_cancel(self) -> None:
        if self.was_connected:
            self._close_dialog()
        else:
            self.quit()

    def _close_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.destroy()
            self.dialog = None
            self.window.entry.focus()

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
            self.history.show_frame(event.frame)  # _show_frame, and the pane learns the message's id
            self.presence.on_frame(event.frame["type"])
            self.identity.on_frame(event.frame)
            self.security.after_frame()
        elif isinstance(event, (HistoryPage, SearchResults, MessageDeleted)):
            self.history.on_event(event)
            if isinstance(event, MessageDeleted):
                self.files.message_deleted(event.id)
        elif isinstance(event, StateChanged):
            self.on_state(event)
            self.presence.refresh()
        elif isinstance(event, LineSent):
            view = self._pending_views.pop(event.token, None)
            text = self._pending_chat.pop(event.token, None)
            if view is not None and view.winfo_exists():
                view.resolve_pending(event.token)
                if text is not None:
                    self.frames.outgoing.sent(text, view)

    def on_state(self, event: StateChanged) -> None:
        self.standing.on_state(event, dialog_open=self.dialog is not None)
        self.security.follow(event.state)
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
            self._show_problem(event)
        self._update_title()

    def _show_problem(self, event: StateChanged) -> None:
        """Connecting or registering did not work: the Connect dialog says what to fix."""
        if event.state is State.REGISTERING:
            self.session.disconnect()  # the dialog's Connect starts afresh with the nickname it asks for
        dialog = self.dialog
        if dialog is None:  # the dialog opens in front and says it: one refusal, one message
            self.show_connect_dialog()
            dialog = self.dialog
        assert dialog is not None
        if self.identity.show_problem(event, dialog):
            return
        local = self.session.host in LOCAL_HOSTS and not self.embedded.running
        if event.problem is Problem.REFUSED and local:
            dialog.show_error(
                f"No chat server answers on this computer (port {self.session.port}). "
                f"Start one here, and others on your network can join you.",
                "host",
                offer_server=True,
            )
        elif event.problem is Problem.NOT_CHAT_SERVER:
            dialog.show_error(event.detail, "port", offer_server=local)
        elif event.problem in (Problem.NICK_TAKEN, Problem.BAD_NICK):
            dialog.show_error(event.detail, "nick")
        else:
            dialog.show_error(event.detail, "host")

    def _on_ready(self, detail: str) -> None:
        session = self.session
        if self._lost_notice_shown:
            self.room_view.show_notice(detail, "system")
        self._lost_notice_shown = False
        self.was_connected = True
        self._close_dialog()
        self.security.on_ready()
        if self.save:
            save_settings(  # replace(): every other setting (show_joins, theme, ...) is kept as it is
                replace(
                    self.settings,
                    host="localhost" if self.embedded.running else session.host,
                    port=session.port,
                    nick=session.nick,
                    room=session.room or self.settings.room,
                    log_in=self.identity.logged_in(),
                )
            )

    # -- typed lines and clicks --
    def on_submit(self, line: str) -> bool:
        """The entry box's Enter; False leaves the line in the box (it could not be sent as it is)."""
        return self.send_typed(line)

    def send_typed(self, line: str) -> bool:
        tab = self.window.tabs.current_tab()
        view = self.current_view()
        private_to = tab.nick if tab is not None and tab.nick else None
        typed_command = line.lstrip().startswith("/") and not line.lstrip().startswith("//")
        if tab is not None and not tab.nick and not typed_command:
            view.show_notice("This tab only collects messages. Answer one person with /pm NICK TEXT.", "error")
            return False
        typed = interpret(line, private_to, self.session.roster.is_online, window=True)
        if isinstance(typed, Send):
            return self._send(typed, view, private_to, typed_command)
        if isinstance(typed, Refuse):
            view.show_notice(typed.text, "error")
            return False
        if isinstance(typed, (Login, Register)):
            return self.identity.typed(typed)
        if isinstance(typed, OpenPrivate):
            self.open_private(typed.nick)
        elif isinstance(typed, ShowHelp):
            self.show_help()
        elif isinstance(typed, Quit):
            self.quit(typed.command)
        elif isinstance(typed, Reconnect):
            self.reconnect_now()
        elif isinstance(typed, (AskHistory, AskSearch)):
            self.history.typed(typed, private_to)
        elif isinstance(typed, SendFile):
            return self._send_file(typed, private_to, view)
        elif isinstance(typed, GetFile):
            self.files.get(typed.file_id, Path(typed.folder).expanduser() if typed.folder else None)
        return True

    def _show_frame(self, frame: ServerFrame) -> None:
        """A live frame: file frames and the answers to UPLOAD/DOWNLOAD are file_sharing.py's, the rest FrameDisplay's."""
        if not self.files.take(dict(frame)):
            self.frames.show(frame)

    # -- files (file_sharing.py does the work) --
    def attach_file(self) -> None:
        path = choose_file(self.root)
        if path is not None:
            self.files.send_file(path, self.window.tabs.current_private())

    def _send_file(self, typed: SendFile, private_to: str | None, view: MessageView) -> bool:
        path = Path(typed.path).expanduser()
        if not path.is_file():
            view.show_notice(f"No such file: {path}. Put a path with spaces in quotes.", "error")
            return False  # the line stays in the box to be corrected
        self.files.send_file(path, typed.to or private_to)
        return True

    def _send(self, typed: Send, view: MessageView, private_to: str | None, typed_command: bool) -> bool:
        chat_line = typed.command.startswith(("SAY ", "PM ", "MSG "))
        refusal = self._refusal(chat_line)
        if refusal:
            view.show_notice(refusal, "error")
            return False
        if typed.to is not None:
            if typed_command:  # /pm NICK: the user chose whom, so the conversation opens (again) for them
                self.partners.open(typed.to)
                self.window.tabs.set_shut(typed.to, False)
            partner = self.partners.get(typed.to) or self.partners.open(typed.to)[0]
            if not partner.here:
                view.show_notice(
                    f"Not sent: {partner.nick} is not here (see above). Your text is still in the box; "
                    f"to send it to whoever is called {partner.nick} now, type /pm {partner.nick} TEXT.",
                    "error",
                )
                return False
            if name_key(typed.to) != name_key(private_to or ""):
                # the conversation gets its tab, but the user stays where they type: the next bare line
                # goes where it went before, as in chat-term
                self.window.tabs.open_private(typed.to, select=False)
                self.history.private_opened(typed.to)  # its last messages, before the new one
        result = self.session.send(typed.command)
        if isinstance(result, NotSent):
            view.show_notice(result.reason, "error")
            return False
        if isinstance(result, Waiting):
            view.show_pending(typed.text, result.token)
            self._pending_views[result.token] = view
            if chat_line:
                self._pending_chat[result.token] = typed.text
        elif chat_line:
            self.frames.outgoing.sent(typed.text, view)
        return True

    def _refusal(self, chat_line: bool) -> str:
        """Why a line cannot go out as things stand ("" when it can); the line then stays in the box."""
        state = self.session.state
        if state in (State.OFFLINE, State.FAILED):
            where = "Reconnect now (Ctrl+R, or /reconnect)" if self.session.host else "Chat > Connect…"
            return f"Not sent: you are not connected. {where} first; your text is still in the box."
        if chat_line and self.frames.muted:
            return (
                "Not sent: an admin muted you, so nothing you say reaches anyone (private messages neither). "
                "Your text is still in the box for when you are unmuted."
            )
        return ""

    def _fail_pending(self, reason: str) -> None:
        """Strike out every line still waiting to be sent: nothing will send it now."""
        for line in self.session.drop_pending():
            view = self._pending_views.pop(line.token, None)
            self._pending_chat.pop(line.token, None)
            if view is not None and view.winfo_exists():
                view.fail_pending(line.token, reason)

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

    def ask_join(self) -> None:
        room = self.window.rooms.ask_text("Join room", "Room to join (it is created if nobody is there):")
        if room and room.strip():
            self.join_room(room.strip())

    def ask_who(self) -> None:
        self.send_typed("/list")

    def show_help(self) -> None:
        self.current_view().show_table(help_rows(help_text(window=True)))

    def _save_settings(self) -> None:
        if self.save:
            save_settings(self.settings)

    def set_presence_shown(self, shown: bool) -> None:
        """View > Show joins and leaves: every room's pane, and remembered for next time."""
        self.window.tabs.set_presence_shown(shown)
        self.settings.show_joins = shown
        if self.save:
            save_settings(self.settings)

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
        if focused and self.unread:
            self.unread = 0
        if focused:
            self.mention_alerts.reset()
        self._update_title()

    def _check_focus(self) -> None:
        try:
            has_focus = self.root.focus_get() is not None
        except (KeyError, tk.TclError):
            has_focus = False
        self.set_focused(has_focus)

    def _count_unread(self) -> None:
        if not self.focused:
            self.unread += 1
            self._update_title()

    def _update_title(self) -> None:
        self.window.mentions = self.mention_alerts.count
        self.standing.refresh(self.unread)
