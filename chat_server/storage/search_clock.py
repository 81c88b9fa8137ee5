"""How long one SEARCH may read the database: a deadline SQLite checks while it works (the searching thread).

    clock = SearchClock(SEARCH_SECONDS)
    store.search(..., clock=clock)      # each query of it stops once the time is up
    clock.ran_out                       # True: older messages were not searched

A search that cannot use the trigram index (short words, rows the indexer
has not reached yet) checks messages one by one, and over long CJK messages
that took seconds.  SQLite calls the clock's progress handler every few
thousand steps of a query; once the deadline has passed the handler stops
the query, which raises `sqlite3.OperationalError` ("interrupted").
`collect()` keeps the rows found up to then: the queries run newest first,
so those are the newest matches, and the search says it stopped early.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

SEARCH_SECONDS = 0.5
# SQLite virtual-machine steps between two looks at the clock: a few microseconds of work, or one
# call of a Python function (cf_contains over one message).
STEPS_BETWEEN_CHECKS = 1000


class SearchClock:
    """One search's deadline, shared by every query it makes; `ran_out` once any query was stopped."""

    def __init__(self, seconds: float | None = None) -> None:
        self.deadline = time.monotonic() + (SEARCH_SECONDS if seconds is None else seconds)
        self.ran_out = False

    def _over(self) -> int:
        if time.monotonic() < self.deadline:
            return 0
        self.ran_out = True
        return 1  # nonzero: SQLite interrupts the statement

    @contextlib.contextmanager
    def watching(self, connection: sqlite3.Connection) -> Iterator[None]:
        """Queries on `connection` stop at the deadline inside this block (the connection is pooled: removed after)."""
        connection.set_progress_handler(self._over, STEPS_BETWEEN_CHECKS)
        try:
            yield
        finally:
            connection.set_progress_handler(None, 0)


def collect(cursor: sqlite3.Cursor, clock: SearchClock | None) -> list[Any]:
    """The cursor's rows; with a clock, those found before it stopped the query (and none after)."""
    if clock is None:
        return cursor.fetchall()
    rows: list[Any] = []
    try:
        for row in cursor:
            rows.append(row)
    except sqlite3.OperationalError:
        if not clock.ran_out:
            raise
    return rows
