"""Which database file this is: tells a restored or copied classchat.db from the one the last run used (the thread that opens the store).

Two marks, noted at every start for the next one:

- `meta.file_id`, the file's inode number. A copy made by a file manager,
  rsync or a restore tool is a new file with another inode, so a whole
  data folder put back from a backup is noticed.
- `meta.run_token`, a random token written both into the database and into
  a small file beside it (`classchat.db-token`). A backup copied over the
  old file in place keeps the inode but brings back an older token than the
  one beside it, so that is noticed too.

A first start of a version that notes a mark, a file system without inode
numbers, or a token file that cannot be read or written says nothing: the
notice is for a copy the server can prove, never a guess.
"""

from __future__ import annotations

import logging
import os
import secrets
import sqlite3
import stat
from pathlib import Path

from chat_server.storage.database import describe_error

log = logging.getLogger("chat_server.storage")

TOKEN_SUFFIX = "-token"
TOKEN_BYTES = 64  # more than a token's length: a token file larger than this is not ours


def copied_notice(connection: sqlite3.Connection, path: Path) -> str:
    """What to tell the admin when `path` is not the file the last run used; "" otherwise. Notes both marks."""
    inode = file_id(path)
    token_path = token_file(path)
    token_beside = _read_token(token_path)
    token = secrets.token_hex(16)
    try:
        noted_id = _meta(connection, "file_id")
        noted_token = _meta(connection, "run_token")
        if inode:
            connection.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('file_id', ?)", (inode,))
        connection.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('run_token', ?)", (token,))
    except sqlite3.Error as error:
        log.debug("storage: could not note the database file's identity (%s)", describe_error(error))
        return ""
    _write_token(token_path, token)
    another_file = noted_id is not None and inode != 0 and str(noted_id) != str(inode)
    older_contents = noted_token is not None and token_beside is not None and str(noted_token) != token_beside
    if not (another_file or older_contents):
        return ""
    return (
        f"{path.name} is a copy (restored from a backup or brought from another computer?): it holds what it held "
        "when copied, so bans lifted, passwords reset and accounts deleted since then are back, and bans and "
        "accounts made since are gone; redo those changes (Accounts, Bans)"
    )


def token_file(path: Path) -> Path:
    """The file beside the database that holds the token the last run wrote into it."""
    return path.with_name(path.name + TOKEN_SUFFIX)


def _meta(connection: sqlite3.Connection, key: str) -> object | None:
    row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else row[0]


def file_id(path: Path) -> int:
    """The file's inode number, fitted to SQLite's signed 64-bit INTEGER; 0 if it cannot be read (or has none)."""
    try:
        return path.stat().st_ino % (1 << 62)
    except OSError:
        return 0


def _read_token(path: Path) -> str | None:
    """The token in the file beside the database; None if there is none or it is not one of ours.

    Opened without blocking and read only from a regular file: a named pipe put there never stops the start.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        data = os.read(descriptor, TOKEN_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(descriptor)
    text = data.decode("ascii", "replace").strip()
    if len(data) > TOKEN_BYTES or not text or not all(character in "0123456789abcdef" for character in text):
        return None
    return text


def _write_token(path: Path, token: str) -> None:
    """Put `token` beside the database (a new file moved over the old one). If that fails, remove the old one, so
    the next start has no token to compare and says nothing rather than calling this very file a copy."""
    temporary = path.with_name(path.name + ".new")
    try:
        temporary.unlink(missing_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # like the database
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(token + "\n")
        os.replace(temporary, path)
        return
    except OSError as error:
        log.debug("storage: could not write %s (%s)", path.name, error)
    for leftover in (temporary, path):
        try:
            leftover.unlink(missing_ok=True)
        except OSError:
            pass
