"""Serving one transfer connection: the raw bytes of an upload or a download (that connection's handler thread).

A transfer connection is an ordinary connection to the chat port whose
first line is a `transfer` hello instead of a command (docs/files.md).  The
request handler that read that line stops treating the connection as a
chat client -- its outbox drained (the `welcome` went out) and retired, no
registration or silence timeout from the housekeeper -- and calls
`serve_transfer`, which runs to the end of the transfer in the same thread:

    hello --store.open_transfer--> UploadWriter:   transfer_ready, recv_into -> write ... -> finish -> on_complete, transfer_done
                                   DownloadReader: transfer_ready, sendfile piece by piece (deleted? stop)
                                   StoredFile:     transfer_done again (the sender missed it)
          FileError --> one `error` line

It writes straight to the socket (no outbox: nothing else writes to a
transfer connection) and never takes the registry lock; `on_complete`
(announcing the file) is the server's and may.  Chat frames travel on the
client's chat connection meanwhile, so a transfer delays none of them; in
this thread the GIL is let go in recv, write, sendfile and sha256 alike.
The caller closes the socket afterwards (socketserver does).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from enum import Enum

from chat_server.files.handles import DownloadReader, UploadWriter
from chat_server.files.pacing import NoPacing, TransferPacer
from chat_server.files.records import StoredFile
from chat_server.files.store import FileStore, MayDownload
from shared.errors import ErrorCode
from shared.file_transfer import (
    FileError,
    parse_transfer_hello,
    transfer_done_frame,
    transfer_ready_frame,
)
from shared.frames import Frame, encode_frame
from shared.transfer_session import send_ranges

log = logging.getLogger("chat_server.files")

RECV_BYTES = 256 * 1024  # one recv_into; large enough that Python's per-call cost is lost in the copy
SEND_PIECE = 1024 * 1024  # one sendfile; between pieces a deleted file is noticed
IDLE_TIMEOUT = 30.0  # seconds without a byte before a transfer connection is given up (resumable)
LINGER_SECONDS = 2.0  # after the last line: time for the peer to close before we do
_USE_SENDFILE = hasattr(os, "sendfile")  # Linux, macOS; elsewhere (and under TLS) a read/send loop


class TransferOutcome(str, Enum):
    RECEIVED = "received"  # an upload completed, verified and handed to on_complete
    SENT = "sent"  # a download's last byte was sent
    PAUSED = "paused"  # the connection ended early; the transfer can resume
    REFUSED = "refused"  # the hello was refused (bad token, deleted file, ...); an error line was sent
    FAILED = "failed"  # the transfer was stopped for good (bad hash, too many bytes, full disk, deleted)


def serve_transfer(
    sock: socket.socket,
    hello_frame: Frame,
    store: FileStore,
    on_complete: Callable[[StoredFile], None],
    leftover: bytes = b"",
    idle_timeout: float = IDLE_TIMEOUT,
    pacer: TransferPacer | None = None,
    may_download: MayDownload | None = None,
) -> TransferOutcome:
    """Carry out the transfer that `hello_frame` (the connection's first line, decoded) asks for.

    `leftover` is whatever arrived after the hello line in the same read:
    a client must wait for `transfer_ready` before sending bytes, so
    anything there is refused.  `on_complete` is called once per upload,
    in this thread, after the file is stored and before `transfer_done`.
    `pacer` pauses between pieces while chat is busy (chat_server/files/pacing.py).
    `may_download` asks whether a download token's owner may still fetch the file (FileStore.open_transfer).
    """
    pacer = pacer or NoPacing()
    sock.settimeout(idle_timeout)
    interrupted = threading.Event()

    def interrupt() -> None:  # from another thread: a newer connection took over, a cancel, a delete
        interrupted.set()
        _shutdown(sock, socket.SHUT_RDWR)

    try:
        hello = parse_transfer_hello(hello_frame)
        if leftover:
            raise FileError(ErrorCode.BAD_ARGUMENT, "Send the bytes after transfer_ready, not before.")
        handle = store.open_transfer(hello, interrupt, may_download)
    except FileError as exc:
        _send_last_line(sock, exc.frame())
        return TransferOutcome.REFUSED
    if isinstance(handle, StoredFile):
        _send_last_line(sock, transfer_done_frame(handle.id, handle.size, handle.sha256))
        return TransferOutcome.RECEIVED
    try:
        if isinstance(handle, UploadWriter):
            return _receive_upload(sock, handle, on_complete, interrupted, pacer)
        return _send_download(sock, handle, pacer)
    finally:
        handle.close()


def _receive_upload(
    sock: socket.socket,
    writer: UploadWriter,
    on_complete: Callable[[StoredFile], None],
    interrupted: threading.Event,
    pacer: TransferPacer,
) -> TransferOutcome:
    started, first = time.monotonic(), writer.offset
    buffer = bytearray(RECV_BYTES)
    view = memoryview(buffer)
    try:
        sock.sendall(encode_frame(transfer_ready_frame(writer.offset, writer.size, writer.sha256)))
        while not writer.complete:
            # One byte more than is still due: a sender that goes past its declared size is caught
            # in the same read as its last bytes and refused, instead of having the excess ignored.
            piece = pacer.now()
            count = sock.recv_into(view, min(RECV_BYTES, writer.remaining + 1))
            if not count:
                log.info("upload %s paused at %d of %d bytes", writer.upload_id, writer.offset, writer.size)
                return TransferOutcome.PAUSED
            writer.write(view[:count])
            pacer.after_piece(piece)
        stored = writer.finish()
    except FileError as exc:
        if interrupted.is_set():  # taken over or cancelled: the connection is already shut down
            return TransferOutcome.PAUSED
        log.info("upload %s stopped: %s", writer.upload_id, exc.message)
        _send_last_line(sock, exc.frame())
        return TransferOutcome.FAILED
    except OSError as exc:  # a reset, a timeout, or our own interrupt
        log.info("upload %s paused at %d of %d bytes (%s)", writer.upload_id, writer.offset, writer.size, exc)
        return TransferOutcome.PAUSED
    seconds = max(time.monotonic() - started, 1e-6)
    log.info(
        "upload %s complete: %d bytes, %.1f MB/s (%.2f s of it giving way to chat)",
        stored.id,
        stored.size,
        (stored.size - first) / seconds / 1e6,
        pacer.paused_seconds,
    )
    try:
        on_complete(stored)
    except FileError as exc:  # not shared (its sender has gone or is muted): the file is deleted again
        _send_last_line(sock, exc.frame())
        return TransferOutcome.FAILED
    except Exception:  # the file is stored and the sender must hear so; the announcement is the server's bug
        log.exception("announcing file %s failed", stored.id)
    _send_last_line(sock, transfer_done_frame(stored.id, stored.size, stored.sha256))
    return TransferOutcome.RECEIVED


def _send_download(sock: socket.socket, reader: DownloadReader, pacer: TransferPacer) -> TransferOutcome:
    try:
        sock.sendall(encode_frame(transfer_ready_frame(reader.offset, reader.size, reader.sha256)))
        # Only on a plain socket: under a TLS wrapper (ssl or shared.tls_socket) sendfile would bypass the encryption.
        use_sendfile = _USE_SENDFILE and type(sock) is socket.socket
        for start, length in send_ranges(reader.size, reader.offset, SEND_PIECE):
            reader.check()
            piece = pacer.now()
            if use_sendfile:
                sent = sock.sendfile(reader.file, start, length)
                if sent < length:
                    return TransferOutcome.PAUSED
            else:
                reader.file.seek(start)
                sock.sendall(reader.file.read(length))
            pacer.after_piece(piece)
    except FileError as exc:  # deleted half way: the stream simply ends short; a resume gets no_such_file
        log.info("download of %s stopped: %s", reader.stored.id, exc.message)
        return TransferOutcome.FAILED
    except OSError:
        return TransferOutcome.PAUSED
    _linger(sock)
    return TransferOutcome.SENT


def _send_last_line(sock: socket.socket, frame: Frame) -> None:
    """Send one final line, then close our side politely so the line is not lost to a reset."""
    try:
        sock.sendall(encode_frame(frame))
    except OSError:
        return
    _linger(sock)


def _linger(sock: socket.socket) -> None:
    """Half-close, then read and drop what the peer still sends until it closes (briefly).

    Closing a socket with unread input makes the kernel send a reset, and a
    reset can throw away the last line before the peer has read it.
    """
    _shutdown(sock, socket.SHUT_WR)
    deadline = time.monotonic() + LINGER_SECONDS
    try:
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            if not sock.recv(RECV_BYTES):
                return
    except OSError:
        return


def _shutdown(sock: socket.socket, how: int) -> None:
    try:
        sock.shutdown(how)
    except OSError:
        pass
