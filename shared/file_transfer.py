"""The file-transfer additions to the wire: commands, frames, ids and tokens, the access rule (any thread).

Pure: no sockets, no disk.  The design is in docs/files.md; in short, the
chat connection asks and the bytes travel on a second connection to the
same port, opened with one JSON line that carries a secret token:

    chat connection                          transfer connection (same port)
    UPLOAD <size> <sha256> #room <name> ->
                          <- upload {upload, token, ...}
                                             {"type":"transfer","token":T}   ->
                                                       <- welcome, transfer_ready {offset, size, sha256}
                                             raw bytes offset..size          ->
                                                       <- transfer_done {file, size, sha256}  (or error)
                          <- file {id, file, name, size, sha256, sender, room|to}   (to everyone it is for)
    DOWNLOAD <file-id>                  ->
                          <- download {file, token, name, size, sha256}
                                             {"type":"transfer","token":T,"offset":K} ->
                                                       <- welcome, transfer_ready {offset, size, sha256}
                                                       <- raw bytes offset..size, then the server closes
    CANCEL <upload-id>                  ->
                          <- cancelled {upload}

The new error codes are in shared.errors.ErrorCode as well (the server
sends them); FileErrorCode names the same four, and FileError carries either.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

from shared.errors import ErrorCode, ProtocolError
from shared.frame_types import CancelledFrame as CancelledFrame  # typed there, re-exported here
from shared.frame_types import DownloadFrame as DownloadFrame
from shared.frame_types import UploadFrame as UploadFrame
from shared.frame_types import _CommonOptional
from shared.frames import Frame, server_frame
from shared.names import name_key, normalise_nick, normalise_room, plain_sigil
from shared.safe_filename import clean_filename

MIB = 1024 * 1024
DEFAULT_MAX_FILE_MB = 25  # --max-file-mb; "MB" is read as MiB so that a 25 MiB file fits exactly
TRANSFER_FRAME_TYPE = "transfer"  # the first line of a transfer connection

_ID_BYTES = 16  # 22 URL-safe characters
_TOKEN_BYTES = 32  # 43 URL-safe characters
FILE_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{22}")
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


class FileErrorCode(str, Enum):
    """Error codes this design adds to the contract's (docs/files.md, "Errors")."""

    BAD_HASH = "bad_hash"  # the bytes received do not have the declared sha256; nothing was kept
    BAD_TOKEN = "bad_token"  # a transfer token that is unknown, used up or expired
    NO_SUCH_FILE = "no_such_file"  # a file or upload id that does not exist (any more) or is not yours to see
    STORAGE_FULL = "storage_full"  # the server's file quota is used up or its disk is full

    def __str__(self) -> str:
        return str(self.value)


class FileError(Exception):
    """A refused file operation: a wire error code and a message that says what to do next."""

    def __init__(self, code: ErrorCode | FileErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def frame(self) -> Frame:
        return server_frame("error", self.message, code=str(self.code))


def new_file_id() -> str:
    """An opaque, unguessable id for an upload and, once complete, the file (22 URL-safe characters)."""
    return secrets.token_urlsafe(_ID_BYTES)


def new_token() -> str:
    """A transfer token: the only credential a transfer connection has (43 URL-safe characters)."""
    return secrets.token_urlsafe(_TOKEN_BYTES)


def token_digest(token: str) -> str:
    """What the server keeps of a token: its SHA-256, so a copy of the data folder holds no live token."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def is_file_id(text: str) -> bool:
    return FILE_ID_PATTERN.fullmatch(text) is not None


def format_size(size: float) -> str:
    """A size for people: "0 bytes", "1 byte", "512 bytes", "2.5 KB", "25.0 MB", "3.0 TB" (powers of 1024)."""
    if size < 0:
        return "unknown size"
    if size < 1024:
        whole = int(size)
        return f"{whole} byte" if whole == 1 else f"{whole} bytes"
    for unit in ("KB", "MB", "GB", "TB"):
        size /= 1024
        if size < 1024 or unit == "TB":
            return f"{size:.1f} {unit}"
    raise AssertionError("unreachable")


def limit_text(max_bytes: int) -> str:
    """A size as an error message names it, the limit or the file: "25.0 MB (26,214,400 bytes)"."""
    return f"{format_size(max_bytes)} ({max_bytes:,} bytes)"


# -- where a file goes --
@dataclass(frozen=True)
class Target:
    """A room (`room`) or one person (`to`); exactly one is set, both as normalised names."""

    room: str | None = None
    to: str | None = None

    def argument(self) -> str:
        return f"#{self.room}" if self.room is not None else f"@{self.to}"

    def fields(self) -> dict[str, str]:
        return {"room": self.room} if self.room is not None else {"to": self.to or ""}


def parse_target(text: str) -> Target:
    """ "#general" -> a room, "@bob" -> a person (also written '＃general', '＠bob'); anything else is bad_argument."""
    text = plain_sigil(text)
    if text.startswith("#"):
        return Target(room=normalise_room(text))
    if text.startswith("@"):
        return Target(to=normalise_nick(text[1:]))
    raise ProtocolError(ErrorCode.BAD_ARGUMENT, "Say where the file goes: #room for a room or @nick for one person.")


# -- commands on the chat connection --
UPLOAD_USAGE = "UPLOAD <size> <sha256> <#room|@nick> <name>"
DOWNLOAD_USAGE = "DOWNLOAD <file-id>"
CANCEL_USAGE = "CANCEL <upload-id>"


@dataclass(frozen=True)
class UploadRequest:
    size: int
    sha256: str
    target: Target
    name: str  # cleaned (shared.safe_filename)


def upload_command(size: int, sha256: str, target: Target, name: str) -> str:
    """The command line a client sends to share a file (the name is cleaned first, so it never breaks the line)."""
    return f"UPLOAD {size} {sha256} {target.argument()} {clean_filename(name)}"


def parse_upload_argument(argument: str, max_bytes: int) -> UploadRequest:
    """The argument of UPLOAD, checked: ProtocolError(bad_argument, bad_room, bad_nick) or FileError(file_too_large).

    `max_bytes` is the --max-file-mb limit in bytes; 0 means sharing is off
    (not_allowed).  The limit is checked here, before anything is reserved.
    """
    parts = argument.split(None, 3)
    if len(parts) < 4:
        raise ProtocolError(ErrorCode.BAD_ARGUMENT, f"Usage: {UPLOAD_USAGE}")
    size_text, digest, target_text, raw_name = parts
    if not size_text.isascii() or not size_text.isdigit() or len(size_text) > 15:
        raise ProtocolError(ErrorCode.BAD_ARGUMENT, "The size is a whole number of bytes, e.g. 1048576.")
    size = int(size_text)
    digest = digest.lower()
    if SHA256_PATTERN.fullmatch(digest) is None:
        raise ProtocolError(ErrorCode.BAD_ARGUMENT, "The sha256 is 64 hexadecimal digits.")
    target = parse_target(target_text)
    if not raw_name.strip():
        raise ProtocolError(ErrorCode.BAD_ARGUMENT, f"Usage: {UPLOAD_USAGE}")
    check_size(size, max_bytes)
    if size == 0 and digest != EMPTY_SHA256:
        raise FileError(FileErrorCode.BAD_HASH, "An empty file has the sha256 of no bytes; check the hash.")
    return UploadRequest(size, digest, target, clean_filename(raw_name))


def check_size(size: int, max_bytes: int) -> None:
    """FileError(file_too_large) naming the limit if `size` is over it; not_allowed when sharing is off."""
    if max_bytes <= 0:
        raise FileError(ErrorCode.NOT_ALLOWED, "File sharing is turned off on this server.")
    if size > max_bytes:
        raise FileError(
            ErrorCode.FILE_TOO_LARGE,
            # both in the same units, so a student can compare them ("2,000,000 bytes" against "1.0 MB" could not)
            f"That file is {limit_text(size)}; the limit on this server is {limit_text(max_bytes)}.",
        )


def parse_id_argument(argument: str, usage: str) -> str:
    """The one id argument of DOWNLOAD or CANCEL; no_such_file for anything not shaped like an id."""
    text = argument.strip()
    if not text:
        raise ProtocolError(ErrorCode.BAD_ARGUMENT, f"Usage: {usage}")
    if not is_file_id(text):
        raise FileError(FileErrorCode.NO_SUCH_FILE, "There is no file with that id.")
    return text


# -- frames on the chat connection (server to client) --
def upload_frame(upload_id: str, token: str, request: UploadRequest) -> Frame:
    return server_frame(
        "upload",
        f"Sending {request.name} ({format_size(request.size)}).",
        upload=upload_id,
        token=token,
        name=request.name,
        size=request.size,
        sha256=request.sha256,
        **request.target.fields(),
    )


def download_frame(file_id: str, token: str, name: str, size: int, sha256: str) -> Frame:
    return server_frame(
        "download",
        f"Fetching {name} ({format_size(size)}).",
        file=file_id,
        token=token,
        name=name,
        size=size,
        sha256=sha256,
    )


def cancelled_frame(upload_id: str, name: str, why: str = "") -> Frame:
    """CANCEL's answer; with `why`, the server voided the upload itself (no progress, its sender gone)."""
    return server_frame("cancelled", why or f"Sending {name} was cancelled.", upload=upload_id)


def file_frame(message_id: int, file_id: str, name: str, size: int, sha256: str, sender: str, target: Target) -> Frame:
    """The contract's `file` announcement (a message: kept in history, deletable)."""
    where = f"#{target.room}" if target.room is not None else f"{target.to}"
    return server_frame(
        "file",
        f"{sender} shared {name} ({format_size(size)}) with {where}.",
        id=message_id,
        file=file_id,
        name=name,
        size=size,
        sha256=sha256,
        sender=sender,
        **target.fields(),
    )


# -- the transfer connection --
class TransferReadyFrame(_CommonOptional):
    type: Literal["transfer_ready"]
    offset: int
    size: int
    sha256: str


class TransferDoneFrame(_CommonOptional):
    type: Literal["transfer_done"]
    file: str
    size: int
    sha256: str


@dataclass(frozen=True)
class TransferHello:
    """The first line of a transfer connection: the token, and for a download the offset to start at."""

    token: str
    offset: int


def transfer_hello(token: str, offset: int = 0) -> Frame:
    frame: Frame = {"type": TRANSFER_FRAME_TYPE, "token": token}
    if offset:
        frame["offset"] = offset
    return frame


def parse_transfer_hello(frame: dict[str, Any]) -> TransferHello:
    """The hello of a transfer connection, or FileError(bad_token / bad_argument)."""
    token = frame.get("token")
    if not isinstance(token, str) or TOKEN_PATTERN.fullmatch(token) is None:
        raise FileError(FileErrorCode.BAD_TOKEN, "That transfer token is not valid; ask for the file again.")
    offset = frame.get("offset", 0)
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise FileError(ErrorCode.BAD_ARGUMENT, "The offset is a whole number of bytes, 0 or more.")
    return TransferHello(token, offset)


def transfer_ready_frame(offset: int, size: int, sha256: str) -> Frame:
    return server_frame(
        "transfer_ready", f"Ready: {format_size(size - offset)} to go.", offset=offset, size=size, sha256=sha256
    )


def transfer_done_frame(file_id: str, size: int, sha256: str) -> Frame:
    return server_frame("transfer_done", "Received and checked.", file=file_id, size=size, sha256=sha256)


def _require(frame: dict[str, Any], kind: str, fields: dict[str, type]) -> None:
    if frame.get("type") != kind:
        raise ProtocolError(ErrorCode.BAD_FRAME, f"Expected a {kind} frame, got {frame.get('type')!r}.")
    for field, wanted in fields.items():
        value = frame.get(field)
        if not isinstance(value, wanted) or isinstance(value, bool):
            raise ProtocolError(ErrorCode.BAD_FRAME, f"A {kind} frame needs {field} ({wanted.__name__}).")


def check_transfer_ready(frame: dict[str, Any]) -> TransferReadyFrame:
    """A `transfer_ready` frame as its type, or ProtocolError(bad_frame); the numbers must make sense."""
    _require(frame, "transfer_ready", {"offset": int, "size": int, "sha256": str})
    if not 0 <= frame["offset"] <= frame["size"] or SHA256_PATTERN.fullmatch(frame["sha256"]) is None:
        raise ProtocolError(ErrorCode.BAD_FRAME, "A transfer_ready frame's offset, size or sha256 is out of range.")
    return frame  # type: ignore[return-value]  # checked above


def check_transfer_done(frame: dict[str, Any]) -> TransferDoneFrame:
    _require(frame, "transfer_done", {"file": str, "size": int, "sha256": str})
    return frame  # type: ignore[return-value]  # checked above


def check_upload_frame(frame: dict[str, Any]) -> UploadFrame:
    _require(frame, "upload", {"upload": str, "token": str, "name": str, "size": int, "sha256": str})
    return frame  # type: ignore[return-value]  # checked above


def check_download_frame(frame: dict[str, Any]) -> DownloadFrame:
    _require(frame, "download", {"file": str, "token": str, "name": str, "size": int, "sha256": str})
    return frame  # type: ignore[return-value]  # checked above


# -- who may fetch a file --
def may_fetch(sender: str, target: Target, user: str, readable_rooms: Collection[str]) -> bool:
    """True if `user` may download a file `sender` shared with `target`.

    A private file: only its two people (names compared as nicknames are).
    A room's file: its sender, and whoever may read that room's history
    now, given as `readable_rooms` (room name keys) by the server.
    """
    user_key = name_key(user)
    if user_key == name_key(sender):
        return True
    if target.to is not None:
        return user_key == name_key(target.to)
    return target.room is not None and name_key(target.room) in readable_rooms
