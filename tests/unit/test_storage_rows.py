"""The writer's row lane (one row per kept message) against a real SQLite file and a real writer thread."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from chat_server.storage import Conversation, StoredMessage, open_storage
from chat_server.storage.history import SqliteMessageStore
from chat_server.storage.status import StatusBoard
from chat_server.storage.writer import BATCH, Write, Writer
from tests.support import wait_until

NOW_MS = int(time.time() * 1000)


def public(message_id: int, text: str = "", room: str = "general", sender: str = "alice") -> StoredMessage:
    return StoredMessage.public(message_id, room, sender, text or f"message {message_id}", NOW_MS)


def private(message_id: int, sender: str = "alice", recipient: str = "bob", text: str = "") -> StoredMessage:
    return StoredMessage.private(message_id, sender, recipient, text or f"private {message_id}", NOW_MS)


def rows_on_disk(folder: Path) -> list[StoredMessage]:
    connection = sqlite3.connect(folder / "classchat.db")
    try:
        columns = (
            "id, conv, room, sender, sender_key, recipient, recipient_key, text, time_ms, kind,"
            " sender_owner, recipient_owner"
        )
        return [StoredMessage(*row) for row in connection.execute(f"SELECT {columns} FROM messages ORDER BY id")]
    finally:
        connection.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_public_and_private_messages_in_one_batch_are_stored_exactly(folder: Path):
    # Each kind is inserted without its NULL columns; what is read back must be the very same row.
    said = [
        public(1, "bonjour"),
        StoredMessage.private(2, "Alice", "Bob", "psst", NOW_MS, sender_owner="a:alice:1", recipient_owner="g:bob"),
        StoredMessage.public(3, "Général", "Zoë", "salut", NOW_MS, sender_owner="g:zoë"),
        StoredMessage.public(4, "general", "carol", "a file", NOW_MS, kind="file"),
        private(5, "bob", "alice"),
    ]
    with open_storage(folder) as storage:
        for message in said:
            storage.messages.append(message)
        assert storage.flush()
    stored = rows_on_disk(folder)
    assert stored == said
    assert [(m.room, m.recipient, m.recipient_key) for m in stored[:2]] == [
        ("general", None, None),
        (None, "Bob", "bob"),
    ]


def test_a_delete_right_after_an_append_is_never_overtaken_by_the_insert(folder: Path):
    # More rows than one batch wait when the DELETE is queued: the writer must still insert the
    # deleted message before it runs the DELETE, or the message would come back after a restart.
    with open_storage(folder) as storage:
        for message_id in range(1, 3 * BATCH):
            storage.messages.append(public(message_id))
        assert storage.messages.delete(3 * BATCH - 1 - 5) is not None
        cleared_up_to = 0
        for message_id in range(3 * BATCH, 3 * BATCH + 10):
            storage.messages.append(public(message_id, room="quiet"))
        cleared_up_to = storage.messages.clear_room("quiet")
        storage.messages.append(public(3 * BATCH + 10, room="quiet"))
        assert storage.flush()
    ids = [message.id for message in rows_on_disk(folder)]
    assert 3 * BATCH - 1 - 5 not in ids
    assert [i for i in ids if i >= 3 * BATCH] == [3 * BATCH + 10]
    assert cleared_up_to == 3 * BATCH + 9
    assert len(ids) == 3 * BATCH - 1 - 1 + 1


def test_reads_see_every_message_while_the_writer_takes_them_in_bulk(folder: Path):
    # A reader racing a flood: each page it takes holds every message appended before it, once each.
    with open_storage(folder) as storage:
        store = storage.messages
        appended = [0]
        failures: list[str] = []
        stop = threading.Event()

        def read() -> None:
            while not stop.is_set():
                before = appended[0]
                page = store.page(Conversation.of_room("general"), limit=200).messages
                newest = [m.id for m in page]
                if before and (not newest or newest[-1] < before):
                    failures.append(f"appended {before}, newest read {newest[-1:] or None}")
                if len(newest) != len(set(newest)) or newest != sorted(newest):
                    failures.append(f"a page out of order or with a repeat: {newest[:5]}...")

        reader = threading.Thread(target=read)
        reader.start()
        try:
            for message_id in range(1, 20_001):
                store.append(public(message_id))
                appended[0] = message_id
                if message_id % 2000 == 0:
                    time.sleep(0.01)
        finally:
            stop.set()
            reader.join()
        assert failures == []
        assert storage.flush()
    assert len(rows_on_disk(folder)) == 20_000


def test_a_row_that_breaks_a_constraint_costs_only_itself_and_is_counted(folder: Path):
    with open_storage(folder) as storage:
        store = storage.messages
        assert isinstance(store, SqliteMessageStore)
        for message_id in range(1, 101):
            store.append(public(message_id))
        assert storage.flush()
        # The same id again (no server does this; a bug might): that row alone is dropped, and counted.
        for message_id in (101, 102, 50, 103):
            store.append(public(message_id, "again" if message_id == 50 else ""))
        assert storage.flush()
        assert storage.status().not_saved == 1
    stored = rows_on_disk(folder)
    assert [m.id for m in stored] == list(range(1, 104))
    assert stored[49].text == "message 50"


def test_an_idle_writer_wakes_for_a_single_row_at_once(folder: Path):
    with open_storage(folder) as storage:
        storage.messages.append(public(1))
        assert storage.flush()
        time.sleep(0.3)  # past the writer's quiet time: it now sleeps on its queue
        storage.messages.append(public(2))
        # No flush: the row alone must wake the writer (a flush would wake it by itself). Unwoken, it would
        # write after MAINTENANCE_EVERY (60 s): 15 s still tells the two apart and leaves a loaded machine room.
        wait_until(lambda: len(rows_on_disk(folder)) == 2, timeout=15, message="the second row written")


class _Rows:
    def __init__(self) -> None:
        self.lost: list[tuple[int]] = []

    def committed(self, writes: object) -> None:
        pass

    def lost_writes(self, writes: object) -> None:
        pass

    def lost_rows(self, rows: list[tuple[int]]) -> None:
        self.lost += rows


@pytest.fixture
def row_writer(tmp_path: Path) -> Iterator[tuple[Writer[tuple[int]], _Rows, sqlite3.Connection]]:
    connection = sqlite3.connect(tmp_path / "t.db", isolation_level=None, check_same_thread=False)
    connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    record = _Rows()
    writer: Writer[tuple[int]] = Writer(
        connection,
        StatusBoard(None),
        record.committed,
        record.lost_writes,
        row_sql="INSERT INTO t (id) VALUES (?)",
        on_rows_lost=record.lost_rows,
    )
    writer.start()
    yield writer, record, connection
    writer.close()
    connection.close()


def test_rows_and_writes_keep_their_order_and_rows_stay_readable_until_committed(row_writer, tmp_path: Path):
    writer, record, _ = row_writer
    blocker = sqlite3.connect(tmp_path / "t.db", isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")  # the writer cannot commit: everything stays in memory
    try:
        for row_id in range(1, 2501):
            assert writer.submit_row((row_id,))
        assert writer.submit(Write("DELETE FROM t WHERE id = ?", (2500,)))
        wait_until(lambda: writer.waiting >= 2501, message="the writer holds everything")
        assert [row[0] for row in writer.unwritten_rows()] == list(range(1, 2501))
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert writer.flush(10)
    assert writer.unwritten_rows() == []
    with sqlite3.connect(tmp_path / "t.db") as reader:
        ids = [row[0] for row in reader.execute("SELECT id FROM t ORDER BY id")]
    assert ids == list(range(1, 2500))
    assert record.lost == []


def test_a_closed_writer_refuses_rows_and_one_too_far_behind_refuses_the_excess(row_writer, tmp_path: Path):
    writer, record, _ = row_writer
    writer._max_waiting = 5  # the real limit is 100,000; the rule is the same
    blocker = sqlite3.connect(tmp_path / "t.db", isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        accepted = [writer.submit_row((row_id,)) for row_id in range(1, 21)]
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert accepted[:5] == [True] * 5 and not all(accepted)
    assert writer.flush(10)
    writer.close()
    assert writer.submit_row((99,)) is False
    with sqlite3.connect(tmp_path / "t.db") as reader:
        count = reader.execute("SELECT count(*) FROM t").fetchone()[0]
    assert count == sum(accepted)
