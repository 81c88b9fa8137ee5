"""Salvage: what a damaged database set aside still gives up, copied into the fresh one (the opening thread).

A few damaged pages used to cost every account, ban and room key: a
student could then REGISTER the teacher's name (found by a probe), though
the set-aside file still read fine nearly everywhere. So after the move,
each table is read from the damaged copy (read-only) row by row in rowid
order, through the table itself (NOT INDEXED: a damaged index must not hide
rows), and each row goes into the fresh file as it was (message ids kept).
A read that meets a damaged page seeks past it: the rowids a seek cannot
reach are probed at growing distances, then narrowed down, so one damaged
page loses only the rows it held. A row the fresh table refuses (a broken
value) is counted and left out. `salvage_into` returns the sentence the
admin reads with the move's notice.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from chat_server.storage.file_uri import read_only_uri

log = logging.getLogger("chat_server.storage")

# The safeguards first (who may use which name, who is banned, which rooms are locked), the bulk last.
TABLES = ("accounts", "sanctions", "rooms", "login_addresses", "accounts_made", "ignores", "files", "messages")
WORDS = {  # (one, several)
    "accounts": ("account", "accounts"),
    "sanctions": ("ban or mute", "bans and mutes"),
    "rooms": ("room", "rooms"),
    "login_addresses": ("known login computer", "known login computers"),
    "accounts_made": ("new account of the day", "new accounts of the day"),
    "ignores": ("ignore between accounts", "ignores between accounts"),
    "files": ("shared file", "shared files"),
    "messages": ("message", "messages"),
}
LOWEST_ROWID = -(2**63)
HIGHEST_ROWID = 2**63 - 1
BATCH = 500


@dataclass
class TableSalvage:
    table: str
    copied: int = 0
    refused: int = 0  # read, but the fresh table would not take it
    gaps: list[tuple[int, int | None]] = field(default_factory=list)  # (last rowid read, next rowid read or None)
    unreadable: str = ""  # why nothing could be read at all

    def describe(self) -> str:
        one, several = WORDS[self.table]
        if self.unreadable:
            return f"no {several} ({self.unreadable})"
        words = f"{self.copied} {one if self.copied == 1 else several}"
        lost = []
        if self.gaps:
            lost.append(f"{len(self.gaps)} unreadable part{'s' if len(self.gaps) != 1 else ''} lost")
        if self.refused:
            lost.append(f"{self.refused} broken row{'s' if self.refused != 1 else ''} left out")
        return f"{words} ({', '.join(lost)})" if lost else words


def salvage_into(aside: Path, fresh: sqlite3.Connection) -> str:
    """Copy every readable row of the set-aside file into `fresh` (autocommit, schema current); what was saved.

    Never raises for a database error: salvage is a bonus on the way to a working store.
    """
    try:
        source = sqlite3.connect(read_only_uri(aside), uri=True, timeout=0.5)
    except sqlite3.Error as error:
        return f"nothing could be salvaged from it ({error})"
    results: list[TableSalvage] = []
    try:
        source.execute("PRAGMA query_only = ON")
        for table in TABLES:
            results.append(_salvage_table(source, fresh, table))
    finally:
        source.close()
    quiet = ("login_addresses", "accounts_made", "ignores")  # bookkeeping: named only when something of it was lost
    shown = [result for result in results if result.table not in quiet or result.unreadable or result.gaps]
    if all(result.unreadable for result in results):
        return f"nothing could be salvaged from it ({results[0].unreadable})"
    return "salvaged from it: " + ", ".join(result.describe() for result in shown)


def _salvage_table(source: sqlite3.Connection, fresh: sqlite3.Connection, table: str) -> TableSalvage:
    result = TableSalvage(table)
    try:
        wanted = [row[1] for row in fresh.execute(f"PRAGMA table_info({table})")]
        present = {row[1] for row in source.execute(f"PRAGMA table_info({table})")}
    except sqlite3.DatabaseError as error:
        result.unreadable = f"its list of tables is damaged: {error}"
        return result
    if not present:
        result.unreadable = "not in the damaged file"
        return result
    columns = [column for column in wanted if column in present]
    names = ", ".join(columns)
    select = f"SELECT rowid, {names} FROM {table} NOT INDEXED WHERE rowid > ? ORDER BY rowid"
    insert = f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({', '.join('?' for _ in columns)})"
    try:
        fresh.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as error:
        result.unreadable = f"the fresh database would not take it: {error}"
        return result
    try:
        after = LOWEST_ROWID
        while True:
            rows, after, done = _read_batch(source, select, after, result)
            for row in rows:
                try:
                    added = fresh.execute(insert, row[1:]).rowcount
                except sqlite3.DatabaseError:
                    added = 0
                if added:
                    result.copied += 1
                else:
                    result.refused += 1
            if done:
                break
        fresh.execute("COMMIT")
    except sqlite3.Error as error:
        if fresh.in_transaction:
            fresh.execute("ROLLBACK")
        result.copied, result.unreadable = 0, f"the fresh database would not take it: {error}"
    if result.gaps:
        log.warning("storage: salvage of %s skipped damaged parts after rowids %s", table, result.gaps)
    return result


def _read_batch(
    source: sqlite3.Connection, select: str, after: int, result: TableSalvage
) -> tuple[list[tuple[object, ...]], int, bool]:
    """Up to BATCH rows after rowid `after`: (rows, the last rowid read, whether the table is done).

    A damaged page ends the batch early; the next read resumes past it, and the gap is noted.
    """
    rows: list[tuple[object, ...]] = []
    try:
        cursor = source.execute(select, (after,))
        while len(rows) < BATCH:
            row = cursor.fetchone()
            if row is None:
                return rows, after, True
            rows.append(row)
            after = int(row[0])
        cursor.close()
        return rows, after, False
    except sqlite3.DatabaseError:
        resume = _first_readable_after(source, select, after)
        result.gaps.append((after, resume))
        if resume is None:
            return rows, after, True
        return rows, resume - 1, False


def _first_readable_after(source: sqlite3.Connection, select: str, after: int) -> int | None:
    """The lowest rowid above `after` that a seek can reach (None: none can), skipping a damaged page's range.

    Seeks to after+1, +2, +4, ... until one reads; then halves the distance back
    to the last failing seek, so the rows lost are about those the damaged page held.
    """
    step = 1
    while after + step <= HIGHEST_ROWID:
        if _seek(source, select, after + step)[0]:
            break
        step *= 2
    else:
        return None
    low, high = (after if step == 1 else after + step // 2), after + step  # low fails, high reads
    while high - low > 1:
        middle = (low + high) // 2
        if _seek(source, select, middle)[0]:
            high = middle
        else:
            low = middle
    return _seek(source, select, high)[1]


def _seek(source: sqlite3.Connection, select: str, start: int) -> tuple[bool, int | None]:
    """(whether the read worked, the first rowid at or above `start` or None if there is none)."""
    try:
        row = source.execute(select, (start - 1,)).fetchone()
    except sqlite3.DatabaseError:
        return False, None
    return True, None if row is None else int(row[0])
