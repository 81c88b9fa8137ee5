"""Sending and fetching files for a front end (/send, /get), with no Tk (scheduler thread; one worker thread per transfer).

    transfers = FileTransfers(session, scheduler, on_event)       # on the scheduler's thread, like the session
    key = transfers.send_file(path, to=None)                      # to a nick privately, else to the current room
    key = transfers.get_file(file_id, folder=None)                # folder: the Downloads folder when None
    transfers.cancel(key); transfers.cancel_all()
    transfers.handle_frame(frame) -> bool                         # every Received frame; True: it was ours, hide it
    events (on the scheduler's thread): TransferStarted, TransferProgressed, TransferFinished

The chat connection asks (UPLOAD, DOWNLOAD; a PING right after each one is
the barrier that tells a refusal from other errors: the server answers in
order, so the last `error` before that pong, with no `upload` between, is
the refusal).  A worker thread hashes the file and moves the bytes on a
transfer connection (chat_gui.core.transfer_client), retrying a broken
connection with growing pauses (the server resumes from its last byte);
it only puts results on a queue, which a scheduler timer drains, so the
window's Tk thread and chat-term's core thread see every event on their
own thread.  A download is fetched into a hidden partial file and only
then saved under a cleaned name that never overwrites
(chat_gui/core/partial_download.py); a wrong hash or a cancel removes
the partial file.
"""

from __future__ import annotations

import functools
import itertools
import os
import queue
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from chat_gui.core.downloads_folder import downloads_folder
from chat_gui.core.partial_download import FolderGone, NotKept, keep, start_partial
from chat_gui.core.scheduler import Scheduler
from chat_gui.core.session import ClientSession
from chat_gui.core.tls_client import start_tls
from chat_gui.core.transfer_client import (
    Connect,
    SaveFailed,
    TransferCancelled,
    TransferInterrupted,
    download_file,
    sha256_of,
    upload_file,
)
from shared.download_mark import mark_downloaded
from shared.errors import ErrorCode, ProtocolError
from shared.file_transfer import FileError, FileErrorCode, Target, format_size, upload_command
from shared.frame_types import ServerFrame
from shared.tls_channel import TlsError
from shared.tls_socket import TlsSocket
from shared.transfer_session import ProgressReport, TransferProgress

POLL_MS = 50  # how often worker results are picked up while a transfer runs
# Results a turn may take: a finished fetch can make the window decode a 16-megapixel thumbnail (about 200 ms),
# and six finishing together froze it for 974 ms in one turn. Past this the rest waits AGAIN_MS, in order.
POLL_BUDGET_S = 0.025
AGAIN_MS = 1
PROGRESS_SECONDS = 0.1  # at most ten progress events a second per transfer
RETRY_PAUSES = (0.5, 1.0, 2.0, 4.0, 8.0, 8.0)  # a broken transfer connection is retried after these pauses
BARRIER_PREFIX = "classchat-file-"
CONNECT_TIMEOUT = 30.0


# -- events --
@dataclass(frozen=True)
class TransferStarted:
    key: int
    kind: str  # "upload" or "download"
    name: str
    size: int | None  # None until known (a download before the server's answer)


@dataclass(frozen=True)
class TransferProgressed:
    key: int
    report: ProgressReport  # report.text(): "12.0 MB of 25.0 MB, 48.2 MB/s, 1 s left"


@dataclass(frozen=True)
class TransferFinished:
    key: int
    ok: bool
    detail: str  # a sentence to show
    path: Path | None = None  # a download's saved file, or the file that was sent
    file_id: str | None = None
    cancelled: bool = False


TransferEvent = TransferStarted | TransferProgressed | TransferFinished
TransferListener = Callable[[TransferEvent], None]


@dataclass
class _Job:
    key: int
    kind: str
    name: str
    path: Path | None = None  # upload: the file to send; download: the folder first, then the saved file
    to: str | None = None
    file_id: str | None = None  # download: the file; upload: the upload id, then the file id
    size: int | None = None
    sha256: str = ""
    barrier: str = ""
    answered: bool = False
    refusal: ServerFrame | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    done: bool = False


class FileTransfers:
    def __init__(
        self,
        session: ClientSession,
        scheduler: Scheduler,
        listener: TransferListener,
        connect: Callable[[], Connect] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`connect()` returns how to open a transfer connection now (TLS front ends wrap the socket the same way).

        `clock` (seconds) times each turn of results (POLL_BUDGET_S); tests pass their scheduler's.
        """
        self.session = session
        self._clock = clock
        self.scheduler = scheduler
        self.listener = listener
        self._connect = connect or self._default_connect
        self._jobs: dict[int, _Job] = {}
        self._keys = itertools.count(1)
        self._barriers = itertools.count(1)
        self._results: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._polling = False
        self._cancelling: set[str] = set()  # upload ids we sent CANCEL for: their `cancelled` answers are ours

    def _default_connect(self) -> Connect:
        """Open transfer connections as the chat connection is open: over TLS when it is encrypted.

        The server's key must be the one the chat connection pinned (no
        new key is accepted here), so a transfer never goes to a server
        the person has not checked, and never in plain beside encrypted chat.
        """
        host, port = self.session.host, self.session.port
        security = self.session.security
        if security is None or not security.encrypted:
            return lambda: socket.create_connection((host, port), timeout=CONNECT_TIMEOUT)
        store = self.session.tls_policy.store()

        def encrypted() -> socket.socket:
            sock = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT)
            try:
                tls = start_tls(sock, host, port, store)
            except TlsError as exc:  # an OSError to the transfer code: retried, then said
                sock.close()
                raise ConnectionError(f"the transfer connection could not be encrypted: {exc}") from None
            except BaseException:
                sock.close()
                raise
            return cast(socket.socket, TlsSocket(sock, tls.channel, tls.early_data))  # socket-shaped; no sendfile

        return encrypted

    @property
    def active(self) -> list[int]:
        return [key for key, job in self._jobs.items() if not job.done]

    # -- what the user asks --
    def send_file(self, path: str | os.PathLike[str], to: str | None = None) -> int:
        """Share a file with the current room, or privately with `to`; events tell how it goes."""
        source = Path(path).expanduser()
        job = _Job(next(self._keys), "upload", source.name, source, to=to)
        self._jobs[job.key] = job
        self.listener(TransferStarted(job.key, "upload", job.name, None))
        if not source.is_file():
            self._finish(job, False, f"Cannot send {source}: there is no such file.")
        elif to is None and not self.session.room:
            self._finish(job, False, "Join a room first, or name someone: /send PATH NICK.")
        else:
            self._work(job, lambda: self._hash_worker(job))
        return job.key

    def get_file(self, file_id: str, folder: str | os.PathLike[str] | None = None) -> int:
        """Fetch a shared file into `folder` (the Downloads folder when None) under a name that overwrites nothing."""
        job = _Job(next(self._keys), "download", file_id, Path(folder).expanduser() if folder else None)
        job.file_id = file_id
        self._jobs[job.key] = job
        self.listener(TransferStarted(job.key, "download", file_id, None))
        self._ask(job, f"DOWNLOAD {file_id}")
        return job.key

    def cancel(self, key: int) -> None:
        job = self._jobs.get(key)
        if job is None or job.done:
            return
        job.cancel.set()
        if not job.answered:  # nothing moves yet: done at once; a late ticket is then dropped
            self._finish(job, False, f"Cancelled {job.name}.", cancelled=True)

    def cancel_all(self) -> None:
        for key in self.active:
            self.cancel(key)

    # -- the chat connection's frames --
    def handle_frame(self, frame: ServerFrame) -> bool:
        """Follow the answers to our commands; True for a frame only ours to read (a barrier's pong, our tickets).

        The tickets (`upload`, `download`), `cancelled` and `error` answers to our
        own commands are told through the events instead, so a front end need
        not show them; the same frames for a command the user typed by hand are
        left to show.
        """
        if frame["type"] == "pong":
            return self._barrier_reached(frame.get("token", ""))
        if frame["type"] == "error":
            waiting = self._waiting()
            for job in waiting:
                job.refusal = frame
            return bool(waiting)  # told once, by the transfer's end (it names the file); not a second time as a line
        if frame["type"] == "upload":
            for job in self._waiting("upload"):
                if job.size == frame["size"] and job.sha256 == frame["sha256"]:
                    job.answered, job.file_id = True, frame["upload"]
                    if job.done or job.cancel.is_set():  # cancelled while we waited: the server must hear it
                        self._cancelling.add(frame["upload"])
                        self.session.send(f"CANCEL {frame['upload']}")
                    else:
                        self._work(job, functools.partial(self._upload_worker, job, frame["token"]))
                    return True
        elif frame["type"] == "download":
            for job in self._waiting("download"):
                if job.file_id == frame["file"]:
                    job.answered, job.size, job.sha256, job.name = True, frame["size"], frame["sha256"], frame["name"]
                    if not job.done:
                        self.listener(TransferStarted(job.key, "download", job.name, job.size))
                        self._work(job, functools.partial(self._download_worker, job, frame["token"]))
                    return True
        elif frame["type"] == "cancelled" and frame["upload"] in self._cancelling:
            self._cancelling.discard(frame["upload"])
            return True
        elif frame["type"] == "cancelled":
            # The server voided one of our uploads itself (no byte came for minutes): it ends with the server's reason.
            for job in self._jobs.values():
                if job.kind == "upload" and job.file_id == frame["upload"] and not job.done:
                    job.cancel.set()
                    self._finish(job, False, frame["content"])
                    return True
        return False

    def _waiting(self, kind: str | None = None) -> list[_Job]:
        return [
            job
            for job in self._jobs.values()
            if job.barrier and not job.answered and (kind is None or job.kind == kind)
        ]

    def _ask(self, job: _Job, command: str) -> None:
        job.barrier = f"{BARRIER_PREFIX}{next(self._barriers)}"
        self.session.send(command)
        self.session.send(f"PING {job.barrier}")

    def _barrier_reached(self, token: str) -> bool:
        if not token.startswith(BARRIER_PREFIX):
            return False
        for job in self._jobs.values():
            if job.barrier == token:
                job.barrier = ""  # answered or refused: no longer waiting
                if not job.answered and not job.done:
                    refusal = job.refusal
                    reason = refusal["content"] if refusal is not None else "The server did not answer."
                    self._finish(job, False, f"{job.name}: {reason}")
        return True

    # -- worker threads --
    def _work(self, job: _Job, target: Callable[[], None]) -> None:
        threading.Thread(target=target, name=f"chat-transfer-{job.key}", daemon=True).start()
        self._start_polling()

    def _post(self, callback: Callable[[], None]) -> None:
        self._results.put(callback)

    def _fail(self, job: _Job, detail: str) -> None:
        """From a worker: the transfer ended without success (the text is made now, while its exception lives)."""
        self._post(lambda: self._finish(job, False, detail))

    def _hash_worker(self, job: _Job) -> None:
        assert job.path is not None
        try:
            size = job.path.stat().st_size
            digest = sha256_of(job.path)
        except OSError as exc:
            self._fail(job, f"Cannot read {job.path}: {exc.strerror or exc}.")
            return
        self._post(lambda: self._offer(job, size, digest))

    def _offer(self, job: _Job, size: int, digest: str) -> None:
        if job.done:
            return
        job.size, job.sha256 = size, digest
        self.listener(TransferStarted(job.key, "upload", job.name, size))
        target = Target(to=job.to) if job.to else Target(room=self.session.room or "")
        self._ask(job, upload_command(size, digest, target, job.name))

    def _progress(self, job: _Job) -> Callable[[TransferProgress], None]:
        last = [0.0]

        def report(meter: TransferProgress) -> None:
            now = time.monotonic()
            if now - last[0] >= PROGRESS_SECONDS or meter.done >= meter.total:
                last[0] = now
                snapshot = meter.report()
                self._post(lambda: self._emit_progress(job, snapshot))

        return report

    def _emit_progress(self, job: _Job, report: ProgressReport) -> None:
        if not job.done:
            self.listener(TransferProgressed(job.key, report))

    def _retrying(self, job: _Job, attempt: Callable[[], None]) -> None:
        """Run `attempt` until it ends other than by a broken connection (then paused and retried, a few times)."""
        for pause in (*RETRY_PAUSES, None):
            try:
                attempt()
                return
            except TransferInterrupted:
                if pause is None or job.cancel.wait(pause):
                    raise

    def _upload_worker(self, job: _Job, token: str) -> None:
        assert job.path is not None
        connect = self._connect()
        outcome: list[str] = []

        def attempt() -> None:
            done = upload_file(connect, token, job.path or "", self._progress(job), job.cancel)
            outcome.append(done["file"])

        try:
            self._retrying(job, attempt)
        except TransferCancelled:
            upload_id = job.file_id
            self._post(lambda: self._cancelled_upload(job, upload_id))
        except TransferInterrupted as exc:
            self._fail(job, f"Sending {job.name} stopped: {exc}. Try /send again.")
        except (FileError, ProtocolError) as exc:
            self._fail(job, f"Sending {job.name} failed: {exc}")
        except OSError as exc:
            self._fail(job, f"Cannot read {job.path}: {exc.strerror or exc}.")
        else:
            file_id = outcome[0]
            self._post(
                lambda: self._finish(
                    job, True, f"Sent {job.name} ({format_size(job.size or 0)}).", job.path, file_id=file_id
                )
            )

    def _cancelled_upload(self, job: _Job, upload_id: str | None) -> None:
        if upload_id:
            self._cancelling.add(upload_id)
            self.session.send(f"CANCEL {upload_id}")
        self._finish(job, False, f"Cancelled sending {job.name}.", cancelled=True)

    def _download_worker(self, job: _Job, token: str) -> None:
        assert job.size is not None
        try:
            folder = job.path or downloads_folder()
            folder.mkdir(parents=True, exist_ok=True)
            partial = start_partial(folder)
        except OSError as exc:
            self._fail(job, f"Cannot save {job.name}: {exc.strerror or exc}.")
            return
        connect = self._connect()
        size, digest = job.size, job.sha256

        def attempt() -> None:
            download_file(connect, token, partial, size, digest, self._progress(job), job.cancel)

        try:
            self._retrying(job, attempt)
            path = keep(partial, folder, job.name)
        except FolderGone as exc:
            _remove(partial)
            self._fail(job, f"{job.name} was not saved: the folder {exc}.")
            return
        except NotKept as exc:  # the whole file is there, under its partial name: say where, lose nothing
            self._fail(
                job,
                f"{job.name} arrived whole but could not be named in {folder} ({exc.strerror or exc}); "
                f"it is at {exc.partial}.",
            )
            return
        except SaveFailed as exc:  # a full disk: fetching again would fill it again
            _remove(partial)
            self._fail(job, f"{job.name} was not saved in {folder}: {exc.strerror or exc}.")
            return
        except (TransferCancelled, TransferInterrupted, FileError, ProtocolError, OSError) as exc:
            _remove(partial)
            if isinstance(exc, TransferCancelled):
                self._post(lambda: self._finish(job, False, f"Cancelled fetching {job.name}.", cancelled=True))
            elif isinstance(exc, FileError) and exc.code in (FileErrorCode.BAD_HASH, ErrorCode.BAD_HASH):
                self._fail(job, f"{job.name} arrived damaged (wrong sha256); not kept.")
            else:
                self._fail(job, f"Fetching {job.name} failed: {exc}")
            return
        mark_downloaded(path)  # Windows' Mark of the Web, macOS's quarantine: the system's own guards apply
        self._post(lambda: self._finish(job, True, f"Saved {job.name} as {path}.", path, file_id=job.file_id))

    # -- results, on the scheduler's thread --
    def _start_polling(self) -> None:
        if not self._polling:
            self._polling = True
            self.scheduler.after(POLL_MS, self._poll)

    def _poll(self) -> None:
        deadline = self._clock() + POLL_BUDGET_S
        while True:
            try:
                callback = self._results.get_nowait()
            except queue.Empty:
                break
            callback()
            if self._clock() >= deadline and not self._results.empty():
                self.scheduler.after(AGAIN_MS, self._poll)  # the window draws and answers in between
                return
        if self.active:
            self.scheduler.after(POLL_MS, self._poll)
        else:
            self._polling = False

    def _finish(
        self,
        job: _Job,
        ok: bool,
        detail: str,
        path: Path | None = None,
        file_id: str | None = None,
        cancelled: bool = False,
    ) -> None:
        if job.done:
            return
        job.done = True
        self.listener(TransferFinished(job.key, ok, detail, path, file_id, cancelled))


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
