"""AccountsDialog: the registered nicknames, their role and who is online; make teacher or student, set a password,
make or delete an account (Tk thread only).

A window of its own beside the admin window (Accounts…).  It lists what the
running server's database holds and asks the admin window's AdminIdentity
to do each action, so the dialog and the console always do the same thing;
the status line is the admin window's own, so an answer shows in both.
The list is read again after every action and on Refresh (accounts are
only made by people registering, so there is no live feed for them).
"""

from __future__ import annotations

import time
import tkinter as tk
from tkinter import ttk
from typing import TYPE_CHECKING

from chat_server.admin_gui.record_dialog import RecordDialog

if TYPE_CHECKING:
    from chat_server.admin_gui.identity_actions import AdminIdentity
    from chat_server.identity.admin import AccountInfo

TITLE = "Accounts"
NOT_RUNNING = "Start the server to see and change accounts (they are kept in its database)."
COLUMNS = (("nick", "Nickname", 200), ("role", "Role", 90), ("online", "Online", 70), ("created", "Made", 150))


class AccountsDialog(RecordDialog):
    def __init__(self, parent: tk.Misc, owner: AdminIdentity) -> None:
        super().__init__(parent, owner, TITLE, COLUMNS, stretch="nick", wraplength=560)
        self.accounts: dict[str, AccountInfo] = {}
        buttons = self.buttons
        self.new_button = ttk.Button(buttons, text="New account…", command=self.on_new_clicked)
        self.teacher_button = ttk.Button(buttons, text="Make teacher", command=lambda: self.on_role_clicked("teacher"))
        self.student_button = ttk.Button(buttons, text="Make student", command=lambda: self.on_role_clicked("student"))
        self.password_button = ttk.Button(buttons, text="Set password…", command=self.on_password_clicked)
        self.delete_button = ttk.Button(buttons, text="Unregister…", command=self.on_delete_clicked)
        self.refresh_button = ttk.Button(buttons, text="Refresh", command=self.refresh)
        self.add_buttons(
            self.new_button,
            self.teacher_button,
            self.student_button,
            self.password_button,
            self.delete_button,
            self.refresh_button,
        )

    # -- the list --
    def refresh(self) -> None:
        """Read the accounts again from the running server (none shown while it is stopped)."""
        if not self.winfo_exists():
            return  # closed while a helper thread was at work
        running = self.server_running()
        chosen = set(self.tree.selection())
        self.tree.delete(*self.tree.get_children())
        self.accounts = {}
        server = self.owner.server
        if server is not None and running:
            for account in server.accounts():
                self.accounts[account.nick] = account
                created = time.strftime("%Y-%m-%d %H:%M", time.localtime(account.created))
                values = (account.nick, account.role, "online" if account.online else "", created)
                self.tree.insert("", "end", iid=account.nick, values=values)
        self.tree.selection_set([nick for nick in chosen if nick in self.accounts])
        self.heading.configure(text=f"{TITLE}: {len(self.accounts)}" if running else f"{TITLE}: {NOT_RUNNING}")
        self.new_button.state(["!disabled"] if running else ["disabled"])
        self.refresh_buttons()

    def refresh_buttons(self) -> None:
        chosen = self.selected()
        for button, enabled in (
            (self.teacher_button, any(account.role != "teacher" for account in chosen)),
            (self.student_button, any(account.role != "student" for account in chosen)),
            (self.password_button, len(chosen) == 1),
            (self.delete_button, bool(chosen)),
        ):
            button.state(["!disabled"] if enabled else ["disabled"])

    def selected(self) -> list[AccountInfo]:
        return [self.accounts[nick] for nick in self.tree.selection() if nick in self.accounts]

    def select(self, *nicks: str) -> None:
        """Select these accounts' rows (as clicks would), for keyboard users and tests."""
        self.tree.selection_set([nick for nick in nicks if nick in self.accounts])
        self.refresh_buttons()

    def row_values(self, nick: str) -> tuple[str, ...]:
        return tuple(str(value) for value in self.tree.item(nick, "values"))

    # -- the buttons: a question when one is needed, then the admin window's intent method --
    def on_role_clicked(self, role: str) -> None:
        for account in self.selected():
            if account.role != role:
                self.owner.set_role(account.nick, "teacher" if role == "teacher" else "student")
        self.refresh()

    def on_password_clicked(self) -> None:
        chosen = self.selected()
        if len(chosen) != 1:
            self.owner.say("Select one account first.")
            return
        nick = chosen[0].nick
        password = self.owner.ask_secret("Set password", f"New password for {nick} (tell it to them yourself):")
        if password:
            self.owner.set_password(nick, password, then=self.refresh)

    def on_delete_clicked(self) -> None:
        chosen = self.selected()
        if not chosen:
            return
        names = ", ".join(account.nick for account in chosen)
        question = f"Delete the account of {names}? Anyone may then take the name; whoever is online keeps it for now."
        if not self.owner.ask_yes_no("Unregister", question):
            return
        for account in chosen:
            self.owner.delete_account(account.nick)
        self.refresh()

    def on_new_clicked(self) -> None:
        nick = self.owner.ask_text("New account", "Nickname for the new account:")
        if not nick or not nick.strip():
            return
        password = self.owner.ask_secret("New account", f"Password for {nick.strip()}:")
        if not password:
            return
        teacher = self.owner.ask_yes_no("New account", f"Make {nick.strip()} a teacher? (No: a student.)")
        self.owner.create_account(nick.strip(), password, "teacher" if teacher else "student", then=self.refresh)
