"""SqliteRoomStore: what outlives a room's last member (owner, topic, key hash), in memory and written behind (any thread).

A join reads this on every JOIN, so the whole table stays in memory
(a school has tens to hundreds of rooms). No policy: who may set a topic
or a key, and how a key is hashed, are decided by the caller.

A record is kept while its room has a topic, a key or a kept message
(chat_server/identity/rooms_kept.py); once retention or a clear has taken
its last message, nothing else ends it. `sweep_unclaimed`, called once at
start, drops those with nothing left and no account owner, so a term of
rooms made for fun does not pile up (a probe's 15 minutes of churn left
442 records).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Collection

from chat_server.storage.models import RoomRecord
from chat_server.storage.persist import Persister
from shared.names import name_key

# Records with nothing of their own: no topic, no key, no account owner (ACCOUNT_PREFIX, identity/owners.py), and
# no message kept in their room's conversation (models.room_conversation).
UNCLAIMED_SQL = (
    "SELECT key FROM rooms WHERE topic = '' AND key_hash IS NULL AND (owner IS NULL OR owner NOT LIKE 'a:%')"
    " AND NOT EXISTS (SELECT 1 FROM messages WHERE conv = '#' || rooms.key)"
)


class SqliteRoomStore:
    def __init__(self, persister: Persister, rooms: list[RoomRecord], unclaimed: frozenset[str] = frozenset()) -> None:
        self._persist = persister
        self._lock = threading.Lock()
        self._by_key = {room.key: room for room in rooms}
        self._unclaimed = unclaimed  # keys of records UNCLAIMED_SQL found at open, for sweep_unclaimed

    @staticmethod
    def find_unclaimed(connection: sqlite3.Connection) -> frozenset[str]:
        """The keys of records with no topic, key, account owner or kept message (the opening thread)."""
        return frozenset(key for (key,) in connection.execute(UNCLAIMED_SQL))

    @staticmethod
    def load(connection: sqlite3.Connection) -> list[RoomRecord]:
        rows = connection.execute(
            "SELECT key, name, owner_key, topic, key_hash, created_ms, owner FROM rooms"
        ).fetchall()
        return [
            RoomRecord(name, owner_key, topic, key_hash, created_ms, key, owner)
            for key, name, owner_key, topic, key_hash, created_ms, owner in rows
        ]

    def get(self, room: str) -> RoomRecord | None:
        with self._lock:
            return self._by_key.get(name_key(room))

    def put(self, record: RoomRecord) -> None:
        """Add the room or replace the one with the same name key."""
        with self._lock:
            self._by_key[record.key] = record
        self._persist.write(
            "INSERT INTO rooms (key, name, owner_key, topic, key_hash, created_ms, owner) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET name = excluded.name, owner_key = excluded.owner_key,"
            " topic = excluded.topic, key_hash = excluded.key_hash, created_ms = excluded.created_ms,"
            " owner = excluded.owner",
            record.key,
            record.name,
            record.owner_key,
            record.topic,
            record.key_hash,
            record.created_ms,
            record.owner,
        )

    def delete(self, room: str) -> bool:
        key = name_key(room)
        with self._lock:
            found = self._by_key.pop(key, None) is not None
        if found:
            self._persist.write("DELETE FROM rooms WHERE key = ?", key)
        return found

    def sweep_unclaimed(self, keep_owners: Collection[str]) -> list[str]:
        """Drop the records found unclaimed at open, unless owned by one of `keep_owners` (guests who may come back
        with RESUME across this restart); their names as shown. Call once, before anyone is served."""
        with self._lock:
            gone = [
                self._by_key.pop(key)
                for key in sorted(self._unclaimed)
                if key in self._by_key and self._by_key[key].owner not in keep_owners
            ]
            self._unclaimed = frozenset()
        for record in gone:
            self._persist.write("DELETE FROM rooms WHERE key = ?", record.key)
        return [record.name for record in gone]

    def list_all(self) -> list[RoomRecord]:
        with self._lock:
            return sorted(self._by_key.values(), key=lambda record: record.key)
