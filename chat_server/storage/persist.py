"""Persister: how the small tables (accounts, bans, rooms, files) hand their changes to the writer (any thread).

Those tables live in memory, loaded once at open, and every change is
written behind: the in-memory copy changes at once (so reads are cheap and
see the change), and the SQL goes to the writer thread. With no database,
or a writer too far behind, the change is counted as not saved.
"""

from __future__ import annotations

from typing import Any

from chat_server.storage.status import StatusBoard
from chat_server.storage.writer import Write, Writer


class Persister:
    def __init__(self, writer: Writer[Any] | None, status: StatusBoard) -> None:
        self._writer = writer
        self._status = status

    def write(self, sql: str, *params: object) -> None:
        if self._writer is None or not self._writer.submit(Write(sql, params)):
            self._status.count_change_not_saved()
