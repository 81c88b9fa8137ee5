"""The server admin window (`chat-server-gui`, `python -m chat_server --gui`): start, watch and steer a server.

    Tk thread:  Start -> an "admin-start" thread: ServerRunner: a new ChatServer(config).start() (binds, opens the
            data folder; its threads do the rest) while the Tk thread keeps drawing until it is done
    server threads --registry events--> AdminFeed (the latest snapshot per client and room; counters likewise)
    server threads --logging--> QueueLogHandler (bounded queue)
    Tk thread:  _poll() every POLL_MS drains both into the views and the log pane, for PUMP_SECONDS at most
                (a slice of EVENT_SLICE states at least); a backlog is looked at again after BACKLOG_POLL_MS
    Stop (asks first if anyone is connected) -> ServerRunner's "admin-stop" thread runs server.stop()
            (clients get shutdown and bye, threads are joined), then marks the feed stopped;
            the poller's next look sees it first, however much is pending, and offers Start again.

Nothing but the poller reads the queues, and no widget is touched off the Tk
thread.  The admin actions (moderation.py) call the server's AdminActions
methods, which take the registry lock briefly and only queue frames, so
they never wait for a client.  Dialogs come in as callables so tests can
answer them.  Colours and fonts come from look.py, the theme (Theme menu)
from admin_theme.py; the entry points (chat-server-gui) are in app.py.

Layout, top to bottom: the server form, the join banner, the tables over
the log (a vertical PanedWindow), the announcement line, the status line.
Only the PanedWindow's grid row has weight: when the window is shorter
than it asks (a 1366x768 screen at 125% or 150%), the log gives up its
height first, then the tables down to FEW_ROWS rows, then the rest of the
log, and every button and the status line stay in view.  On such a short
screen the settings (locked while a server runs), their hints and the note
under the join address fold away while it runs (`_fold`), so that the
tables show rows of people and rooms, not just their headings.  Where even
that leaves fewer than FEW_ROWS rows (200% on a 1024x600 screen), a View menu
hides the server box and the join banner while it runs (`show_top`).
"""

from __future__ import annotations

import errno
import logging
import textwrap
import threading
import time
import tkinter as tk
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from tkinter import font as tkfont
from tkinter import messagebox, simpledialog, ttk
from typing import TYPE_CHECKING

from chat_server.admin_gui.admin_theme import AdminTheme
from chat_server.admin_gui.checked_question import AskChecked, ask_checked_dialog
from chat_server.admin_gui.feed import ClientChanged, ClientGone, FeedEvent, RoomChanged, RoomGone, ServerStopped
from chat_server.admin_gui.flow_bar import FlowBar
from chat_server.admin_gui.handins import HandinsView
from chat_server.admin_gui.history_dialog import AskSavePath, HistoryDialog, file_dialog
from chat_server.admin_gui.identity_actions import AdminIdentity
from chat_server.admin_gui.join_banner import JoinBanner
from chat_server.admin_gui.log_pane import LogPane
from chat_server.admin_gui.moderation import AskText
from chat_server.admin_gui.runner import ServerRunner
from chat_server.admin_gui.server_form import ServerForm
from chat_server.admin_gui.views import TABLE_ROWS, ClientsView, RoomsView
from chat_server.config import ServerConfig
from chat_server.folder_busy import FolderBusy
from chat_server.log_queue import QueueLogHandler
from chat_server.netinfo import join_addresses, only_this_computer
from chat_server.tls.errors import CertificateError
from shared.icon import ICON_PNG
from shared.version import __version__

if TYPE_CHECKING:  # the server's modules load when a server starts, not with the window (docs/executables.md)
    from chat_server.server import ChatServer

log = logging.getLogger("chat_server.admin_gui.window")

WINDOW_TITLE = f"ClassChat Server {__version__}"
POLL_MS = 50
START_PUMP_SECONDS = 0.02  # how often the window redraws while the server starts on its own thread
EVENT_SLICE = 50  # client and room states applied between two looks at the clock...
PUMP_SECONDS = 0.025  # ...until a look has taken this long; then the window draws and answers, and looks again
BACKLOG_POLL_MS = 1  # how soon the next look comes while states still wait (POLL_MS once the feed is empty)
LOG_SLICE = 50  # log lines added between two looks at the clock
SCREEN_MARGIN = 80  # px a window manager's title bar and a taskbar take from the screen's height
WINDOW_PADDING = 8  # px around everything in the window
TOP_LABEL = "Server and join address"  # the View menu's entry on a short screen: untick it to see the tables
FEW_ROWS = 3  # the rows of people and rooms kept in view on a short screen, before the log's last lines

AskYesNo = Callable[[str, str], bool]


PROMPT_COLUMNS = 56  # characters a line of a question's prompt holds, fewer where the screen is narrower
PROMPT_MARGIN = 120  # px of the screen's width the question's icon, padding and frame take


def ask_text_dialog(root: tk.Misc, show: str = "") -> AskText:
    """Tk's one-line question, its prompt wrapped: unwrapped, Kick… on a class of 30 selected students
    named them all on one line, and OK and Cancel were thousands of pixels off the screen."""

    def ask(title: str, prompt: str) -> str | None:
        digit = max(1, tkfont.nametofont("TkDefaultFont", root=root).measure("0"))  # wider at 200% scaling
        fits = (root.winfo_screenwidth() - PROMPT_MARGIN) * 5 // (digit * 6)  # a sixth more for wide letters
        columns = max(20, min(PROMPT_COLUMNS, fits))
        lines = [textwrap.fill(line, columns) or line for line in prompt.split("\n")]
        wrapped = "\n".join(lines)
        if show:
            return simpledialog.askstring(title, wrapped, parent=root, show=show)
        return simpledialog.askstring(title, wrapped, parent=root)

    return ask


class AdminWindow(AdminIdentity, ttk.Frame):
    def __init__(
        self,
        root: tk.Tk,
        config: ServerConfig,
        log_level: str = "INFO",
        ask_text: AskText | None = None,
        ask_yes_no: AskYesNo | None = None,
        ask_secret: AskText | None = None,
        ask_save_path: AskSavePath | None = None,
        settings_path: Path | None = None,
        ask_checked: AskChecked | None = None,
    ) -> None:
        """`settings_path`: the admin window's settings file (admin_settings.py); None is the user's."""
        super().__init__(root, padding=WINDOW_PADDING)
        self.root = root
        self.ask_text: AskText = ask_text or ask_text_dialog(root)
        # No is the default button: Enter or Space pressed by habit (typing on, a projector remote) must
        # never stop the server under the class, clear a room or delete a message.
        self.ask_yes_no: AskYesNo = ask_yes_no or (
            lambda title, prompt: messagebox.askyesno(title, prompt, parent=root, default=messagebox.NO)
        )
        self.ask_secret: AskText = ask_secret or ask_text_dialog(root, show="*")
        self.ask_save_path: AskSavePath = ask_save_path or file_dialog(root)
        self.ask_checked: AskChecked = ask_checked or ask_checked_dialog(root)  # stays open until the answer will do
        self.history_dialog: HistoryDialog | None = None
        self.runner = ServerRunner()
        self.phase = "stopped"  # stopped, starting, running, stopping
        self.port_zero_got: int | None = None  # the port a start with Port 0 was given: a restart asks for it again
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

        self.theme = AdminTheme(root, settings_path)  # sv-ttk light or dark, as the Theme menu chose
        self.look = self.theme.look
        self._dress_root()
        self._build(config, log_level)
        self.pack(fill="both", expand=True)
        self._size_to_screen()
        self.refresh_actions()
        self._poll_id: str | None = self.after(POLL_MS, self._poll)

    # -- building --
    def _dress_root(self) -> None:
        root = self.root
        root.title(WINDOW_TITLE)
        root.protocol("WM_DELETE_WINDOW", self.on_close_request)
        self.menubar = tk.Menu(root, tearoff=False)
        self.theme.add_menu(self.menubar)
        self.add_rooms_menu(self.menubar)
        root.configure(menu=self.menubar)
        if ICON_PNG.exists():
            root.iconphoto(True, tk.PhotoImage(master=root, file=str(ICON_PNG)))

    def _size_to_screen(self) -> None:
        """A minimum size that keeps every control in view, and a first size no larger than the screen."""
        root = self.root
        root.update_idletasks()
        fixed = self.winfo_reqheight() - self.panes.winfo_reqheight()  # what never shrinks
        usable = root.winfo_screenheight() - SCREEN_MARGIN - self.menu_bar_height()
        self.short = root.winfo_reqheight() > usable  # see `_fold`
        least_height = fixed + self.look.scaled(160)
        if self.short:  # stopped, the tables are empty and the panes may be small; running, the settings fold away
            least_height = max(fixed, min(least_height, usable))
        root.minsize(min(self.look.scaled(760), self.winfo_reqwidth(), root.winfo_screenwidth()), least_height)
        width = min(root.winfo_reqwidth(), root.winfo_screenwidth())
        height = min(root.winfo_reqheight(), max(usable, least_height))
        self._size_given = (width, height) != (root.winfo_reqwidth(), root.winfo_reqheight())
        if self._size_given:  # from now on Tk keeps this size, whatever the widgets ask
            root.geometry(f"{width}x{height}")
        if self.short:
            self._add_view_menu()

    def _add_view_menu(self) -> None:
        """A short screen's View menu: hide the server box and the join banner while a server runs, so that
        the tables show rows (at 200% on 1024x600 the rest took all the height); Stop shows them again."""
        self.top_shown = tk.BooleanVar(self, value=True)
        self.view_menu = menu = tk.Menu(self.menubar, tearoff=False)
        menu.add_checkbutton(
            label=TOP_LABEL,
            variable=self.top_shown,
            command=lambda: self.show_top(self.top_shown.get()),
            state="disabled",
        )
        self.menubar.add_cascade(label="View", menu=menu, underline=0)

    def show_top(self, shown: bool) -> None:
        """Show or hide the server box and the join banner (a short screen only; hidden only while it runs)."""
        if not hasattr(self, "top_shown"):
            return
        shown = shown or self.phase != "running"
        self.top_shown.set(shown)
        for widget in (self.form, self.banner):
            if shown:
                widget.grid()
            else:
                widget.grid_remove()

    def _cramped(self) -> bool:
        """The tables have room for fewer than FEW_ROWS rows (200% on a 1024x600 screen, even with `_fold`)."""
        self.root.update_idletasks()
        row_height = int(ttk.Style(self).lookup("Treeview", "rowheight") or 0)
        tables_least = self.tables.winfo_reqheight() - (TABLE_ROWS - FEW_ROWS) * row_height
        return self.panes.winfo_height() < tables_least

    def _fold(self, folded: bool) -> None:
        """On a short screen (150% on 1366x768 or 1024x600), fold away while a server runs what is least needed then.

        The settings (locked while it runs), their hints and the note under the join address give their
        height to the tables, so that rows of people and rooms are in view; Stop brings them back.
        """
        if self.short:
            self.form.fold(folded)
            self.banner.fold_note(folded)

    def _keep_fixed_in_view(self) -> None:
        """A button bar took another line: on a short screen, let the window grow (up to the screen) by what its
        fixed rows now need, so the announcement and the status line are not pushed under its bottom edge."""
        root = self.root
        if not getattr(self, "_size_given", False) or root.winfo_width() <= 1:
            return  # Tk follows what the widgets ask, or the window is not sized yet
        root.update_idletasks()
        fixed = self.winfo_reqheight() - self.panes.winfo_reqheight()
        height = min(fixed, root.winfo_screenheight() - self.menu_bar_height())
        if height > root.winfo_height():
            root.minsize(root.minsize()[0], height)
            root.geometry(f"{root.winfo_width()}x{height}")

    def _widen_to_show_all(self) -> None:
        """A window given a size (a short screen) keeps that width: widen it, up to the screen, for what Start showed.

        The address and the server key appear at Start; in a window whose width was
        fixed at opening, the key (and its Copy) would be cut off at the right.
        """
        root = self.root
        root.update_idletasks()
        wanted = min(root.winfo_reqwidth(), root.winfo_screenwidth())
        if not self._size_given or wanted <= root.winfo_width():
            return  # Tk follows what the widgets ask, or it is wide enough
        root.geometry(f"{wanted}x{root.winfo_height()}")

    def menu_bar_height(self) -> int:
        """What the menu bar takes above the window's own area (on X11 Tk draws it as a clone of `menubar`)."""
        clone = "." + str(self.menubar).replace(".", "#")  # ".!menu" -> ".#!menu"
        try:
            return int(self.root.tk.call("winfo", "reqheight", clone))
        except tk.TclError:  # no clone: the system draws the bar (macOS, Windows)
            return 0

    def _build(self, config: ServerConfig, log_level: str) -> None:
        self.form = ServerForm(self, config, on_start=self.start_server, on_stop=self.on_stop_clicked)
        self.form.grid(row=0, column=0, sticky="ew")
        self.banner = JoinBanner(self)
        self.banner.grid(row=1, column=0, sticky="ew", pady=(4, 4))

        self.panes = panes = ttk.PanedWindow(self, orient="vertical")
        panes.grid(row=2, column=0, sticky="nsew")
        self.tables = tables = ttk.PanedWindow(panes, orient="horizontal")
        self.clients_view = ClientsView(tables)
        self.kick_button = ttk.Button(self.clients_view.actions, text="Kick…", command=self.on_kick_clicked)
        self.mute_button = ttk.Button(
            self.clients_view.actions, text="Mute", command=lambda: self.on_mute_clicked(True)
        )
        self.unmute_button = ttk.Button(
            self.clients_view.actions, text="Unmute", command=lambda: self.on_mute_clicked(False)
        )
        self.wipe_button = ttk.Button(
            self.clients_view.actions, text="Delete messages…", command=self.on_delete_messages_clicked
        )
        self.rooms_view = RoomsView(tables)
        self.close_room_button = ttk.Button(
            self.rooms_view.actions, text="Close room…", command=self.on_close_room_clicked
        )
        self.owner_button = ttk.Button(self.rooms_view.actions, text="Owner…", command=self.on_change_owner_clicked)
        self.history_button = ttk.Button(self.rooms_view.actions, text="History…", command=self.open_history)
        moderation = (self.kick_button, self.mute_button, self.unmute_button, self.wipe_button)
        for button in (*moderation, self.close_room_button, self.owner_button, self.history_button):
            button.pack(side="left", padx=(0, 4))
        for view in (self.clients_view, self.rooms_view):
            view.tree.bind("<<TreeviewSelect>>", lambda _event: self.refresh_actions(), add=True)
        self.build_identity()  # the join code, Ban…, Accounts… and Bans… (identity_actions.py)
        usable_width = self.root.winfo_screenwidth() - 2 * WINDOW_PADDING
        self.form.arrange(usable_width)
        self.banner.arrange(usable_width, refit=lambda: self.code_panel.show(self.code_panel.code))
        # Buttons that do not fit the window's width (200% on a 1024x600 screen) go on a next line.
        bars = (self.form.top, self.clients_view.actions, self.rooms_view.actions)
        self.flow_bars = [FlowBar(bar, on_change=self._keep_fixed_in_view) for bar in bars]
        tables.add(self.clients_view, weight=3)
        tables.add(self.rooms_view, weight=2)
        bottom = ttk.PanedWindow(panes, orient="horizontal")  # the log, and beside it the hand-ins (handins.py)
        self.log_pane = LogPane(bottom, log_level, look=self.look)
        self.handins = HandinsView(bottom, ask_yes_no=self.ask_yes_no)
        bottom.add(self.log_pane, weight=3)
        bottom.add(self.handins, weight=1)
        tables.bind("<Configure>", self._on_tables_resized, add=True)
        panes.add(tables, weight=3)
        panes.add(bottom, weight=2)
        panes.bind("<Configure>", self._on_panes_resized, add=True)

        announce = ttk.Frame(self)
        announce.grid(row=3, column=0, sticky="ew", pady=(6, 0))
        ttk.Label(announce, text="Announcement:").pack(side="left")
        self.announcement = tk.StringVar(self)
        self.announcement_entry = entry = ttk.Entry(announce, textvariable=self.announcement)
        entry.pack(side="left", fill="x", expand=True, padx=4)
        entry.bind("<Return>", lambda _event: self.on_broadcast_clicked())
        self.broadcast_button = ttk.Button(announce, text="Broadcast to everyone", command=self.on_broadcast_clicked)
        self.broadcast_button.pack(side="left")
        # Beside the announcement, not among the per-row buttons: it needs no selection (and a 1024x600 screen
        # at 150% had no room for one more button there).
        self.class_button = ttk.Button(announce, text="Mute class", command=self.on_class_mute_clicked)
        self.class_button.pack(side="left", padx=(4, 0))

        self.status = tk.StringVar(self, value="Stopped. Check the settings and press Start.")
        # Wrapped at the window's width: a long message makes the line taller, never the window wider.
        self.status_label = ttk.Label(
            self, textvariable=self.status, style="Status.TLabel", anchor="w", wraplength=self.look.scaled(600)
        )
        self.status_label.grid(row=4, column=0, sticky="ew")
        self.status_label.bind("<Configure>", lambda event: self.status_label.configure(wraplength=event.width - 8))
        self.rowconfigure(2, weight=1)
        self.columnconfigure(0, weight=1)

    def _on_tables_resized(self, event: tk.Event) -> None:
        """Narrower than asked for (150% on a 1024-pixel screen): move the line between the tables so that the Rooms
        table's buttons keep one line where the Clients table's buttons still fit theirs (a second line of
        buttons would cost the tables a row)."""
        clients_bar, rooms_bar = self.flow_bars[1], self.flow_bars[2]
        edges = self.rooms_view.winfo_width() - self.rooms_view.actions.winfo_width()  # its padding
        rooms_need = rooms_bar.one_line_width() + edges + 8  # and the sash between the tables
        clients_need = clients_bar.one_line_width() + edges
        place = self.tables.sashpos(0)
        if event.width - place < rooms_need and event.width - rooms_need >= clients_need:
            self.tables.sashpos(0, event.width - rooms_need)

    def _on_panes_resized(self, event: tk.Event) -> None:
        """Shorter than asked for: the log gives up its height first, down to a few lines, then the tables down to
        FEW_ROWS rows, then the log the rest of its height (the tables' rows matter more than its lines)."""
        wanted = self.tables.winfo_reqheight() + self.log_pane.winfo_reqheight()
        if event.height >= wanted:
            return  # the panes' weights share out the spare height
        row_height = int(ttk.Style(self).lookup("Treeview", "rowheight") or 0)
        tables_least = self.tables.winfo_reqheight() - (TABLE_ROWS - FEW_ROWS) * row_height
        log_height = max(self.log_pane.least_height(), event.height - self.tables.winfo_reqheight())
        log_height = min(log_height, max(0, event.height - tables_least))
        self.panes.sashpos(0, max(0, event.height - log_height))

    @property
    def server(self) -> ChatServer | None:
        return self.runner.server

    def open_history(self) -> HistoryDialog:
        """The History dialog (history_dialog.py), for the selected room if one is; one at a time."""
        dialog = self.history_dialog
        if dialog is None or dialog.closed:
            rooms = self.rooms_view.selected()
            dialog = self.history_dialog = HistoryDialog(
                self.root, lambda: self.server, self.ask_save_path, self.ask_yes_no, rooms[0].name if rooms else ""
            )
        dialog.lift()
        return dialog

    def say(self, text: str) -> None:
        self.status.set(text)

    # -- starting and stopping --
    def start_server(self) -> bool:
        """Bind and serve with the form's settings; False (and the reason shown) if that failed."""
        if self.phase != "stopped":
            return False
        try:
            config = self.form.read_config()
        except ValueError as exc:  # the form's own sentence
            self.say(str(exc))
            return False
        self.phase = "starting"
        self.form.set_state("busy")
        self.refresh_actions()
        self.say("Starting: opening the data folder…")
        started = False
        try:
            server, lost_port = self._serve_while_drawing(config)
            started = True
        except ValueError as exc:  # the form's own sentence
            self.say(str(exc))
            return False
        except CertificateError as exc:  # --cert/--key that cannot be used
            self.say(f"Cannot start: {exc}")
            log.error("cannot start: %s", exc)
            return False
        except FolderBusy as exc:  # another server runs on this data folder
            self.say(f"Cannot start: {exc}. Stop that server first, or choose another data folder.")
            log.error("cannot start: %s", exc)
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
        finally:
            if self.closed:  # closed while starting (close() left it to here): the server goes with the window
                self.phase = "stopped"
                self.runner.stop_and_wait()
                if not self.destroyed:
                    self.root.destroy()
            elif not started:
                self.phase = "stopped"
                self.form.set_state("stopped")
                self.refresh_actions()
        if self.closed:
            return False
        self.phase = "running"
        self.form.set_state("running")
        self.refresh_actions()
        host, port = server.address
        self.port_zero_got = port if config.port == 0 else None
        log.warning("admin started the server on %s port %d", host, port)
        moved = ""
        if lost_port is not None:
            log.warning(
                "the address changed: port %d, which the server had before, is taken now; it listens on port %d, "
                "so students must join again by the new address",
                lost_port,
                port,
            )
            moved = f" THE ADDRESS CHANGED: port {lost_port} is taken now; students must join by the new address."
        addresses = join_addresses(host, port)
        self.banner.show(addresses, local_only=only_this_computer(addresses))
        announcement = self.runner.announcement
        listing = f" {announcement.describe()}" if announcement is not None else ""
        self.banner.configure(text=f"Join “{announcement.class_name}” at" if announcement is not None else "Join at")
        self.banner.key.show(server.tls.fingerprint if server.tls is not None else None)
        self._fold(True)
        self._widen_to_show_all()
        hint = ""
        if hasattr(self, "view_menu"):
            self.view_menu.entryconfigure(0, state="normal")
            if self._cramped():
                hint = " To see more of the tables, use the View menu."
        history = server.storage.status()
        note = "" if history.ok and not history.notices else f" History: {history.describe()}"
        self.say(f"Running on {host} port {port}.{moved}{listing}{note}{_new_key_note(server)}{hint}")
        return True

    def _serve_while_drawing(self, config: ServerConfig) -> tuple[ChatServer, int | None]:
        """_serve on an "admin-start" thread while this thread keeps drawing the window; its outcome or exception.

        Opening the data folder can take seconds (a check of a large
        database, a new certificate), and the window must not freeze
        meanwhile: it keeps redrawing, its log pane keeps filling, and a
        close waits for the start to finish (close()).
        """
        outcome: list[tuple[ChatServer, int | None]] = []
        failure: list[BaseException] = []
        done = threading.Event()

        def serve() -> None:
            try:
                outcome.append(self._serve(config))
            except BaseException as exc:  # handed to the Tk thread, which reports it as before
                failure.append(exc)
            finally:
                done.set()

        threading.Thread(target=serve, name="admin-start", daemon=True).start()
        while not done.wait(START_PUMP_SECONDS):
            if not self.destroyed:
                self.root.update()
        if failure:
            raise failure[0]
        return outcome[0]

    def _serve(self, config: ServerConfig) -> tuple[ChatServer, int | None]:
        """Start with `config`; with Port 0 after a start with Port 0, on the port that start was given.

        Every chat window retries the address it joined by, so a restart on a new
        random port would strand the class.  Only when that port is taken now does
        the server take a new free one; the old port is returned then (else None),
        for the window to say loudly that the address changed.
        """
        again = self.port_zero_got if config.port == 0 else None
        if again is None:
            return self.runner.start(config), None
        try:
            return self.runner.start(replace(config, port=again)), None
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
        return self.runner.start(config), again

    def people_connected(self) -> int:
        """How many connections have a nickname now (the server's count, not the table's, which may lag)."""
        server = self.server
        if server is None or self.phase != "running":
            return 0
        return sum(1 for client in server.clients() if client.nick)

    def on_stop_clicked(self) -> bool:
        """The Stop button: ask first if anyone is connected; True if the server is stopping."""
        connected = self.people_connected()
        if connected:
            question = (
                f"{_people(connected)} connected. Stopping the server tells everyone it is shutting down "
                f"and disconnects them. Stop now?"
            )
            if not self.ask_yes_no("Stop the server?", question):
                self.say("Still running.")
                return False
        return self.stop_server()

    def stop_server(self) -> bool:
        """Stop on a helper thread: every client gets shutdown and bye; the poller notices the end."""
        if self.phase != "running":
            return False
        connected = self.people_connected()
        self.phase = "stopping"
        self.form.set_state("busy")
        self.refresh_actions()
        self.say("Stopping: telling every client…")
        log.warning("admin stopped the server (%s connected)", _people(connected, verb=False))
        self.runner.stop_in_background()
        return True

    def _on_stopped(self) -> None:
        self.runner.forget()
        self._sent_backlog.clear()
        self._room_backlog.clear()
        self.clients_view.clear()
        self.rooms_view.clear()
        self.banner.clear()
        self.banner.configure(text="Join at")
        self._fold(False)
        self.phase = "stopped"
        self.show_top(True)  # the settings are needed to start again
        if hasattr(self, "view_menu"):
            self.view_menu.entryconfigure(0, state="disabled")
        self.form.set_state("stopped")
        self.refresh_actions()
        self.say("Stopped. Every client was told. Start again whenever you like.")

    # -- closing the window --
    def on_close_request(self) -> bool:
        """The window's close button: ask first if clients are connected; True if the window closed."""
        connected = self.people_connected()
        if connected:
            question = (
                f"{_people(connected)} connected. "
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
        if self.phase == "starting":  # start_server() stops the server and destroys the window once it is up
            return
        if self.phase == "running":
            log.warning(
                "admin closed the window: stopping the server (%s connected)",
                _people(self.people_connected(), verb=False),
            )
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

    # -- the poller: the only reader of the queues --
    @property
    def polling(self) -> bool:
        return self._poll_id is not None

    def _poll(self) -> None:
        self._poll_id = None
        behind = False
        try:
            behind = self.pump()
        finally:
            if not (self.closed or self.destroyed):
                self._poll_id = self.after(BACKLOG_POLL_MS if behind else POLL_MS, self._poll)

    def pump(self) -> bool:
        """Apply client and room states and log lines to the widgets for PUMP_SECONDS at most; True if more waits.

        States come in slices of EVENT_SLICE, the clock looked at after each: 600 students leaving at
        once is several looks, each short, with the window drawn and answering between them; what was
        not applied stays in the feed (and the log queue), in its order, for the next look.
        """
        if self._quit_signalled:
            self.close()
            return False
        deadline = time.perf_counter() + PUMP_SECONDS
        feed = self.runner.feed
        behind = False
        if feed is not None:
            # Counters are taken before the events: a count then never refers to a
            # client whose arrival is still queued once the queue has been emptied.
            counters = feed.take_counters()
            self._sent_backlog.update(counters.clients)
            self._room_backlog.update(counters.rooms)
            applied = False
            while True:
                events, emptied = feed.take_events(EVENT_SLICE)
                for event in events:
                    self._apply(event)
                applied = applied or bool(events)
                if emptied or self.runner.feed is not feed or time.perf_counter() >= deadline:
                    break
            if emptied and self.runner.feed is feed:
                self._apply_counters()
            behind = not emptied and self.runner.feed is feed
            if applied:  # a selected row may have gone, or been muted
                self.refresh_actions()
        self.handins.refresh(self.server if self.phase == "running" else None)
        self.show_class_muted()  # a teacher's MUTE * or UNMUTE * (no row need change), or a restart
        # The log in slices too, after the tables and under the same clock (at least one slice a look):
        # 200 lines at once took 50 to 230 ms while 600 students came and went.
        while True:
            lines, dropped = self.log_handler.take(LOG_SLICE)
            self.log_pane.add_lines(lines, dropped)
            if len(lines) < LOG_SLICE:
                return behind
            if time.perf_counter() >= deadline:
                return True

    def _apply(self, event: FeedEvent) -> None:
        if isinstance(event, ClientChanged):
            self.clients_view.show_client(event.client)
        elif isinstance(event, ClientGone):
            self.clients_view.remove_client(event.session_id)
        elif isinstance(event, RoomChanged):
            self.rooms_view.show_room(event.room, event.token)
        elif isinstance(event, RoomGone):
            self.rooms_view.remove_room(event.key)  # the latest word on that name: no room has it now
        elif isinstance(event, ServerStopped):
            self._on_stopped()

    def _apply_counters(self) -> None:
        for session_id, sent in self._sent_backlog.items():
            self.clients_view.set_sent(session_id, sent)
        for token, (key, messages) in self._room_backlog.items():
            self.rooms_view.set_messages(key, token, messages)
        self._sent_backlog.clear()
        self._room_backlog.clear()


def _people(count: int, verb: bool = True) -> str:
    """'1 person is', '3 people are' (or without the verb)."""
    noun = "1 person" if count == 1 else f"{count} people"
    if not verb:
        return noun
    return f"{noun} {'is' if count == 1 else 'are'}"


def _new_key_note(server: ChatServer) -> str:
    """What to say when this start made the server's key: a first start in that data folder (or the wrong one).

    Started by mistake with another --data-dir (a second shortcut), the server
    has a new key and none of the class's accounts, bans or rooms; every
    student who joined before would be asked to trust a changed key.
    """
    tls = server.tls
    if tls is None or tls.certificate.origin != "made":
        return ""
    return (
        f" A new server key was made: this is the first start with the data folder {tls.certificate.cert_path.parent}."
        " Students who joined before will be warned that the key changed, and the accounts and bans of"
        " another folder are not here: if that is not what you meant, press Stop and start with your usual folder."
    )
