"""Opening an unfinished upload to go on from the server's last byte: after a broken connection or a restart (a transfer connection's thread).

FileStore.open_transfer calls it for an upload token.  The upload's own
lock is held while its partial file is opened and, when the hash state in
memory does not match the bytes on disk (a restart, or bytes written past
what was hashed), read back; the store's lock is never held here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from chat_server.files.handles import UploadWriter, _Upload, storage_error
from shared.file_transfer import FileError, FileErrorCode
from shared.names import name_key
from shared.transfer_session import ReceiveSession

if TYPE_CHECKING:
    from chat_server.files.store import FileStore

Interrupt = Callable[[], None]


def open_upload(store: FileStore, upload: _Upload, interrupt: Interrupt | None) -> UploadWriter:
    """The writer that goes on with `upload` where the server's bytes end; the connection before it is stopped.

    FileError: bad_token (the upload ended), bad_hash (a partial file longer
    than declared: it is dropped), rate_limited (no transfer slot),
    storage_full (the partial file cannot be opened).
    """
    holder = name_key(upload.stored.sender)
    store.slots.take(holder)
    try:
        with upload.lock:
            if upload.ended:
                raise FileError(FileErrorCode.BAD_TOKEN, "That upload has ended; start it again.")
            previous = upload.interrupt
            upload.generation += 1
            upload.interrupt = interrupt
            fd = os.open(upload.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
            try:
                on_disk = os.fstat(fd).st_size
                if upload.session is None or upload.session.offset != on_disk:
                    # A restart, or bytes written past what was hashed: read the partial file back.
                    with open(upload.path, "rb") as partial:
                        upload.session = ReceiveSession.resume(partial, upload.stored.size, upload.stored.sha256)
                os.lseek(fd, upload.session.offset, os.SEEK_SET)
            except FileError:  # a partial file longer than declared: it cannot become this file
                os.close(fd)
                broken = True
            except BaseException:
                os.close(fd)
                raise
            else:
                broken = False
            if not broken:
                writer = UploadWriter(store, upload, upload.generation, fd, holder)
                upload.open_writers += 1
        if broken:
            store.abort_upload(upload, stop_writer=False)
            raise FileError(FileErrorCode.BAD_HASH, "The server's partial copy is damaged; send the file again.")
    except FileError:
        store.release_slot(holder)
        raise
    except OSError as exc:
        store.release_slot(holder)
        raise storage_error(exc, "resuming the upload") from None
    if previous is not None:
        previous()
    return writer
