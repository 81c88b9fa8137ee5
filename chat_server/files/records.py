"""What the file store keeps about each file beside its bytes: a small JSON record, written atomically (any thread).

The data folder's files part looks like this (ids are opaque, never a
client's name):

    files/<id>           the bytes of a complete, verified file (read-only to the server)
    files/<id>.json      its record: name, size, sha256, sender, room or to, created, completed, owners
    uploads/<id>.part    the bytes received so far of an unfinished upload
    uploads/<id>.json    its record, with the SHA-256 of its transfer token (never the token)

A record is written to `<path>.tmp`, flushed to disk and renamed over the
old one, so a crash leaves the old record or the new one, never half of
one.  The SQLite `files` table (chat_server/storage) holds the same facts
for history and listing; these records let the store recount its quota and
resume uploads after a restart without it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.file_transfer import SHA256_PATTERN, Target, is_file_id

RECORD_VERSION = 1


@dataclass(frozen=True)
class StoredFile:
    """One shared file (complete when `completed` is set): the facts the `file` frame announces."""

    id: str
    name: str  # cleaned (shared.safe_filename)
    size: int
    sha256: str
    sender: str
    target: Target
    created: float  # wall clock: when the upload was asked for
    completed: float | None = None  # wall clock: when the bytes were verified
    sender_owner: str | None = None  # who sent it and who it is for (chat_server/identity/owners.py): kept from the
    recipient_owner: str | None = None  # UPLOAD to the announcement, across a restart; None in older records


@dataclass(frozen=True)
class UploadTicket:
    """What the `upload` frame tells the sender: the upload's id and its transfer token (shown once)."""

    upload_id: str
    token: str
    stored: StoredFile


@dataclass(frozen=True)
class Expired:
    files: list[str]  # ids of complete files removed (their history rows go too)
    uploads: list[str]  # ids of unfinished uploads dropped


def record_fields(stored: StoredFile, token_digest: str | None = None) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "version": RECORD_VERSION,
        "id": stored.id,
        "name": stored.name,
        "size": stored.size,
        "sha256": stored.sha256,
        "sender": stored.sender,
        "created": stored.created,
        **stored.target.fields(),
    }
    if stored.completed is not None:
        fields["completed"] = stored.completed
    for name in ("sender_owner", "recipient_owner"):
        if getattr(stored, name) is not None:
            fields[name] = getattr(stored, name)
    if token_digest is not None:
        fields["token_sha256"] = token_digest
    return fields


def write_record(path: Path, fields: dict[str, Any]) -> None:
    """Write `fields` as JSON to `path` atomically (temporary file, fsync, rename).  OSError passes."""
    temporary = path.with_name(path.name + ".tmp")
    data = json.dumps(fields, ensure_ascii=False).encode("utf-8")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def read_record(path: Path) -> tuple[StoredFile, str | None] | None:
    """(the file, its token digest if an upload) from a record, or None if unreadable or not a record of ours."""
    try:
        fields = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(fields, dict) or fields.get("version") != RECORD_VERSION:
        return None
    try:
        stored = _stored_from(fields)
    except (KeyError, TypeError, ValueError):
        return None
    if stored.id != path.stem:
        return None
    digest = fields.get("token_sha256")
    return stored, digest if isinstance(digest, str) else None


def _stored_from(fields: dict[str, Any]) -> StoredFile:
    file_id, name, sender = fields["id"], fields["name"], fields["sender"]
    size, sha256 = fields["size"], fields["sha256"]
    if not (isinstance(file_id, str) and is_file_id(file_id) and isinstance(name, str) and isinstance(sender, str)):
        raise ValueError("bad id, name or sender")
    if not isinstance(size, int) or size < 0 or not isinstance(sha256, str) or not SHA256_PATTERN.fullmatch(sha256):
        raise ValueError("bad size or sha256")
    room, to = fields.get("room"), fields.get("to")
    if isinstance(room, str) == isinstance(to, str):
        raise ValueError("a file goes to a room or to a person")
    completed = fields.get("completed")
    return StoredFile(
        id=file_id,
        name=name,
        size=size,
        sha256=sha256,
        sender=sender,
        target=Target(room=room if isinstance(room, str) else None, to=to if isinstance(to, str) else None),
        created=float(fields["created"]),
        completed=float(completed) if isinstance(completed, (int, float)) else None,
        sender_owner=_optional_text(fields.get("sender_owner")),
        recipient_owner=_optional_text(fields.get("recipient_owner")),
    )


def _optional_text(value: object) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class FolderScan:
    files: list[tuple[StoredFile, str | None]]  # complete files, with their upload token's digest
    uploads: list[tuple[StoredFile, str, Path, float]]  # unfinished: (file, token digest, partial path, its mtime)


def scan_folder(files_dir: Path, uploads_dir: Path) -> FolderScan:
    """What the folder holds, after removing what a crash can leave behind (start-up, before any thread).

    Removed: temporary record files; a complete file's record without its
    bytes or with bytes of another size, and bytes without a record (never
    announced); an upload's record without its partial file (or whose file
    is already complete), and a partial file without a record.  Files whose
    names are not ours (not an id) are left alone.
    """
    for path in list(uploads_dir.iterdir()) + list(files_dir.iterdir()):
        if path.name.endswith(".tmp") and is_file_id(path.name.split(".", 1)[0]):
            path.unlink(missing_ok=True)
    files: dict[str, tuple[StoredFile, str | None]] = {}
    for path in files_dir.glob("*.json"):
        if not is_file_id(path.stem):
            continue
        found = read_record(path)
        data = files_dir / path.stem
        if found is None or found[0].completed is None or not data.is_file() or data.stat().st_size != found[0].size:
            path.unlink(missing_ok=True)
            data.unlink(missing_ok=True)
            continue
        files[found[0].id] = found
    for path in files_dir.iterdir():
        if is_file_id(path.name) and path.name not in files:
            path.unlink(missing_ok=True)
    uploads: dict[str, tuple[StoredFile, str, Path, float]] = {}
    for path in uploads_dir.glob("*.json"):
        if not is_file_id(path.stem):
            continue
        found = read_record(path)
        partial = uploads_dir / f"{path.stem}.part"
        digest = found[1] if found is not None else None
        if found is None or digest is None or found[0].id in files or not partial.is_file():
            path.unlink(missing_ok=True)
            partial.unlink(missing_ok=True)
            continue
        uploads[found[0].id] = (found[0], digest, partial, partial.stat().st_mtime)
    for path in uploads_dir.glob("*.part"):
        if is_file_id(path.stem) and path.stem not in uploads:
            path.unlink(missing_ok=True)
    return FolderScan(list(files.values()), list(uploads.values()))
