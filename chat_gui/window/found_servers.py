"""The class servers announced on this network, listed in the Connect dialog; double-click one to join (Tk thread, browser off it).

    FoundServers(dialog_body, on_choose)     a LabelFrame with a short list
      a "discovery" thread imports zeroconf and starts ServerBrowser (chat_gui/core/discovery.py)
      zeroconf's thread -> on_change -> a queue -> _poll() every POLL_MS on the Tk thread -> show_servers()
      destroyed: the browser is stopped on a thread of its own, so closing the dialog never waits for it

Nothing here blocks the Tk thread: importing zeroconf, opening its sockets
and closing them happen off it, and the widget is filled only from the
queue.  Where the network blocks multicast (many school networks) the list
stays empty and says to type the address instead; manual entry is always
there.  CLASSCHAT_DISCOVERY_INTERFACES (addresses, comma-separated) limits
where it looks, e.g. to one network card; the tests set it to 127.0.0.1.

Each row also says how the fingerprint prefix the server announces compares
with the key pinned in the trust store for the address a double-click joins
(chat_gui/core/announced_key.py): "known key", "new server", or, in the
error colour with a sentence under the list, "key differs from the one you
trusted" or "not the address you trusted" (the name and key of a server
trusted at another address, announced from one never joined).  It is a
hint for choosing; the key itself is checked when connecting.

A flood of announcements cannot push the teacher's server out: the browser
keeps thousands, chat_gui/core/server_choice.py picks the MAX_SHOWN rows
(servers joined before or at the address typed first, then every server whose name copies
another's, both shown and warned about), and the sentence under the list
says how many were left out.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import tkinter as tk
from collections.abc import Callable, Mapping
from tkinter import ttk
from typing import TYPE_CHECKING

from chat_gui.core.announced_key import WARNINGS, AnnouncedKey, compare_announced_key, mark_name_copies
from chat_gui.core.server_choice import MAX_SHOWN, choose_shown, twin_groups
from chat_gui.core.trust_store import TrustStore
from shared.discovery_record import ANNOUNCED_PROTOCOL, FoundServer
from shared.fingerprint import Fingerprint
from shared_tk.theme import on_palette_change

if TYPE_CHECKING:
    from chat_gui.core.discovery import ServerBrowser

log = logging.getLogger(__name__)

POLL_MS = 200
QUIET_MS = 4000  # a server on the network answers within a second or two; past this, say how else to join
ROWS = 4
INTERFACES_VARIABLE = "CLASSCHAT_DISCOVERY_INTERFACES"
LOOKING = "Looking for class servers on this network…"
NONE_FOUND = "None found yet. If none appears, type the address your teacher shows."
FOUND = "Double-click a class to join it."
KEY_CHANGED = (
    "Careful: the key of “{name}” differs from the one you trusted at {address}. "
    "Ask your teacher to read out the server key before you join."
)
KEY_ELSEWHERE = (
    "Careful: “{name}” is announced at {joins}, but you trusted its key at {address}. "
    "Join only the address your teacher shows."
)
KEY_COPY = (
    "Careful: “{name}” at {joins} is not the server you joined at {address}, only its name: anyone can start a "
    "server with any name. Join the address your teacher shows."
)
TWINS = (
    "Careful: more than one server calls itself “{name}” ({places}). Anyone can start a server with any name: "
    "join the one whose address and key your teacher shows."
)
LEFT_OUT = "{count} more announced servers are not shown (a flood may hide your teacher's): type the address your teacher shows."
MAX_PLACES = 3  # places named in the TWINS warning; more read "and N more"
PinsReader = Callable[[], Mapping[str, Fingerprint]]


def name_twins(servers: tuple[FoundServer, ...]) -> tuple[FoundServer, ...]:
    """The first group of servers at different places whose class names are the same or look alike (() if none).

    A student can start a server announcing the teacher's class name; on a
    first visit both read "new server", so the name alone must not decide.
    """
    groups = twin_groups(servers)
    return groups[0] if groups else ()


def interfaces_from_environment() -> list[str] | None:
    """The addresses CLASSCHAT_DISCOVERY_INTERFACES names, or None (every interface)."""
    value = os.environ.get(INTERFACES_VARIABLE, "").strip()
    return [part.strip() for part in value.split(",") if part.strip()] or None


def server_label(server: FoundServer) -> tuple[str, str]:
    """(class, where) as the list shows them; a server of another protocol version says so."""
    where = f"{server.address}:{server.port}" if ":" not in server.address else f"[{server.address}]:{server.port}"
    if server.protocol != ANNOUNCED_PROTOCOL:
        where += " (another version)"
    return server.class_name, where


class FoundServers(ttk.LabelFrame):
    def __init__(
        self,
        master: tk.Misc,
        on_choose: Callable[[FoundServer], object],
        interfaces: list[str] | None = None,
        browse: bool = True,
        pins: PinsReader | None = None,
        wanted: Callable[[], str | None] | None = None,
    ) -> None:
        """`pins`: the trust store's pins, read for each new list (None: the client's own trust store);
        `wanted`: the "host:port" in the dialog's fields (address_key), shown first if announced."""
        super().__init__(master, text="Class servers on this network", padding=(8, 4, 8, 6))
        self.on_choose = on_choose
        self.pins: PinsReader = pins or (lambda: TrustStore().all_pinned())
        self.wanted = wanted or (lambda: None)
        self.key_states: tuple[AnnouncedKey, ...] = ()
        self.interfaces = interfaces if interfaces is not None else interfaces_from_environment()
        self.servers: tuple[FoundServer, ...] = ()  # the rows shown, in order
        self.left_out = 0  # servers heard and not shown
        self.tree = ttk.Treeview(self, columns=("where", "key"), show="tree", height=ROWS, selectmode="browse")
        self.tree.column("#0", width=200, stretch=True)
        self.tree.column("where", width=160, stretch=False, anchor="w")
        self.tree.column("key", width=260, stretch=False, anchor="w")
        style = ttk.Style(self)
        self._colour_keys(str(style.lookup("Error.TLabel", "foreground")))
        on_palette_change(self.tree, lambda palette: self._colour_keys(palette.error))
        self.tree.grid(row=0, column=0, sticky="nsew")
        self.status = ttk.Label(self, text=LOOKING, style="Muted.TLabel", wraplength=600, justify="left")
        self.status.grid(row=1, column=0, sticky="w", pady=(4, 0))
        self.columnconfigure(0, weight=1)
        self.tree.bind("<Double-Button-1>", self._on_double_click)
        self.tree.bind("<Return>", self._on_return)
        self._changes: queue.Queue[str] = queue.Queue()  # failures
        self._latest: tuple[FoundServer, ...] | None = None  # the newest list not shown yet (under _lock)
        self._browser: ServerBrowser | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._poll_id: str | None = None
        if browse:
            threading.Thread(target=self._start_browser, name="discovery", daemon=True).start()
            self._poll_id = self.after(POLL_MS, self._poll)
        self._quiet_id: str | None = self.after(QUIET_MS, self._say_none_found)

    def rows(self) -> int:
        """How many rows the list asks room for."""
        return int(self.tree.cget("height"))

    def row_height(self) -> int:
        return int(ttk.Style(self).lookup("Treeview", "rowheight") or 20)

    def show_rows(self, rows: int) -> None:
        """Ask room for `rows` rows (the Connect dialog on a short screen asks for fewer)."""
        if rows != self.rows():
            self.tree.configure(height=rows)

    # -- intent methods --
    def show_servers(self, heard: tuple[FoundServer, ...], not_kept: int = 0) -> None:
        """Replace the list with the servers chosen from those heard (earliest first), keeping the selection.

        `not_kept`: servers the browser heard but did not keep (chat_gui/core/discovery.py `refused`).
        """
        selected = self.selected()
        pins = self.pins() if heard else {}
        wanted = self.wanted() if heard else None
        choice = choose_shown(heard, {*pins.keys(), *([wanted] if wanted else [])}, MAX_SHOWN)
        servers = choice.shown
        self.servers = servers
        self.left_out = choice.left_out + not_kept
        self.key_states = mark_name_copies(
            servers, [compare_announced_key(server, pins) for server in servers], twin_groups(servers)
        )
        self.tree.delete(*self.tree.get_children())
        for index, (server, key) in enumerate(zip(servers, self.key_states, strict=True)):
            name, where = server_label(server)
            self.tree.insert(
                "", "end", iid=str(index), text=name, values=(where, key.label), tags=(f"key-{key.state}",)
            )
            if selected is not None and server.service == selected.service:
                self.tree.selection_set(str(index))
        warned = [(server, key) for server, key in zip(servers, self.key_states, strict=True) if key.state in WARNINGS]
        twins = choice.twins
        if warned:
            # one sentence for each kind of warning, a changed key first (the plainest danger): on the day the
            # teacher's key changes, a copy of its name must be warned about too, not hidden behind it
            sentences = []
            for state, template in (("changed", KEY_CHANGED), ("elsewhere", KEY_ELSEWHERE), ("copy", KEY_COPY)):
                first = next(((server, key) for server, key in warned if key.state == state), None)
                if first is not None:
                    server, key = first
                    sentences.append(template.format(name=server.class_name, address=key.address, joins=key.joins))
            self.status.configure(text=" ".join(sentences), style="Error.TLabel")
        elif twins:
            named = [server_label(server)[1] for server in twins[:MAX_PLACES]]
            if len(twins) > MAX_PLACES:
                named.append(f"{len(twins) - MAX_PLACES} more")
            places = " and ".join(named)
            # the name the others copy: the shortest ("Physics 3B", not the "🔒 Physics 3B" heard first)
            copied = min((server.class_name for server in twins), key=len)
            self.status.configure(text=TWINS.format(name=copied, places=places), style="Error.TLabel")
        else:
            self.status.configure(text=FOUND if servers else NONE_FOUND, style="Muted.TLabel")
        if self.left_out:
            text = str(self.status.cget("text"))
            self.status.configure(text=f"{text} {LEFT_OUT.format(count=self.left_out)}")

    def key_of(self, server: FoundServer) -> AnnouncedKey | None:
        """How the listed server's announced key compares with the trusted one (None if it is not listed)."""
        for listed, key in zip(self.servers, self.key_states, strict=True):
            if listed.service == server.service:
                return key
        return None

    def _colour_keys(self, error: str) -> None:
        """A row with a warning is drawn in the theme's error colour (AA on the list in both themes)."""
        for state in WARNINGS:
            self.tree.tag_configure(f"key-{state}", foreground=error)

    def show_failure(self, text: str) -> None:
        self.status.configure(text=f"Cannot look for class servers here ({text}). Type the address instead.")

    def selected(self) -> FoundServer | None:
        selection = self.tree.selection()
        if not selection:
            return None
        index = int(selection[0])
        return self.servers[index] if index < len(self.servers) else None

    def destroy(self) -> None:
        self._stop_browser()
        for after_id in (self._poll_id, self._quiet_id):
            if after_id is not None:
                self.after_cancel(after_id)
        self._poll_id = self._quiet_id = None
        super().destroy()

    # -- the browser, off the Tk thread --
    def _start_browser(self) -> None:
        try:
            from chat_gui.core.discovery import ServerBrowser  # zeroconf loads here, not while the window opens

            browser = ServerBrowser(on_change=self._offer, interfaces=self.interfaces)
        except Exception as error:  # a broken zeroconf install must not stop anyone joining by address
            log.warning("cannot look for class servers: %r", error)
            self._changes.put(str(error))
            return
        with self._lock:
            if self._closed:
                return
            self._browser = browser
            browser.start()
        if browser.failure:
            self._changes.put(browser.failure)

    def _offer(self, heard: tuple[FoundServer, ...]) -> None:
        """zeroconf's thread: keep only the newest list, so a flood between two polls holds one list, not thousands."""
        with self._lock:
            self._latest = heard

    def _stop_browser(self) -> None:
        with self._lock:
            self._closed = True
            browser, self._browser = self._browser, None
        if browser is not None:
            threading.Thread(target=browser.stop, name="discovery-stop", daemon=True).start()

    # -- the Tk thread --
    def _poll(self) -> None:
        self._poll_id = None
        while True:
            try:
                self.show_failure(self._changes.get_nowait())
            except queue.Empty:
                break
        with self._lock:
            latest, self._latest = self._latest, None
            browser = self._browser
        if latest is not None:
            self.show_servers(latest, browser.refused if browser is not None else 0)
        self._poll_id = self.after(POLL_MS, self._poll)

    def _say_none_found(self) -> None:
        self._quiet_id = None
        if not self.servers and str(self.status.cget("text")) == LOOKING:
            self.status.configure(text=NONE_FOUND)

    def _on_double_click(self, event: tk.Event) -> None:
        row = self.tree.identify_row(event.y)
        if row:
            self.tree.selection_set(row)
            self._choose_selected()

    def _on_return(self, _event: tk.Event) -> str:
        self._choose_selected()
        return "break"  # the dialog's own Return (Connect with what is typed) must not follow

    def _choose_selected(self) -> None:
        server = self.selected()
        if server is not None:
            self.on_choose(server)
