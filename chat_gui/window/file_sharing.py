"""The chat window's side of sharing files: jobs, their rows and cards, the answers to UPLOAD and DOWNLOAD (Tk thread).

    Attach… / /send PATH [NICK] --> job --hash worker--> Hashed --> UPLOAD on the chat connection
        <-- upload {token} --upload worker (transfer connection)--> Progress... Finished --> the row says "Sent"
        <-- file {id, file, name, size, sender, room|to} --> a FileCard in the room or private tab
    card's Save / /get FILE-ID --> DOWNLOAD --> <-- download {token} --download worker--> Downloads/<clean unique name>
    card's "Show pictures from here" --> the same, into a private cache folder, then the thumbnail

Workers (transfer_workers.py) put events on `self.events`; `_poll` drains a
bounded batch every POLL_MS with after(), as the rest of the window does,
and is the only place their results touch widgets.  The chat connection
answers a client's lines in order, so an `upload` answer belongs to the
oldest UPLOAD still waiting with that size and hash, a `download` to the
oldest DOWNLOAD of that file, and a refusal (`error`) to the oldest
request still waiting whose command can be refused with that code.
"""

from __future__ import annotations

import queue
import shutil
import socket
import tempfile
import threading
import tkinter as tk
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from tkinter import messagebox

from chat_gui.core.downloads_folder import downloads_folder
from chat_gui.core.sending import NotSent
from chat_gui.core.session import ClientSession
from chat_gui.window import transfer_workers as workers
from chat_gui.window.file_card import CardActions, FileCard, is_picture_name
from chat_gui.window.main_window import ChatWindow
from chat_gui.window.message_view import MessageView
from chat_gui.window.open_file import AskYesNo, Launch, launch_with_system, open_received
from chat_gui.window.transfer_bar import TransferRow
from shared.file_transfer import Target, format_size, is_file_id, upload_command
from shared.frames import Frame
from shared.image_header import MAX_THUMBNAIL_FILE_BYTES, thumbnail_kind
from shared.names import name_key
from shared.safe_filename import clean_filename, looks_executable

POLL_MS = 50
EVENT_BATCH = 200
TRANSFER_CONNECT_SECONDS = 30.0
UPLOAD_REFUSALS = frozenset(
    [
        "file_too_large",
        "rate_limited",
        "storage_full",
        "bad_hash",
        "bad_argument",
        "bad_room",
        "bad_nick",
        "not_in_room",
        "no_such_user",
        "not_allowed",
        "muted",
        "unknown_command",
    ]
)
DOWNLOAD_REFUSALS = frozenset(["no_such_file", "rate_limited", "bad_argument", "not_allowed", "unknown_command"])


@dataclass
class Job:
    number: int
    kind: str  # "upload", "save" (into Downloads or a chosen folder), "picture" (into the cache), "copy"
    name: str
    row: TransferRow | None = None
    card: FileCard | None = None
    path: Path | None = None  # the file sent (upload) or the folder to save in (save)
    target: Target | None = None
    file_id: str = ""
    sender: str = ""
    size: int = 0
    sha256: str = ""
    upload_id: str = ""
    asked: bool = False  # the command went to the server; its answer has not come
    cancel: threading.Event = field(default_factory=threading.Event)


class FileSharing:
    def __init__(
        self,
        root: tk.Misc,
        window: ChatWindow,
        session: ClientSession,
        ask_yes_no: AskYesNo | None = None,
        launch: Launch = launch_with_system,
        downloads: Callable[[], Path] = downloads_folder,
    ) -> None:
        self.root = root
        self.window = window
        self.session = session
        self.ask_yes_no: AskYesNo = ask_yes_no or (
            lambda title, text: messagebox.askyesno(title, text, parent=root, icon="warning", default="no")
        )
        self.launch = launch
        self.downloads = downloads
        self.events: workers.EventQueue = queue.Queue()
        self.jobs: dict[int, Job] = {}
        self.cards: dict[str, list[FileCard]] = {}  # file id -> its cards (history may show one twice)
        self.picture_places: set[str] = set()  # "#room" / "@nick" keys where the user asked for thumbnails
        self.sent_files: dict[tuple[str, int], Path] = {}  # (sha256, size) of our finished uploads -> local file
        self._asked: deque[Job] = deque()  # requests sent on the chat connection, oldest first
        self._numbers = iter(range(1, 1 << 62))
        self._cache: Path | None = None
        self._poll_id: str | None = root.after(POLL_MS, self._poll)

    # -- what the user asks for --
    def send_file(self, path: Path, to: str | None = None) -> Job | None:
        """Share `path` with the room, or with `to` only: hashed in a worker, then UPLOAD."""
        view = self._view_for_target(to)
        if to is None and self.session.room is None:
            view.show_notice("Join a room first, or send the file to one person: /send PATH NICK.", "error")
            return None
        target = Target(to=to) if to is not None else Target(room=self.session.room)
        job = self._new_job("upload", clean_filename(path.name), path=path, target=target)
        assert job.row is not None
        job.row.set_busy("Checking the file…")
        workers.start_thread(f"hash-{job.number}", workers.hash_worker(job.number, path, self.events))
        return job

    def save(self, card: FileCard) -> None:
        """The card's Save: into the Downloads folder (copied from the cache if its picture was fetched)."""
        card.saving()
        cached = self._cached_picture(card.file_id)
        if cached is not None:
            job = self._new_job("copy", card.name, card=card)
            worker = workers.copy_worker(job.number, cached, self.downloads(), card.name, self.events)
            workers.start_thread(f"copy-{job.number}", worker)
            return
        self._ask_download("save", card.file_id, card.name, card=card)

    def get(self, file_id: str, folder: Path | None = None) -> Job | None:
        """`/get FILE-ID [FOLDER]`: save a file without a card (into Downloads, or FOLDER)."""
        if not is_file_id(file_id):
            self.window.tabs.room_view.show_notice(
                f"{file_id} is not a file id (they are 22 letters and digits).", "error"
            )
            return None
        return self._ask_download("save", file_id, file_id, folder=folder)

    def show_pictures(self, card: FileCard, place: str) -> None:
        """Thumbnails for this room (or person) from now on; fetch this card's picture now."""
        self.picture_places.add(place)
        self._fetch_picture(card)

    def open_saved(self, card: FileCard) -> None:
        path = card.saved_path
        if path is None or not path.exists():
            card.failed("The saved file is gone; save it again.")
            card.saved_path = None
            return
        try:
            open_received(path, card.sender, self.ask_yes_no, self.launch, looks_executable)
        except OSError as exc:
            card.failed(f"Could not open it: {exc.strerror or exc}")

    def open_folder(self, card: FileCard) -> None:
        if card.saved_path is not None:
            try:
                self.launch(card.saved_path.parent)
            except OSError as exc:
                card.failed(f"Could not open the folder: {exc.strerror or exc}")

    def cancel(self, number: int) -> None:
        """Cancel: a worker under way notices the Event (and the server hears CANCEL for an upload)."""
        job = self.jobs.get(number)
        if job is None:
            return
        job.cancel.set()
        if job.asked:  # the server's answer will find it cancelled (and an upload then gets its CANCEL)
            self._drop_row(job)
        elif job.kind == "upload" and not job.upload_id:  # still hashing: nothing was asked yet
            self._end(job, "Cancelled.", quiet=True)
        else:
            if job.kind == "upload":
                self.session.send(f"CANCEL {job.upload_id}")
            if job.row is not None:
                job.row.set_busy("Cancelling…")

    # -- the chat connection's answers --
    def take(self, frame: Frame) -> bool:
        """Handle a file frame; True if it was one of ours (the caller shows nothing else for it)."""
        kind = frame.get("type")
        if kind == "upload":
            self._on_upload(frame)
        elif kind == "download":
            self._on_download(frame)
        elif kind == "cancelled":
            pass  # the row already said so
        elif kind == "file":
            self._on_file(frame)
        elif kind == "error":
            self._on_error(frame)
            return False  # the error notice is shown as for any refusal
        else:
            return False
        return True

    def connection_lost(self) -> None:
        """Requests the old connection never answered are lost; transfers under way go on by themselves."""
        while self._asked:
            job = self._asked.popleft()
            job.asked = False
            if job.cancel.is_set():
                self.jobs.pop(job.number, None)
            else:
                self._end(job, "The connection was lost before the server answered; try again.", failed=True)

    def shutdown(self) -> None:
        """Stop every transfer, the poller, and remove the picture cache."""
        if self._poll_id is not None:
            self.root.after_cancel(self._poll_id)
            self._poll_id = None
        for job in self.jobs.values():
            job.cancel.set()
        if self._cache is not None:
            shutil.rmtree(self._cache, ignore_errors=True)

    # -- inside --
    def _new_job(self, kind: str, name: str, **fields: object) -> Job:
        job = Job(next(self._numbers), kind, name, **fields)  # type: ignore[arg-type]  # Job's own fields
        self.jobs[job.number] = job
        if kind in ("upload", "save"):
            job.row = self.window.transfers.add(job.number, name, kind == "upload", lambda: self.cancel(job.number))
        return job

    def _ask_download(
        self, kind: str, file_id: str, name: str, card: FileCard | None = None, folder: Path | None = None
    ) -> Job | None:
        job = self._new_job(kind, name, card=card, file_id=file_id, path=folder)
        if job.row is not None:
            job.row.set_busy("Asking the server…")
        result = self.session.send(f"DOWNLOAD {file_id}")
        if isinstance(result, NotSent):
            self._end(job, result.reason, failed=True)
            return None
        job.asked = True
        self._asked.append(job)
        return job

    def _connect(self) -> Callable[[], socket.socket]:
        host, port = self.session.host, self.session.port
        return lambda: socket.create_connection((host, port), timeout=TRANSFER_CONNECT_SECONDS)

    def _cache_folder(self) -> Path:
        if self._cache is None:
            self._cache = Path(tempfile.mkdtemp(prefix="classchat-pictures-"))
        return self._cache

    def _cached_picture(self, file_id: str) -> Path | None:
        for job in self.jobs.values():
            if job.kind == "picture" and job.file_id == file_id and job.path is not None and job.path.is_file():
                return job.path
        return None

    def _fetch_picture(self, card: FileCard) -> None:
        if card.has_thumbnail() or card.file_size > MAX_THUMBNAIL_FILE_BYTES:
            return
        local = self.sent_files.get((card.sha256, card.file_size)) if card.sha256 else None
        if local is not None and self._try_thumbnail(card, local):
            return
        card.fetching_picture()
        self._ask_download("picture", card.file_id, card.name, card=card)

    def _try_thumbnail(self, card: FileCard, path: Path) -> bool:
        header = thumbnail_kind(path)
        return header is not None and card.show_thumbnail(path, header)

    def _on_upload(self, frame: Frame) -> None:
        size, digest = frame.get("size"), frame.get("sha256")
        job = next((j for j in self._asked if j.kind == "upload" and (j.size, j.sha256) == (size, digest)), None)
        if job is None:
            return  # an answer to a request this window no longer waits for (another window of ours?)
        self._asked.remove(job)
        job.asked = False
        job.upload_id = str(frame.get("upload", ""))
        if job.cancel.is_set():
            self.session.send(f"CANCEL {job.upload_id}")
            self.jobs.pop(job.number, None)
            return
        if job.row is not None:
            job.row.set_busy("Sending…")
        assert job.path is not None
        worker = workers.upload_worker(
            job.number, self._connect(), str(frame["token"]), job.path, self.events, job.cancel
        )
        workers.start_thread(f"upload-{job.number}", worker)

    def _on_download(self, frame: Frame) -> None:
        file_id = frame.get("file")
        job = next((j for j in self._asked if j.kind in ("save", "picture") and j.file_id == file_id), None)
        if job is None:
            return
        self._asked.remove(job)
        job.asked = False
        name, size, digest = str(frame["name"]), int(frame["size"]), str(frame["sha256"])
        job.name, job.size, job.sha256 = clean_filename(name), size, digest
        if job.row is not None:
            job.row.title = job.name
            job.row.name_label.configure(text=f"↓ {job.name}")
            job.row.set_busy("Fetching…")
        if job.cancel.is_set():
            self._end(job, "Cancelled.", quiet=True)
            return
        folder = self._cache_folder() if job.kind == "picture" else (job.path or self.downloads())
        worker = workers.download_worker(
            job.number, self._connect(), str(frame["token"]), folder, job.name, size, digest, self.events, job.cancel
        )
        workers.start_thread(f"download-{job.number}", worker)

    def _on_error(self, frame: Frame) -> None:
        code = str(frame.get("code", ""))
        for job in self._asked:
            refusals = UPLOAD_REFUSALS if job.kind == "upload" else DOWNLOAD_REFUSALS
            if code in refusals:
                self._asked.remove(job)
                job.asked = False
                self._end(job, f"Not done: {frame.get('content', code)}", failed=True)
                return

    def _on_file(self, frame: Frame) -> None:
        file_id, name, sender = str(frame["file"]), str(frame["name"]), str(frame["sender"])
        size, digest = int(frame["size"]), str(frame["sha256"])
        view, place = self._place_of(frame)
        own = name_key(sender) == name_key(self.session.nick)
        style = "own" if own else ("private" if frame.get("to") else "")
        view.show_message(
            str(frame.get("timestamp", "")), sender, f"shared {clean_filename(name)} ({format_size(size)})", style
        )
        actions = CardActions(
            save=lambda: self.save(card),
            open_file=lambda: self.open_saved(card),
            open_folder=lambda: self.open_folder(card),
            show_picture=lambda: self.show_pictures(card, place),
        )
        card = FileCard(view.text, file_id, name, size, sender, actions, sha256=digest)
        view.show_widget(card)
        self.cards.setdefault(file_id, []).append(card)
        if is_picture_name(name) and (place in self.picture_places or (own and (digest, size) in self.sent_files)):
            self._fetch_picture(card)

    def _place_of(self, frame: Frame) -> tuple[MessageView, str]:
        """The view a file frame goes to, and its key for "show pictures from here"."""
        to = frame.get("to")
        if not isinstance(to, str):
            return self.window.tabs.room_view, f"#{name_key(str(frame.get('room', '')))}"
        sender = str(frame["sender"])
        own = name_key(sender) == name_key(self.session.nick)
        other = to if own else sender
        tabs = self.window.tabs
        tab = tabs.private.get(name_key(other)) or tabs.open_private(other, select=False, by_other=not own)
        return tab.view, f"@{name_key(other)}"

    def _view_for_target(self, to: str | None) -> MessageView:
        if to is not None:
            tab = self.window.tabs.private.get(name_key(to))
            if tab is not None:
                return tab.view
        return self.window.tabs.room_view

    # -- the workers' events --
    def _poll(self) -> None:
        self._poll_id = None
        try:
            for _ in range(EVENT_BATCH):
                try:
                    event = self.events.get_nowait()
                except queue.Empty:
                    break
                self._apply(event)
        finally:
            if self.root.winfo_exists():
                self._poll_id = self.root.after(POLL_MS, self._poll)

    def _apply(self, event: workers.TransferEvent) -> None:
        job = self.jobs.get(event.job)
        if job is None:
            return
        if isinstance(event, workers.Hashed):
            self._hashed(job, event)
        elif isinstance(event, workers.Progress):
            if job.row is not None and not job.cancel.is_set():
                job.row.set_progress(event.report.fraction, event.report.text())
        elif isinstance(event, workers.Finished):
            self._finished(job, event.path)
        elif isinstance(event, workers.Failed):
            self._end(job, event.message, failed=True)
        elif isinstance(event, workers.Stopped):
            self._end(job, "Cancelled.", quiet=True)

    def _hashed(self, job: Job, event: workers.Hashed) -> None:
        if job.cancel.is_set() or job.target is None:
            return
        job.size, job.sha256 = event.size, event.sha256
        result = self.session.send(upload_command(event.size, event.sha256, job.target, job.name))
        if isinstance(result, NotSent):
            self._end(job, result.reason, failed=True)
            return
        job.asked = True
        self._asked.append(job)
        if job.row is not None:
            job.row.set_busy(f"{format_size(event.size)}: waiting for the server…")

    def _finished(self, job: Job, path: Path | None) -> None:
        if job.kind == "upload":
            assert job.path is not None
            self.sent_files[(job.sha256, job.size)] = job.path
            self._end(job, "Sent; the server checked it.")
            return
        if job.kind == "picture":
            self.jobs.pop(job.number, None)
            job.path = path
            self.jobs[job.number] = job  # kept: Save copies the cached picture instead of fetching it again
            if job.card is not None and path is not None and not self._try_thumbnail(job.card, path):
                job.card.failed("Not shown: not a picture this window can show.")
            return
        self._end(job, f"Saved as {path.name}" if path is not None else "Saved.")
        if job.card is not None and path is not None:
            job.card.saved(path)
            if is_picture_name(path.name):
                self._try_thumbnail(job.card, path)
        elif path is not None:
            self.window.tabs.room_view.show_notice(f"Saved {path}.", "system")

    def _drop_row(self, job: Job) -> None:
        if job.row is not None:
            self.window.transfers.remove(job.number)
            job.row = None

    def _end(self, job: Job, text: str, failed: bool = False, quiet: bool = False) -> None:
        """The job is over; its row says how (a cancelled one just goes)."""
        if job in self._asked:
            self._asked.remove(job)
        if job.kind != "picture" or failed:
            self.jobs.pop(job.number, None)
        if quiet:
            self._drop_row(job)
        elif job.row is not None:
            job.row.end(text, failed)
        if job.card is not None and (quiet or failed) and job.card.saved_path is None:
            job.card.failed(text if failed else "")
