"""What the window does: frames become intent calls on widgets, typed lines and clicks become commands (Tk thread).

    ChatSession --on_frame/on_state/on_pending_sent--> ChatController --show_message, set_rooms, set_users--> widgets
    widgets --WindowActions (submit, join, private, ...)--> ChatController --send--> ChatSession

The rooms list is kept current from `joined`, `left`, `system` and `list`
frames: a join or leave seen in this room changes the lists at once and asks
for a LIST shortly after (debounced), and a slow LIST keeps the counts of
other rooms fresh.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import messagebox, simpledialog

from chat_gui.connect_dialog import LOCAL_HOSTS, ConnectDialog
from chat_gui.embedded_server import EmbeddedServer, PortTaken
from chat_gui.message_view import MessageView
from chat_gui.session import ChatSession
from chat_gui.settings import ClientSettings, save_settings
from chat_gui.typed_line import GUI_HELP, interpret_line
from chat_gui.window import ChatWindow, WindowActions
from shared.frames import Frame
from shared.names import name_key
from shared.version import PRODUCT_NAME, __version__

LIST_DEBOUNCE_MS = 1000  # the users list changes at once from system frames; only counts wait
LIST_REFRESH_MS = 30_000  # other rooms send us no notices: their counts come from this


class ChatController:
    def __init__(self, root: tk.Tk | tk.Toplevel, settings: ClientSettings, save: bool = True) -> None:
        self.root = root
        self.settings = settings
        self.save = save  # tests and benchmarks leave the user's settings file alone
        self.window = ChatWindow(
            root,
            WindowActions(
                submit=self.on_submit,
                join=self.join_room,
                private=self.open_private,
                connect=self.show_connect_dialog,
                disconnect=self.disconnect,
                join_dialog=self.ask_join,
                leave=lambda: self.send_typed("/leave"),
                refresh=self.refresh,
                help=self.show_help,
                about=self.show_about,
                quit=self.quit,
                tab_changed=self._update_title,
                nicknames=self.known_nicknames,
            ),
        )
        self.session = ChatSession(root, self)
        self.embedded = EmbeddedServer()
        self.dialog: ConnectDialog | None = None
        self.online: list[str] = []
        self.focused = True
        self.unread = 0
        self._pending_views: dict[int, MessageView] = {}
        self._list_id: str | None = None
        self._show_next_list = 0
        self._refresh_id: str | None = None
        self._lost_notice_shown = False
        self._shutdown_notice = ""
        self.was_connected = False  # once chatting, cancelling the dialog keeps the window open
        root.bind("<FocusIn>", lambda event: self.set_focused(True), add="+")
        root.bind("<FocusOut>", lambda event: self.root.after_idle(self._check_focus), add="+")
        self._update_title()

    @property
    def room_view(self) -> MessageView:
        return self.window.tabs.room_view

    # -- starting and stopping --
    def start(self, host: str, port: int, nick: str, room: str | None) -> None:
        self.window.show_status(f"Connecting to {host}:{port}…")
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
        self.session.disconnect()

    def quit(self) -> None:
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
        self.shutdown()
        self.root.destroy()

    def shutdown(self) -> None:
        """Say goodbye, stop the poller and timers, stop an embedded server; the widgets stay."""
        self.session.send_now("QUIT")
        self.session.close()
        for timer in (self._list_id, self._refresh_id):
            if timer is not None:
                self.root.after_cancel(timer)
        self._list_id = self._refresh_id = None
        self._close_dialog()
        self.embedded.stop()

    # -- SessionListener --
    def on_state(self, state: str, detail: str) -> None:
        self.window.show_status(detail)
        dialog = self.dialog
        if state == "ready":
            self._on_ready(detail)
        elif state == "removed":
            self.room_view.show_notice("Not reconnecting by itself; use Chat > Connect… to come back.", "error")
        elif state == "reconnecting":
            if not self._lost_notice_shown:
                self._lost_notice_shown = True
                self.room_view.show_notice(
                    "Connection lost. Reconnecting automatically; lines you type meanwhile "
                    "are kept and sent once the connection is back.",
                    "error",
                )
        elif state in ("refused", "failed", "not_chat_server", "nick_taken", "bad_nick"):
            if dialog is None:
                self.room_view.show_notice(detail, "error")
                self.show_connect_dialog()
                dialog = self.dialog
            assert dialog is not None
            local = self.session.host in LOCAL_HOSTS and not self.embedded.running
            if state == "refused" and local:
                dialog.show_error(
                    f"No chat server answers on this computer (port {self.session.port}). "
                    f"Start one here, and others on your network can join you.",
                    "host",
                    offer_server=True,
                )
            elif state == "not_chat_server":
                dialog.show_error(detail, "port", offer_server=local)
            elif state in ("nick_taken", "bad_nick"):
                dialog.show_error(detail, "nick")
            else:
                dialog.show_error(detail, "host")
        self._update_title()

    def _on_ready(self, detail: str) -> None:
        session = self.session
        if self._lost_notice_shown:
            self.room_view.show_notice(detail, "system")
        self._lost_notice_shown = False
        self.was_connected = True
        self._close_dialog()
        if self.embedded.running:
            where = ", ".join(self.embedded.addresses())
            self.window.show_status(f"{detail} This computer runs the chat server: others join at {where}.")
        if self.save:
            save_settings(
                ClientSettings(
                    "localhost" if self.embedded.running else session.host,
                    session.port,
                    session.nick,
                    session.room or self.settings.room,
                )
            )
        self.request_list()
        if self._refresh_id is None:
            self._refresh_id = self.root.after(LIST_REFRESH_MS, self._periodic_list)

    def on_pending_sent(self, token: int) -> None:
        view = self._pending_views.pop(token, None)
        if view is not None and view.winfo_exists():
            view.resolve_pending(token)

    def on_frame(self, frame: Frame) -> None:
        handler = getattr(self, f"_on_{frame.get('type')}", None)
        if handler is not None:
            handler(frame)

    # -- one method per frame type --
    def _on_nick(self, frame: Frame) -> None:
        old = frame.get("old")
        if old:
            self.room_view.show_notice(str(frame.get("content", "")), "system", frame.get("timestamp", ""))
            self.window.users.rename_user(str(old), self.session.nick)
        self.window.users.set_users(self.window.users.users, self.session.nick)
        self._update_title()

    def _on_message(self, frame: Frame) -> None:
        sender = str(frame.get("sender", ""))
        own = name_key(sender) == name_key(self.session.nick)
        self.room_view.show_message(
            str(frame.get("timestamp", "")), sender, str(frame.get("content", "")), "own" if own else ""
        )
        if not own:
            self._count_unread()

    def _on_private(self, frame: Frame) -> None:
        sender, to = str(frame.get("sender", "")), str(frame.get("to", ""))
        own = name_key(sender) == name_key(self.session.nick)
        other = to if own else sender
        tab = self.window.tabs.open_private(other, select=own and self.window.tabs.current_private() is None)
        tab.view.show_message(
            str(frame.get("timestamp", "")), sender, str(frame.get("content", "")), "own" if own else "private"
        )
        if not own:
            self.window.tabs.mark_unread(other)
            self.root.bell()
            self._count_unread()

    def _on_joined(self, frame: Frame) -> None:
        room = str(frame.get("room", ""))
        self.room_view.show_notice(str(frame.get("content", "")), "system", frame.get("timestamp", ""))
        self.window.users.set_users([str(user) for user in frame.get("users", [])], self.session.nick)
        self.window.rooms.set_current(room)
        self.window.tabs.set_room_title(room)
        self.window.tabs.select(self.room_view)
        self._update_title()
        self.request_list()

    def _on_left(self, frame: Frame) -> None:
        self.room_view.show_notice(str(frame.get("content", "")), "system", frame.get("timestamp", ""))
        self.window.users.set_users([], self.session.nick)
        self.window.rooms.set_current(None)
        self.window.tabs.set_room_title(None)
        self._update_title()
        self.request_list()

    def _on_system(self, frame: Frame) -> None:
        event, user, room = frame.get("event"), str(frame.get("user", "")), frame.get("room")
        in_my_room = (
            room is not None and self.session.room is not None and name_key(str(room)) == name_key(self.session.room)
        )
        if in_my_room and event == "join":
            self.window.users.add_user(user)
            self.window.rooms.adjust_count(str(room), +1)
        elif in_my_room and event == "leave":
            self.window.users.remove_user(user)
            self.window.rooms.adjust_count(str(room), -1)
        elif event == "shutdown":
            self._shutdown_notice = str(frame.get("content", ""))
        elif event == "nick" and frame.get("old"):
            self.window.users.rename_user(str(frame.get("old")), user)
            self.window.tabs.rename_private(str(frame.get("old")), user)
        self.room_view.show_notice(
            str(frame.get("content", "")), "error" if event == "shutdown" else "system", frame.get("timestamp", "")
        )
        if event in ("join", "leave", "nick"):
            self.request_list()

    def _on_list(self, frame: Frame) -> None:
        rooms = [
            (str(room.get("name", "")), len(room.get("users", [])))
            for room in frame.get("rooms", [])
            if isinstance(room, dict)
        ]
        self.online = [str(user) for user in frame.get("users", [])]
        self.window.rooms.set_rooms(rooms, self.session.room)
        if self.session.room is not None:
            for room in frame.get("rooms", []):
                if isinstance(room, dict) and name_key(str(room.get("name", ""))) == name_key(self.session.room):
                    self.window.users.set_users([str(user) for user in room.get("users", [])], self.session.nick)
        if self._show_next_list:
            self._show_next_list -= 1
            self.current_view().show_notice(str(frame.get("content", "")), "system", frame.get("timestamp", ""))

    def _on_error(self, frame: Frame) -> None:
        self.current_view().show_notice(str(frame.get("content", "")), "error", frame.get("timestamp", ""))

    def _on_help(self, frame: Frame) -> None:
        self.current_view().show_notice(str(frame.get("content", "")), "system", frame.get("timestamp", ""))

    _on_pong = _on_help

    def _on_bye(self, frame: Frame) -> None:
        content = str(frame.get("content", ""))
        if content != self._shutdown_notice:  # a server going down says it twice: system/shutdown, then bye
            self.current_view().show_notice(content, "system", frame.get("timestamp", ""))

    # -- typed lines and clicks --
    def on_submit(self, line: str) -> bool:
        """The entry box's Enter; False leaves the line in the box (it could not be sent as it is)."""
        return self.send_typed(line)

    def send_typed(self, line: str) -> bool:
        private_to = self.window.tabs.current_private()
        typed = interpret_line(line, private_to)
        view = self.current_view()
        if typed.kind == "send":
            if typed.nick and typed.nick != private_to:
                view = self.window.tabs.open_private(typed.nick).view
            if typed.command == "LIST":
                self._show_next_list += 1
            token = self.session.send(typed.command)
            if token is not None:
                view.show_pending(typed.text or line.strip(), token)
                self._pending_views[token] = view
        elif typed.kind == "private":
            self.open_private(typed.nick)
        elif typed.kind == "help":
            view.show_notice(typed.text, "system")
        elif typed.kind == "error":
            view.show_notice(typed.text, "error")
            return False
        elif typed.kind == "quit":
            self.quit()
        return True

    def join_room(self, room: str) -> None:
        if self.session.room is None or name_key(room) != name_key(self.session.room):
            self.send_typed(f"/join {room}")
        self.window.tabs.select(self.room_view)
        self.window.entry.focus()

    def open_private(self, nick: str) -> None:
        self.window.tabs.open_private(nick)
        self.window.entry.focus()

    def ask_join(self) -> None:
        room = simpledialog.askstring("Join room", "Room to join (it is created if nobody is there):", parent=self.root)
        if room and room.strip():
            self.join_room(room.strip())

    def refresh(self) -> None:
        if self.session.send_now("LIST"):
            self._show_next_list += 1

    def show_help(self) -> None:
        self.current_view().show_notice(GUI_HELP, "system")

    def show_about(self) -> None:
        messagebox.showinfo(
            f"About {PRODUCT_NAME}", f"{PRODUCT_NAME} {__version__}\nA chat for a classroom.", parent=self.root
        )

    def current_view(self) -> MessageView:
        nick = self.window.tabs.current_private()
        return self.window.tabs.private[name_key(nick)].view if nick else self.room_view

    def known_nicknames(self) -> list[str]:
        return sorted(set(self.online) | set(self.window.users.users), key=name_key)

    # -- the rooms list, kept current --
    def request_list(self) -> None:
        """Ask for LIST soon; many joins in a burst cost one LIST."""
        if self._list_id is None:
            self._list_id = self.root.after(LIST_DEBOUNCE_MS, self._send_list)

    def _send_list(self) -> None:
        self._list_id = None
        self.session.send_now("LIST")

    def _periodic_list(self) -> None:
        self._refresh_id = self.root.after(LIST_REFRESH_MS, self._periodic_list)
        if self.session.state == "ready":
            self.request_list()

    # -- unread count in the title --
    def set_focused(self, focused: bool) -> None:
        self.focused = focused
        if focused and self.unread:
            self.unread = 0
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
        self.window.set_title(self.session.nick if self.session.ever_ready else "", self.session.room, self.unread)
