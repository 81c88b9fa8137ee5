"""Join code, "Log in / Register" and password fields for the Connect dialog, and the same as a dialog of its own (Tk thread).

    Join code:  [K7P4XQ]          shown when the server asked for one (with its words) or one is known
    (•) Just a nickname  ( ) Log in  ( ) Register this nickname
    Password:   [••••••••]        Log in and Register
    Again:      [••••••••]        Register only
    [x] Log in again by itself if the connection drops (the password stays in memory, never on disk)
    <what the server said about the password, next to the fields>

Nothing here sends anything: the Connect dialog (chat_gui/window/connect_dialog.py)
or AccountDialog hands `choice()` to the controller, which gives it to the
client core (chat_gui/core/sign_in.py).  Passwords are in Entry widgets
with show="•" and are cleared when refused.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass, field
from tkinter import ttk

from chat_gui.core.sign_in import MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, password_problem
from chat_gui.window.window_size import display_scale
from shared.names import MAX_NICK_CHARS, is_nick_shaped

NICKNAME, LOG_IN, REGISTER = "nickname", "login", "register"
ERROR_STYLE = "Error.TLabel"  # the theme's colours (shared_tk/theme.py), readable light and dark
HINT_STYLE = "Muted.TLabel"


def scaled(widget: tk.Misc, pixels: int) -> int:
    """`pixels` at 100% scaling, at the display's scaling now."""
    return round(pixels * display_scale(widget))


@dataclass(frozen=True)
class AccountChoice:
    mode: str  # NICKNAME, LOG_IN or REGISTER
    password: str = field(default="", repr=False)
    keep: bool = True
    code: str = ""


class AccountFields:
    """The identity part of a dialog: widgets gridded into `master` from `row` on, in its two columns (label, field).

    Gridded into the dialog's own grid rather than a frame of their own, so
    these fields line up with the address and nickname fields above them.
    """

    ROWS = 7  # rows it may use, from `row` on

    def __init__(
        self, master: tk.Misc, row: int, mode: str = NICKNAME, code: str = "", modes: tuple[str, ...] = ()
    ) -> None:
        self.master = master
        self.row = row
        self.mode_var = tk.StringVar(value=mode)
        self.code_var = tk.StringVar(value=code)
        self.password_var = tk.StringVar()
        self.again_var = tk.StringVar()
        self.keep_var = tk.BooleanVar(value=True)
        self.code_label = ttk.Label(master, text="Join code:")
        self.code_entry = ttk.Entry(master, textvariable=self.code_var, width=12, font=("TkFixedFont", 12))
        # Wrap widths grow with the scaling: fixed ones made these messages five lines tall at 150%.
        self.code_hint = ttk.Label(master, text="", style=HINT_STYLE, wraplength=scaled(master, 300), justify="left")
        choices = ttk.Frame(master)
        choices.grid(row=row + 2, column=0, columnspan=2, sticky="w", pady=(8, 2))
        labels = {NICKNAME: "Just a nickname", LOG_IN: "Log in", REGISTER: "Register this nickname"}
        self.mode_buttons: dict[str, ttk.Radiobutton] = {}
        for value in modes or (NICKNAME, LOG_IN, REGISTER):
            button = ttk.Radiobutton(
                choices, text=labels[value], value=value, variable=self.mode_var, command=self._show_mode
            )
            button.pack(side="left", padx=(0, 10))
            self.mode_buttons[value] = button
        self.password_label = ttk.Label(master, text="Password:")
        self.password_entry = ttk.Entry(master, textvariable=self.password_var, show="•", width=28)
        self.again_label = ttk.Label(master, text="Again:")
        self.again_entry = ttk.Entry(master, textvariable=self.again_var, show="•", width=28)
        self.keep_check = ttk.Checkbutton(
            master,
            text="Log in again by itself if the connection drops\n(the password stays in memory until you quit)",
            variable=self.keep_var,
        )
        self.password_message = ttk.Label(
            master, text="", style=ERROR_STYLE, wraplength=scaled(master, 340), justify="left"
        )
        if code:
            self.show_code("")
        self._show_mode()

    # -- intent methods --
    def show_code(self, message: str) -> None:
        """Show the join code field with the server's words; the cursor goes there."""
        self.code_label.grid(row=self.row, column=0, sticky="w", padx=(0, 8), pady=2)
        self.code_entry.grid(row=self.row, column=1, sticky="w", pady=2)
        self.code_hint.configure(
            text=message or "The code your teacher gave (on the board or the admin window).",
            style=ERROR_STYLE if message else HINT_STYLE,
        )
        self.code_hint.grid(row=self.row + 1, column=1, sticky="w")
        self.code_entry.focus_set()
        self.code_entry.select_range(0, "end")

    def code_taken(self) -> None:
        """The server took the code: its earlier words no longer apply."""
        if self.code_shown():
            self.code_hint.configure(text="Join code accepted.", style=HINT_STYLE)

    def show_password_error(self, message: str, mode: str | None = None) -> None:
        """What the server (or the rules) said about the password, next to the password fields."""
        if mode is not None:
            self.mode_var.set(mode)
            self._show_mode()
        self.password_var.set("")
        self.again_var.set("")
        self.password_message.configure(text=message, style=ERROR_STYLE)
        self.password_entry.focus_set()

    def clear_messages(self) -> None:
        self.password_message.configure(text="")

    def mode(self) -> str:
        return self.mode_var.get()

    def code_shown(self) -> bool:
        return bool(self.code_entry.grid_info())

    def choice(self) -> AccountChoice | None:
        """What the user chose, or None (with the reason shown next to the field) when it cannot be used."""
        mode = self.mode()
        code = "".join(self.code_var.get().split())
        if self.code_shown() and not code:
            self.show_code("Type the join code your teacher gave.")
            return None
        password, again = self.password_var.get(), self.again_var.get()
        if mode == NICKNAME:
            return AccountChoice(NICKNAME, code=code)
        if mode == LOG_IN and not password:
            self.show_password_error("Type your password.")
            return None
        problem = password_problem(password, again if mode == REGISTER else None) if mode == REGISTER else ""
        if problem:
            self.show_password_error(problem)
            return None
        self.password_message.configure(text="")
        return AccountChoice(mode, password, self.keep_var.get(), code)

    # -- inside --
    def _show_mode(self) -> None:
        mode = self.mode()
        account = mode in (LOG_IN, REGISTER)
        rows = (
            (self.password_label, self.password_entry, self.row + 3, account),
            (self.again_label, self.again_entry, self.row + 4, mode == REGISTER),
        )
        for label, entry, row, shown in rows:
            if shown:
                label.grid(row=row, column=0, sticky="w", padx=(0, 8), pady=2)
                entry.grid(row=row, column=1, sticky="ew", pady=2)
            else:
                label.grid_remove()
                entry.grid_remove()
        if account:
            hint = (
                f"{MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters. It keeps your nickname "
                f"for you on this server."
                if mode == REGISTER
                else ""
            )
            self.password_message.configure(text=hint, style=HINT_STYLE)
            self.keep_check.grid(row=self.row + 5, column=1, sticky="w", pady=(4, 0))
            self.password_message.grid(row=self.row + 6, column=1, sticky="w")
        else:
            self.keep_check.grid_remove()
            self.password_message.grid_remove()
        self.password_message.configure(style=HINT_STYLE)


class AccountDialog(tk.Toplevel):
    """Log in or register while connected (Chat > Log in or register…, /login, /register in the window)."""

    def __init__(
        self,
        master: tk.Misc,
        nick: str,
        mode: str,
        on_done: Callable[[str, AccountChoice], None],
        message: str = "",
    ) -> None:
        super().__init__(master)
        self.title("ClassChat — log in or register")
        self.transient(master.winfo_toplevel())
        self.resizable(False, False)
        self.on_done = on_done
        self.nick_var = tk.StringVar(value=nick)
        body = ttk.Frame(self, padding=14)
        body.pack(fill="both", expand=True)
        body.columnconfigure(1, weight=1)
        ttk.Label(body, text="Your account", font=("TkHeadingFont", 12, "bold")).grid(
            row=0, column=0, columnspan=2, sticky="w", pady=(0, 8)
        )
        ttk.Label(body, text="Nickname:").grid(row=1, column=0, sticky="w", padx=(0, 8), pady=2)
        self.nick_entry = ttk.Entry(body, textvariable=self.nick_var, width=28)
        self.nick_entry.grid(row=1, column=1, sticky="ew", pady=2)
        self.fields = AccountFields(body, 2, mode=mode, modes=(LOG_IN, REGISTER))
        if message:
            self.fields.show_password_error(message)
        buttons = ttk.Frame(body)
        buttons.grid(row=2 + AccountFields.ROWS, column=0, columnspan=2, sticky="e", pady=(12, 0))
        self.ok_button = ttk.Button(buttons, text="OK", command=self.submit, default="active")
        self.ok_button.pack(side="right")
        ttk.Button(buttons, text="Cancel", command=self.destroy).pack(side="right", padx=(0, 6))
        self.bind("<Return>", lambda event: self.submit())
        self.bind("<Escape>", lambda event: self.destroy())
        (self.fields.password_entry if nick else self.nick_entry).focus_set()

    def submit(self) -> None:
        nick = self.nick_var.get().strip()
        if not is_nick_shaped(nick):
            self.fields.show_password_error(f"Type a nickname: 1 to {MAX_NICK_CHARS} letters, digits, _ or -.")
            self.nick_entry.focus_set()
            return
        choice = self.fields.choice()
        if choice is None:
            return
        self.destroy()
        self.on_done(nick, choice)
