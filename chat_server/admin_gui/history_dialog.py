"""The admin window's History dialog: transcripts, deleting a message, clearing a room, the database's figures (Tk thread).

    Rooms table: History… -> HistoryDialog (one at a time)
        Export…            a room's messages of a range of days to .txt, .csv or .html (the file dialog asks where)
        Clear history…     every message of a room so far (asks first)
        Find in the room   the room's messages with those words (never private ones); a row gives its id
        Delete message…    one message by its id, for everyone (asks first)
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
from typing import TYPE_CHECKING

from shared.errors import ProtocolError

if TYPE_CHECKING:  # the server's modules load when a server starts, not with the window (docs/executables.md)
    from chat_server.server import ChatServer

log = logging.getLogger("chat_server.admin_gui")

POLL_MS = 50
SEARCH_RESULTS = 50  # what the store returns at most
QUOTED = 200  # characters of a message quoted in the question before it is deleted
SCREEN_MARGIN = 40  # px of the screen's width a window frame takes
SCREEN_HEIGHT_MARGIN = 80  # px of the screen's height a title bar and a taskbar take
NOT_RUNNING = "The server is not running; press Start first."
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
        self.words = tk.StringVar(self)
        self.info = tk.StringVar(self, value="Reading the database's figures…")
        self.outcome = tk.StringVar(self, value="")
        self._build()
        self.protocol("WM_DELETE_WINDOW", self.close)
        self._poll_id: str | None = self.after(POLL_MS, self._poll)
        self.refresh_info()

    def _build(self) -> None:
        # Refresh and Close are packed first, at the bottom, so a dialog cut to a short screen (`_fit_screen`)
        # keeps them in view; the rest is a body that scrolls (with the wheel, and to whatever Tab focuses).
        bottom = ttk.Frame(self, padding=(10, 0, 10, 10))
        bottom.pack(side="bottom", fill="x")
        self.close_button = ttk.Button(bottom, text="Close", command=self.close)
        self.close_button.pack(side="right")
        self.refresh_button = ttk.Button(bottom, text="Refresh", command=self.refresh_info)
        self.refresh_button.pack(side="right", padx=(0, 4))
        self.body = tk.Canvas(self, highlightthickness=0, borderwidth=0)
        self._paint_body()
        self.body.bind("<<ThemeChanged>>", lambda _event: self._paint_body(), add=True)
        self.body_scroll = ttk.Scrollbar(self, orient="vertical", command=self.body.yview)
        self.body.configure(yscrollcommand=self.body_scroll.set)
        self.body.pack(side="left", fill="both", expand=True)
        frame = self.inner = ttk.Frame(self.body, padding=10)
        self._inner_item = self.body.create_window(0, 0, window=frame, anchor="nw")
        frame.bind("<Configure>", lambda _event: self._body_changed(), add=True)
        self.body.bind("<Configure>", lambda _event: self._body_changed(), add=True)
        self.bind("<FocusIn>", self._show_focused, add=True)
        for wheel in ("<MouseWheel>", "<Button-4>", "<Button-5>"):
            self.bind(wheel, self._on_wheel, add=True)
        frame.columnconfigure(1, weight=1)
        frame.rowconfigure(7, weight=1)
        ttk.Label(frame, text="Transcript of a room", style="Heading.TLabel").grid(
            row=0, column=0, columnspan=3, sticky="w"
        )
        ttk.Label(frame, text="Room:").grid(row=1, column=0, sticky="w")
        ttk.Entry(frame, textvariable=self.room, width=24).grid(row=1, column=1, sticky="w", pady=2)
        ttk.Label(frame, text="Days:").grid(row=2, column=0, sticky="w")
        days = ttk.Frame(frame)
        days.grid(row=2, column=1, columnspan=2, sticky="w", pady=2)
        day_entries = ttk.Frame(days)
        day_entries.pack(side="top", anchor="w")
        ttk.Entry(day_entries, textvariable=self.first, width=12).pack(side="left")
        ttk.Label(day_entries, text="to").pack(side="left", padx=4)
        ttk.Entry(day_entries, textvariable=self.last, width=12).pack(side="left")
        # Under the days, not beside them: beside, it made the dialog 1272 px wide at 200% scaling.
        ttk.Label(days, text="YYYY-MM-DD, both included, this computer's time", style="Hint.TLabel").pack(
            side="top", anchor="w"
        )
        room_actions = ttk.Frame(frame)
        room_actions.grid(row=3, column=1, columnspan=2, sticky="w", pady=(4, 8))
        self.export_button = ttk.Button(room_actions, text="Export…", command=self.on_export_clicked)
        self.export_button.pack(side="left", padx=(0, 4))
        self.clear_button = ttk.Button(room_actions, text="Clear history…", command=self.on_clear_clicked)
        self.clear_button.pack(side="left")

        ttk.Label(frame, text="Find and delete a message", style="Heading.TLabel").grid(
            row=4, column=0, columnspan=3, sticky="w"
        )
        ttk.Label(frame, text="Words:").grid(row=5, column=0, sticky="w")
        find_row = ttk.Frame(frame)
        find_row.grid(row=5, column=1, columnspan=2, sticky="w", pady=2)
        words_entry = ttk.Entry(find_row, textvariable=self.words, width=24)
        words_entry.pack(side="left")
        words_entry.bind("<Return>", lambda _event: self.on_find_clicked())
        self.find_button = ttk.Button(find_row, text="Find in the room", command=self.on_find_clicked)
        self.find_button.pack(side="left", padx=(4, 0))
        self.results = ttk.Treeview(frame, columns=("id", "time", "sender", "text"), show="headings", height=5)
        for column, title, width, stretch in (
            ("id", "Id", 70, False),
            ("time", "Time", 150, False),
            ("sender", "From", 100, False),
            ("text", "Message", 260, True),
        ):
            self.results.heading(column, text=title, anchor="w")
            self.results.column(column, width=width, stretch=stretch, anchor="w")
        self.results.grid(row=6, column=0, columnspan=3, rowspan=2, sticky="nsew", pady=2)
        self.results.bind("<<TreeviewSelect>>", lambda _event: self._take_selected_id())
        ttk.Label(frame, text="Id:").grid(row=8, column=0, sticky="w")
        delete_row = ttk.Frame(frame)
        delete_row.grid(row=8, column=1, columnspan=2, sticky="w", pady=2)
        id_entry = ttk.Entry(delete_row, textvariable=self.message_id, width=12)
        id_entry.pack(side="left")
        id_entry.bind("<Return>", lambda _event: self.on_delete_clicked())
        self.delete_button = ttk.Button(delete_row, text="Delete message…", command=self.on_delete_clicked)
        self.delete_button.pack(side="left", padx=(4, 0))

        ttk.Label(frame, text="Database", style="Heading.TLabel").grid(
            row=9, column=0, columnspan=3, sticky="w", pady=(8, 0)
        )
        ttk.Label(frame, textvariable=self.info, wraplength=480, justify="left").grid(
            row=10, column=0, columnspan=3, sticky="w"
        )
        ttk.Label(frame, textvariable=self.outcome, style="Status.TLabel", wraplength=480, justify="left").grid(
            row=11, column=0, columnspan=3, sticky="w", pady=(8, 0)
        )
        self._fit_screen()

    def _paint_body(self) -> None:
        """The body is a plain Tk canvas: painted as the theme's frames, again when the theme changes."""
        background = ttk.Style(self).lookup("TFrame", "background")
        if background:
            self.body.configure(background=str(background))

    def _body_changed(self) -> None:
        """The body asks for its frame's whole size, and its frame is at least as wide as the dialog."""
        want_w, want_h = self.inner.winfo_reqwidth(), self.inner.winfo_reqheight()
        if (int(self.body.cget("width")), int(self.body.cget("height"))) != (want_w, want_h):
            self.body.configure(width=want_w, height=want_h)
        self.body.itemconfigure(self._inner_item, width=max(self.body.winfo_width(), want_w))
        self.body.configure(scrollregion=(0, 0, max(self.body.winfo_width(), want_w), want_h))
        cut = 1 < self.body.winfo_height() < want_h  # the scrollbar only where there is something to scroll
        if cut and not self.body_scroll.winfo_manager():
            self.body_scroll.pack(side="right", fill="y", before=self.body)
        elif not cut and self.body_scroll.winfo_manager():
            self.body_scroll.pack_forget()

    def _show_focused(self, event: tk.Event) -> None:
        """A widget given the focus with Tab is scrolled into view: the keyboard alone reaches all of it."""
        widget = event.widget
        if not isinstance(widget, tk.Misc) or not str(widget).startswith(str(self.inner) + "."):
            return
        total = max(1, self.inner.winfo_height())
        top = widget.winfo_rooty() - self.inner.winfo_rooty()
        bottom = top + widget.winfo_height()
        shown_top = round(self.body.yview()[0] * total)
        if top < shown_top:
            self.body.yview_moveto(top / total)
        elif bottom > shown_top + self.body.winfo_height():
            self.body.yview_moveto((bottom - self.body.winfo_height()) / total)

    def _on_wheel(self, event: tk.Event) -> None:
        if self.body.winfo_height() >= self.inner.winfo_reqheight():
            return  # nothing to scroll
        steps = -1 if event.num == 4 or getattr(event, "delta", 0) > 0 else 1
        self.body.yview_scroll(steps * 2, "units")

    def _fit_screen(self) -> None:
        """Never larger than the screen (1024x600 at 200% asked for 1272x914 px): cut to it, even when the
        database's figures come in later and longer, so Close stays in reach and the body scrolls; a dialog
        that does not fit opens at the screen's top left."""
        self.update_idletasks()
        self._body_changed()
        self.update_idletasks()
        room = (self.winfo_screenwidth() - SCREEN_MARGIN, self.winfo_screenheight() - SCREEN_HEIGHT_MARGIN)
        self.maxsize(*room)
        if self.winfo_reqwidth() > room[0] or self.winfo_reqheight() > room[1]:
            self.geometry("+0+0")

    # -- intent methods: the buttons (and tests) call these; each returns False if it did not start --
    def export(self, room: str, first: str, last: str, path: str) -> bool:
        from chat_server.history.transcripts import parse_day

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

    def find(self, room: str, words: str) -> bool:
        return self._run(
            f"search of #{room}",
            lambda server: server.find_messages(room, words),
            self._show_found,
        )

    def _show_found(self, found: object) -> str:
        from chat_server.storage import StoredMessage

        assert isinstance(found, list)
        self.results.delete(*self.results.get_children())
        for message in found:
            assert isinstance(message, StoredMessage)
            when = datetime.datetime.fromtimestamp(message.time_ms / 1000).strftime("%Y-%m-%d %H:%M")
            text = " ".join(message.text.split())
            self.results.insert("", "end", iid=str(message.id), values=(message.id, when, message.sender, text))
        if not found:
            return "Nothing found in that room."
        many = len(found) == SEARCH_RESULTS
        return f"{len(found)}{' (the newest)' if many else ''} found; select one to put its id below."

    def _take_selected_id(self) -> None:
        selected = self.results.selection()
        if selected:
            self.message_id.set(selected[0])

    def refresh_info(self) -> bool:
        return self._run("history info", lambda server: server.history_info(), self._show_info, quiet=True)

    def _show_info(self, info: object) -> str:
        from chat_server.admin_history import HistoryInfo

        assert isinstance(info, HistoryInfo)
        self.info.set(info.describe())
        return ""

    # -- button handlers --
    def _room_given(self) -> str | None:
        """The room typed in, when the server runs (before any question is asked); None after saying why not."""
        if self.server_of() is None:
            self.outcome.set(NOT_RUNNING)
            return None
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

    def on_find_clicked(self) -> None:
        room = self._room_given()
        if room is None:
            return
        if not self.words.get().strip():
            self.outcome.set("Type a word (or part of one) to look for.")
            return
        self.find(room, self.words.get())

    def on_delete_clicked(self) -> None:
        """Read the message first, so the question says whose it is and what it says (an id typed one digit off
        is another student's message); a message that is not there is said without asking."""
        text = self.message_id.get().strip()
        if self.server_of() is None or not (text.isascii() and text.isdigit()):
            self.delete(text)  # says why not
            return
        self._run(
            "reading message " + text, lambda server: server.message(int(text)), self._ask_then_delete(text), quiet=True
        )

    def _ask_then_delete(self, text: str) -> Callable[[object], str]:
        def ask(message: object) -> str:
            from chat_server.storage import StoredMessage

            if not isinstance(message, StoredMessage):
                return f"Not done: There is no message {text} (deleted already, or too old)."
            when = datetime.datetime.fromtimestamp(message.time_ms / 1000).strftime("%Y-%m-%d %H:%M")
            where = f"#{message.room}" if message.room is not None else f"a private message to {message.recipient}"
            words = " ".join(message.text.split())
            shown = words if len(words) <= QUOTED else words[: QUOTED - 1] + "…"
            question = (
                f"Delete message {text} for everyone?\n\n{message.sender} in {where}, {when}:\n“{shown}”\n\n"
                "It disappears from every open window and cannot be undone."
            )
            if not self.ask_yes_no("Delete the message?", question):
                return "Not deleted."
            self.delete(text)
            return self.outcome.get()

        return ask

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
            self.outcome.set(NOT_RUNNING)
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
