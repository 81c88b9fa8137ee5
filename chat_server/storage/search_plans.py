"""The SQL behind a search, as Fetch functions the history store runs on a reader connection (caller's thread).

A room search asks the trigram index for candidates (after scanning the
rows the index has not reached yet), with the query's rarest trigrams
(search_terms.py), and checks each candidate exactly; a
query of short words only, or a damaged index, scans the newest messages
of the room instead. A private search walks the asker's own private
messages through their two indexes: a person has few, so that is faster
than the index and cannot return anybody else's.

Every query of a search runs newest first and stops when the search's
SearchClock runs out (search_clock.py); it then vouches only for the rows
it found, and the search says it stopped early.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from chat_server.storage.database import is_corruption
from chat_server.storage.search_clock import SearchClock, collect
from chat_server.storage.search_query import SearchQuery
from chat_server.storage.search_sender import SenderFilter, sender_condition
from chat_server.storage.search_terms import TrigramStats
from chat_server.storage.search_terms import expression as fts_expression

SHORT_QUERY_SCAN = 20_000
# The frontier of a query stopped before it found anything: higher than any id, so it vouches for nothing.
NOTHING_VOUCHED = 2**63 - 1

# The columns in StoredMessage's field order: a row is a StoredMessage, and a StoredMessage is the INSERT's parameters.
COLUMNS = (
    "m.id, m.conv, m.room, m.sender, m.sender_key, m.recipient, m.recipient_key, m.text, m.time_ms, m.kind,"
    " m.sender_owner, m.recipient_owner, m.reply_to, m.reply_sender, m.reply_excerpt"
)

# fetch(connection, n): at least the n nearest rows it has (nearest first), and its frontier: the id
# of the farthest row it vouches for, past which it did not look; None when it returned everything.
Fetch = Callable[[sqlite3.Connection, int], tuple[list[Any], int | None]]


def frontier(rows: list[Any], count: int) -> int | None:
    """For a query with LIMIT count: its last row's id if it was cut off, else None (it said everything)."""
    return rows[-1][0] if len(rows) >= count else None


def reached(rows: list[Any], count: int, clock: SearchClock | None) -> int | None:
    """frontier(), or, for a query the clock stopped, the id of the last row it found (nothing vouched if none)."""
    if clock is not None and clock.ran_out:
        return rows[-1][0] if rows else NOTHING_VOUCHED
    return frontier(rows, count)


def watched(fetch: Fetch, clock: SearchClock | None) -> Fetch:
    """`fetch` with the clock watching its queries; stopped before any query gave rows, it vouches for nothing."""
    if clock is None:
        return fetch

    def run(connection: sqlite3.Connection, count: int) -> tuple[list[Any], int | None]:
        with clock.watching(connection):
            try:
                return fetch(connection, count)
            except sqlite3.OperationalError:
                if not clock.ran_out:
                    raise
                return [], NOTHING_VOUCHED

    return run


def newest_of(parts: list[Fetch]) -> Fetch:
    """One Fetch (newest first) over several: rows of all, trusted down to the highest frontier among them."""
    return nearest_of(parts, descending=True)


def nearest_of(parts: list[Fetch], descending: bool) -> Fetch:
    """One Fetch over several in the same order: rows of all, trusted only as far as every part's answer reaches.

    Newest first (descending), that is down to the highest frontier among
    them; oldest first, up to the lowest.  A row two parts both found comes
    twice (the readers merge by id).
    """
    if len(parts) == 1:
        return parts[0]

    def fetch(connection: sqlite3.Connection, count: int) -> tuple[list[Any], int | None]:
        rows: list[Any] = []
        frontiers: list[int] = []
        for part in parts:
            part_rows, part_frontier = part(connection, count)
            rows += part_rows
            if part_frontier is not None:
                frontiers.append(part_frontier)
        rows.sort(key=lambda row: row[0], reverse=descending)
        if not frontiers:
            return rows, None
        return rows, max(frontiers) if descending else min(frontiers)

    return fetch


def room_search(
    conv: str,
    query: SearchQuery,
    cutoff: int,
    damaged: Callable[[str], None],
    stats: TrigramStats,
    clock: SearchClock | None = None,
    before: int = NOTHING_VOUCHED,
    sender: SenderFilter | None = None,
) -> Fetch:
    """Newest first: messages of one room with every word (and from `sender`), with ids below `before` (the next
    page of a search); `damaged(reason)` hears of a damaged index."""
    conditions, condition_params = _conditions(query, sender)
    trigrams = query.trigrams()

    def scan(connection: sqlite3.Connection, count: int) -> tuple[list[Any], int | None]:
        """The newest SHORT_QUERY_SCAN messages of the room below `before`, checked one by one."""
        bound = connection.execute(
            "SELECT id FROM messages WHERE conv = ? AND id < ? ORDER BY id DESC LIMIT 1 OFFSET ?",
            (conv, before, SHORT_QUERY_SCAN - 1),
        ).fetchone()
        cursor = connection.execute(
            f"SELECT {COLUMNS} FROM messages AS m WHERE m.conv = ? AND m.id >= ? AND m.id < ? AND m.time_ms >= ?"
            f"{conditions} ORDER BY m.id DESC LIMIT ?",
            (conv, bound[0] if bound else 0, before, cutoff, *condition_params, count),
        )
        rows = collect(cursor, clock)
        return rows, reached(rows, count, clock)

    def by_sender(connection: sqlite3.Connection, count: int) -> tuple[list[Any], int | None]:
        """The room's messages from `sender` below `before`, newest first, for as long as the clock lets it read."""
        cursor = connection.execute(
            f"SELECT {COLUMNS} FROM messages AS m WHERE m.conv = ? AND m.id < ? AND m.time_ms >= ?"
            f"{conditions} ORDER BY m.id DESC LIMIT ?",
            (conv, before, cutoff, *condition_params, count),
        )
        rows = collect(cursor, clock)
        return rows, reached(rows, count, clock)

    if not trigrams:
        # Too short for the trigram index. By sender: no bound of SHORT_QUERY_SCAN rows, or a student's last
        # month would never be reached past today's 20,000 messages; the clock bounds it (stopped_early).
        return by_sender if sender is not None else scan

    def indexed(connection: sqlite3.Connection, count: int) -> tuple[list[Any], int | None]:
        # Rows above `fts_upto` are not in the index yet: scan them, then ask the index for the
        # rest, in one read transaction so that the mark and the index agree.
        newest: list[Any] = []
        checked_down_to = NOTHING_VOUCHED  # for a search the clock stops: every row above it was checked
        connection.execute("BEGIN")
        try:
            upto = connection.execute("SELECT value FROM meta WHERE key = 'fts_upto'").fetchone()[0]
            newest = collect(
                connection.execute(
                    f"SELECT {COLUMNS} FROM messages AS m WHERE m.conv = ? AND m.id > ? AND m.id < ?"
                    f" AND m.time_ms >= ?{conditions} ORDER BY m.id DESC LIMIT ?",
                    (conv, upto, before, cutoff, *condition_params, count),
                ),
                clock,
            )
            if len(newest) >= count or (clock is not None and clock.ran_out):
                return newest, reached(newest, count, clock)
            checked_down_to = min(upto + 1, before)
            expression = fts_expression(stats.choose(connection, trigrams, upto))
            older = collect(
                connection.execute(
                    f"SELECT {COLUMNS} FROM messages_fts CROSS JOIN messages AS m ON m.id = messages_fts.rowid"
                    f" WHERE messages_fts MATCH ? AND messages_fts.rowid < ? AND m.conv = ? AND m.time_ms >= ?"
                    f"{conditions} ORDER BY messages_fts.rowid DESC LIMIT ?",
                    (expression, before, conv, cutoff, *condition_params, count),
                ),
                clock,
            )
        except sqlite3.DatabaseError as error:
            if clock is not None and clock.ran_out and isinstance(error, sqlite3.OperationalError):
                # Stopped between the two queries (choosing trigrams): the unindexed rows found still count.
                return newest, checked_down_to
            if not is_corruption(error):
                raise
            # A damaged index: say so once, and go on searching the newest messages without it.
            damaged(str(error))
            connection.execute("ROLLBACK")
            return scan(connection, count)
        finally:
            if connection.in_transaction:
                connection.execute("COMMIT")
        if clock is not None and clock.ran_out:
            # Every row above `upto` was checked; of the indexed ones, those down to the last found.
            return newest + older, (older[-1][0] if older else checked_down_to)
        return newest + older, frontier(older, count)

    return indexed


def every_room_search(
    sender: SenderFilter,
    query: SearchQuery,
    cutoff: int,
    clock: SearchClock | None = None,
    before: int = NOTHING_VOUCHED,
) -> Fetch:
    """Newest first: one person's messages in every room (no private ones), with every word, ids below `before`.

    A teacher's search after a complaint.  It walks the table newest first
    (its id) and checks the sender of each row: a person has few messages
    among many, so the clock may stop it early (stopped_early says so).
    """
    conditions, condition_params = _conditions(query, sender)

    def scan(connection: sqlite3.Connection, count: int) -> tuple[list[Any], int | None]:
        cursor = connection.execute(
            f"SELECT {COLUMNS} FROM messages AS m WHERE m.id < ? AND m.recipient_key IS NULL AND m.time_ms >= ?"
            f"{conditions} ORDER BY m.id DESC LIMIT ?",
            (before, cutoff, *condition_params, count),
        )
        rows = collect(cursor, clock)
        return rows, reached(rows, count, clock)

    return scan


def private_search(
    asker_key: str,
    query: SearchQuery,
    cutoff: int,
    owners: tuple[str, ...] | None = None,
    clock: SearchClock | None = None,
    before: int = NOTHING_VOUCHED,
    sender: SenderFilter | None = None,
) -> Fetch:
    """The asker's own private messages with ids below `before` (from `sender` when given), through the two
    private-message indexes.

    With `owners` (what the server passes): the messages one of them sent or
    received; without, by nickname key (tools that look at a whole database).
    """
    conditions, condition_params = _conditions(query, sender)
    if owners is None:
        scope = "(m.recipient_key = ? OR (m.sender_key = ? AND m.recipient_key IS NOT NULL))"
        scope_params: tuple[object, ...] = (asker_key, asker_key)
    else:
        marks = ", ".join("?" * len(owners)) or "NULL"
        scope = f"(m.recipient_owner IN ({marks}) OR (m.sender_owner IN ({marks}) AND m.recipient_key IS NOT NULL))"
        scope_params = (*owners, *owners)

    def scan(connection: sqlite3.Connection, count: int) -> tuple[list[Any], int | None]:
        cursor = connection.execute(
            f"SELECT {COLUMNS} FROM messages AS m"
            f" WHERE {scope}"
            f" AND m.id < ? AND m.time_ms >= ?{conditions} ORDER BY m.id DESC LIMIT ?",
            (*scope_params, before, cutoff, *condition_params, count),
        )
        rows = collect(cursor, clock)
        return rows, reached(rows, count, clock)

    return scan


def _conditions(query: SearchQuery, sender: SenderFilter | None) -> tuple[str, list[object]]:
    """The words' conditions, then the sender's: SQL text with `?` marks only, and their parameters."""
    words, word_params = query.sql_conditions()
    by, by_params = sender_condition(sender)
    return words + by, word_params + by_params
