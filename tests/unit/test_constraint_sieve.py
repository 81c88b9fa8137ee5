"""Unit tests for chat_server/storage/constraint_sieve.py on a real SQLite file: what passes is kept, what breaks is dropped."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from chat_server.storage.constraint_sieve import sieve
from chat_server.storage.writer import Write


def open_table(folder: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(folder / "sieve.db", isolation_level=None)
    connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, word TEXT NOT NULL UNIQUE)")
    connection.execute("INSERT INTO t VALUES (1, 'taken')")
    return connection


def insert_rows(connection: sqlite3.Connection, rows: Sequence[tuple[int, str]]) -> None:
    connection.executemany("INSERT INTO t VALUES (?, ?)", rows)


def test_rows_and_writes_that_break_a_constraint_are_dropped_and_the_rest_committed(tmp_path: Path):
    connection = open_table(tmp_path)
    rows = [(2, "two"), (1, "duplicate id"), (3, "three"), (4, "taken")]
    writes = [
        Write("INSERT INTO t VALUES (?, ?)", (5, "five")),
        Write("INSERT INTO t VALUES (?, ?)", (6, None)),  # NOT NULL
        Write("UPDATE t SET word = ? WHERE id = ?", ("two", 3)),  # UNIQUE
        Write("UPDATE t SET word = ? WHERE id = ?", ("THREE", 3)),
    ]
    seen: list[tuple[int, int]] = []
    result = sieve(
        connection, writes, rows, insert_rows, lambda _c, kept, kept_rows: seen.append((len(kept), len(kept_rows)))
    )
    assert result.kept_rows == [(2, "two"), (3, "three")]
    assert result.dropped_rows == [(1, "duplicate id"), (4, "taken")]
    assert result.kept == [writes[0], writes[3]] and result.dropped == [writes[1], writes[2]]
    assert seen == [(2, 2)], "before_commit sees what is kept, inside the transaction"
    assert not connection.in_transaction
    assert connection.execute("SELECT id, word FROM t ORDER BY id").fetchall() == [
        (1, "taken"),
        (2, "two"),
        (3, "THREE"),
        (5, "five"),
    ]


def test_another_error_is_raised_for_the_caller_to_roll_back(tmp_path: Path):
    connection = open_table(tmp_path)
    writes = [Write("INSERT INTO t VALUES (?, ?)", (7, "seven")), Write("INSERT INTO missing VALUES (1)")]
    with pytest.raises(sqlite3.OperationalError):
        sieve(connection, writes, [(8, "eight")], insert_rows, None)
    connection.execute("ROLLBACK")
    assert connection.execute("SELECT count(*) FROM t").fetchone() == (1,), "nothing of that batch stays"
