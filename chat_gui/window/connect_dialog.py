"""The Connect dialog: host, port and nickname, with errors that say what to do (Tk thread).

The dialog stays open until the server accepts the nickname, so a refused
connection or a taken nickname is fixed in place, without starting over.
When nothing answers on this computer it offers to start a server here.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from chat_gui.settings import ClientSettings
from chat_gui.window.login_dialog import LOG_IN, NICKNAME, AccountFields
from shared.names import MAX_NICK_CHARS, is_nick_shaped

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "")


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
        body = ttk.Frame(self, padding=14)
        body.pack(fill="both", expand=True)
        ttk.Label(body, text="Join a ClassChat server", font=("TkHeadingFont", 12, "bold")).grid(
            row=0, column=0, columnspan=2, sticky="w", pady=(0, 8)
        )
        self.host_entry = self._field(body, 1, "Server address:", self.host_var)
        self.port_entry = self._field(body, 2, "Port:", self.port_var)
        self.nick_entry = self._field(body, 3, "Your nickname:", self.nick_var)
        ttk.Label(body, text=f"Up to {MAX_NICK_CHARS} letters, digits, _ or -.", foreground="#6a6a6a").grid(
            row=4, column=1, sticky="w"
        )
        self.account = AccountFields(body, 5, mode=LOG_IN if settings.log_in else NICKNAME)  # code, log in, register
        below = 5 + AccountFields.ROWS
        self.message = ttk.Label(body, text="", foreground="#b00020", wraplength=340, justify="left")
        self.message.grid(row=below, column=0, columnspan=2, sticky="w", pady=(8, 0))
        buttons = ttk.Frame(body)
        buttons.grid(row=below + 1, column=0, columnspan=2, sticky="e", pady=(12, 0))
        self.start_button = ttk.Button(buttons, text="Start a server on this computer", command=self._start_server)
        self.connect_button = ttk.Button(buttons, text="Connect", command=self._connect, default="active")
        self.quit_button = ttk.Button(buttons, text=cancel_text, command=self._cancel)
        self.connect_button.pack(side="right")
        self.quit_button.pack(side="right", padx=(0, 6))
        self.bind("<Return>", lambda event: self._connect())
        self.bind("<Escape>", lambda event: self._cancel())
        self.protocol("WM_DELETE_WINDOW", self._cancel)
        (self.connect_button if settings.nick else self.nick_entry).focus_set()
        self._center_over(master.winfo_toplevel())

    def _center_over(self, parent: tk.Misc) -> None:
        self.update_idletasks()
        x = parent.winfo_rootx() + max(0, (parent.winfo_width() - self.winfo_reqwidth()) // 2)
        y = parent.winfo_rooty() + max(0, (parent.winfo_height() - self.winfo_reqheight()) // 3)
        self.geometry(f"+{x}+{y}")

    def _field(self, body: ttk.Frame, row: int, label: str, variable: tk.StringVar) -> ttk.Entry:
        ttk.Label(body, text=label).grid(row=row, column=0, sticky="w", padx=(0, 8), pady=2)
        entry = ttk.Entry(body, textvariable=variable, width=28)
        entry.grid(row=row, column=1, sticky="ew", pady=2)
        return entry

    # -- intent methods --
    def show_busy(self, text: str) -> None:
        self.message.configure(text=text, foreground="#6a6a6a")
        self.connect_button.state(["disabled"])
        self.start_button.state(["disabled"])

    def show_error(self, text: str, field: str = "", offer_server: bool = False) -> None:
        """Say what went wrong; put the cursor where the fix goes; offer a local server when it helps."""
        self.message.configure(text=text, foreground="#b00020")
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

    def is_local(self) -> bool:
        return self.host_var.get().strip().lower() in LOCAL_HOSTS

    def values(self) -> tuple[str, int, str] | None:
        """(host, port, nick) when they are usable; otherwise shows why and returns None."""
        host = self.host_var.get().strip() or "localhost"
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
        values = self.values()
        if values is not None and self.account.choice() is not None:
            self.show_busy(f"Connecting to {values[0]}:{values[1]}…")
            self.on_connect(*values)

    def _start_server(self) -> None:
        values = self.values()
        if values is not None and self.account.choice() is not None:
            self.show_busy(f"Starting a chat server on port {values[1]}…")
            self.on_start_server(values[1], values[2])

    def _cancel(self) -> None:
        self.on_cancel()
