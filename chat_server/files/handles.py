"""What a transfer connection holds while it runs: an UploadWriter or a DownloadReader (that connection's thread).

Both come from `FileStore.open_transfer` and must be closed (`close()`,
also after an error) so the store frees the connection's slot.  An upload
outlives its writers: a writer that is closed half way leaves the partial
file and its hash state for the next connection, in this process or
after a restart.
"""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from chat_server.files.records import StoredFile
from shared.file_transfer import FileError, FileErrorCode
from shared.transfer_session import ReceiveSession

if TYPE_CHECKING:
    from chat_server.files.store import FileStore

_DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def storage_error(exc: OSError, doing: str) -> FileError:
    """The FileError a disk failure becomes: a full disk says so; anything else names the system's reason."""
    if exc.errno in _DISK_FULL_ERRNOS:
        return FileError(FileErrorCode.STORAGE_FULL, f"The server's disk is full: {doing}; nothing was kept.")
    return FileError(FileErrorCode.STORAGE_FULL, f"The server could not store the file ({exc.strerror}): {doing}.")


class _Upload:
    """One unfinished upload, shared by the writers that take it over in turn (guarded by `lock`)."""

    def __init__(self, stored: StoredFile, token_digest: str, path: Path, last_progress: float) -> None:
        self.stored = stored
        self.token_digest = token_digest
        self.path = path
        self.lock = threading.Lock()
        self.session: ReceiveSession | None = None  # hash state of the bytes on disk, when this process has it
        self.generation = 0  # bumped by each writer that takes over; older writers stop
        self.interrupt: Callable[[], None] | None = None  # stops the current writer's connection
        self.open_writers = 0  # writers not yet closed (a stale one may linger until its thread notices)
        self.ended = False  # complete, cancelled, failed or expired: no writer may go on
        self.last_progress = last_progress  # wall clock of the last byte (or the start)
        self.address: str | None = None  # the sender's address, while this process runs (not kept on disk)

    def end(self) -> Callable[[], None] | None:
        """Mark the upload over (caller holds `lock`); the interrupt of the writer that was running, if any."""
        self.ended = True
        interrupt, self.interrupt = self.interrupt, None
        self.generation += 1
        return interrupt


class UploadWriter:
    """Writes one connection's bytes of an upload; the store's per-upload lock makes takeovers safe."""

    def __init__(self, store: FileStore, upload: _Upload, generation: int, fd: int, holder: str) -> None:
        self._store = store
        self._upload = upload
        self._generation = generation
        self._fd: int | None = fd
        self._holder = holder
        self._closed = False
        session = upload.session
        assert session is not None
        self._session = session

    @property
    def upload_id(self) -> str:
        return self._upload.stored.id

    @property
    def stored(self) -> StoredFile:
        return self._upload.stored

    @property
    def size(self) -> int:
        return self._session.size

    @property
    def sha256(self) -> str:
        return self._session.sha256

    @property
    def offset(self) -> int:
        return self._session.offset

    @property
    def remaining(self) -> int:
        return self._session.remaining

    @property
    def complete(self) -> bool:
        return self._session.complete

    def _check_current(self) -> int:
        upload = self._upload
        if upload.ended:
            raise FileError(FileErrorCode.NO_SUCH_FILE, "That upload was cancelled or has ended.")
        if upload.generation != self._generation or self._fd is None:
            raise FileError(FileErrorCode.BAD_TOKEN, "A newer connection has taken this upload over.")
        return self._fd

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Store the next bytes.

        FileError: more bytes than declared (file_too_large) or a full disk
        (storage_full): the upload is dropped with its partial file; the
        upload cancelled (no_such_file) or taken over by a newer connection
        (bad_token): this writer stops, the upload is left as it is.
        """
        upload = self._upload
        with upload.lock:
            fd = self._check_current()
            session = self._session
            try:
                session.check_room(len(data))
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
            except FileError as exc:
                problem = exc
            except OSError as exc:
                problem = storage_error(exc, "the upload was stopped")
            else:
                session.feed(data)
                upload.last_progress = self._store.now()
                return
        self._store.abort_upload(upload, stop_writer=False)  # takes the upload's lock itself
        raise problem

    def finish(self) -> StoredFile:
        """Check the sha256 and keep the file; on bad_hash (or a disk failure) the upload is dropped, never announced."""
        upload = self._upload
        with upload.lock:
            fd = self._check_current()
            try:
                self._session.verify()
                os.fsync(fd)
                self._fd = None
                os.close(fd)  # before the rename: Windows cannot rename an open file
                return self._store.complete_upload(upload)
            except FileError as exc:
                problem = exc
            except OSError as exc:
                problem = storage_error(exc, "keeping the file")
        self._store.abort_upload(upload, stop_writer=False)
        raise problem

    def close(self) -> None:
        """Let go of the connection; an unfinished upload stays resumable."""
        if self._closed:
            return
        self._closed = True
        upload = self._upload
        with upload.lock:
            if upload.generation == self._generation:
                upload.interrupt = None
            upload.open_writers -= 1
            fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)
        self._store.release_slot(self._holder)


class DownloadReader:
    """One connection's read of a complete file from `offset`; stopped if the file is deleted meanwhile."""

    def __init__(
        self,
        store: FileStore,
        stored: StoredFile,
        handle: BinaryIO,
        offset: int,
        holder: str,
        interrupt: Callable[[], None] | None,
    ) -> None:
        self._store = store
        self.stored = stored
        self.file = handle
        self.offset = offset
        self.holder = holder
        self._interrupt = interrupt
        self._closed = False

    @property
    def size(self) -> int:
        return self.stored.size

    @property
    def sha256(self) -> str:
        return self.stored.sha256

    def check(self) -> None:
        """FileError(no_such_file) once the file has been deleted: the sender stops between pieces."""
        if not self._store.is_current(self.stored.id):
            raise FileError(FileErrorCode.NO_SUCH_FILE, "That file has been deleted.")

    def interrupt_transfer(self) -> None:
        if self._interrupt is not None:
            self._interrupt()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.file.close()
        self._store.reader_closed(self)
