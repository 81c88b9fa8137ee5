"""Opening the SQLite file: folder, lock, WAL, schema upgrade, and what to do when any of it fails (opening thread).

`open_database` either returns a working `Database` or raises
`StorageUnavailable` with a sentence for the log; the caller then carries
on without persistence. A data folder held by another live ClassChat server
raises `FolderBusy` instead: the caller must not start beside it. A
database locked by another program (a backup tool, DB Browser) is waited
for, up to LOCKED_AT_START_SECONDS. A file SQLite calls corrupt is moved
aside (with its -wal and -shm), a fresh one is started, and what the damaged
copy still gives up is copied into it (chat_server/storage/salvage.py); the
highest message id the damaged file still shows is kept so ids go on
increasing. Damage that only shows later (a read or write meets
SQLITE_CORRUPT) is noted in a `classchat.db.damaged` file beside it, and
the next open sets it aside.

After opening, the writer thread owns one connection (`Database.writer`)
and any thread may read through a small pool (`Database.reading()`):
WAL lets readers and the one writer work at the same time.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from chat_server.storage.data_dir import DATA_FOLDER_MODE
from chat_server.storage.file_uri import read_only_uri
from chat_server.storage.folder_lock import FolderLock
from chat_server.storage.salvage import salvage_into
from chat_server.storage.schema import MIGRATIONS, NewerSchema, Step, migrate, schema_version

log = logging.getLogger("chat_server.storage")

DB_FILE_NAME = "classchat.db"
PRIVATE_FILE_MODE = 0o600
BUSY_TIMEOUT = 2.0
# A database another program holds at start (a backup tool's or DB Browser's write transaction) is tried
# again for this long before the server gives up and runs memory-only: without accounts, bans or room keys.
LOCKED_AT_START_SECONDS = 15.0
LOCKED_RETRY_PAUSE = 0.5
READERS = 4
# After a crash, new ids skip this far past the last committed one (or past the clock in ms, if higher):
# more than the writer ever holds uncommitted (its queue stops at 100,000 writes).
CRASH_ID_GAP = 1_000_000
CORRUPT_NAMES = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
CORRUPT_WORDS = ("malformed", "not a database", "corrupt")


class StorageUnavailable(Exception):
    """The data folder or database cannot be used; str() says why, in words for the log."""


def error_name(error: BaseException) -> str:
    """SQLite's own error name when Python gives it (3.11+), else ''."""
    return str(getattr(error, "sqlite_errorname", "") or "")


def is_corruption(error: BaseException) -> bool:
    name = error_name(error)
    if name:
        return name.startswith(CORRUPT_NAMES)
    return isinstance(error, sqlite3.DatabaseError) and any(word in str(error).lower() for word in CORRUPT_WORDS)


def is_busy(error: BaseException) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED: another connection holds a lock the operation needs."""
    name = error_name(error)
    if name:
        return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))
    return isinstance(error, sqlite3.OperationalError) and "locked" in str(error).lower()


WAL_KEEP_BYTES = 8 * 1024 * 1024


def describe_error(error: BaseException) -> str:
    """A short reason for a failed database operation, worded for a teacher reading the log."""
    if isinstance(error, OSError):
        return error.strerror or str(error)
    name = error_name(error)
    text = str(error).lower()
    if name.startswith("SQLITE_FULL") or "disk is full" in text or "database or disk is full" in text:
        return "the disk is full"
    if name.startswith("SQLITE_BUSY") or name.startswith("SQLITE_LOCKED") or "locked" in text:
        return "the database is locked by another program"
    if name.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
        return "the database cannot be written (read-only)"
    if is_corruption(error):
        return "the database file is damaged"
    return str(error) or type(error).__name__


def contains_folded(text: object, needle: object) -> int:
    """SQL function cf_contains(text, needle): needle (already lower-cased) in the lower-cased text, any script.

    str.lower, not str.casefold: it folds one character to one, as the
    trigram index does, so a word is found the same way whichever path
    (index, scan, memory) finds it ("STRASSE" does not find "Straße").
    """
    if not isinstance(text, str) or not isinstance(needle, str):
        return 0
    return int(needle in text.lower())


def configure(connection: sqlite3.Connection) -> None:
    connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
    connection.execute("PRAGMA foreign_keys = ON")
    connection.create_function("cf_contains", 2, contains_folded, deterministic=True)


@dataclass(eq=False)
class Database:
    """An open, upgraded database: one writer connection and a pool of readers."""

    path: Path
    writer: sqlite3.Connection
    lock: FolderLock | None
    notices: list[str] = field(default_factory=list)
    recovered_last_id: int = 0
    # The ids the last run handed out but never wrote (it stopped without closing the file): [low, high].
    unsaved_ids: tuple[int, int] | None = None
    _readers: queue.LifoQueue[sqlite3.Connection] = field(default_factory=queue.LifoQueue)
    _reader_count: int = 0
    _reader_lock: threading.Lock = field(default_factory=threading.Lock)
    _closed: bool = False
    _damage_noted: bool = False

    def _new_reader(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
        configure(connection)
        connection.execute("PRAGMA query_only = ON")
        return connection

    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A reader connection for the duration of a `with` block (any thread; waits only if all are busy).

        After close() it raises sqlite3.ProgrammingError at once instead of waiting for a free reader.
        """
        connection = self._take_reader()
        try:
            yield connection
        finally:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            if self._closed:
                connection.close()
            else:
                self._readers.put(connection)

    def _take_reader(self) -> sqlite3.Connection:
        while not self._closed:
            try:
                return self._readers.get_nowait()
            except queue.Empty:
                pass
            with self._reader_lock:
                create = self._reader_count < READERS
                if create:
                    self._reader_count += 1
            if create:
                try:
                    return self._new_reader()
                except BaseException:
                    with self._reader_lock:
                        self._reader_count -= 1
                    raise
            try:
                return self._readers.get(timeout=0.25)
            except queue.Empty:
                continue
        raise sqlite3.ProgrammingError("the database is closed")

    def mark_damaged(self, reason: str) -> bool:
        """Note beside the file that SQLite found it damaged, so the next open sets it aside; True the first time.

        Runs in whichever thread met the damage (a reader or the writer), never under the registry lock.
        """
        with self._reader_lock:
            if self._damage_noted:
                return False
            self._damage_noted = True
        try:
            _damaged_marker(self.path).write_text(reason + "\n", encoding="utf-8")
        except OSError as error:
            log.warning("storage: could not note the damage beside %s (%s)", self.path, describe_error(error))
        return True

    def size_bytes(self) -> int:
        total = 0
        for suffix in ("", "-wal", "-shm"):
            try:
                total += Path(str(self.path) + suffix).stat().st_size
            except OSError:
                pass
        return total

    def close(self) -> None:
        """Close every connection (the writer thread must have stopped) and release the folder."""
        if self._closed:
            return
        self._closed = True
        with self._reader_lock:
            count = self._reader_count
        for _ in range(count):
            try:
                self._readers.get(timeout=BUSY_TIMEOUT).close()
            except queue.Empty:
                break
        self.writer.close()
        if self.lock is not None:
            self.lock.release()


def open_database(
    folder: Path,
    *,
    lock_wait: float = 2.0,
    steps: Sequence[Step] = MIGRATIONS,
    full_check: bool = True,
) -> Database:
    """Create the folder if needed, lock it, open and upgrade the database; StorageUnavailable if any step fails.

    FolderBusy (not caught here) when another live server holds the folder: running beside it memory-only
    would drop every account, ban and room key while its files/ folder stays in reach (found by a probe).
    """
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=DATA_FOLDER_MODE)
    except OSError as error:
        raise StorageUnavailable(f"cannot create the data folder {folder}: {describe_error(error)}") from error
    try:
        lock = FolderLock.acquire(folder, wait=lock_wait)
    except OSError as error:
        where = f"{Path(error.filename).name}: " if error.filename and Path(error.filename) != folder else ""
        raise StorageUnavailable(f"cannot write in the data folder {folder}: {where}{describe_error(error)}") from error
    path = folder / DB_FILE_NAME
    _warn_if_others_can_read(folder, path)
    notices: list[str] = []
    unclean: list[int] = []
    recovered = 0
    emptied = _empty_file(path)
    try:
        try:
            damaged_marker = _damaged_marker(path)
            if damaged_marker.exists():
                reason = damaged_marker.read_text(encoding="utf-8", errors="replace").strip()
                raise _Corrupt(f"found damaged while running: {reason}")
            writer = _open_waiting(path, steps, full_check, unclean)
        except _Corrupt as corrupt:
            unclean.clear()  # the damage is the news
            recovered = _last_id_of_damaged(path)
            lost_ids = ""
            if not recovered:
                # Clients may still show messages of the damaged file with ids we can no longer read: a fresh
                # count from 1 would reuse them (and a client that drops repeated ids would lose new messages).
                # Ids from the clock in ms are above any count of messages a server can have given out; and a
                # server starts its ids at the clock (server.py), so the gap covers a run that gave out ids faster
                # than the clock ran (more than 1,000 a second).
                recovered = int(time.time() * 1000) + CRASH_ID_GAP
                lost_ids = f"; its last message id could not be read, so ids go on from {recovered + 1}"
            aside = _move_aside(path)
            _damaged_marker(path).unlink(missing_ok=True)
            writer = _open_file(path, steps, full_check, [])
            salvaged = salvage_into(aside, writer)
            notice = (
                f"the database {path} was damaged ({corrupt}); moved it to {aside.name} and started a fresh one"
                f"{lost_ids}; {salvaged}"
            )
            log.warning("storage: %s", notice)
            notices.append(notice)
    except _Corrupt as corrupt:
        lock.release()
        raise StorageUnavailable(f"a fresh database at {path} is damaged too ({corrupt})") from corrupt
    except _StillLocked as locked:
        lock.release()
        raise StorageUnavailable(f"cannot use the database {path}: {locked}") from locked
    except NewerSchema as newer:
        lock.release()
        raise StorageUnavailable(f"{path}: {newer}; left it untouched") from newer
    except (sqlite3.Error, OSError) as error:
        lock.release()
        raise StorageUnavailable(f"cannot use the database {path}: {describe_error(error)}") from error
    if emptied:
        # SQLite takes an empty file for a new database: a restore that ran out of disk space, or a copy stopped
        # at its start, would have started the term again without a word (no accounts, bans or room keys).
        notice = (
            f"the database {path} was an empty file (a copy or restore that did not finish? a full disk?); "
            "started a fresh one: no accounts, bans, room keys or messages came from it"
        )
        log.warning("storage: %s", notice)
        notices.append(notice)
    if unclean:
        # Committed batches survive a crash (WAL); what was still queued for the writer did not, and
        # nothing on disk says how much that was. Clients saw those messages' ids: new ids start well
        # past them (a client that drops an id it has already shown would otherwise drop new messages).
        # A run's ids start at the clock in ms (server.py): when it wrote none, the ones it gave out are below
        # the clock now plus what its writer can hold uncommitted.
        recovered = max(recovered, unclean[0] + CRASH_ID_GAP, int(time.time() * 1000) + CRASH_ID_GAP)
        # a server stopped before any message was written (id 0) has nothing to be "kept up to"
        kept = (
            f"every message up to id {unclean[0]} is kept; any said in its last moment after that were not saved"
            if unclean[0]
            else "no message had been written yet; any said in its last moment were not saved"
        )
        notice = (
            f"the last server to use {path} stopped without closing it (a crash, kill -9 or power cut): "
            f"{kept}; new ids start after {recovered}"
        )
        log.warning("storage: %s", notice)
        notices.append(notice)
        return Database(path, writer, lock, notices, recovered, unsaved_ids=(unclean[0] + 1, recovered))
    return Database(path, writer, lock, notices, recovered)


class _Corrupt(Exception):
    pass


class _StillLocked(Exception):
    pass


def _open_waiting(path: Path, steps: Sequence[Step], full_check: bool, unclean: list[int]) -> sqlite3.Connection:
    """_open_file, tried again while another program holds the database locked (up to LOCKED_AT_START_SECONDS).

    Each try already waits BUSY_TIMEOUT inside SQLite; a backup tool or DB
    Browser holding a write transaction for a few seconds must not cost the
    whole lesson its accounts, bans and room keys (found by a probe).
    """
    deadline = time.monotonic() + LOCKED_AT_START_SECONDS
    waited = False
    while True:
        try:
            connection = _open_file(path, steps, full_check, unclean)
        except sqlite3.OperationalError as error:
            if not is_busy(error):
                raise
            if time.monotonic() >= deadline:
                raise _StillLocked(f"{describe_error(error)}, still after {LOCKED_AT_START_SECONDS:g} s") from error
            if not waited:
                waited = True
                log.warning(
                    "storage: %s is locked by another program (a backup tool? DB Browser?); "
                    "waiting up to %g s for it before running without it",
                    path,
                    LOCKED_AT_START_SECONDS,
                )
            unclean.clear()
            time.sleep(LOCKED_RETRY_PAUSE)
            continue
        if waited:
            log.warning("storage: %s is free again; opened it", path)
        return connection


def _warn_if_others_can_read(folder: Path, path: Path) -> None:
    """A folder or database made before they were created private (or opened up by hand) is left as it is, but said.

    Tightening it could break a setup that shares it on purpose; a teacher who did not mean to share the
    password hashes and every private message with the next person at the computer learns it from the log.
    """
    if os.name != "posix":
        return  # a Windows profile folder is private by its own access rules
    opened = []
    for place in (folder, path):
        try:
            mode = stat.S_IMODE(place.stat().st_mode)
        except OSError:
            continue  # no database yet: it is made private
        if mode & 0o077:
            opened.append(f"{place} (mode {mode:o})")
    if opened:
        log.warning(
            "storage: other users of this computer can reach %s; `chmod 700 %s` and `chmod 600 %s*` keep the "
            "password hashes and private messages to this user",
            " and ".join(opened),
            folder,
            path,
        )


def _create_private(path: Path) -> None:
    """A new database file starts empty and readable by this user alone; SQLite gives its -wal and -shm the same mode.

    SQLite itself would make it 0644, so on a shared computer anyone logged in could copy the accounts' password
    hashes and every private message. A file that is already there keeps the mode it has (its owner's choice).
    """
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), PRIVATE_FILE_MODE))
    except FileExistsError:
        pass
    except OSError:
        pass  # SQLite's own open says what is wrong, in the words the caller expects


def _open_file(path: Path, steps: Sequence[Step], full_check: bool, unclean: list[int]) -> sqlite3.Connection:
    """Open, upgrade and check the file; when the last server did not close it, its last committed id goes in `unclean`."""
    _create_private(path)
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
    try:
        configure(connection)
        version = schema_version(connection)
        if version > len(steps):
            # Before anything writes to it: even switching to WAL changes the file's header.
            raise NewerSchema(f"the database has schema version {version}; this ClassChat knows up to {len(steps)}")
        mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("storage: %s is in %s mode, not WAL: readers may wait for the writer", path, mode)
        # WAL with NORMAL: a crash or kill -9 loses nothing committed; a power cut may lose the last
        # transactions but never corrupts the file (SQLite's documented guarantee).
        connection.execute("PRAGMA synchronous = NORMAL")
        # The -wal file keeps its largest size otherwise (54 MB after a flood of long messages of rare
        # characters, for good); past a checkpoint that empties it, it is cut back to this.
        connection.execute(f"PRAGMA journal_size_limit = {WAL_KEEP_BYTES}")
        migrate(connection, steps)
        if full_check:
            problems = [row[0] for row in connection.execute("PRAGMA quick_check(5)")]
            if problems != ["ok"]:
                raise _Corrupt("; ".join(str(problem) for problem in problems))
        if len(steps) >= 2:
            closed = connection.execute("SELECT value FROM meta WHERE key = 'clean_close'").fetchone()
            if closed is not None and not closed[0]:
                last = connection.execute("SELECT value FROM meta WHERE key = 'last_id'").fetchone()
                unclean.append(int(last[0]) if last is not None else 0)
            connection.execute("UPDATE meta SET value = 0 WHERE key = 'clean_close'")
    except sqlite3.DatabaseError as error:
        connection.close()
        if is_corruption(error):
            raise _Corrupt(str(error)) from error
        raise
    except BaseException:
        connection.close()
        raise
    return connection


def _last_id_of_damaged(path: Path) -> int:
    """The highest id a damaged file still admits to, so a fresh file does not reuse ids clients have seen.

    Best effort: each source may itself sit on a damaged page, so take the
    highest that any of them gives.
    """
    best = 0
    queries = (
        "SELECT max(id) FROM messages",
        "SELECT id FROM messages ORDER BY id DESC LIMIT 1",
        "SELECT value FROM meta WHERE key = 'last_id'",
    )
    try:
        connection = sqlite3.connect(read_only_uri(path), uri=True, timeout=0.5)
    except sqlite3.Error:
        return 0
    try:
        for query in queries:
            try:
                row = connection.execute(query).fetchone()
            except sqlite3.Error:
                continue
            if row and isinstance(row[0], int):
                best = max(best, row[0])
    finally:
        connection.close()
    return best


def _damaged_marker(path: Path) -> Path:
    return path.with_name(path.name + ".damaged")


def _move_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    number = 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{number}")
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(path) + suffix)
        if source.exists():
            source.replace(Path(str(aside) + suffix))
    return aside


def _empty_file(path: Path) -> bool:
    """`path` is there but holds nothing, and no write-ahead log beside it does either."""
    try:
        if path.stat().st_size:
            return False
    except OSError:
        return False  # none yet (a new folder), or it cannot be read: said elsewhere
    try:
        return not path.with_name(path.name + "-wal").stat().st_size
    except OSError:
        return True
