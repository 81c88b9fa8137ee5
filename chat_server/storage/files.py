"""SqliteFileStore: shared files' metadata rows, in memory and written behind (any thread).

The bytes are the caller's business (they sit in the data folder under the
server's own `stored_name`); this keeps who sent what to whom, its size,
checksum and state. No policy: size limits, rate limits and name cleaning
are decided by the caller.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import threading

from chat_server.storage.models import FileRecord, FileState
from chat_server.storage.persist import Persister

_COLUMNS = (
    "file_id, message_id, stored_name, original_name, size, sha256, sender, time_ms, room, recipient, state,"
    " sender_key, room_key, recipient_key, sender_owner, recipient_owner, waiting"
)


class SqliteFileStore:
    def __init__(self, persister: Persister, files: list[FileRecord]) -> None:
        self._persist = persister
        self._lock = threading.Lock()
        self._by_id = {record.file_id: record for record in files}

    @staticmethod
    def load(connection: sqlite3.Connection) -> list[FileRecord]:
        rows = connection.execute(f"SELECT {_COLUMNS} FROM files").fetchall()
        return [dataclasses.replace(FileRecord(*row[:-1]), waiting=bool(row[-1])) for row in rows]

    def get(self, file_id: str) -> FileRecord | None:
        with self._lock:
            return self._by_id.get(file_id)

    def put(self, record: FileRecord) -> None:
        """Add the record or replace the one with the same file id."""
        with self._lock:
            self._by_id[record.file_id] = record
        self._persist.write(
            f"INSERT OR REPLACE INTO files ({_COLUMNS}) VALUES ({', '.join('?' * 17)})",
            record.file_id,
            record.message_id,
            record.stored_name,
            record.original_name,
            record.size,
            record.sha256,
            record.sender,
            record.time_ms,
            record.room,
            record.recipient,
            record.state,
            record.sender_key,
            record.room_key,
            record.recipient_key,
            record.sender_owner,
            record.recipient_owner,
            int(record.waiting),
        )

    def set_state(self, file_id: str, state: FileState) -> FileRecord | None:
        with self._lock:
            record = self._by_id.get(file_id)
            if record is None:
                return None
            record = self._by_id[file_id] = dataclasses.replace(record, state=state)
        self._persist.write("UPDATE files SET state = ? WHERE file_id = ?", state, file_id)
        return record

    def waiting_for(self, owner: str) -> list[FileRecord]:
        """Ready files sent to `owner` while nobody was logged in to it, oldest first; they stop waiting here."""
        with self._lock:
            found = [r for r in self._by_id.values() if r.waiting and r.recipient_owner == owner and r.state == "ready"]
            for record in found:
                self._by_id[record.file_id] = dataclasses.replace(record, waiting=False)
        for record in found:
            self._persist.write("UPDATE files SET waiting = 0 WHERE file_id = ?", record.file_id)
        return sorted(found, key=lambda record: (record.time_ms, record.file_id))

    def delete(self, file_id: str) -> bool:
        with self._lock:
            found = self._by_id.pop(file_id, None) is not None
        if found:
            self._persist.write("DELETE FROM files WHERE file_id = ?", file_id)
        return found

    def list_all(self) -> list[FileRecord]:
        with self._lock:
            return sorted(self._by_id.values(), key=lambda record: (record.time_ms, record.file_id))

    def older_than(self, time_ms: int) -> list[FileRecord]:
        """Records sent before `time_ms`: the caller removes their bytes, then `delete`s them."""
        with self._lock:
            return sorted((r for r in self._by_id.values() if r.time_ms < time_ms), key=lambda r: r.time_ms)
