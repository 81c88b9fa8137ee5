"""AdminIdentity: the admin window's join code, Ban…, Accounts… and Bans… (Tk thread; a helper thread hashes).

Mixed into AdminWindow on top of Moderation.  `build_identity` adds the
widgets: the join code panel in the join banner's big line, Ban… beside
Kick…, and Accounts… and Bans… beside Start and Stop (they open
accounts_dialog.AccountsDialog and bans_dialog.BansDialog).  Each action
has an intent method that tests and the buttons call; the server's
IdentityAdmin methods do the work (the registry lock briefly).  Setting a
password hashes it first (scrypt, a good part of a second on purpose), so
New account… and Set password… run on a short-lived helper thread and the
window keeps drawing; the poller shows the answer when it is done.

The join code works while the server is stopped too: the window keeps it
in the form's base config, so Start serves with it and a restart keeps it.
"""

from __future__ import annotations

import logging
import queue
import threading
import tkinter as tk
from collections.abc import Callable
from dataclasses import replace
from tkinter import ttk
from typing import TYPE_CHECKING

from chat_server.admin_gui.accounts_dialog import AccountsDialog
from chat_server.admin_gui.bans_dialog import BansDialog
from chat_server.admin_gui.checked_question import AskChecked
from chat_server.admin_gui.join_banner import JoinBanner
from chat_server.admin_gui.join_code_panel import JoinCodePanel
from chat_server.admin_gui.moderation import Moderation
from chat_server.admin_gui.server_form import ServerForm
from chat_server.identity.join_code import clean_chosen_code, format_join_code, new_join_code
from shared.errors import ProtocolError

if TYPE_CHECKING:  # the server's modules load when a server starts, not with the window (docs/executables.md)
    from chat_server.server import ChatServer
    from chat_server.storage.models import Role

log = logging.getLogger("chat_server.admin_gui")

AskText = Callable[[str, str], "str | None"]
AskYesNo = Callable[[str, str], bool]
SLOW_POLL_MS = 50


class AdminIdentity(Moderation):
    # Provided by AdminWindow.
    root: tk.Tk
    status: tk.StringVar
    ask_secret: AskText
    ask_checked: AskChecked
    ask_yes_no: AskYesNo
    form: ServerForm
    banner: JoinBanner
    destroyed: bool

    # -- building --
    def build_identity(self) -> None:
        self.code_panel = JoinCodePanel(
            self.banner, on_new=self.on_new_code_clicked, on_set=self.on_set_code_clicked, on_off=self.code_off
        )
        self.code_panel.grid(row=0, column=3, rowspan=2, sticky="ne")
        self.code_panel.show(_shown(self.form.base.join_code))
        self.ban_button = ttk.Button(self.kick_button.master, text="Ban…", command=self.on_ban_clicked)
        self.ban_button.pack(side="left", padx=(0, 4), after=self.kick_button)
        self.accounts_button = ttk.Button(self.form.top, text="Accounts…", command=self.open_accounts)
        self.bans_button = ttk.Button(self.form.top, text="Bans…", command=self.open_bans)
        self.accounts_button.pack(side="left", padx=(16, 4))
        self.bans_button.pack(side="left")
        self.accounts_dialog: AccountsDialog | None = None
        self.bans_dialog: BansDialog | None = None
        self.slow_work: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self.slow_running = 0  # helper threads still hashing

    def refresh_actions(self) -> None:
        super().refresh_actions()
        running = self.phase == "running"
        nicked = running and any(client.nick for client in self.clients_view.selected())
        self.ban_button.state(["!disabled"] if nicked else ["disabled"])
        for dialog in (self.accounts_dialog, self.bans_dialog):
            if dialog is not None and dialog.winfo_exists() and dialog.shown_running != running:
                dialog.refresh()  # the server started or stopped under it

    # -- the join code --
    def join_code_shown(self) -> str | None:
        return self.code_panel.code

    def set_code(self, code: str | None) -> bool:
        """A chosen code, "new" for a random one, or None for none; live when running, kept for the next Start."""
        try:
            chosen = None if code is None else new_join_code() if code == "new" else clean_chosen_code(code)
        except ValueError as exc:
            self.say(str(exc))
            return False
        before = self.code_panel.code
        server = self.server
        if server is not None and self.phase == "running":
            shown = server.set_join_code("new" if code == "new" else chosen)  # and logs the admin line
            chosen = None if shown is None else clean_chosen_code(shown)  # what the next Start serves
        elif chosen is None:
            log.warning("admin switched the join code off for the next start")
        else:
            log.warning("admin set %s join code for the next start", "a new" if code == "new" else "a chosen")
        self.form.base = replace(self.form.base, join_code=chosen)
        self.code_panel.show(_shown(chosen))
        said = "No join code: anyone who knows the address can join." if chosen is None else "New join code set."
        now = _shown(chosen)
        if before is not None and before != now:  # New or Off pressed by mistake: the way back, in the same line
            said += (
                f" The old code {before} lets nobody in now (those in stay); "
                f"to go back to it, press Set… and type {before}."
            )
        self.say(said)
        return True

    def on_new_code_clicked(self) -> None:
        self.set_code("new")

    def on_set_code_clicked(self) -> None:
        code = self.ask_text("Join code", "The code students type (4 to 32 letters and digits):")
        if code is not None and code.strip():
            self.set_code(code)

    def code_off(self) -> None:
        self.set_code(None)

    # -- bans --
    def ban(self, target: str, minutes: int | None, reason: str, session_id: int | None = None) -> bool:
        """`session_id`: the chosen row's connection, which the ban follows if it renamed meanwhile."""
        return self._act(
            lambda server: server.ban(target, minutes, reason, session_id),
            f"ban of {target}",
            lambda summary: f"{summary}.",  # "kim is banned ...", and when it covers the name only, why
        )

    def on_ban_clicked(self) -> None:
        chosen = [(client.nick, client.session_id) for client in self.clients_view.selected() if client.nick]
        if not chosen:
            self.say("Select a client in the list first.")
            return
        names = ", ".join(nick for nick, _session_id in chosen)
        length = self.ask_ban_length(
            f"Keep {names} out (name and address).\nFor how many minutes? Empty: until lifted."
        )
        if length is None:
            return
        from shared.ban_length import parse_ban_answer

        minutes = parse_ban_answer(length)
        reason = self.ask_text("Ban", f"Reason for banning {names} (they will see it):")
        if reason is None:
            return
        for nick, session_id in chosen:  # the connections chosen, whatever names they took while the dialogs were open
            self.ban(nick, minutes, reason, session_id)

    def ask_ban_length(self, prompt: str) -> str | None:
        """A length parse_ban_answer reads ("30", "2h", "2 hours"; empty: until lifted), or None if cancelled.

        A length it cannot read is refused in the question, which stays open with what was typed.
        """
        from shared.ban_length import parse_ban_answer

        def problem(answer: str) -> str | None:
            try:
                parse_ban_answer(answer)
            except ProtocolError as exc:
                return exc.message
            return None

        return self.ask_checked("Ban", prompt, problem)

    def unban(self, target: str) -> bool:
        return self._act(lambda server: server.unban(target), f"unban of {target}", f"Lifted the ban on {target}.")

    def lift_sanction(self, sanction_id: int, what: str) -> bool:
        return self._act(lambda server: server.lift(sanction_id), f"lifting the {what}", f"Lifted the {what}.")

    # -- accounts --
    def set_role(self, nick: str, role: Role) -> bool:
        return self._act(
            lambda server: server.set_role(nick, role), f"role of {nick}", lambda change: change.describe()
        )

    def set_password(self, nick: str, password: str, then: Callable[[], object] | None = None) -> bool:
        """Started on a helper thread (the hash is slow); False if it could not start. `then` runs when done."""
        return self._act_slowly(
            lambda server: server.set_password(nick, password),
            f"password of {nick}",
            lambda closed: (
                f"{nick} has a new password."
                + (" Its connection was closed: it logs in again with the new one." if closed else "")
            ),
            then,
        )

    def delete_account(self, nick: str) -> bool:
        return self._act(lambda server: server.delete_account(nick), f"deleting {nick}", f"Deleted the account {nick}.")

    def create_account(self, nick: str, password: str, role: Role, then: Callable[[], object] | None = None) -> bool:
        """Started on a helper thread (the hash is slow); False if it could not start. `then` runs when done."""
        return self._act_slowly(
            lambda server: server.create_account(nick, password, role),
            f"new account {nick}",
            str,  # "Made the account NAME (role).", and for a teacher's, who could pass for it
            then,
        )

    def _act_slowly(
        self,
        action: Callable[[ChatServer], object],
        what: str,
        done: str | Callable[[object], str],
        then: Callable[[], object] | None,
    ) -> bool:
        server = self.server
        if server is None or self.phase != "running":
            self.say("The server is not running; press Start first.")
            return False

        def work() -> None:
            try:
                result = action(server)
                answer, failure = (done if isinstance(done, str) else done(result)), None
            except ProtocolError as exc:
                answer, failure = f"Not done: {exc.message}", exc.message
            except ValueError as exc:  # a password or name the hashing or the rules refused
                answer, failure = f"Not done: {exc}", str(exc)
            except Exception as exc:  # e.g. the server stopped meanwhile: say so rather than wait forever
                log.exception("admin %s failed", what)
                answer, failure = f"Not done: {exc}", str(exc)

            def finish() -> None:
                self.slow_running -= 1
                if failure is not None:
                    log.warning("admin %s not done: %s", what, failure)
                self.say(answer)
                if then is not None:
                    then()

            self.slow_work.put(finish)

        self.slow_running += 1
        self.say("Working: hashing the password…")
        threading.Thread(target=work, name="admin-hash", daemon=True).start()
        if self.slow_running == 1:
            self.root.after(SLOW_POLL_MS, self._finish_slow_work)
        return True

    def _finish_slow_work(self) -> None:
        """Tk thread: apply what the helper threads finished; poll again while any is still at work."""
        if self.destroyed:
            return
        while True:
            try:
                finish = self.slow_work.get_nowait()
            except queue.Empty:
                break
            finish()
        if self.slow_running > 0:
            self.root.after(SLOW_POLL_MS, self._finish_slow_work)

    # -- the dialogs --
    def open_accounts(self) -> AccountsDialog:
        if self.accounts_dialog is None or not self.accounts_dialog.winfo_exists():
            self.accounts_dialog = AccountsDialog(self.root, self)
        self.accounts_dialog.refresh()
        self.accounts_dialog.lift()
        return self.accounts_dialog

    def open_bans(self) -> BansDialog:
        if self.bans_dialog is None or not self.bans_dialog.winfo_exists():
            self.bans_dialog = BansDialog(self.root, self)
        self.bans_dialog.refresh()
        self.bans_dialog.lift()
        return self.bans_dialog

    def close_identity_dialogs(self) -> None:
        for dialog in (self.accounts_dialog, self.bans_dialog):
            if dialog is not None and dialog.winfo_exists():
                dialog.destroy()
        self.accounts_dialog = self.bans_dialog = None


def _shown(code: str | None) -> str | None:
    return format_join_code(code) if code else None
