"""The server admin window (`chat-server-gui`, `python -m chat_server --gui`): start, watch and steer a server.

    Tk thread:  Start -> ServerRunner: a new ChatServer(config).start() (binds at once; its threads do the rest)
    server threads --registry events--> AdminFeed (snapshots; message counters coalesced)
    server threads --logging--> QueueLogHandler (bounded queue)
    Tk thread:  _poll() every POLL_MS drains a bounded batch of both into the views and the log pane
    Stop -> ServerRunner's "admin-stop" thread runs server.stop() (clients get shutdown and bye,
            threads are joined), then puts ServerStopped on the feed; the poller offers Start again.

Nothing but the poller reads the queues, and no widget is touched off the Tk
thread.  The admin actions call the server's AdminActions methods, which
take the registry lock briefly and only queue frames, so they never wait
for a client.  Dialogs come in as callables so tests can answer them.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import logging
import signal
import sys
import tkinter as tk
from collections.abc import Callable
from tkinter import messagebox, simpledialog, ttk

from chat_server.admin_gui.feed import ClientChanged, ClientGone, FeedEvent, RoomChanged, RoomGone, ServerStopped
from chat_server.admin_gui.join_banner import JoinBanner
from chat_server.admin_gui.log_pane import LogPane
from chat_server.admin_gui.runner import ServerRunner
from chat_server.admin_gui.server_form import ServerForm
from chat_server.admin_gui.views import ClientsView, RoomsView
from chat_server.config import ServerConfig
from chat_server.log_queue import QueueLogHandler
from chat_server.netinfo import join_addresses
from chat_server.options import add_server_options, config_from_args
from chat_server.server import ChatServer
from shared.errors import ProtocolError
from shared.icon import ICON_PNG
from shared.version import __version__

log = logging.getLogger("chat_server.admin_gui.window")

WINDOW_TITLE = f"ClassChat Server {__version__}"
WINDOW_HOST = "0.0.0.0"  # the window is for a classroom: listen on the LAN unless told otherwise
POLL_MS = 50
EVENT_BATCH = 500
LOG_BATCH = 200

AskText = Callable[[str, str], "str | None"]
AskYesNo = Callable[[str, str], bool]


class AdminWindow(ttk.Frame):
    def __init__(
        self,
        root: tk.Tk,
        config: ServerConfig,
        log_level: str = "INFO",
        ask_text: AskText | None = None,
        ask_yes_no: AskYesNo | None = None,
    ) -> None:
        super().__init__(root, padding=8)
        self.root = root
        self.ask_text: AskText = ask_text or (lambda title, prompt: simpledialog.askstring(title, prompt, parent=root))
        self.ask_yes_no: AskYesNo = ask_yes_no or (
            lambda title, prompt: messagebox.askyesno(title, prompt, parent=root)
        )
        self.runner = ServerRunner()
        self.phase = "stopped"  # stopped, running, stopping
        self.closed = False  # close() ran: the server is stopped
        self.destroyed = False  # the widgets are gone
        self._quit_signalled = False  # set by a signal handler; the poller closes the window
        self._sent_backlog: dict[int, int] = {}
        self._room_backlog: dict[int, tuple[str, int]] = {}
        self._logger = logging.getLogger("chat_server")
        self._saved_level = self._logger.level
        if self._logger.level == logging.NOTSET or self._logger.level > logging.getLevelName(log_level):
            self._logger.setLevel(log_level)
        self.log_handler = QueueLogHandler()
        self._logger.addHandler(self.log_handler)

        self._dress_root()
        self._build(config, log_level)
        self.pack(fill="both", expand=True)
        self._poll_id: str | None = self.after(POLL_MS, self._poll)

    # -- building --
    def _dress_root(self) -> None:
        root = self.root
        root.title(WINDOW_TITLE)
        root.minsize(880, 640)
        root.protocol("WM_DELETE_WINDOW", self.on_close_request)
        if ICON_PNG.exists():
            root.iconphoto(True, tk.PhotoImage(master=root, file=str(ICON_PNG)))
        style = ttk.Style(root)
        if "clam" in style.theme_names():
            style.theme_use("clam")
        style.configure("Heading.TLabel", font=("TkDefaultFont", 11, "bold"))
        style.configure("Hint.TLabel", foreground="#555555")
        style.configure("Status.TLabel", padding=(4, 2))

    def _build(self, config: ServerConfig, log_level: str) -> None:
        self.form = ServerForm(self, config, on_start=self.start_server, on_stop=self.stop_server)
        self.form.grid(row=0, column=0, sticky="ew")
        self.banner = JoinBanner(self)
        self.banner.grid(row=1, column=0, sticky="ew", pady=(6, 6))

        panes = ttk.PanedWindow(self, orient="vertical")
        panes.grid(row=2, column=0, sticky="nsew")
        tables = ttk.PanedWindow(panes, orient="horizontal")
        self.clients_view = ClientsView(tables)
        self.kick_button = ttk.Button(self.clients_view.actions, text="Kick…", command=self.on_kick_clicked)
        self.mute_button = ttk.Button(
            self.clients_view.actions, text="Mute", command=lambda: self.on_mute_clicked(True)
        )
        self.unmute_button = ttk.Button(
            self.clients_view.actions, text="Unmute", command=lambda: self.on_mute_clicked(False)
        )
        self.rooms_view = RoomsView(tables)
        self.close_room_button = ttk.Button(
            self.rooms_view.actions, text="Close room…", command=self.on_close_room_clicked
        )
        for button in (self.kick_button, self.mute_button, self.unmute_button, self.close_room_button):
            button.pack(side="left", padx=(0, 4))
        tables.add(self.clients_view, weight=3)
        tables.add(self.rooms_view, weight=2)
        self.log_pane = LogPane(panes, log_level)
        panes.add(tables, weight=3)
        panes.add(self.log_pane, weight=2)

        announce = ttk.Frame(self)
        announce.grid(row=3, column=0, sticky="ew", pady=(6, 0))
        ttk.Label(announce, text="Announcement:").pack(side="left")
        self.announcement = tk.StringVar(self)
        entry = ttk.Entry(announce, textvariable=self.announcement)
        entry.pack(side="left", fill="x", expand=True, padx=4)
        entry.bind("<Return>", lambda _event: self.on_broadcast_clicked())
        self.broadcast_button = ttk.Button(announce, text="Broadcast to everyone", command=self.on_broadcast_clicked)
        self.broadcast_button.pack(side="left")

        self.status = tk.StringVar(self, value="Stopped. Check the settings and press Start.")
        ttk.Label(self, textvariable=self.status, style="Status.TLabel", anchor="w").grid(row=4, column=0, sticky="ew")
        self.rowconfigure(2, weight=1)
        self.columnconfigure(0, weight=1)

    @property
    def server(self) -> ChatServer | None:
        return self.runner.server

    def say(self, text: str) -> None:
        self.status.set(text)

    # -- starting and stopping --
    def start_server(self) -> bool:
        """Bind and serve with the form's settings; False (and the reason shown) if that failed."""
        if self.phase != "stopped":
            return False
        try:
            server = self.runner.start(self.form.read_config())
        except ValueError as exc:  # the form's own sentence
            self.say(str(exc))
            return False
        except OSError as exc:
            hint = (
                " Is another server running there? Stop it or pick another port."
                if exc.errno == errno.EADDRINUSE
                else ""
            )
            self.say(
                f"Cannot listen on {self.form.host.get()} port {self.form.port.get()}: {exc.strerror or exc}.{hint}"
            )
            log.error("cannot start: %s", exc)
            return False
        self.phase = "running"
        self.form.set_state("running")
        host, port = server.address
        addresses = join_addresses(host, port)
        self.banner.show(addresses, local_only=all(_is_local_only(address.rsplit(":", 1)[0]) for address in addresses))
        self.say(f"Running on {host} port {port}.")
        return True

    def stop_server(self) -> None:
        """Stop on a helper thread: every client gets shutdown and bye; the poller notices the end."""
        if self.phase != "running":
            return
        self.phase = "stopping"
        self.form.set_state("busy")
        self.say("Stopping: telling every client…")
        log.info("admin stopped the server")
        self.runner.stop_in_background()

    def _on_stopped(self) -> None:
        self.runner.forget()
        self._sent_backlog.clear()
        self._room_backlog.clear()
        self.clients_view.clear()
        self.rooms_view.clear()
        self.banner.clear()
        self.phase = "stopped"
        self.form.set_state("stopped")
        self.say("Stopped. Every client was told. Start again whenever you like.")

    # -- closing the window --
    def on_close_request(self) -> bool:
        """The window's close button: ask first if clients are connected; True if the window closed."""
        connected = len(self.clients_view.clients)
        if self.phase == "running" and connected:
            question = (
                f"{connected} client{'s are' if connected != 1 else ' is'} connected. "
                f"Closing the window stops the server and disconnects them. Close anyway?"
            )
            if not self.ask_yes_no("Stop the server?", question):
                return False
        self.close()
        return True

    def quit_soon(self) -> None:
        """For SIGINT/SIGTERM handlers: only set a flag; the poller closes the window (no question asked)."""
        self._quit_signalled = True

    def close(self) -> None:
        """Stop the server (waiting for it: the window is going away), detach from logging, destroy the window."""
        if self.closed:
            return
        self.closed = True
        if not self.destroyed:
            self.root.withdraw()
        self.runner.stop_and_wait()
        if not self.destroyed:
            self.root.destroy()

    def destroy(self) -> None:
        """However the window goes (close() or its root destroyed), the poller and the log handler go with it."""
        self.destroyed = True
        if self._poll_id is not None:
            self.after_cancel(self._poll_id)
            self._poll_id = None
        self._logger.removeHandler(self.log_handler)
        self._logger.setLevel(self._saved_level)
        super().destroy()

    # -- admin actions: intent methods the buttons (and tests) call --
    def _act(self, action: Callable[[ChatServer], object], done: str) -> bool:
        if self.server is None or self.phase != "running":
            self.say("The server is not running; press Start first.")
            return False
        try:
            action(self.server)
        except ProtocolError as exc:
            self.say(f"Not done: {exc.message}")
            return False
        self.say(done)
        return True

    def kick(self, nick: str, reason: str) -> bool:
        return self._act(lambda server: server.kick(nick, reason), f"Kicked {nick}.")

    def set_muted(self, nick: str, muted: bool) -> bool:
        return self._act(lambda server: server.set_muted(nick, muted), f"{'Muted' if muted else 'Unmuted'} {nick}.")

    def broadcast(self, text: str) -> bool:
        return self._act(lambda server: server.broadcast(text), "Announcement sent to everyone.")

    def close_room(self, name: str, reason: str) -> bool:
        return self._act(lambda server: server.close_room(name, reason), f"Closed #{name}.")

    # -- button handlers: the selection, a dialog, then the intent method --
    def _selected_nicks(self) -> list[str]:
        clients = self.clients_view.selected()
        nicks = [client.nick for client in clients if client.nick]
        if not clients:
            self.say("Select a client in the list first.")
        elif not nicks:
            self.say("That connection has no nickname yet; it is dropped if it does not choose one.")
        return nicks

    def on_kick_clicked(self) -> None:
        nicks = self._selected_nicks()
        if not nicks:
            return
        reason = self.ask_text("Kick", f"Remove {', '.join(nicks)} from the chat.\nReason (they will see it):")
        if reason is None:
            return
        for nick in nicks:
            self.kick(nick, reason)

    def on_mute_clicked(self, muted: bool) -> None:
        for nick in self._selected_nicks():
            self.set_muted(nick, muted)

    def on_close_room_clicked(self) -> None:
        rooms = self.rooms_view.selected()
        if not rooms:
            self.say("Select a room in the list first.")
            return
        names = ", ".join(f"#{room.name}" for room in rooms)
        reason = self.ask_text("Close room", f"Move everyone out of {names}.\nReason (members will see it):")
        if reason is None:
            return
        for room in rooms:
            self.close_room(room.name, reason)

    def on_broadcast_clicked(self) -> None:
        text = self.announcement.get().strip()
        if not text:
            self.say("Type the announcement first.")
            return
        if self.broadcast(text):
            self.announcement.set("")

    # -- the poller: the only reader of the queues --
    @property
    def polling(self) -> bool:
        return self._poll_id is not None

    def _poll(self) -> None:
        self._poll_id = None
        try:
            self.pump()
        finally:
            if not (self.closed or self.destroyed):
                self._poll_id = self.after(POLL_MS, self._poll)

    def pump(self) -> None:
        """Apply a bounded batch of server events and log lines to the widgets."""
        if self._quit_signalled:
            self.close()
            return
        feed = self.runner.feed
        if feed is not None:
            # Counters are taken before the events: a count then never refers to a
            # client whose arrival is still queued once the queue has been emptied.
            counters = feed.take_counters()
            self._sent_backlog.update(counters.clients)
            self._room_backlog.update(counters.rooms)
            events, emptied = feed.take_events(EVENT_BATCH)
            for event in events:
                self._apply(event)
            if emptied and self.runner.feed is feed:
                self._apply_counters()
        lines, dropped = self.log_handler.take(LOG_BATCH)
        self.log_pane.add_lines(lines, dropped)

    def _apply(self, event: FeedEvent) -> None:
        if isinstance(event, ClientChanged):
            self.clients_view.show_client(event.client)
        elif isinstance(event, ClientGone):
            self.clients_view.remove_client(event.session_id)
        elif isinstance(event, RoomChanged):
            self.rooms_view.show_room(event.room, event.token)
        elif isinstance(event, RoomGone):
            self.rooms_view.remove_room(event.key, event.token)
        elif isinstance(event, ServerStopped):
            self._on_stopped()

    def _apply_counters(self) -> None:
        for session_id, sent in self._sent_backlog.items():
            self.clients_view.set_sent(session_id, sent)
        for token, (key, messages) in self._room_backlog.items():
            self.rooms_view.set_messages(key, token, messages)
        self._sent_backlog.clear()
        self._room_backlog.clear()


def _is_local_only(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


# -- entry points --
SHIPPED_MODULES = [
    "chat_server.admin_gui.window",
    "chat_server.admin_gui.views",
    "chat_server.admin_gui.feed",
    "chat_server.admin_gui.log_pane",
    "chat_server.log_queue",
    "chat_server.admin_gui.server_form",
    "chat_server.admin_gui.runner",
    "chat_server.admin_gui.join_banner",
    "chat_server.console",
    "tkinter",
    "tkinter.ttk",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chat-server-gui",
        description="The ClassChat server with an admin window: start it, read the address out to the class, "
        "watch who is connected, mute, kick, broadcast, close rooms.",
    )
    add_server_options(parser, host_default=WINDOW_HOST)
    parser.add_argument("--start", action="store_true", help="start serving at once (for launchers and shortcuts)")
    return parser


def run_window(args: argparse.Namespace) -> int:
    """Open the window with the parsed arguments and run it until it is closed (main thread)."""
    if sys.stderr is not None:  # None when started without a console (pythonw, a windowed executable)
        logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = config_from_args(args, default_host=WINDOW_HOST)
    try:
        root = tk.Tk(className="ClassChatServer")
    except tk.TclError as exc:
        print(f"chat-server-gui: cannot open a window ({exc}). Without a screen use chat-server.", file=sys.stderr)
        return 2
    window = AdminWindow(root, config, args.log_level)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda _signum, _frame: window.quit_soon())
    if getattr(args, "start", False):
        root.after_idle(window.start_server)
    root.mainloop()
    return 0


def main(argv: list[str] | None = None) -> None:
    """`chat-server-gui`: --version and --self-test need no display; both exit here."""
    args = build_parser().parse_args(argv)
    if args.self_test:
        from chat_server.self_test import run_self_test

        sys.exit(run_self_test(SHIPPED_MODULES))
    sys.exit(run_window(args))


if __name__ == "__main__":
    main()
