"""The writer thread ("chat-storage-writer"): commits queued writes in batches; submit() from any thread.

    callers (any thread, maybe under the registry lock)      writer thread "chat-storage-writer"
      Writer.submit(Write) -- append to a deque, no I/O -->   BEGIN IMMEDIATE; up to BATCH writes, or what
                                                              came within GATHER_SECONDS of the first
                                                              (consecutive equal SQL: executemany);
                                                              before_commit(); COMMIT; on_committed(batch)
                                                              idle (QUIET_SECONDS without writes), or after
                                                              every 32 batches: one small maintenance()
                                                              step (search index, retention) while it says
                                                              there is more

A failed batch is rolled back and retried with growing pauses (disk full,
database locked, I/O error) while new writes wait in memory up to
`max_waiting`; past that, `submit` refuses and the caller counts the loss.
A batch that breaks a constraint is written one write at a time and the
offending writes are dropped, so one bad row never blocks the rest.
`close()` writes what is queued, then stops; if the disk still refuses
after the deadline, the rest is counted as lost and the thread ends.
"""

from __future__ import annotations

import logging
import queue
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import chain
from typing import NamedTuple

from chat_server.storage.database import describe_error, is_corruption
from chat_server.storage.status import StatusBoard

log = logging.getLogger("chat_server.storage")

BATCH = 1000
MAX_WAITING = 100_000
RETRY_PAUSES = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0)
MAINTENANCE_EVERY = 60.0
# During a long flood, one maintenance step (e.g. catching the search index up) after this many batches.
MAINTAIN_AFTER_BATCHES = 32
# An INSERT of one row of ? is sent this many rows per statement (see _execute_many); 50 rows of the
# 10 message columns stay far below the 999 variables an old SQLite allows in one statement.
ROWS_PER_INSERT = 50
# A batch waits this long for more writes before it is committed (see Writer._take); the chat never waits.
GATHER_SECONDS = 0.05
# Maintenance waits for this long without a write, so a flood's short gaps are not taken for idleness.
QUIET_SECONDS = 0.25


class Write(NamedTuple):
    """One SQL statement for the writer; `message_id` marks a kept message (0 for anything else).

    A named tuple: one is made per message, possibly under the registry lock.
    """

    sql: str
    params: Sequence[object] = ()
    message_id: int = 0


Committed = Callable[[Sequence[Write]], None]
Maintenance = Callable[[sqlite3.Connection], bool]
BeforeCommit = Callable[[sqlite3.Connection, Sequence[Write]], None]


class _Marker:
    """Not a write: a flush point (its event is set when the writer reaches it) or a wake-up."""

    def __init__(self) -> None:
        self.reached = threading.Event()


class Writer:
    def __init__(
        self,
        connection: sqlite3.Connection,
        status: StatusBoard,
        on_committed: Committed,
        on_lost: Committed,
        *,
        maintenance: Maintenance | None = None,
        before_commit: BeforeCommit | None = None,
        on_damage: Callable[[str], None] | None = None,
        max_waiting: int = MAX_WAITING,
        batch_size: int = BATCH,
        gather_seconds: float = GATHER_SECONDS,
    ) -> None:
        self._connection = connection
        self._status = status
        self._on_committed = on_committed
        self._on_lost = on_lost
        self._maintenance = maintenance
        self._before_commit = before_commit
        self._on_damage = on_damage
        self._max_waiting = max_waiting
        self._batch_size = batch_size
        self._gather_seconds = gather_seconds
        # SimpleQueue: put() is one C call with no Python-level lock, the cheapest hand-off for append().
        self._queue: queue.SimpleQueue[Write | _Marker] = queue.SimpleQueue()
        self._in_flight = 0
        self._accepting = True
        self._stopping = False
        self._give_up = threading.Event()
        self._thread = threading.Thread(target=self._run, name="chat-storage-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    # -- any thread --
    def submit(self, write: Write) -> bool:
        """Queue `write` (no I/O, no lock); False when the writer is closed or too far behind."""
        if not self._accepting or self._queue.qsize() >= self._max_waiting:
            return False
        self._queue.put(write)
        return True

    @property
    def waiting(self) -> int:
        return self._queue.qsize() + self._in_flight

    def request_maintenance(self) -> None:
        """Run the maintenance step at the next idle moment instead of waiting for its timer."""
        self._queue.put(_Marker())

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything submitted before this call is committed or given up; False on timeout."""
        if not self._thread.is_alive():
            return self._queue.empty()
        marker = _Marker()
        self._queue.put(marker)
        deadline = time.monotonic() + timeout
        while not marker.reached.wait(min(0.1, max(0.0, deadline - time.monotonic()))):
            if time.monotonic() >= deadline or not self._thread.is_alive():
                return marker.reached.is_set()
        return True

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued (for up to `timeout` seconds), then stop the thread and join it."""
        self._accepting = False
        self._stopping = True
        self._queue.put(_Marker())
        if not self._thread.is_alive():
            return
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._give_up.set()
            self._connection.interrupt()
            self._thread.join()

    # -- the writer thread --
    def _run(self) -> None:
        try:
            self._loop()
        except BaseException as error:
            # A bug, not a disk fault (those are retried): stop taking writes so callers count them as lost,
            # say so once, and let flush() and close() return.
            self._accepting = False
            self._status.memory_only(f"the storage writer stopped ({type(error).__name__}: {error})")
            log.exception("storage: the writer thread stopped")
            self._lose_everything([])

    def _loop(self) -> None:
        wanted = self._maintenance is not None  # at start: catch up whatever the last run left
        batches = 0
        wrote = False  # the last step was a batch of writes, not maintenance
        while True:
            if self._stopping and self._queue.empty():
                return
            first: Write | _Marker | None = None
            if wanted and not self._stopping:
                if batches < MAINTAIN_AFTER_BATCHES:
                    # After writes, idle means QUIET_SECONDS without a write, not a flood's gap between two
                    # messages: maintenance in every gap made a flat-out server index each small batch alone.
                    first = self._next(QUIET_SECONDS) if wrote else self._next_now()
                if first is None:
                    batches = 0
                    wrote = False
                    wanted = self._maintain()
                    continue
            if first is None:
                first = self._next(MAINTENANCE_EVERY)
            if first is None:
                wanted = self._maintenance is not None
                continue
            batch, markers = self._take(first)
            if batch:
                self._write(batch)
                batches += 1
                wrote = True
            for marker in markers:
                marker.reached.set()
            # After writing (an index to catch up), or woken by a bare marker (request_maintenance, close).
            wanted = self._maintenance is not None

    def _next(self, timeout: float) -> Write | _Marker | None:
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def _next_now(self) -> Write | _Marker | None:
        try:
            return self._queue.get_nowait()
        except queue.Empty:
            return None

    def _take(self, first: Write | _Marker) -> tuple[list[Write], list[_Marker]]:
        """Up to a batch of writes (and the markers among them), waiting up to GATHER_SECONDS for more.

        The wait is a group commit: a flood's messages go in a few large
        transactions instead of one small one per handler burst (each commit
        rewrites the same table and index pages).  A marker (flush, close)
        ends the wait, so nobody who waits on the writer waits longer.
        """
        batch: list[Write] = []
        markers: list[_Marker] = []
        item: Write | _Marker | None = first
        deadline = time.monotonic() + self._gather_seconds
        while item is not None:
            if isinstance(item, _Marker):
                markers.append(item)
            else:
                batch.append(item)
                if len(batch) >= self._batch_size:
                    break
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                left = deadline - time.monotonic()
                item = None if markers or self._stopping or left <= 0 else self._next(left)
        self._in_flight = len(batch)
        return batch, markers

    def _finish(self, batch: Sequence[Write]) -> None:
        self._in_flight = 0

    def _write(self, batch: list[Write]) -> None:
        pauses = iter(RETRY_PAUSES)
        pause = RETRY_PAUSES[0]
        while True:
            try:
                self._commit(batch)
            except sqlite3.IntegrityError:
                self._rollback()
                batch = self._commit_one_by_one(batch)
                if not batch:
                    return
                continue
            except sqlite3.Error as error:
                self._rollback()
                if self._on_damage is not None and is_corruption(error):
                    self._on_damage(str(error))
                self._status.write_failed(describe_error(error), self.waiting)
                if self._give_up.is_set() or (self._stopping and self._give_up.wait(pause)):
                    self._lose_everything(batch)
                    return
                pause = next(pauses, RETRY_PAUSES[-1])
                if not self._stopping:
                    self._give_up.wait(pause)
                continue
            self._status.write_ok()
            self._on_committed(batch)
            self._finish(batch)
            return

    def _commit(self, batch: Sequence[Write]) -> None:
        connection = self._connection
        connection.execute("BEGIN IMMEDIATE")
        start = 0
        while start < len(batch):
            sql = batch[start].sql
            end = start + 1
            while end < len(batch) and batch[end].sql == sql:
                end += 1
            if end - start == 1:
                connection.execute(sql, batch[start].params)
            else:
                _execute_many(connection, sql, [write.params for write in batch[start:end]])
            start = end
        if self._before_commit is not None:
            self._before_commit(connection, batch)
        connection.execute("COMMIT")

    def _commit_one_by_one(self, batch: list[Write]) -> list[Write]:
        """Commit every write that keeps the constraints, drop the others; return [] or the batch to retry."""
        connection = self._connection
        kept: list[Write] = []
        dropped: list[Write] = []
        try:
            connection.execute("BEGIN IMMEDIATE")
            for write in batch:
                connection.execute("SAVEPOINT one")
                try:
                    connection.execute(write.sql, write.params)
                except sqlite3.IntegrityError as error:
                    connection.execute("ROLLBACK TO one")
                    dropped.append(write)
                    log.error("storage: dropped a write that breaks a constraint (%s): %s", error, write.sql[:60])
                else:
                    kept.append(write)
                connection.execute("RELEASE one")
            if self._before_commit is not None:
                self._before_commit(connection, kept)
            connection.execute("COMMIT")
        except sqlite3.Error:
            self._rollback()
            return batch
        self._status.write_ok()
        self._on_committed(kept)
        self._on_lost(dropped)
        self._finish(batch)
        return []

    def _lose_everything(self, batch: list[Write]) -> None:
        rest: list[Write] = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, _Marker):
                item.reached.set()
            else:
                rest.append(item)
        lost = batch + rest
        if lost:
            log.error("storage: gave up on %d queued writes", len(lost))
        self._on_lost(lost)
        self._finish(lost)

    def _rollback(self) -> None:
        if self._connection.in_transaction:
            try:
                self._connection.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def _maintain(self) -> bool:
        if self._maintenance is None:
            return False
        try:
            return self._maintenance(self._connection)
        except sqlite3.Error as error:
            self._rollback()
            if self._on_damage is not None and is_corruption(error):
                self._on_damage(str(error))
            log.warning("storage: background work failed (%s); will try again later", describe_error(error))
            return False


_ONE_ROW_INSERT = re.compile(r"(?is)\s*INSERT\b.*\bVALUES\s*(\(\s*\?(?:\s*,\s*\?)*\s*\))\s*")


@lru_cache(maxsize=16)
def _many_rows(sql: str) -> tuple[str, int] | None:
    """`sql` as an INSERT of ROWS_PER_INSERT rows, and its ? per row; None unless it is `INSERT ... VALUES (?, ...)`."""
    match = _ONE_ROW_INSERT.fullmatch(sql)
    if match is None:
        return None
    row = match.group(1)
    return sql[: match.start(1)] + ",".join([row] * ROWS_PER_INSERT) + sql[match.end(1) :], row.count("?")


def _execute_many(connection: sqlite3.Connection, sql: str, rows: list[Sequence[object]]) -> None:
    """executemany(sql, rows), but a one-row INSERT goes ROWS_PER_INSERT rows per statement.

    executemany runs one statement per row and lets go of the GIL around
    each one; a flood's batch of 1,000 messages then meant 1,000 GIL
    hand-overs and 20 to 25% more of the writer's time than 20 statements
    of 50 rows (measured with the message table).  Same rows, same order,
    same errors: a constraint broken anywhere fails the whole transaction
    either way (see Writer._write).
    """
    many = _many_rows(sql)
    whole = len(rows) - len(rows) % ROWS_PER_INSERT if many is not None else 0
    if many is not None and all(len(row) == many[1] for row in rows[:whole]):
        for start in range(0, whole, ROWS_PER_INSERT):
            connection.execute(many[0], list(chain.from_iterable(rows[start : start + ROWS_PER_INSERT])))
    else:
        whole = 0
    if whole < len(rows):
        connection.executemany(sql, rows[whole:])
