"""RESUME tokens handed from one run of the server to the next, through a file in the data folder (start and stop).

A restart used to end every RESUME: the class's clients came back with a
plain NICK, so a guest got a new session owner and lost what belongs to
the old one (their private conversations, their locked room, deleting
their own messages), and during the restart a classmate could take
their name. Now, on a normal stop, every parked session (every
connection the stop ended is parked like any lost connection) is written
to `resume-handoff.json` beside the database, and the next start parks
them again for what is left of their time, then deletes the file: a
window that reconnects after the restart takes its name, room and
conversations back with the token it already holds.
The tokens a login elsewhere took over (superseded_tokens.py) go along
in the same file, so that after the restart a laptop waking with one
still hears that its account is in use elsewhere.

The file holds only the tokens' SHA-256 (resume_tokens.token_digest),
is readable by the server's user alone, and is read once. A file from a
run that ended over `keep` seconds ago (by the wall clock, as it spans
the restart) brings nothing back; a file that cannot be read is set
aside with a warning: one nested too deep, larger than MAX_BYTES, or not
a regular file (a named pipe, a link) too. A damaged file of nested
brackets stopped every start with RecursionError, and a named pipe would
have held the start for good (found by a probe, the ninth review). A
`kill -9` writes no file: those clients sign in again, as before.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import os
import stat
from dataclasses import asdict, replace
from pathlib import Path

from chat_server.resume_tokens import ParkedSession, ParkedSessions
from chat_server.superseded_tokens import Superseded, SupersededTokens

log = logging.getLogger("chat_server.resume_handoff")

FILE_NAME = "resume-handoff.json"
VERSION = 1
MAX_BYTES = 16 * 1024 * 1024  # ParkedSessions' 10,000 sessions take about 4 MB
CODE_SEAL_ROUNDS = 100_000  # once per distinct code at a stop and once at a start (a join code is short)


def code_seal(code_form: str, salt: bytes) -> str:
    """What the file keeps of a join code (its comparison form): PBKDF2-SHA256 with the file's salt, hex."""
    return hashlib.pbkdf2_hmac("sha256", code_form.encode("utf-8"), salt, CODE_SEAL_ROUNDS).hex()


def save_parked(
    folder: Path,
    entries: list[tuple[str, ParkedSession]],
    monotonic_now: float,
    wall_now: float,
    superseded: list[tuple[str, Superseded]] | None = None,
) -> int:
    """Write the parked sessions still good, and the superseded tokens (off the registry lock); how many sessions.
    Nothing to write: no file."""
    taken_over = [
        {
            "digest": digest,
            "key": entry.key,
            "by_host": entry.by_host,
            "expires": wall_now + entry.expires - monotonic_now,
        }
        for digest, entry in superseded or ()
        if entry.expires > monotonic_now
    ]
    rows = []
    salt = os.urandom(16)
    seals: dict[str, str] = {}
    for key, parked in entries:
        left = parked.expires - monotonic_now
        if left > 0:
            row = asdict(parked)
            row["expires"] = wall_now + left  # the monotonic clock does not span a restart
            code = parked.entered_code
            row["entered_code"] = None if code is None else seals.setdefault(code, code_seal(code, salt))
            rows.append({"key": key, **row})
    path = folder / FILE_NAME
    if not rows and not taken_over:
        return 0
    temporary = path.with_suffix(".tmp")
    try:
        temporary.unlink(missing_ok=True)  # a link or a pipe left there is neither followed nor written through
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            document = {"version": VERSION, "code_salt": salt.hex(), "sessions": rows, "superseded": taken_over}
            json.dump(document, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except OSError as error:
        log.warning("could not keep %d RESUME tokens for the next start: %s", len(rows), error)
        return 0
    return len(rows)


def load_parked(
    folder: Path,
    parked: ParkedSessions,
    monotonic_now: float,
    wall_now: float,
    code_form: str | None = None,
    superseded: SupersededTokens | None = None,
) -> int:
    """Park again what the last run handed on (for what is left of its time, at most `keep_seconds`); the file
    goes. How many came back. `code_form`: this run's join code (comparison form), which a session keeps as
    the code it came in with only if it is the one it came in with last time. At start, before the server
    serves anyone: nothing else touches `parked` yet."""
    path = folder / FILE_NAME
    try:
        document = json.loads(_read(path))
        rows = _rows(document)
        taken_over = _taken_over(document)
        seal = _seal_of(document, code_form)
    except FileNotFoundError:
        return 0
    except (OSError, ValueError, KeyError, RecursionError) as error:
        log.warning("the RESUME tokens of the last run are unreadable (%s); set aside as %s.bad", error, path.name)
        _remove(path, path.with_name(path.name + ".bad"))
        return 0
    _remove(path, None)
    back = 0
    for key, session in rows:
        left = min(session.expires - wall_now, parked.keep_seconds)  # a clock set back gives no extra time
        if left <= 0:
            continue
        same = seal is not None and session.entered_code is not None and hmac.compare_digest(seal, session.entered_code)
        parked.keep(key, replace(session, expires=monotonic_now + left, entered_code=code_form if same else None))
        back += 1
    if superseded is not None:
        for digest, entry in sorted(taken_over, key=lambda row: row[1].expires):
            left = min(entry.expires - wall_now, superseded.keep_seconds)
            if left > 0:
                superseded.keep(digest, entry.key, entry.by_host, monotonic_now + left)
    return back


def _read(path: Path) -> str:
    """The file's text: a regular file of at most MAX_BYTES (opened without waiting, so a pipe cannot hold us)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        if path.is_symlink():
            raise ValueError("a link, not a file") from error
        raise
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise ValueError("not a regular file")
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValueError(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
    return data.decode("utf-8")


def _seal_of(document: dict[str, object], code_form: str | None) -> str | None:
    """This run's code sealed with the file's salt (None without a code, or a file from before codes went along)."""
    salt = document.get("code_salt")
    if code_form is None or not isinstance(salt, str):
        return None
    return code_seal(code_form, bytes.fromhex(salt))


def _text(value: object, optional: bool = False) -> str | None:
    if isinstance(value, str) or (optional and value is None):
        return value
    raise ValueError(f"{value!r} is not a text")


def _rows(document: object) -> list[tuple[str, ParkedSession]]:
    """The entries of a handoff file, each checked field by field (it is read back from disk: trust nothing)."""
    if not isinstance(document, dict) or document.get("version") != VERSION:
        raise ValueError("not a handoff of this version")
    entries = document.get("sessions")
    if not isinstance(entries, list):
        raise ValueError("no list of sessions")
    rows = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise ValueError("an entry that is not an object")
        expires, muted = entry["expires"], entry["muted"]
        if (
            not isinstance(expires, (int, float))
            or isinstance(expires, bool)
            or not math.isfinite(expires)
            or not isinstance(muted, bool)
        ):
            raise ValueError("an entry with a bad time or mute")
        session = ParkedSession(
            nick=str(_text(entry["nick"])),
            digest=str(_text(entry["digest"])),
            room=_text(entry["room"], optional=True),
            muted=muted,
            expires=float(expires),
            account=_text(entry["account"], optional=True),
            owner=_text(entry["owner"], optional=True),
            account_owner=_text(entry["account_owner"], optional=True),
            room_key_hash=_text(entry["room_key_hash"], optional=True),
            address=str(_text(entry["address"])),
            entered_code=_text(entry.get("entered_code"), optional=True),  # sealed here (load_parked)
        )
        rows.append((str(_text(entry["key"])), session))
    return rows


def _taken_over(document: dict[str, object]) -> list[tuple[str, Superseded]]:
    """The superseded tokens of a handoff file (none in a file from before they went along), checked."""
    entries = document.get("superseded", [])
    if not isinstance(entries, list):
        raise ValueError("superseded tokens that are no list")
    rows = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise ValueError("a superseded token that is not an object")
        expires = entry["expires"]
        if not isinstance(expires, (int, float)) or isinstance(expires, bool) or not math.isfinite(expires):
            raise ValueError("a superseded token with a bad time")
        key, by_host = str(_text(entry["key"])), str(_text(entry["by_host"]))
        rows.append((str(_text(entry["digest"])), Superseded(key, by_host, float(expires))))
    return rows


def _remove(path: Path, aside: Path | None) -> None:
    try:
        if aside is None:
            path.unlink()
        else:
            os.replace(path, aside)
    except OSError as error:
        log.warning("could not remove %s: %s", path, error)
