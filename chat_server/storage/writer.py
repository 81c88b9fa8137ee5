"""The writer thread ("chat-storage-writer"): commits queued writes in batches; submit() from any thread.

    callers (any thread, maybe under the registry lock)      writer thread "chat-storage-writer"
      Writer.submit_row(row) -- deque.append, no lock --->   BEGIN IMMEDIATE; the waiting rows (kept messages,
      Writer.submit(Write) -- SimpleQueue.put, no I/O -->      ROWS_PER_INSERT to a statement), then the writes
                                                              that came within GATHER_SECONDS of the first
                                                              (consecutive equal SQL: executemany);
                                                              before_commit(); COMMIT; on_committed(batch)
                                                              idle (QUIET_SECONDS without writes), or after
                                                              every 32 batches: one small maintenance()
                                                              step (search index, retention) while it says
                                                              there is more

Rows (one a kept message, already in the INSERT's parameter order) take
their own lane because there is one per chat message: `submit_row` is a
bare deque append made under the registry lock, with no object built for
it and no lock taken, and the writer takes them in bulk. They stay
readable until committed (`unwritten_rows`). A batch inserts its rows
before its other writes, and a batch with any other write (or a flush
marker) takes every row waiting, so a write never overtakes a row
submitted before it (a DELETE of a message just said, for instance).

A failed batch is rolled back and retried with growing pauses (disk full,
database locked, I/O error) while new writes wait in memory up to
`max_waiting`; past that, `submit` refuses and the caller counts the loss.
A batch that breaks a constraint is written one write at a time and the
offending writes are dropped, so one bad row never blocks the rest.
`close()` writes what is queued, then stops; if the disk still refuses
after the deadline, the rest is counted as lost and the thread ends.
"""

from __future__ import annotations

import collections
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Generic, NamedTuple, TypeVar

from chat_server.storage.constraint_sieve import sieve
from chat_server.storage.database import describe_error, is_corruption
from chat_server.storage.row_batches import execute_many, execute_rows
from chat_server.storage.status import StatusBoard

log = logging.getLogger("chat_server.storage")

BATCH = 1000
MAX_WAITING = 100_000
RETRY_PAUSES = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0)
MAINTENANCE_EVERY = 60.0
# During a long flood, one maintenance step (e.g. catching the search index up) after this many batches.
MAINTAIN_AFTER_BATCHES = 32
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


Row = TypeVar("Row", bound=tuple[Any, ...])
Committed = Callable[[Sequence[Write]], None]
Maintenance = Callable[[sqlite3.Connection], bool]
BeforeCommit = Callable[[sqlite3.Connection, Sequence[Write], Sequence[Row]], None]
RowsLost = Callable[[Sequence[Row]], None]
# Writes rows into the open transaction (the default: row_sql, ROWS_PER_INSERT rows to a statement).
RowInsert = Callable[[sqlite3.Connection, Sequence[Row]], None]


class _Marker:
    """Not a write: a flush point (its event is set when the writer reaches it) or a wake-up."""

    def __init__(self) -> None:
        self.reached = threading.Event()


# Put on the queue by submit_row when the writer sleeps: rows are waiting (they are not on the queue).
_ROWS_WAITING = _Marker()


class Writer(Generic[Row]):
    def __init__(
        self,
        connection: sqlite3.Connection,
        status: StatusBoard,
        on_committed: Committed,
        on_lost: Committed,
        *,
        maintenance: Maintenance | None = None,
        before_commit: BeforeCommit[Row] | None = None,
        on_damage: Callable[[str], None] | None = None,
        row_sql: str = "",
        row_insert: RowInsert[Row] | None = None,
        on_rows_lost: RowsLost[Row] | None = None,
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
        self._row_sql = row_sql
        self._row_insert = row_insert if row_insert is not None else self._insert_rows
        self._on_rows_lost = on_rows_lost
        self._max_waiting = max_waiting
        self._batch_size = batch_size
        self._gather_seconds = gather_seconds
        # SimpleQueue: put() is one C call with no Python-level lock, the cheapest hand-off for a write.
        self._queue: queue.SimpleQueue[Write | _Marker] = queue.SimpleQueue()
        self._in_flight = 0
        # Rows: appended by any thread without a lock; taken (popleft) and settled by the writer under
        # _rows_lock, which readers of unwritten_rows() take too, so a row is always in one of the two.
        self._rows: collections.deque[Row] = collections.deque()
        self._rows_in_flight: list[Row] = []
        self._rows_lock = threading.Lock()
        self._sleeping = False  # the writer waits on the queue and must be woken for rows
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

    def submit_row(self, row: Row) -> bool:
        """Queue one row for `row_sql` (no I/O, no lock); False when the writer is closed or too far behind.

        The cheapest hand-off there is (one per chat message, under the
        registry lock): a deque append, and a wake-up only when the writer
        sleeps. The writer sets `_sleeping` before it looks at the deque a
        last time, and this reads it after appending, so a row is never left
        waiting for a writer that will not wake (both run under the GIL).
        """
        rows = self._rows
        if not self._accepting or len(rows) >= self._max_waiting:
            return False
        rows.append(row)
        if self._sleeping:
            self._sleeping = False
            self._queue.put(_ROWS_WAITING)
        return True

    def unwritten_rows(self) -> list[Row]:
        """Every row submitted and not yet committed (or given up), oldest first (any thread, no I/O)."""
        with self._rows_lock:
            return self._rows_in_flight + list(self._rows)

    @property
    def waiting(self) -> int:
        return self._queue.qsize() + self._in_flight + len(self._rows) + len(self._rows_in_flight)

    def request_maintenance(self) -> None:
        """Run the maintenance step at the next idle moment instead of waiting for its timer."""
        self._queue.put(_Marker())

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything submitted before this call is committed or given up; False on timeout."""
        if not self._thread.is_alive():
            return self._queue.empty() and not self._rows
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
            if self._stopping and self._queue.empty() and not self._rows:
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
            batch, rows, markers = self._take(first)
            if batch or rows:
                self._write(batch, rows)
                batches += 1
                wrote = True
            for marker in markers:
                marker.reached.set()
            # After writing (an index to catch up), or woken by a bare marker (request_maintenance, close).
            wanted = self._maintenance is not None

    def _next(self, timeout: float) -> Write | _Marker | None:
        """The next write or marker, or _ROWS_WAITING when rows wait; None after `timeout` with neither."""
        item = self._next_now()
        if item is not None:
            return item
        self._sleeping = True  # before the last look at the rows: see submit_row
        try:
            if self._rows:
                return _ROWS_WAITING
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        finally:
            self._sleeping = False

    def _next_now(self) -> Write | _Marker | None:
        try:
            return self._queue.get_nowait()
        except queue.Empty:
            return _ROWS_WAITING if self._rows else None

    def _take(self, first: Write | _Marker) -> tuple[list[Write], list[Row], list[_Marker]]:
        """Up to a batch of writes and rows (and the markers among them), waiting up to GATHER_SECONDS for more.

        The wait is a group commit: a flood's messages go in a few large
        transactions instead of one small one per handler burst (each commit
        rewrites the same table and index pages).  A marker (flush, close)
        ends the wait, so nobody who waits on the writer waits longer.
        Rows do not wake the writer while it gathers (that would cost every
        message a wake-up); it takes what came when the wait ends.
        """
        batch: list[Write] = []
        markers: list[_Marker] = []
        item: Write | _Marker | None = first
        deadline = time.monotonic() + self._gather_seconds
        while item is not None:
            if isinstance(item, _Marker):
                if item is not _ROWS_WAITING:
                    markers.append(item)
            else:
                batch.append(item)
            if len(batch) + len(self._rows) >= self._batch_size:
                break
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                left = deadline - time.monotonic()
                item = None
                if not (markers or self._stopping or left <= 0):
                    try:
                        item = self._queue.get(timeout=left)
                    except queue.Empty:
                        item = None
        # Every waiting row when there is another write (it may refer to one of them) or a flush point.
        rows = self._take_rows(None if batch or markers or self._stopping else self._batch_size)
        self._in_flight = len(batch)
        return batch, rows, markers

    def _take_rows(self, limit: int | None) -> list[Row]:
        with self._rows_lock:
            waiting = self._rows
            count = len(waiting) if limit is None else min(limit, len(waiting))
            popleft = waiting.popleft
            taken = [popleft() for _ in range(count)]
            self._rows_in_flight = taken
        return taken

    def _settle_rows(self) -> None:
        """The rows in flight are committed or given up: they leave unwritten_rows()."""
        with self._rows_lock:
            self._rows_in_flight = []

    def _finish(self, batch: Sequence[Write]) -> None:
        self._in_flight = 0
        self._settle_rows()

    def _write(self, batch: list[Write], rows: list[Row]) -> None:
        pauses = iter(RETRY_PAUSES)
        pause = RETRY_PAUSES[0]
        while True:
            try:
                self._commit(batch, rows)
            except sqlite3.IntegrityError:
                self._rollback()
                if self._commit_one_by_one(batch, rows):
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

    def _commit(self, batch: Sequence[Write], rows: list[Row]) -> None:
        connection = self._connection
        connection.execute("BEGIN IMMEDIATE")
        if rows:
            self._row_insert(connection, rows)
        start = 0
        while start < len(batch):
            sql = batch[start].sql
            end = start + 1
            while end < len(batch) and batch[end].sql == sql:
                end += 1
            if end - start == 1:
                connection.execute(sql, batch[start].params)
            else:
                execute_many(connection, sql, [write.params for write in batch[start:end]])
            start = end
        if self._before_commit is not None:
            self._before_commit(connection, batch, rows)
        connection.execute("COMMIT")

    def _insert_rows(self, connection: sqlite3.Connection, rows: Sequence[Row]) -> None:
        execute_rows(connection, self._row_sql, rows)

    def _commit_one_by_one(self, batch: list[Write], rows: list[Row]) -> bool:
        """Commit every write and row that keeps the constraints, drop the others; False: retry the batch."""
        try:
            sieved = sieve(self._connection, batch, rows, self._row_insert, self._before_commit)
        except sqlite3.Error:
            self._rollback()
            return False
        self._status.write_ok()
        self._on_committed(sieved.kept)
        self._on_lost(sieved.dropped)
        if sieved.dropped_rows and self._on_rows_lost is not None:
            self._on_rows_lost(sieved.dropped_rows)
        self._finish(batch)
        return True

    def _lose_everything(self, batch: list[Write]) -> None:
        """Give up on `batch`, every queued write and every row in flight or waiting: counted as lost."""
        with self._rows_lock:
            rows, self._rows_in_flight = self._rows_in_flight, []
            waiting = self._rows
            while waiting:  # popleft, not clear(): a row appended meanwhile is taken too, or stays
                rows.append(waiting.popleft())
        if rows:
            log.error("storage: gave up on %d queued rows", len(rows))
            if self._on_rows_lost is not None:
                self._on_rows_lost(rows)
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
