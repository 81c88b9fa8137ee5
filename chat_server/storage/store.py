"""Storage: the one object the server holds; opens everything, wires the writer, closes it all (opening thread).

    open_storage(data_dir) -> Storage
        .messages    MessageStore   (SqliteMessageStore, or NoHistory with history=False)
        .accounts    AccountStore   \\
        .moderation  ModerationStore \\  in memory, loaded at open, written behind
        .rooms       RoomStore       /
        .files       FileStore      /
        .status()    StoreStatus: "ok" / "retrying" / "memory", and what was not saved
        .close()     flush, stop the writer thread, mark a clean close, release the folder

Opening never raises for a bad folder or database: the store comes up in
memory and `status()` says why (the chat must keep running). The one
exception is a folder another live server holds: FolderBusy
(chat_server/folder_busy.py), and the server does not start.
In memory the accounts, bans, room keys and files of the folder are not
known, and the warning says so: the server then shares no files either
(chat_server/files/sharing.py).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from chat_server.storage.accounts import SqliteAccountStore
from chat_server.storage.data_dir import default_data_dir
from chat_server.storage.database import DB_FILE_NAME, Database, StorageUnavailable, describe_error, open_database
from chat_server.storage.deletion_clock import DeletionClock
from chat_server.storage.file_identity import copied_notice, file_id
from chat_server.storage.file_uri import read_only_uri
from chat_server.storage.files import SqliteFileStore
from chat_server.storage.history import INDEX_LATE_MESSAGE, TAIL_SIZE, SqliteMessageStore
from chat_server.storage.interfaces import AccountStore, FileStore, MessageStore, ModerationStore, RoomStore
from chat_server.storage.message_rows import INSERT_MESSAGE, insert_messages
from chat_server.storage.models import Account, RoomRecord, Sanction, StoredMessage, StoreStatus
from chat_server.storage.moderation import SqliteModerationStore
from chat_server.storage.no_history import NoHistory
from chat_server.storage.persist import Persister
from chat_server.storage.rooms import SqliteRoomStore
from chat_server.storage.space import DEFAULT_MAX_MB, MIB, HistorySpace
from chat_server.storage.status import StatusBoard
from chat_server.storage.writer import Write, Writer

log = logging.getLogger("chat_server.storage")

SANCTION_PURGE_EVERY = 60.0
# How far past the time the last run saw pass (its deletion clock, kept in meta.witnessed_ms) a start believes
# the data's newest time, written by that run's wall clock: a long weekend between two runs is credited at once;
# a clock left a year ahead over restarts makes each start delete at most this much early, never the term
# (a holiday's gap is credited this much a start; deletions lag meanwhile, reads still hide by the wall clock).
UNWITNESSED_CREDIT = 4 * 86_400.0


@dataclass(frozen=True, slots=True)
class StorageStats:
    """For the admin window: where the database is, how big, how many messages."""

    path: str | None
    size_bytes: int
    messages: int


class Storage:
    def __init__(
        self,
        *,
        status: StatusBoard,
        messages: MessageStore,
        accounts: AccountStore,
        moderation: ModerationStore,
        rooms: RoomStore,
        files: FileStore,
        database: Database | None = None,
        writer: Writer[StoredMessage] | None = None,
        accounts_read: bool = False,
        deletion_clock: DeletionClock | None = None,
    ) -> None:
        self.messages = messages
        # What deletions by age go by: shared files' expiry uses it too (deletion_clock.py)
        self.deletion_clock = deletion_clock if deletion_clock is not None else DeletionClock()
        self._accounts_read = accounts_read  # memory-only, but the file's accounts were read (_read_safeguards)
        self.accounts = accounts
        self.moderation = moderation
        self.rooms = rooms
        self.files = files
        self._status = status
        self._database = database
        self._writer = writer
        self._closed = False

    @property
    def persistent(self) -> bool:
        return self._database is not None

    @property
    def folder(self) -> Path | None:
        """The data folder this store writes to; None in memory only."""
        return self._database.path.parent if self._database is not None else None

    @property
    def knows_accounts(self) -> bool:
        """The accounts are the data folder's: kept there, or read from a file the server cannot write."""
        return self._database is not None or self._accounts_read

    @property
    def unsaved_ids(self) -> tuple[int, int] | None:
        """Ids the last run gave out and never wrote, as it stopped without closing the database; [low, high]."""
        return self._database.unsaved_ids if self._database is not None else None

    def status(self) -> StoreStatus:
        status = self._status.snapshot()
        if self._writer is not None and status.state == "retrying":
            self._status.set_waiting(self._writer.waiting)
            status = self._status.snapshot()
        return status

    def stats(self) -> StorageStats:
        """Database size and message count (reads the disk: call it off the registry lock)."""
        size = self._database.size_bytes() if self._database is not None else 0
        path = str(self._database.path) if self._database is not None else None
        return StorageStats(path, size, self.messages.count())

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every write so far is on disk (or given up); False on timeout. For tests and shutdown."""
        return self._writer.flush(timeout) if self._writer is not None else True

    def purge_now(self) -> None:
        """Run the retention purge at the writer's next idle moment instead of on its timer."""
        if isinstance(self.messages, SqliteMessageStore):
            self.messages.purge_soon()
        if self._writer is not None:
            self._writer.request_maintenance()

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued (up to `timeout` s), stop the writer thread, close the file. Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._writer is not None:
            self._writer.close(timeout)
        if self._database is not None:
            try:
                _note_witnessed(self._database.writer, self.deletion_clock)
                self._database.writer.execute("UPDATE meta SET value = 1 WHERE key = 'clean_close'")
            except sqlite3.Error as error:
                log.warning("storage: could not mark a clean close (%s)", describe_error(error))
            self._database.close()

    def __enter__(self) -> Storage:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_storage(
    data_dir: Path | str | None = None,
    *,
    persist: bool = True,
    history: bool = True,
    history_days: int = 30,
    tail_size: int = TAIL_SIZE,
    lock_wait: float = 2.0,
    clock: Callable[[], float] = time.time,
    history_max_mb: float = DEFAULT_MAX_MB,
    deletion_clock: DeletionClock | None = None,
) -> Storage:
    """Open (creating if needed) the store in `data_dir` (default: the user's data folder for the app).

    `persist=False` keeps everything in memory; `history=False` keeps no
    messages (`--no-history`); `history_days` 0 keeps them forever;
    past `history_max_mb` of history the oldest messages go (0: no limit;
    space.py). Deletions by age go by `deletion_clock` (default: one on `clock`; deletion_clock.py).
    FolderBusy when another live server holds the folder (after `lock_wait` s).
    """
    database: Database | None = None
    reason = "persistence is switched off"
    deletion_clock = deletion_clock if deletion_clock is not None else DeletionClock(clock)
    if persist:
        folder = Path(data_dir) if data_dir is not None else default_data_dir()
        try:
            database = open_database(folder, lock_wait=lock_wait)
        except StorageUnavailable as unavailable:
            reason = str(unavailable)
    status = StatusBoard(str(database.path) if database is not None else None)
    if database is not None:
        for notice in database.notices:
            status.add_notice(notice)
        try:
            space = HistorySpace(max_bytes=int(history_max_mb * MIB))
            return _wire(database, status, history, history_days, tail_size, clock, space, deletion_clock)
        except sqlite3.Error as error:
            reason = f"cannot read the database {database.path}: {describe_error(error)}"
            database.close()
    kept = _read_safeguards(Path(data_dir) if data_dir is not None else default_data_dir(), clock) if persist else None
    if kept is not None:
        reason += (
            "; its accounts, bans and mutes and room keys were read from it and hold, but changes to them are not "
            "saved, and shared files are off"
        )
    elif persist:
        reason += "; its accounts, bans and mutes, room keys and shared files are not loaded"
    status.memory_only(reason)
    persister = Persister(None, status)
    messages: MessageStore = (
        SqliteMessageStore(
            None, status, history_days=history_days, tail_size=tail_size, clock=clock, deletion_clock=deletion_clock
        )
        if history
        else NoHistory()
    )
    accounts, logins, sanctions, rooms = kept if kept is not None else ([], [], [], [])
    return Storage(
        status=status,
        messages=messages,
        accounts=SqliteAccountStore(persister, accounts, logins),
        moderation=SqliteModerationStore(persister, sanctions),
        rooms=SqliteRoomStore(persister, rooms),
        files=SqliteFileStore(persister, []),
        accounts_read=kept is not None,
        deletion_clock=deletion_clock,
    )


Safeguards = tuple[list[Account], list[tuple[str, str]], list[Sanction], list[RoomRecord]]


def _read_safeguards(folder: Path, clock: Callable[[], float]) -> Safeguards | None:
    """The accounts, bans and mutes and rooms of a database the server cannot write (read-only, or locked); None if
    there is none or it cannot be read.

    Found by a probe: a server on a read-only data folder ran with none of them, so a banned student walked in and
    a guest could take the teacher's name.  A reader needs no write lock (the file is in WAL mode), and
    `immutable` reads a file on a read-only disk whose -shm cannot be made.
    """
    path = folder / DB_FILE_NAME
    try:
        if not path.is_file():
            return None
    except OSError:
        return None
    for options in ("", "immutable=1"):
        try:
            connection = sqlite3.connect(read_only_uri(path, options), uri=True, timeout=1.0)
        except sqlite3.Error:
            continue
        try:
            return (
                SqliteAccountStore.load(connection),
                SqliteAccountStore.load_login_addresses(connection, int(clock() * 1000)),
                SqliteModerationStore.load(connection),
                SqliteRoomStore.load(connection),
            )
        except sqlite3.Error as error:
            log.debug("storage: reading %s (%s) failed: %s", path, options, describe_error(error))
        finally:
            connection.close()
    return None


def _wire(
    database: Database,
    status: StatusBoard,
    history: bool,
    history_days: int,
    tail_size: int,
    clock: Callable[[], float],
    space: HistorySpace,
    deletion_clock: DeletionClock,
) -> Storage:
    connection = database.writer
    newest = _newest_time_ms(connection)
    witnessed = _witnessed_ms(connection)
    if witnessed:
        # The data's newest time was written by the last run's wall clock: one that was a year ahead would make
        # this start purge the term. Believe it only as far as UNWITNESSED_CREDIT past what that run saw pass.
        newest = min(newest or int(clock() * 1000), witnessed + int(UNWITNESSED_CREDIT * 1000))
    if newest:
        deletion_clock.anchor_at(newest / 1000)
    _note_witnessed(connection, deletion_clock)
    copied = copied_notice(connection, database.path)
    if copied:
        log.warning("storage: %s", copied)
        status.add_notice(copied)
    accounts = SqliteAccountStore.load(connection)
    login_addresses = SqliteAccountStore.load_login_addresses(connection, int(clock() * 1000))
    accounts_made = SqliteAccountStore.load_accounts_made(connection, int(clock() * 1000))
    ignores = SqliteAccountStore.load_ignores(connection)
    sanctions = SqliteModerationStore.load(connection)
    rooms = SqliteRoomStore.load(connection)
    unclaimed_rooms = SqliteRoomStore.find_unclaimed(connection)
    files = SqliteFileStore.load(connection)
    history_store = (
        SqliteMessageStore(
            database,
            status,
            history_days=history_days,
            tail_size=tail_size,
            clock=clock,
            space=space,
            deletion_clock=deletion_clock,
        )
        if history
        else None
    )
    moderation_ref: list[SqliteModerationStore] = []

    def committed(writes: Sequence[Write]) -> None:
        pass  # the small tables changed in memory first; a kept message leaves the writer's queue by itself

    def lost(writes: Sequence[Write]) -> None:
        # Changes of the small tables and deletions; not the index's own bookkeeping.
        others = sum(1 for write in writes if not write.message_id and write.sql != INDEX_LATE_MESSAGE)
        if others:
            status.count_change_not_saved(others)

    next_sanction_purge = [0.0]

    def damaged(reason: str) -> None:
        if database.mark_damaged(reason):
            notice = f"the database file is damaged ({reason}); it will be set aside at the next start"
            log.error("storage: %s", notice)
            status.add_notice(notice)

    opened_id = file_id(database.path)
    replaced_said = [False]

    def maintenance(connection: sqlite3.Connection) -> bool:
        if opened_id and not replaced_said[0] and file_id(database.path) != opened_id:
            replaced_said[0] = True  # a backup put in place while the server runs (docs/admin.md: stop it first)
            notice = (
                f"{database.path.name} was replaced or removed while the server runs: this run goes on with the "
                "file it opened, so what it saves from now on may be lost or mixed into the new file; stop the "
                "server, and restore a backup only while it is stopped"
            )
            log.error("storage: %s", notice)
            status.add_notice(notice)
        if time.monotonic() >= next_sanction_purge[0]:
            next_sanction_purge[0] = time.monotonic() + SANCTION_PURGE_EVERY
            for store in moderation_ref:
                store.purge_expired(int(deletion_clock.now() * 1000))
            _note_witnessed(connection, deletion_clock)
        return history_store.maintenance_step(connection) if history_store is not None else False

    writer: Writer[StoredMessage] = Writer(
        connection,
        status,
        committed,
        lost,
        maintenance=maintenance,
        before_commit=history_store.before_commit if history_store is not None else None,
        on_damage=history_store.damaged if history_store is not None else damaged,
        row_sql=INSERT_MESSAGE,
        row_insert=insert_messages,
        on_rows_lost=history_store.lost if history_store is not None else None,
    )
    persister = Persister(writer, status)
    moderation = SqliteModerationStore(persister, sanctions)
    moderation_ref.append(moderation)
    if history_store is not None:
        history_store.attach_writer(writer)
    writer.start()
    return Storage(
        status=status,
        messages=history_store if history_store is not None else NoHistory(),
        accounts=SqliteAccountStore(persister, accounts, login_addresses, accounts_made, ignores),
        moderation=moderation,
        rooms=SqliteRoomStore(persister, rooms, unclaimed_rooms),
        files=SqliteFileStore(persister, files),
        database=database,
        writer=writer,
        deletion_clock=deletion_clock,
    )


def _newest_time_ms(connection: sqlite3.Connection) -> int:
    """The newest time the data holds (the newest message, login or ban), written by the clock of a run before."""
    newest = 0
    for sql in (
        "SELECT time_ms FROM messages ORDER BY id DESC LIMIT 1",
        "SELECT max(last_ms) FROM login_addresses",
        "SELECT max(created_ms) FROM sanctions",
    ):
        row = connection.execute(sql).fetchone()
        if row is not None and row[0] is not None:
            newest = max(newest, int(row[0]))
    return newest


def _witnessed_ms(connection: sqlite3.Connection) -> int:
    """The deletion clock's time when a run before last noted it (`meta.witnessed_ms`); 0 if none did."""
    row = connection.execute("SELECT value FROM meta WHERE key = 'witnessed_ms'").fetchone()
    return int(row[0]) if row is not None else 0


def _note_witnessed(connection: sqlite3.Connection, deletion_clock: DeletionClock) -> None:
    """Keep the time this run has seen pass (the deletion clock's now) for the next start (writer thread, or at
    the start and the close). A failed write only makes the next start's deletions later."""
    try:
        connection.execute(
            "INSERT INTO meta (key, value) VALUES ('witnessed_ms', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)",
            (int(deletion_clock.now() * 1000),),
        )
    except sqlite3.Error as error:
        log.debug("storage: could not note the time seen to pass (%s)", describe_error(error))
