"""Many rows in few statements: a one-row INSERT sent ROWS_PER_INSERT rows at a time (the writer thread).

executemany runs one statement per row and lets go of the GIL around each
one; the storage writer's batches of 1,000 messages then meant 1,000 GIL
hand-overs, which cost every other thread (and 20 to 25% more of the
writer's time) compared with 20 statements of 50 rows.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain

# 50 rows of the 10 message columns stay far below the 999 variables an old SQLite allows in one statement.
ROWS_PER_INSERT = 50

_ONE_ROW_INSERT = re.compile(r"(?is)\s*INSERT\b.*\bVALUES\s*(\(\s*\?(?:\s*,\s*\?)*\s*\))\s*")


@lru_cache(maxsize=16)
def many_rows(sql: str) -> tuple[str, int] | None:
    """`sql` as an INSERT of ROWS_PER_INSERT rows, and its ? per row; None unless it is `INSERT ... VALUES (?, ...)`."""
    match = _ONE_ROW_INSERT.fullmatch(sql)
    if match is None:
        return None
    row = match.group(1)
    return sql[: match.start(1)] + ",".join([row] * ROWS_PER_INSERT) + sql[match.end(1) :], row.count("?")


def execute_many(
    connection: sqlite3.Connection, sql: str, rows: Sequence[Sequence[object]], *, checked: bool = False
) -> None:
    """executemany(sql, rows), but a one-row INSERT goes ROWS_PER_INSERT rows per statement.

    executemany runs one statement per row and lets go of the GIL around
    each one; a flood's batch of 1,000 messages then meant 1,000 GIL
    hand-overs and 20 to 25% more of the writer's time than 20 statements
    of 50 rows (measured with the message table).  Same rows, same order,
    same errors: a constraint broken anywhere fails the whole transaction
    either way (see Writer._write). `checked`: every row is known to have
    the statement's number of values (the row lane's), so skip counting them.
    """
    many = many_rows(sql)
    whole = len(rows) - len(rows) % ROWS_PER_INSERT if many is not None else 0
    if many is not None and (checked or all(len(row) == many[1] for row in rows[:whole])):
        for start in range(0, whole, ROWS_PER_INSERT):
            connection.execute(many[0], list(chain.from_iterable(rows[start : start + ROWS_PER_INSERT])))
    else:
        whole = 0
    if whole < len(rows):
        connection.executemany(sql, rows[whole:])


def execute_rows(connection: sqlite3.Connection, sql: str, rows: Sequence[Sequence[object]]) -> None:
    """Rows that all have the number of values of `sql`'s one-row INSERT, ROWS_PER_INSERT to a statement."""
    execute_many(connection, sql, rows, checked=True)
