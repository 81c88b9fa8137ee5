"""BansDialog: the bans and mutes in force, with who set them and until when; lift one, or ban a name or an address
(Tk thread only).

A window of its own beside the admin window (Bans…).  It reads the running
server's database (IdentityAdmin.sanctions) and asks the admin window's
AdminIdentity to act, so it does what the console's /bans, /ban and /unban
do.  The list is read again after every action and on Refresh.
"""

from __future__ import annotations

import time
import tkinter as tk
from tkinter import ttk
from typing import TYPE_CHECKING

from chat_server.admin_gui.record_dialog import RecordDialog

if TYPE_CHECKING:
    from chat_server.admin_gui.identity_actions import AdminIdentity
    from chat_server.identity.admin import SanctionInfo

TITLE = "Bans and mutes"
NOT_RUNNING = "start the server to see and lift them (they are kept in its database)"
UNTIL_LIFTED = "until lifted"
COLUMNS = (
    ("kind", "Kind", 60),
    ("name", "Nickname", 150),
    ("address", "Address", 130),
    ("until", "Until", 130),
    ("by", "Set by", 90),
    ("reason", "Reason", 220),
)


class BansDialog(RecordDialog):
    def __init__(self, parent: tk.Misc, owner: AdminIdentity) -> None:
        super().__init__(parent, owner, TITLE, COLUMNS, stretch="reason", wraplength=640)
        self.sanctions: dict[str, SanctionInfo] = {}
        self.lift_button = ttk.Button(self.buttons, text="Lift", command=self.on_lift_clicked)
        self.ban_button = ttk.Button(self.buttons, text="Ban a name or address…", command=self.on_ban_clicked)
        self.refresh_button = ttk.Button(self.buttons, text="Refresh", command=self.refresh)
        self.add_buttons(self.lift_button, self.ban_button, self.refresh_button)

    # -- the list --
    def refresh(self) -> None:
        if not self.winfo_exists():
            return  # closed while a helper thread was at work
        running = self.server_running()
        self.tree.delete(*self.tree.get_children())
        self.sanctions = {}
        server = self.owner.server
        if server is not None and running:
            for sanction in server.sanctions():
                iid = str(sanction.id)
                self.sanctions[iid] = sanction
                self.tree.insert("", "end", iid=iid, values=_row(sanction))
        self.heading.configure(text=f"{TITLE}: {len(self.sanctions)}" if running else f"{TITLE}: {NOT_RUNNING}")
        self.ban_button.state(["!disabled"] if running else ["disabled"])
        self.refresh_buttons()

    def refresh_buttons(self) -> None:
        self.lift_button.state(["!disabled"] if self.selected() else ["disabled"])

    def selected(self) -> list[SanctionInfo]:
        return [self.sanctions[iid] for iid in self.tree.selection() if iid in self.sanctions]

    def select_named(self, name_or_address: str) -> None:
        """Select the rows naming this nickname (any case) or address, for keyboard users and tests."""
        wanted = name_or_address.casefold()
        rows = [iid for iid, s in self.sanctions.items() if wanted in (s.name.casefold(), s.address.casefold())]
        self.tree.selection_set(rows)
        self.refresh_buttons()

    def rows(self) -> list[tuple[str, ...]]:
        return [tuple(str(value) for value in self.tree.item(iid, "values")) for iid in self.tree.get_children()]

    # -- the buttons --
    def on_lift_clicked(self) -> None:
        for sanction in self.selected():
            self.owner.lift_sanction(sanction.id, f"{sanction.kind} on {_who(sanction)}")
        self.refresh()

    def on_ban_clicked(self) -> None:
        target = self.owner.ask_text("Ban", "Nickname or address (e.g. 192.168.1.23) to keep out:")
        if not target or not target.strip():
            return
        length = self.owner.ask_ban_length(f"Keep {target.strip()} out for how many minutes? Empty: until lifted.")
        if length is None:
            return
        from shared.ban_length import parse_ban_answer

        minutes = parse_ban_answer(length)
        reason = self.owner.ask_text("Ban", f"Reason for banning {target.strip()} (they will see it):")
        if reason is None:
            return
        self.owner.ban(target.strip(), minutes, reason)
        self.refresh()


def _who(sanction: SanctionInfo) -> str:
    return " ".join(filter(None, [sanction.name, sanction.address])) or "?"


def _row(sanction: SanctionInfo) -> tuple[str, ...]:
    until = UNTIL_LIFTED if sanction.until is None else time.strftime("%Y-%m-%d %H:%M", time.localtime(sanction.until))
    return (sanction.kind, sanction.name, sanction.address, until, sanction.set_by or "admin", sanction.reason)
