"""The read side of the message store: one query on a pooled reader, merged with what is not written yet (any caller thread).

A mixin of SqliteMessageStore (history.py), kept apart so each file holds
one job: history.py decides what to ask, this runs the asking.  A read that
fails (a locked or damaged file) answers from memory and is logged once per
reason; damage is reported through `damaged`.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Sequence
from typing import Any

from chat_server.storage.database import Database, describe_error, is_corruption
from chat_server.storage.models import StoredMessage
from chat_server.storage.recent import RecentMessages
from chat_server.storage.search_clock import SearchClock
from chat_server.storage.search_plans import Fetch, frontier

log = logging.getLogger("chat_server.storage")


def row_message(row: Sequence[Any]) -> StoredMessage:
    return StoredMessage(*row)


class HistoryReads:
    """What SqliteMessageStore sets up in its constructor, and the reads built on it."""

    _db: Database | None
    _recent: RecentMessages
    _read_failures: set[str]
    _read_failures_lock: threading.Lock

    def damaged(self, reason: str) -> None:
        raise NotImplementedError

    def _cutoff_ms(self) -> int:
        raise NotImplementedError

    @staticmethod
    def _fetcher(sql: str, params: list[object]) -> Fetch:
        """A Fetch for one query whose last parameter is its LIMIT."""

        def fetch(connection: sqlite3.Connection, count: int) -> tuple[list[Any], int | None]:
            rows = connection.execute(sql, (*params, count)).fetchall()
            return rows, frontier(rows, count)

        return fetch

    def _merge_nearest(
        self,
        fetch: Fetch,
        unwritten: list[StoredMessage],
        want: int,
        descending: bool,
        *,
        strict: bool = False,
        clock: SearchClock | None = None,
    ) -> list[StoredMessage]:
        """The `want` nearest visible messages of the database's answer and `unwritten`, nearest first.

        The database's rows are trusted only up to the frontier the fetch
        reports; if deletions thin them out below `want` there, it asks again
        for more (unless the search's `clock` ran out: then what it has).
        """
        cutoff = self._cutoff_ms()
        count = want
        while True:
            rows, frontier = self._read(fetch, count, strict=strict)
            merged = {message.id: message for message in map(row_message, rows)}
            merged.update((message.id, message) for message in unwritten)
            ordered = [merged[key] for key in sorted(merged, reverse=descending)]
            visible = self._recent.visible(ordered, cutoff)
            if frontier is not None:
                visible = [m for m in visible if (m.id >= frontier if descending else m.id <= frontier)]
            if frontier is None or len(visible) >= want or (clock is not None and clock.ran_out):
                return visible[:want]
            count *= 2

    def _read(self, fetch: Fetch, count: int, *, strict: bool = False) -> tuple[list[Any], int | None]:
        """fetch() on a pooled reader; nothing (logged once per reason) if the database cannot be read."""
        if self._db is None:
            return [], None
        try:
            with self._db.reading() as connection:
                return fetch(connection, count)
        except sqlite3.Error as error:
            if is_corruption(error):
                self.damaged(str(error))
            reason = describe_error(error)
            with self._read_failures_lock:
                first = reason not in self._read_failures
                self._read_failures.add(reason)
            if first:
                log.warning("storage: reading history failed (%s); answering from memory", reason)
            if strict:
                raise
            return [], None

    def _rows(self, sql: str, params: Sequence[object]) -> list[Any]:
        """All rows of a small read query (no LIMIT parameter)."""

        def fetch(connection: sqlite3.Connection, count: int) -> tuple[list[Any], int | None]:
            return connection.execute(sql, params).fetchall(), None

        return self._read(fetch, 0)[0]
