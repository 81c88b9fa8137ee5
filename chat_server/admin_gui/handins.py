"""The admin window's Hand-ins: files sent privately to a teacher, with Open, Save… and Save all… (Tk thread; copies in a worker).

    AdminWindow.pump() --> HandinsView.refresh(server)   at most once a second: the files rows to teachers
    Open / Save… / Save all… --> a "handins-copy" thread copies from the server's file store
                             --> Copied / CopyFailed on `self.results` --> drained by refresh() on the Tk thread

A hand-in is a complete file whose recipient is an account with the role
`teacher` (docs/files.md, "Hand-ins").  The list reads the server's
in-memory files and accounts stores (no disk I/O on the Tk thread); the
bytes are copied by a worker thread, never on the Tk thread.  Save all
names each copy "<sender> - <file name>" through create_unique_file, so
two students' essay.pdf never overwrite each other, and nothing already
in the folder is overwritten.  Open copies the file under its cleaned
name into a private temporary folder first (the store keeps files under
ids without extensions, which no viewer would recognise), and asks
before opening an executable type.
"""

from __future__ import annotations

import queue
import shutil
import tempfile
import threading
import time
import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from tkinter import filedialog, ttk
from typing import TYPE_CHECKING

from chat_server.admin_gui.views import Column, Table
from shared.download_mark import mark_downloaded
from shared.file_transfer import FileError, format_size
from shared.safe_filename import clean_filename, create_unique_file, looks_executable
from shared.system_open import WARNING_TITLE, executable_warning, launch_with_system

if TYPE_CHECKING:
    from chat_server.server import ChatServer
    from chat_server.storage import FileRecord

REFRESH_SECONDS = 1.0
HANDIN_ROWS = 2  # rows the list asks for beside the log; it gets more when the window is taller
RESULT_BATCH = 50

AskFolder = Callable[[], str]  # a folder, or "" when cancelled
AskYesNo = Callable[[str, str], bool]
Launch = Callable[[Path], None]


@dataclass(frozen=True)
class Copied:
    purpose: str  # "open" or "save"
    paths: list[Path]
    sender: str


@dataclass(frozen=True)
class CopyFailed:
    message: str


CopyResult = Copied | CopyFailed


def handins_of(server: ChatServer) -> list[FileRecord]:
    """Complete files sent privately to a teacher's account, oldest first (in-memory reads only)."""
    from chat_server.identity.owners import account_owner

    storage = server.storage
    found: list[FileRecord] = []
    for record in storage.files.list_all():
        if record.state != "ready" or record.recipient is None:
            continue
        account = storage.accounts.get(record.recipient)
        # The teacher's own: sent to the account, not to a guest who had that nickname before it was registered.
        if account is not None and account.role == "teacher" and record.recipient_owner == account_owner(account):
            found.append(record)
    return found


def copy_name(record: FileRecord) -> str:
    """ "alice - essay.pdf": the sender first, so two students' files of one name stay apart and sort by student."""
    return clean_filename(f"{record.sender} - {clean_filename(record.original_name)}")


def copy_files(jobs: list[tuple[Path, Path, str]]) -> list[Path]:
    """Copy (source, folder, name) each into a new, never-overwriting file; the paths made.  OSError passes on."""
    made: list[Path] = []
    for source, folder, name in jobs:
        target, handle = create_unique_file(folder, name)
        try:
            with handle, open(source, "rb") as original:
                shutil.copyfileobj(original, handle, 1024 * 1024)
        except OSError:
            target.unlink(missing_ok=True)
            raise
        mark_downloaded(target)  # a student's file: Office's Protected View and SmartScreen should see it so
        made.append(target)
    return made


class HandinsView(Table):
    COLUMNS = (
        Column("sender", "From", "Alexandra_Konstantinova", fit_content=True),
        Column("name", "File", "essay-final-version.pdf", fit_content=True),
        Column("size", "Size", "25.0 MB", anchor="e"),
        Column("when", "When", "Mon 12:00", stretch=True),
    )

    def __init__(
        self,
        parent: tk.Misc,
        ask_yes_no: AskYesNo,
        ask_folder: AskFolder | None = None,
        launch: Launch | None = None,
    ) -> None:
        super().__init__(parent, "Hand-ins")
        self.tree.configure(height=HANDIN_ROWS)
        self.ask_yes_no = ask_yes_no
        self.ask_folder: AskFolder = ask_folder or (
            lambda: filedialog.askdirectory(parent=self, title="Save the hand-ins into", mustexist=True)
        )
        self.launch: Launch = launch or launch_with_system
        self.records: dict[str, FileRecord] = {}
        self.results: queue.Queue[CopyResult] = queue.Queue()
        self.note = ttk.Label(self.actions, text="", anchor="w")
        self.path_of: Callable[[str], Path] | None = None
        self._last_refresh = float("-inf")
        self._open_dir: Path | None = None
        self.open_button = ttk.Button(self.actions, text="Open", command=self.on_open_clicked)
        self.save_button = ttk.Button(self.actions, text="Save…", command=lambda: self.on_save_clicked(False))
        self.save_all_button = ttk.Button(self.actions, text="Save all…", command=lambda: self.on_save_clicked(True))
        for button in (self.open_button, self.save_button, self.save_all_button):
            button.pack(side="left", padx=(0, 4))
        self.note.pack(side="left", fill="x", expand=True, padx=(6, 0))
        self.tree.bind("<Double-1>", lambda _event: self.on_open_clicked(), add=True)

    # -- the poller's calls --
    def refresh(self, server: ChatServer | None, force: bool = False) -> None:
        """Bring the list up to date (at most once a second unless forced) and show finished copies."""
        self._drain()
        now = time.monotonic()
        if not force and now - self._last_refresh < REFRESH_SECONDS:
            return
        self._last_refresh = now
        if server is None or server.files.store is None:
            self.path_of = None
            self.show([])
            return
        self.path_of = server.files.store.path_of
        self.show(handins_of(server))

    def show(self, records: list[FileRecord]) -> None:
        """Rows for exactly these records, in their order (the newest last); other rows go."""
        wanted = {record.file_id: record for record in records}
        for gone in [file_id for file_id in self.records if file_id not in wanted]:
            self.tree.delete(gone)
            del self.records[gone]
        for record in records:
            if record.file_id in self.records:
                continue
            values = {
                "sender": record.sender,
                "name": clean_filename(record.original_name),
                "size": format_size(record.size),
                "when": time.strftime("%a %H:%M", time.localtime(record.time_ms / 1000)),
            }
            self._fit(values)
            self.tree.insert("", "end", iid=record.file_id, values=tuple(values[c.name] for c in self.COLUMNS))
            self.records[record.file_id] = record
        self._retitle(len(self.records))

    def clear(self) -> None:
        self.show([])

    # -- buttons --
    def selected(self) -> list[FileRecord]:
        return [self.records[iid] for iid in self.tree.selection() if iid in self.records]

    def on_open_clicked(self) -> bool:
        chosen = self.selected()[:1]
        if not chosen:
            self.say("Select a hand-in to open.")
            return False
        record = chosen[0]
        folder = self._open_folder()
        return self._copy("open", [record], folder, lambda r: clean_filename(r.original_name))

    def on_save_clicked(self, everything: bool) -> bool:
        """Save… copies the selected hand-ins, Save all… every one, into a folder the teacher picks."""
        chosen = list(self.records.values()) if everything else self.selected()
        if not chosen:
            self.say("Select the hand-ins to save, or press Save all….")
            return False
        folder = self.ask_folder()
        if not folder:
            return False
        return self._copy("save", chosen, Path(folder), copy_name)

    def say(self, text: str, error: bool = False) -> None:
        self.note.configure(text=text, style="Error.TLabel" if error else "TLabel")

    # -- inside --
    def _open_folder(self) -> Path:
        if self._open_dir is None:
            self._open_dir = Path(tempfile.mkdtemp(prefix="classchat-handins-"))
        return self._open_dir

    def _copy(self, purpose: str, records: list[FileRecord], folder: Path, name: Callable[[FileRecord], str]) -> bool:
        path_of = self.path_of
        if path_of is None:
            self.say("The server is not running: start it to reach the hand-ins.", error=True)
            return False
        try:
            jobs = [(path_of(record.file_id), folder, name(record)) for record in records]
        except FileError as exc:
            self.say(f"Not copied: {exc.message}", error=True)
            return False
        sender = records[0].sender
        self.say("Copying…")

        def work() -> None:
            try:
                self.results.put(Copied(purpose, copy_files(jobs), sender))
            except OSError as exc:
                self.results.put(CopyFailed(f"Not copied: {exc.strerror or exc}"))

        threading.Thread(target=work, name="handins-copy", daemon=True).start()
        return True

    def _drain(self) -> None:
        for _ in range(RESULT_BATCH):
            try:
                result = self.results.get_nowait()
            except queue.Empty:
                return
            if isinstance(result, CopyFailed):
                self.say(result.message, error=True)
            elif result.purpose == "open":
                self.say("")
                self._open(result.paths[0], result.sender)
            else:
                count = len(result.paths)
                where = result.paths[0].parent if result.paths else ""
                self.say(f"Saved {count} file{'s' if count != 1 else ''} in {where}.")

    def _open(self, path: Path, sender: str) -> None:
        if looks_executable(path) and not self.ask_yes_no(WARNING_TITLE, executable_warning(path.name, sender)):
            return
        try:
            self.launch(path)
        except OSError as exc:
            self.say(f"Could not open it: {exc.strerror or exc}", error=True)

    def destroy(self) -> None:
        if self._open_dir is not None:
            shutil.rmtree(self._open_dir, ignore_errors=True)
            self._open_dir = None
        super().destroy()
