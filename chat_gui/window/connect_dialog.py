"""The Connect dialog: host, port and nickname, with errors that say what to do (Tk thread).

The dialog stays open until the server accepts the nickname, so a refused
connection or a taken nickname is fixed in place, without starting over.
When nothing answers on this computer it offers to start a server here:
from the moment it opens, since it asks the port on this computer at once
(chat_gui/core/local_probe.py, on a thread of its own; the answer is
polled here with after()), and again when the address or port changes.
Above the fields, the class servers announced on this network
(chat_gui/window/found_servers.py): double-click one to join it, at the
address whose key the list judged (chat_gui/core/announced_key.py); one
marked "not the address you trusted" only fills the fields.
"""

from __future__ import annotations

import math
import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from chat_gui.core.announced_key import address_to_join
from chat_gui.core.local_probe import LocalProbe
from chat_gui.core.trust_store import address_key
from chat_gui.settings import ClientSettings
from chat_gui.window.found_servers import ROWS, FoundServers
from chat_gui.window.login_dialog import LOG_IN, NICKNAME, AccountFields
from chat_gui.window.scroll_frame import ScrollFrame
from chat_gui.window.window_size import SCREEN_MARGIN
from shared.discovery_record import FoundServer
from shared.names import MAX_NICK_CHARS, is_nick_shaped
from shared.server_address import split_address

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "")
# The theme's styles (shared_tk/theme.py) colour hints and errors for light and dark alike, at AA contrast.
MUTED_STYLE = "Muted.TLabel"
ERROR_STYLE = "Error.TLabel"
PROBE_POLL_MS = 25
FIT_DELAY_MS = 20  # after a change of the dialog's size, before it is fitted to the screen again
PROBE_DELAY_MS = 400  # after a change to the address or port: wait for the typing to stop
# Nothing answering here is the usual first run of a student whose teacher's server is elsewhere (or not up
# yet): they wait for the teacher's address; only the teacher starts a server, which the whole network sees.
STUDENTS_ASK = "Students: ask your teacher for the address to join, and type it above."
START_SERVER_TEXT = "I am the teacher: start a server here"
FOUND_GAP = 14  # px above the list of class servers (counted when it comes back, or it would go and come forever)


class ConnectDialog(tk.Toplevel):
    def __init__(
        self,
        master: tk.Misc,
        settings: ClientSettings,
        on_connect: Callable[[str, int, str], None],
        on_start_server: Callable[[int, str], None],
        on_cancel: Callable[[], None],
        cancel_text: str = "Quit",
    ) -> None:
        super().__init__(master)
        self.title("ClassChat — connect")
        self.transient(master.winfo_toplevel())
        self.resizable(False, False)
        self.on_connect, self.on_start_server, self.on_cancel = on_connect, on_start_server, on_cancel
        self.host_var = tk.StringVar(value=settings.host)
        self.port_var = tk.StringVar(value=str(settings.port))
        self.nick_var = tk.StringVar(value=settings.nick)
        # The message and the buttons stay at the bottom; on a short screen the fields above them scroll.
        footer = ttk.Frame(self, padding=(14, 0, 14, 14))
        footer.pack(side="bottom", fill="x")
        self.scroller = ScrollFrame(self)
        self.scroller.pack(fill="both", expand=True)
        self.body = body = ttk.Frame(self.scroller.inner, padding=(14, 14, 14, 0))
        body.pack(fill="both", expand=True)
        ttk.Label(body, text="Join a ClassChat server", font=("TkHeadingFont", 12, "bold")).grid(
            row=0, column=0, columnspan=2, sticky="w", pady=(0, 8)
        )
        self.host_entry = self._field(body, 1, "Server address:", self.host_var)
        self.port_entry = self._field(body, 2, "Port:", self.port_var)
        self.nick_entry = self._field(body, 3, "Your nickname:", self.nick_var)
        ttk.Label(body, text=f"Up to {MAX_NICK_CHARS} letters, digits, _ or -.", style=MUTED_STYLE).grid(
            row=4, column=1, sticky="w"
        )
        self.account = AccountFields(body, 5, mode=LOG_IN if settings.log_in else NICKNAME)  # code, log in, register
        self.message = ttk.Label(footer, text="", style=ERROR_STYLE, wraplength=340, justify="left")
        self.message.grid(row=0, column=0, sticky="ew", pady=(8, 0))
        footer.columnconfigure(0, weight=1)
        # Wrapped at the fields' width, whatever the scaling: at 150% a fixed width made it five lines tall.
        self.message.bind("<Configure>", lambda event: self.message.configure(wraplength=max(event.width, 100)))
        buttons = ttk.Frame(footer)
        buttons.grid(row=1, column=0, sticky="e", pady=(12, 0))
        self.start_button = ttk.Button(buttons, text=START_SERVER_TEXT, command=self._start_server)
        self.connect_button = ttk.Button(buttons, text="Connect", command=self._connect, default="active")
        self.quit_button = ttk.Button(buttons, text=cancel_text, command=self._cancel)
        self.connect_button.pack(side="right")
        self.quit_button.pack(side="right", padx=(0, 6))
        self.found = FoundServers(self, on_choose=self._join_found, wanted=self._address_typed)
        self.found.pack(fill="x", padx=14, pady=(FOUND_GAP, 0), before=self.scroller)
        self.bind("<Return>", lambda event: self._connect())
        self.bind("<Escape>", lambda event: self._cancel())
        self.protocol("WM_DELETE_WINDOW", self._cancel)
        (self.connect_button if settings.nick else self.nick_entry).focus_set()
        self._center_over(master.winfo_toplevel())
        self._fit_id: str | None = None
        self.bind("<Configure>", self._on_configure, add="+")
        self._probe: LocalProbe | None = None
        self._probe_timer: str | None = None
        self._tried = False  # Connect or Start was pressed: their outcome speaks, not the probe
        self.host_var.trace_add("write", lambda *_: self._probe_later())
        self.port_var.trace_add("write", lambda *_: self._probe_later())
        self._probe_now()

    def _center_over(self, parent: tk.Misc) -> None:
        self.update_idletasks()
        x = parent.winfo_rootx() + max(0, (parent.winfo_width() - self.winfo_reqwidth()) // 2)
        y = parent.winfo_rooty() + max(0, (parent.winfo_height() - self.winfo_reqheight()) // 3)
        self.geometry(f"+{x}+{y}")

    def _on_configure(self, event: tk.Event) -> None:
        if event.widget is self and self._fit_id is None:
            # A timer, not an idle callback: were two sizes ever to alternate, update() would still return.
            self._fit_id = self.after(FIT_DELAY_MS, self._keep_on_screen)

    def _keep_on_screen(self) -> None:
        """Taller than the screen allows (150% on a 1024x600 screen, the Register fields, a join code, an error):
        the list of class servers gives up rows, down to one, then goes (it comes back, row by row, when the
        dialog is shorter again), and the dialog moves up, so that its fields and buttons stay on the screen."""
        self._fit_id = None
        usable = self.winfo_screenheight() - SCREEN_MARGIN[1]
        excess = self.winfo_reqheight() - usable
        if self.found.winfo_manager():
            rows = self.found.rows() - math.ceil(excess / self.found.row_height())
            if rows < 1:
                self.found.pack_forget()
            else:
                self.found.show_rows(min(ROWS, rows))
        elif excess + self.found.winfo_reqheight() + FOUND_GAP <= 0 and not self.scroller.scrolls:
            self.found.pack(fill="x", padx=14, pady=(FOUND_GAP, 0), before=self.scroller)
        elif excess > 0 or self.scroller.scrolls:  # the fields scroll above the message and the buttons
            canvas = self.scroller.canvas
            self.scroller.set_most_height(max(1, int(canvas.cget("height")) - excess))
        bottom = self.winfo_rooty() + self.winfo_reqheight()
        lowest = self.winfo_screenheight() - SCREEN_MARGIN[1] // 2  # room for a taskbar below
        if bottom > lowest:
            self.geometry(f"+{self.winfo_rootx()}+{max(SCREEN_MARGIN[1] // 2, lowest - self.winfo_reqheight())}")

    def _field(self, body: ttk.Frame, row: int, label: str, variable: tk.StringVar) -> ttk.Entry:
        ttk.Label(body, text=label).grid(row=row, column=0, sticky="w", padx=(0, 8), pady=2)
        entry = ttk.Entry(body, textvariable=variable, width=28)
        entry.grid(row=row, column=1, sticky="ew", pady=2)
        return entry

    # -- intent methods --
    def destroy(self) -> None:
        if self._fit_id is not None:
            self.after_cancel(self._fit_id)
            self._fit_id = None
        if self._probe_timer is not None:
            self.after_cancel(self._probe_timer)
            self._probe_timer = None
        super().destroy()

    def show_busy(self, text: str) -> None:
        self.message.configure(text=text, style=MUTED_STYLE)
        self.connect_button.state(["disabled"])
        self.start_button.state(["disabled"])

    def show_error(self, text: str, field: str = "", offer_server: bool = False) -> None:
        """Say what went wrong; put the cursor where the fix goes; offer a local server when it helps."""
        self._forget_probe()  # its answer, arriving later, must not wipe what went wrong (edits probe again)
        self.message.configure(text=text, style=ERROR_STYLE)
        self.connect_button.state(["!disabled"])
        self.start_button.state(["!disabled"])
        if offer_server and self.is_local():
            self.start_button.pack(side="left", padx=(0, 12))
        else:
            self.start_button.pack_forget()
        entry = {
            "host": self.host_entry,
            "port": self.port_entry,
            "nick": self.nick_entry,
            "code": self.account.code_entry,
            "password": self.account.password_entry,
        }.get(field)
        if entry is not None:
            entry.focus_set()
            entry.select_range(0, "end")

    def offer_local_server(self, text: str) -> None:
        """Offer the teacher's "start a server on this computer", with a word on why (nothing answers here yet)."""
        self.message.configure(text=text, style=MUTED_STYLE)
        self.start_button.pack(side="left", padx=(0, 12))

    def _address_typed(self) -> str | None:
        """The "host:port" in the fields (typed, or remembered from last time), as the trust store names it; None if
        it is not one."""
        try:
            host, port_in_host = split_address(self.host_var.get())
            port = port_in_host if port_in_host is not None else int(self.port_var.get().strip())
        except ValueError:
            return None
        return address_key(host, port) if host else None

    def is_local(self) -> bool:
        try:
            host = split_address(self.host_var.get())[0]
        except ValueError:
            return False
        return host.lower() in LOCAL_HOSTS

    def values(self) -> tuple[str, int, str] | None:
        """(host, port, nick) when they are usable; otherwise shows why and returns None.

        The address may carry the port, as the teacher's screen shows it
        ("192.168.1.20:55555"): then that port is used and moves to its field.
        """
        try:
            host, port_in_host = split_address(self.host_var.get())
        except ValueError as exc:
            self.show_error(str(exc), "host")
            return None
        if port_in_host is not None:
            self.host_var.set(host)
            self.port_var.set(str(port_in_host))
        host = host or "localhost"
        try:
            port = int(self.port_var.get().strip())
        except ValueError:
            port = -1
        if not 0 < port < 65536:
            self.show_error(
                "The port is a number from 1 to 65535 (ClassChat uses 55555 unless told otherwise).", "port"
            )
            return None
        nick = self.nick_var.get().strip()
        if not is_nick_shaped(nick):
            self.show_error(f"Choose a nickname: 1 to {MAX_NICK_CHARS} letters, digits, _ or - (no spaces).", "nick")
            return None
        return host, port, nick

    def _connect(self) -> None:
        self._tried = True
        values = self.values()
        if values is not None and self.account.choice() is not None:
            self.show_busy(f"Connecting to {values[0]}:{values[1]}…")
            self.on_connect(*values)

    def _join_found(self, server: FoundServer) -> None:
        """A server from the list: the address its key was judged for in the fields, and connect at once if a
        nickname is there and the list gave no "not the address you trusted" or "only its name" warning for it."""
        host, port = address_to_join(server)
        self.host_var.set(host)
        self.port_var.set(str(port))
        key = self.found.key_of(server)
        if key is not None and key.state == "elsewhere":
            self.show_error(
                f"“{server.class_name}” is announced at {key.joins}, but you trusted its key at {key.address}. "
                "Press Connect only if your teacher shows this address.",
                "host",
            )
        elif key is not None and key.state == "copy":  # a first connection would pin its key without a word
            self.show_error(
                f"“{server.class_name}” at {key.joins} is not the server you joined at {key.address}, only its name. "
                "Press Connect only if your teacher shows this address.",
                "host",
            )
        elif is_nick_shaped(self.nick_var.get().strip()):
            self._connect()
        else:
            self.show_error(f"Choose a nickname to join {server.class_name}, then press Connect.", "nick")

    def _start_server(self) -> None:
        self._tried = True
        values = self.values()
        if values is not None and self.account.choice() is not None:
            self.show_busy(f"Starting a chat server on port {values[1]}…")
            self.on_start_server(values[1], values[2])

    def _cancel(self) -> None:
        self.on_cancel()

    # -- is a server running here? --
    def _forget_probe(self) -> None:
        if self._probe_timer is not None:
            self.after_cancel(self._probe_timer)
            self._probe_timer = None
        self._probe = None

    def _probe_later(self) -> None:
        if self._probe_timer is not None:
            self.after_cancel(self._probe_timer)
        self._probe_timer = self.after(PROBE_DELAY_MS, self._probe_now)

    def _probe_now(self) -> None:
        self._probe_timer = None
        self._probe = None
        try:
            port = split_address(self.host_var.get())[1] or int(self.port_var.get().strip())
        except ValueError:
            return
        if self._tried or not self.is_local() or not 0 < port < 65536:
            if not self._tried:
                self.start_button.pack_forget()
            return
        self._probe = LocalProbe(port).start()
        self._probe_timer = self.after(PROBE_POLL_MS, self._probe_answered)

    def _probe_answered(self) -> None:
        self._probe_timer = None
        probe = self._probe
        if probe is None or self._tried:
            return
        answer = probe.answer()
        if answer is None:
            self._probe_timer = self.after(PROBE_POLL_MS, self._probe_answered)
            return
        if answer:
            self.start_button.pack_forget()
            self.message.configure(text="")
        else:
            self.offer_local_server(f"Nothing answers on this computer at port {probe.port}. {STUDENTS_ASK}")
