"""The chat window's transfers off the Tk thread: hash, send, fetch, retry; results only as queued events (worker threads).

    Tk thread:  FileSharing starts a worker --> Thread "hash-<job>" / "upload-<job>" / "download-<job>"
    worker:     sha256_of / upload_file / download_file --> events.put(Hashed | Progress | Finished | Failed | Stopped)
    Tk thread:  FileSharing's poller drains `events` with after() and updates the rows and cards

A worker never touches Tk and never sends on the chat connection: what
needs the chat connection (UPLOAD, DOWNLOAD again, CANCEL) goes back to the
Tk thread as an event.  A broken transfer connection is retried with a
growing pause (the server says where to resume); Cancel sets the job's
Event, which the transfer functions and the pauses both notice.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from chat_gui.core.transfer_client import (
    Connect,
    TransferCancelled,
    TransferInterrupted,
    download_file,
    sha256_of,
    upload_file,
)
from shared.errors import ErrorCode, ProtocolError
from shared.file_transfer import FileError, FileErrorCode
from shared.safe_filename import create_unique_file
from shared.transfer_session import ProgressReport, TransferProgress

RETRY_PAUSES = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)  # seconds between tries after a broken transfer connection
PROGRESS_GAP = 0.1  # seconds: at most ten progress events a second per transfer


# -- what the workers tell the Tk thread --
@dataclass(frozen=True)
class Hashed:
    job: int
    size: int
    sha256: str


@dataclass(frozen=True)
class Progress:
    job: int
    report: ProgressReport


@dataclass(frozen=True)
class Finished:
    job: int
    path: Path | None  # where a download was saved; None for an upload


@dataclass(frozen=True)
class Failed:
    job: int
    message: str
    code: str = ""


@dataclass(frozen=True)
class Stopped:
    """The job was cancelled; whatever it had written is removed."""

    job: int


TransferEvent = Hashed | Progress | Finished | Failed | Stopped
EventQueue = queue.Queue[TransferEvent]


class _Throttle:
    """Passes progress on at most every PROGRESS_GAP seconds, and always the last one."""

    def __init__(self, job: int, events: EventQueue) -> None:
        self.job = job
        self.events = events
        self._last = float("-inf")

    def __call__(self, meter: TransferProgress) -> None:
        now = time.monotonic()
        if now - self._last >= PROGRESS_GAP or meter.done >= meter.total:
            self._last = now
            self.events.put(Progress(self.job, meter.report()))


def _failure(job: int, exc: BaseException) -> Failed:
    if isinstance(exc, FileError):
        return Failed(job, exc.message, str(exc.code))
    if isinstance(exc, ProtocolError):
        return Failed(job, f"The server answered something unexpected ({exc}).", str(ErrorCode.BAD_FRAME))
    if isinstance(exc, TransferInterrupted):
        return Failed(job, f"The connection kept breaking ({exc}). Try again later.")
    if isinstance(exc, OSError):
        return Failed(job, f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""))
    return Failed(job, str(exc))


def _with_retries(run: Callable[[], object], cancel: threading.Event, pauses: tuple[float, ...]) -> object:
    """Call `run` until it does not raise TransferInterrupted, pausing between tries; the last error passes."""
    for pause in (*pauses, None):
        try:
            return run()
        except TransferInterrupted:
            if pause is None:
                raise
            if cancel.wait(pause):
                raise TransferCancelled() from None
    raise AssertionError("unreachable")


def start_thread(name: str, target: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


def hash_worker(job: int, path: Path, events: EventQueue) -> Callable[[], None]:
    """Measure and hash the file (a 25 MB file takes a moment: never on the Tk thread)."""

    def run() -> None:
        try:
            if not path.is_file():
                events.put(Failed(job, f"{path} is not a file."))
                return
            size = path.stat().st_size
            events.put(Hashed(job, size, sha256_of(path)))
        except OSError as exc:
            events.put(_failure(job, exc))

    return run


def upload_worker(
    job: int,
    connect: Connect,
    token: str,
    path: Path,
    events: EventQueue,
    cancel: threading.Event,
    pauses: tuple[float, ...] = RETRY_PAUSES,
) -> Callable[[], None]:
    """Send the file for an upload ticket, resuming after breaks; Finished once the server verified it."""

    def run() -> None:
        progress = _Throttle(job, events)
        try:
            _with_retries(lambda: upload_file(connect, token, path, progress, cancel), cancel, pauses)
        except TransferCancelled:
            events.put(Stopped(job))
        except Exception as exc:  # every failure becomes a Failed event; a worker must not die silently
            events.put(_failure(job, exc))
        else:
            events.put(Finished(job, None))

    return run


def download_worker(
    job: int,
    connect: Connect,
    token: str,
    folder: Path,
    name: str,
    size: int,
    sha256: str,
    events: EventQueue,
    cancel: threading.Event,
    pauses: tuple[float, ...] = RETRY_PAUSES,
) -> Callable[[], None]:
    """Fetch into a new file in `folder` (cleaned, never-overwriting name); the file goes if it does not end well."""

    def run() -> None:
        progress = _Throttle(job, events)
        try:
            target, handle = create_unique_file(folder, name)
            handle.close()
        except OSError as exc:
            events.put(_failure(job, exc))
            return
        try:
            _with_retries(lambda: download_file(connect, token, target, size, sha256, progress, cancel), cancel, pauses)
        except TransferCancelled:
            _remove(target)
            events.put(Stopped(job))
        except Exception as exc:  # every failure becomes a Failed event; a worker must not die silently
            _remove(target)
            if isinstance(exc, FileError) and str(exc.code) == FileErrorCode.BAD_HASH.value:
                events.put(
                    Failed(job, "The file arrived damaged (its checksum is wrong); it was not kept.", "bad_hash")
                )
            else:
                events.put(_failure(job, exc))
        else:
            events.put(Finished(job, target))

    return run


def copy_worker(job: int, source: Path, folder: Path, name: str, events: EventQueue) -> Callable[[], None]:
    """Copy an already fetched file (a thumbnail's) into `folder` under a never-overwriting name."""

    def run() -> None:
        target: Path | None = None
        try:
            target, handle = create_unique_file(folder, name)
            with handle, open(source, "rb") as original:
                while block := original.read(1024 * 1024):
                    handle.write(block)
        except OSError as exc:
            if target is not None:
                _remove(target)
            events.put(_failure(job, exc))
        else:
            events.put(Finished(job, target))

    return run


def _remove(path: Path) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
