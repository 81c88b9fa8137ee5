"""The admin window's History dialog: transcripts, deleting a message, clearing a room, the database's figures (Tk thread).

    Rooms table: History… -> HistoryDialog (one at a time)
        Export…            a room's messages of a range of days to .txt, .csv or .html (the file dialog asks where)
        Delete message     one message by its id, for everyone
        Clear history…     every message of a room so far (asks first)
        the database line  where it is, its size, messages kept, and what it could not keep (status)

Each action reads or writes the disk, so it runs on a helper thread
("admin-history") that calls the server's HistoryAdmin methods; the
outcome comes back through a queue that `_poll` drains on the Tk thread,
so no widget is touched elsewhere and the window never freezes on a big
export.  The file dialog and the yes/no question come in as callables so
tests can answer them.  A refused action is logged as one WARNING line
starting "admin " (docs/admin.md), like the window's other actions.
"""

from __future__ import annotations

import datetime
import logging
import queue
import threading
import tkinter as tk
from collections.abc import Callable
from tkinter import filedialog, ttk

from chat_server.admin_history import HistoryInfo
from chat_server.history.transcripts import parse_day
from chat_server.server import ChatServer
from shared.errors import ProtocolError

log = logging.getLogger("chat_server.admin_gui")

POLL_MS = 50
TRANSCRIPT_TYPES = [("Web page", "*.html"), ("Spreadsheet (CSV)", "*.csv"), ("Plain text", "*.txt")]
AskSavePath = Callable[[str, str], "str | None"]  # (title, suggested file name) -> the chosen path, or None
AskYesNo = Callable[[str, str], bool]


def file_dialog(parent: tk.Misc) -> AskSavePath:
    """The real "Save as" dialog (tests pass their own callable instead)."""

    def ask(title: str, name: str) -> str | None:
        path = filedialog.asksaveasfilename(
            parent=parent, title=title, initialfile=name, defaultextension=".html", filetypes=TRANSCRIPT_TYPES
        )
        return path or None

    return ask


class HistoryDialog(tk.Toplevel):
    def __init__(
        self,
        parent: tk.Misc,
        server_of: Callable[[], ChatServer | None],
        ask_save_path: AskSavePath,
        ask_yes_no: AskYesNo,
        room: str = "",
    ) -> None:
        super().__init__(parent)
        self.title("History")
        self.server_of = server_of
        self.ask_save_path = ask_save_path
        self.ask_yes_no = ask_yes_no
        self._results: queue.Queue[tuple[str, Callable[[], None]]] = queue.Queue()
        self.busy = 0  # actions still running on their helper threads
        self.closed = False
        today = datetime.date.today().isoformat()
        self.room = tk.StringVar(self, value=room)
        self.first = tk.StringVar(self, value=today)
        self.last = tk.StringVar(self, value=today)
        self.message_id = tk.StringVar(self)
        self.info = tk.StringVar(self, value="Reading the database's figures…")
        self.outcome = tk.StringVar(self, value="")
        self._build()
        self.protocol("WM_DELETE_WINDOW", self.close)
        self._poll_id: str | None = self.after(POLL_MS, self._poll)
        self.refresh_info()

    def _build(self) -> None:
        frame = ttk.Frame(self, padding=10)
        frame.pack(fill="both", expand=True)
        ttk.Label(frame, text="Transcript of a room", style="Heading.TLabel").grid(
            row=0, column=0, columnspan=4, sticky="w"
        )
        ttk.Label(frame, text="Room:").grid(row=1, column=0, sticky="w")
        ttk.Entry(frame, textvariable=self.room, width=24).grid(row=1, column=1, columnspan=3, sticky="ew", pady=2)
        ttk.Label(frame, text="From day:").grid(row=2, column=0, sticky="w")
        ttk.Entry(frame, textvariable=self.first, width=12).grid(row=2, column=1, sticky="w", pady=2)
        ttk.Label(frame, text="to day:").grid(row=2, column=2, sticky="e", padx=(8, 4))
        ttk.Entry(frame, textvariable=self.last, width=12).grid(row=2, column=3, sticky="w", pady=2)
        ttk.Label(
            frame, text="Days as YYYY-MM-DD, both included; times are this computer's.", style="Hint.TLabel"
        ).grid(row=3, column=0, columnspan=4, sticky="w")
        room_actions = ttk.Frame(frame)
        room_actions.grid(row=4, column=0, columnspan=4, sticky="w", pady=(4, 8))
        self.export_button = ttk.Button(room_actions, text="Export…", command=self.on_export_clicked)
        self.export_button.pack(side="left", padx=(0, 4))
        self.clear_button = ttk.Button(room_actions, text="Clear history…", command=self.on_clear_clicked)
        self.clear_button.pack(side="left")

        ttk.Label(frame, text="One message", style="Heading.TLabel").grid(row=5, column=0, columnspan=4, sticky="w")
        ttk.Label(frame, text="Id:").grid(row=6, column=0, sticky="w")
        id_entry = ttk.Entry(frame, textvariable=self.message_id, width=12)
        id_entry.grid(row=6, column=1, sticky="w", pady=2)
        id_entry.bind("<Return>", lambda _event: self.on_delete_clicked())
        self.delete_button = ttk.Button(frame, text="Delete message", command=self.on_delete_clicked)
        self.delete_button.grid(row=6, column=2, columnspan=2, sticky="w", padx=(8, 0))

        ttk.Label(frame, text="Database", style="Heading.TLabel").grid(
            row=7, column=0, columnspan=4, sticky="w", pady=(8, 0)
        )
        ttk.Label(frame, textvariable=self.info, wraplength=460, justify="left").grid(
            row=8, column=0, columnspan=3, sticky="w"
        )
        ttk.Button(frame, text="Refresh", command=self.refresh_info).grid(row=8, column=3, sticky="e")
        ttk.Label(frame, textvariable=self.outcome, style="Status.TLabel", wraplength=460, justify="left").grid(
            row=9, column=0, columnspan=4, sticky="w", pady=(8, 0)
        )
        frame.columnconfigure(1, weight=1)

    # -- intent methods: the buttons (and tests) call these; each returns False if it did not start --
    def export(self, room: str, first: str, last: str, path: str) -> bool:
        try:
            first_day, last_day = parse_day(first), parse_day(last)
        except ValueError as exc:
            self.outcome.set(str(exc))
            return False
        return self._run(
            f"export of #{room}",
            lambda server: server.export_transcript(room, first_day, last_day, path),
            lambda count: f"Wrote {count} message{'' if count == 1 else 's'} of #{room.lstrip('#')} to {path}.",
        )

    def delete(self, message_id: str) -> bool:
        text = message_id.strip()
        if not (text.isascii() and text.isdigit()):
            self.outcome.set("Type the message's id: a whole number (clients show it, and /history lists it).")
            return False
        return self._run(
            f"deletion of message {text}",
            lambda server: server.delete_message(int(text)),
            lambda message: f"Deleted message {text} from {getattr(message, 'sender', '?')}; it is gone everywhere.",
        )

    def clear(self, room: str) -> bool:
        return self._run(
            f"clearing the history of #{room}",
            lambda server: server.clear_history(room),
            lambda name: f"Cleared the history of #{name}.",
        )

    def refresh_info(self) -> bool:
        return self._run("history info", lambda server: server.history_info(), self._show_info, quiet=True)

    def _show_info(self, info: object) -> str:
        assert isinstance(info, HistoryInfo)
        self.info.set(info.describe())
        return ""

    # -- button handlers --
    def _room_given(self) -> str | None:
        room = self.room.get().strip()
        if not room:
            self.outcome.set("Type the room's name first (or select it in Rooms before opening History).")
            return None
        return room

    def on_export_clicked(self) -> None:
        room = self._room_given()
        if room is None:
            return
        suggested = f"{room.lstrip('#')}-{self.first.get().strip()}.html"
        path = self.ask_save_path("Save the transcript as", suggested)
        if path:
            self.export(room, self.first.get(), self.last.get(), path)

    def on_clear_clicked(self) -> None:
        room = self._room_given()
        if room is None:
            return
        question = f"Forget every message of #{room.lstrip('#')} kept so far? This cannot be undone."
        if self.ask_yes_no("Clear the history?", question):
            self.clear(room)

    def on_delete_clicked(self) -> None:
        self.delete(self.message_id.get())

    # -- running on a helper thread --
    def _run(
        self,
        what: str,
        action: Callable[[ChatServer], object],
        done: Callable[[object], str],
        quiet: bool = False,
    ) -> bool:
        server = self.server_of()
        if server is None:
            self.outcome.set("The server is not running; press Start first.")
            return False
        self.busy += 1
        if not quiet:
            self.outcome.set("Working…")

        def work() -> None:
            try:
                result = action(server)
            except ProtocolError as exc:
                refusal = exc.message
                log.warning("admin %s not done: %s", what, refusal)
                self._results.put(("refused", lambda: self.outcome.set(f"Not done: {refusal}")))
                return
            except Exception:
                log.exception("admin %s failed", what)
                self._results.put(("failed", lambda: self.outcome.set(f"The {what} failed; the log has the details.")))
                return
            self._results.put(("done", lambda: self._finish(done, result, refresh=not quiet)))

        threading.Thread(target=work, name="admin-history", daemon=True).start()
        return True

    def _finish(self, done: Callable[[object], str], result: object, refresh: bool) -> None:
        text = done(result)
        if text:
            self.outcome.set(text)
        if refresh:  # the figures changed
            self.refresh_info()

    def _poll(self) -> None:
        self._poll_id = None
        while True:
            try:
                _, apply = self._results.get_nowait()
            except queue.Empty:
                break
            self.busy -= 1
            apply()
        if not self.closed:
            self._poll_id = self.after(POLL_MS, self._poll)

    def close(self) -> None:
        self.destroy()

    def destroy(self) -> None:
        """However the dialog goes (closed, or with the window), its poller goes with it."""
        self.closed = True
        if self._poll_id is not None:
            self.after_cancel(self._poll_id)
            self._poll_id = None
        super().destroy()
