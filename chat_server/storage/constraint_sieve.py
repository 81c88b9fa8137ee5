"""A batch that broke a constraint, written again one write at a time, keeping what passes (the writer thread).

Writer._write calls `sieve` after a batch raised IntegrityError and was
rolled back: each row and each write gets a savepoint of its own, those
that break a constraint are rolled back to it and dropped (and logged),
the rest are committed in one transaction. One bad row then never
blocks the rest of a batch (chat_server/storage/writer.py).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

log = logging.getLogger("chat_server.storage")

Row = TypeVar("Row", bound=tuple[Any, ...])


class Statement(Protocol):
    """A write as the writer queues it (writer.Write): its SQL and parameters."""

    @property
    def sql(self) -> str: ...

    @property
    def params(self) -> Sequence[object]: ...


W = TypeVar("W", bound=Statement)


@dataclass
class Sieved(Generic[W, Row]):
    """What one-at-a-time writing committed and what it dropped."""

    kept: list[W] = field(default_factory=list)
    dropped: list[W] = field(default_factory=list)
    kept_rows: list[Row] = field(default_factory=list)
    dropped_rows: list[Row] = field(default_factory=list)


def sieve(
    connection: sqlite3.Connection,
    writes: Sequence[W],
    rows: Sequence[Row],
    row_insert: Callable[[sqlite3.Connection, Sequence[Row]], None],
    before_commit: Callable[[sqlite3.Connection, Sequence[W], Sequence[Row]], None] | None,
) -> Sieved[W, Row]:
    """Commit every row and write that keeps the constraints; raise sqlite3.Error for any other failure.

    The caller rolls back on that error; nothing is committed then.
    """
    result: Sieved[W, Row] = Sieved()
    connection.execute("BEGIN IMMEDIATE")
    for row in rows:
        connection.execute("SAVEPOINT one")
        try:
            row_insert(connection, [row])
        except sqlite3.IntegrityError as error:
            connection.execute("ROLLBACK TO one")
            result.dropped_rows.append(row)
            log.error("storage: dropped a row that breaks a constraint (%s)", error)
        else:
            result.kept_rows.append(row)
        connection.execute("RELEASE one")
    for write in writes:
        connection.execute("SAVEPOINT one")
        try:
            connection.execute(write.sql, write.params)
        except sqlite3.IntegrityError as error:
            connection.execute("ROLLBACK TO one")
            result.dropped.append(write)
            log.error("storage: dropped a write that breaks a constraint (%s): %s", error, write.sql[:60])
        else:
            result.kept.append(write)
        connection.execute("RELEASE one")
    if before_commit is not None:
        before_commit(connection, result.kept, result.kept_rows)
    connection.execute("COMMIT")
    return result
