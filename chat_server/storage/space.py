"""HistorySpace: how much room the message history may take in the database, past which its oldest rows go (writer thread).

The age limit (`--history-days`) alone did not bound the database: a class
within every rate limit (30 computers at 8,000 characters a second each)
grew it by 2.2 GB an hour of plain words and 13 GB an hour of rare
characters (the search index holds about 11 bytes per such character), so
a lesson could fill the teacher's disk, and a full disk stopped accounts,
bans and room keys from being saved too.

The bound (`--history-max-mb`) is on the pages the database uses, its free
pages not counted: SQLite reuses them, so once the oldest rows go the file
stops growing. The writer checks it between batches (three PRAGMAs, never
per message); past it, the history store deletes about the excess of its
oldest messages (`SqliteMessageStore.space_step`) and says so once.
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

MIB = 1024 * 1024
DEFAULT_MAX_MB = 2048


class Shortage(NamedTuple):
    """Why the oldest messages must go ("" when they need not), and how many bytes past the limit the history is."""

    reason: str = ""
    excess: int = 0


class HistorySpace:
    """The size limit of one database's history; `short_of_room` says whether it is passed (writer thread)."""

    def __init__(self, *, max_bytes: int = DEFAULT_MAX_MB * MIB) -> None:
        self.max_bytes = max_bytes

    def short_of_room(self, connection: sqlite3.Connection) -> Shortage:
        """Whether the oldest messages must go now, and how many bytes of them."""
        used = self.used_bytes(connection)
        if self.max_bytes and used > self.max_bytes:
            return Shortage(
                f"the history reached its size limit of {self.max_bytes // MIB} MB (--history-max-mb)",
                used - self.max_bytes,
            )
        return Shortage()

    @staticmethod
    def used_bytes(connection: sqlite3.Connection) -> int:
        """Bytes of the file's pages in use (its free pages not counted)."""
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        free_pages = connection.execute("PRAGMA freelist_count").fetchone()[0]
        return int((pages - free_pages) * page_size)
