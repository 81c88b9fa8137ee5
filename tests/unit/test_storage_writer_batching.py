"""The storage writer's group commit and quiet-time maintenance, on a real SQLite file (a real writer thread)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from chat_server.storage.row_batches import ROWS_PER_INSERT, many_rows
from chat_server.storage.status import StatusBoard
from chat_server.storage.writer import GATHER_SECONDS, Write, Writer
from tests.support import wait_until

INSERT = "INSERT INTO t (id) VALUES (?)"


class Recorder:
    """What the writer did: the size of each committed batch, and when maintenance ran."""

    def __init__(self) -> None:
        self.batches: list[int] = []
        self.maintenance: list[float] = []
        self.lock = threading.Lock()

    def committed(self, writes: Sequence[Write]) -> None:
        with self.lock:
            self.batches.append(len(writes))

    def lost(self, writes: Sequence[Write]) -> None:
        assert not writes, "nothing may be lost here"

    def maintain(self, connection: sqlite3.Connection) -> bool:
        with self.lock:
            self.maintenance.append(time.monotonic())
        return False


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def writer(tmp_path: Path, recorder: Recorder) -> Iterator[Writer]:
    connection = sqlite3.connect(tmp_path / "t.db", isolation_level=None, check_same_thread=False)
    connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    writer = Writer(connection, StatusBoard(None), recorder.committed, recorder.lost, maintenance=recorder.maintain)
    writer.start()
    wait_until(lambda: len(recorder.maintenance) >= 1, message="the start-up maintenance step")
    yield writer
    writer.close()
    connection.close()


def rows(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "t.db") as reader:
        count = reader.execute("SELECT count(*) FROM t").fetchone()[0]
    assert isinstance(count, int)
    return count


def test_a_flood_in_small_bursts_is_committed_in_a_few_large_batches(writer: Writer, recorder: Recorder, tmp_path):
    # 40 bursts of 25 writes, 10 ms apart (a busy server's handler threads): without the gather wait
    # the writer committed nearly every burst alone; with it, about one batch per GATHER_SECONDS.
    started = time.monotonic()
    for burst in range(40):
        for n in range(25):
            assert writer.submit(Write(INSERT, (burst * 25 + n + 1,), burst * 25 + n + 1))
        time.sleep(0.01)
    elapsed = time.monotonic() - started
    assert writer.flush(10)
    assert rows(tmp_path) == 1000
    assert sum(recorder.batches) == 1000
    assert len(recorder.batches) <= elapsed / GATHER_SECONDS + 2, (elapsed, recorder.batches)


def test_flush_is_not_held_up_by_the_gather_wait(writer: Writer, tmp_path):
    for n in range(5):
        writer.submit(Write(INSERT, (n + 1,), n + 1))
    started = time.monotonic()
    assert writer.flush(10)
    assert time.monotonic() - started < 1.0  # the marker ends the wait at once (GATHER_SECONDS is 0.05)
    assert rows(tmp_path) == 5


def test_maintenance_waits_for_a_quiet_moment_and_then_runs(writer: Writer, recorder: Recorder):
    before = len(recorder.maintenance)
    for burst in range(10):
        for n in range(10):
            writer.submit(Write(INSERT, (burst * 10 + n + 1,), burst * 10 + n + 1))
        time.sleep(0.01)  # gaps far shorter than QUIET_SECONDS
    last_write = time.monotonic()
    assert writer.flush(10)
    wait_until(lambda: len(recorder.maintenance) > before, message="maintenance once writes stop")
    with recorder.lock:
        during_flood = [moment for moment in recorder.maintenance[before:] if moment < last_write]
    assert during_flood == []


def test_close_writes_what_is_queued_without_waiting_to_gather(tmp_path: Path, recorder: Recorder):
    connection = sqlite3.connect(tmp_path / "t.db", isolation_level=None, check_same_thread=False)
    connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    writer = Writer(connection, StatusBoard(None), recorder.committed, recorder.lost)
    writer.start()
    for n in range(300):
        writer.submit(Write(INSERT, (n + 1,), n + 1))
    started = time.monotonic()
    writer.close()
    assert time.monotonic() - started < 5.0
    connection.close()
    assert rows(tmp_path) == 300


def test_a_large_batch_of_inserts_lands_whole_and_in_order(writer: Writer, recorder: Recorder, tmp_path: Path):
    # More than one multi-row statement, and a remainder that is not a multiple of ROWS_PER_INSERT.
    count = 3 * ROWS_PER_INSERT + 37
    for n in range(count):
        writer.submit(Write(INSERT, (n + 1,), n + 1))
    assert writer.flush(10)
    with sqlite3.connect(tmp_path / "t.db") as reader:
        ids = [row[0] for row in reader.execute("SELECT id FROM t ORDER BY rowid")]
    assert ids == list(range(1, count + 1))


def test_one_broken_row_in_a_multi_row_insert_costs_only_itself(writer: Writer, recorder: Recorder, tmp_path: Path):
    lost: list[Sequence[Write]] = []
    writer._on_lost = lost.append  # the store counts these as not saved
    duplicate = ROWS_PER_INSERT // 2
    for n in range(2 * ROWS_PER_INSERT):
        row_id = duplicate if n == ROWS_PER_INSERT + 3 else n + 1  # a second row with an id already used
        writer.submit(Write(INSERT, (row_id,), n + 1))
    assert writer.flush(10)
    assert rows(tmp_path) == 2 * ROWS_PER_INSERT - 1
    assert [write.params for batch in lost for write in batch] == [(duplicate,)]


def test_only_plain_one_row_inserts_are_sent_many_rows_at_once():
    assert many_rows("INSERT INTO t (a, b) VALUES (?, ?)") is not None
    assert many_rows("insert or ignore into t values (?,?)") is not None
    for sql in (
        "INSERT INTO t (a) SELECT a FROM u WHERE a = ?",
        "INSERT INTO t (a, b) VALUES (?, 1)",
        "INSERT INTO t (a) VALUES (?) ON CONFLICT DO NOTHING",
        "UPDATE t SET a = ?",
    ):
        assert many_rows(sql) is None, sql
