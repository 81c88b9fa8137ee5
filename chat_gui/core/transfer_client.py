"""The client's side of a transfer connection: send a file, or fetch one into a file, with resume (a worker thread).

The chat window and chat-term run these in a thread of their own, one per
transfer, after the chat connection got a token (`upload` or `download`
frame).  They never touch Tk: progress goes to a callback, which the
window turns into a queued event for its poller; cancelling is an Event.

    connect = lambda: socket.create_connection((host, port), timeout=30)   # TLS: wrap it the same way as chat
    done = upload_file(connect, ticket["token"], path, progress=report)     # -> TransferDoneFrame
    download_file(connect, ticket["token"], partial_path, size, sha256, progress=report)

Both resume: an upload asks the server where it stands (`transfer_ready`
says the offset), a download starts after the bytes already in the
partial file.  A connection that breaks raises TransferInterrupted; call
again with the same token to go on.  A partial file that cannot be written
(a full disk, a removed USB stick) raises SaveFailed instead: trying again
would only fetch the same bytes to the same full disk.
"""

from __future__ import annotations

import hashlib
import os
import select
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, NoReturn

from shared.errors import ErrorCode, ProtocolError
from shared.file_transfer import (
    FileError,
    FileErrorCode,
    TransferDoneFrame,
    check_transfer_done,
    check_transfer_ready,
    transfer_hello,
)
from shared.frames import Frame, decode_frame, encode_frame
from shared.transfer_session import ReceiveSession, TransferProgress

RECV_BYTES = 256 * 1024
SEND_PIECE = 1024 * 1024  # between pieces: progress reported, cancel noticed
MAX_LINE = 64 * 1024  # the server's lines here are small; a longer one is not our server
_USE_SENDFILE = hasattr(os, "sendfile")

Connect = Callable[[], socket.socket]
Progress = Callable[[TransferProgress], None]


class TransferInterrupted(ConnectionError):
    """The transfer connection ended early; calling again with the same token resumes it."""


class SaveFailed(OSError):
    """The received bytes could not be written to the partial file; errno and strerror are the system's."""


class TransferCancelled(Exception):
    """The user cancelled; the caller tells the server (CANCEL for an upload) and removes the partial file."""


def error_from_frame(frame: Frame) -> FileError:
    """An `error` frame from the server as a FileError (an unknown code counts as bad_frame)."""
    code_text = str(frame.get("code", ""))
    code: ErrorCode | FileErrorCode
    try:
        code = FileErrorCode(code_text)
    except ValueError:
        try:
            code = ErrorCode(code_text)
        except ValueError:
            code = ErrorCode.BAD_FRAME
    return FileError(code, str(frame.get("content", "The server refused the transfer.")))


class _Lines:
    """Reads the server's lines off a transfer connection; keeps whatever raw bytes came after them."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.pending = b""

    def next_frame(self) -> Frame:
        while b"\n" not in self.pending:
            if len(self.pending) > MAX_LINE:
                raise ProtocolError(ErrorCode.FRAME_TOO_LARGE, "The server sent an overlong line.")
            data = self._sock.recv(RECV_BYTES)
            if not data:
                raise TransferInterrupted("the server closed the transfer connection")
            self.pending += data
        line, self.pending = self.pending.split(b"\n", 1)
        return decode_frame(line)

    def reply(self, *wanted: str) -> Frame:
        """The next frame of a `wanted` type (skipping `welcome`); an `error` frame raises FileError."""
        while True:
            frame = self.next_frame()
            if frame["type"] == "error":
                raise error_from_frame(frame)
            if frame["type"] in wanted:
                return frame
            if frame["type"] != "welcome":
                raise ProtocolError(ErrorCode.BAD_FRAME, f"Expected {' or '.join(wanted)}, got {frame['type']!r}.")


def _open(connect: Connect, token: str, offset: int = 0) -> tuple[socket.socket, _Lines, Frame]:
    """A transfer connection past its hello: (socket, its line reader, `transfer_ready` or `transfer_done`)."""
    try:
        sock = connect()
    except OSError as exc:
        raise TransferInterrupted(f"cannot connect: {exc}") from exc
    try:
        sock.sendall(encode_frame(transfer_hello(token, offset)))
        lines = _Lines(sock)
        ready = lines.reply("transfer_ready", "transfer_done")
    except OSError as exc:
        sock.close()
        raise TransferInterrupted(str(exc)) from exc
    except BaseException:
        sock.close()
        raise
    return sock, lines, ready


def sha256_of(path: str | os.PathLike[str]) -> str:
    """The sha256 of a file, as UPLOAD wants it (read in 1 MiB blocks)."""
    hasher = hashlib.sha256()
    with open(path, "rb") as source:
        while block := source.read(1024 * 1024):
            hasher.update(block)
    return hasher.hexdigest()


def upload_file(
    connect: Connect,
    token: str,
    path: str | os.PathLike[str],
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> TransferDoneFrame:
    """Send the file at `path` for an upload ticket, from where the server stands; its `transfer_done`.

    FileError for a refusal (bad_hash, file_too_large, storage_full, ...),
    TransferInterrupted when the connection breaks (resumable),
    TransferCancelled when `cancel` is set.
    """
    sock, lines, first = _open(connect, token)
    try:
        if first["type"] == "transfer_done":  # complete already: the last try ended just before this line
            return check_transfer_done(first)
        ready = check_transfer_ready(first)
        size, offset = ready["size"], ready["offset"]
        with open(path, "rb") as source:
            if os.fstat(source.fileno()).st_size != size:
                raise FileError(
                    ErrorCode.BAD_ARGUMENT, "The file has changed size since it was offered; send it again."
                )
            meter = TransferProgress(size, offset)
            # Only on a plain socket: under a TLS wrapper sendfile would bypass the encryption.
            use_sendfile = _USE_SENDFILE and type(sock) is socket.socket
            while offset < size:
                if cancel is not None and cancel.is_set():
                    raise TransferCancelled()
                if _readable(sock):  # the server speaks before the end only to refuse (full disk, taken over)
                    return check_transfer_done(lines.reply("transfer_done"))
                length = min(SEND_PIECE, size - offset)
                try:
                    if use_sendfile:
                        sent = sock.sendfile(source, offset, length)
                    else:
                        source.seek(offset)
                        sock.sendall(source.read(length))
                        sent = length
                except OSError as exc:
                    _raise_refusal(lines, exc)
                if sent < length:
                    raise TransferInterrupted("the connection ended during the upload")
                offset += sent
                meter.advance(sent)
                if progress is not None:
                    progress(meter)
        return check_transfer_done(lines.reply("transfer_done"))
    except OSError as exc:
        if isinstance(exc, TransferInterrupted):
            raise
        raise TransferInterrupted(str(exc)) from exc
    finally:
        sock.close()


def _readable(sock: socket.socket) -> bool:
    try:
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True  # let the next send or read say what went wrong


def _raise_refusal(lines: _Lines, exc: OSError) -> NoReturn:
    """After a failed send: the server's refusal if it sent one before closing, else TransferInterrupted."""
    try:
        lines.reply("transfer_done")
    except FileError:
        raise
    except (OSError, ProtocolError):
        pass
    raise TransferInterrupted(str(exc)) from exc


def download_file(
    connect: Connect,
    token: str,
    partial: str | os.PathLike[str],
    size: int,
    sha256: str,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> None:
    """Fetch a file into `partial` (created if missing), going on after the bytes it already holds.

    Returns once all `size` bytes are there and their sha256 matched.
    FileError(bad_hash) when they do not (the caller deletes the file and
    may start over), other FileErrors for refusals, TransferInterrupted
    when the connection breaks (call again: it resumes),
    TransferCancelled when `cancel` is set.  The file keeps what arrived.
    """
    target = Path(partial)
    with open(target, "a+b") as out:
        session = ReceiveSession.resume(out, size, sha256)
        out.seek(0, os.SEEK_END)
        sock, lines, first = _open(connect, token, session.offset)
        try:
            ready = check_transfer_ready(first)
            if ready["size"] != size or ready["sha256"] != sha256 or ready["offset"] != session.offset:
                raise FileError(ErrorCode.BAD_ARGUMENT, "The server offers a different file under that token.")
            meter = TransferProgress(size, session.offset)
            early, lines.pending = lines.pending, b""
            if early:  # raw bytes that came in the same read as transfer_ready
                session.feed(early)
                _write(out, early)
                meter.advance(len(early))
            buffer = bytearray(RECV_BYTES)
            view = memoryview(buffer)
            while not session.complete:
                if cancel is not None and cancel.is_set():
                    raise TransferCancelled()
                count = sock.recv_into(view, min(RECV_BYTES, session.remaining))
                if not count:
                    raise TransferInterrupted(f"the connection ended at {session.offset} of {size} bytes")
                piece = view[:count]
                session.feed(piece)
                _write(out, piece)
                meter.advance(count)
                if progress is not None:
                    progress(meter)
        except OSError as exc:
            if isinstance(exc, (TransferInterrupted, SaveFailed)):
                raise
            raise TransferInterrupted(str(exc)) from exc
        finally:
            sock.close()
        _write(out, b"")  # the buffer's last bytes reach the disk here, where a full one says so
    session.verify()


def _write(out: BinaryIO, data: bytes | memoryview) -> None:
    """Write to the partial file; with nothing to write, flush it.  SaveFailed when the disk refuses."""
    try:
        if data:
            out.write(data)
        else:
            out.flush()
    except OSError as exc:
        raise SaveFailed(exc.errno, exc.strerror or str(exc)) from exc
