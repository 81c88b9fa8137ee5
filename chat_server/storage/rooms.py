"""SqliteRoomStore: what outlives a room's last member (owner, topic, key hash), in memory and written behind (any thread).

A join reads this on every JOIN, so the whole table stays in memory
(a school has tens to hundreds of rooms). No policy: who may set a topic
or a key, and how a key is hashed, are decided by the caller.
"""

from __future__ import annotations

import sqlite3
import threading

from chat_server.storage.models import RoomRecord
from chat_server.storage.persist import Persister
from shared.names import name_key


class SqliteRoomStore:
    def __init__(self, persister: Persister, rooms: list[RoomRecord]) -> None:
        self._persist = persister
        self._lock = threading.Lock()
        self._by_key = {room.key: room for room in rooms}

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

    def list_all(self) -> list[RoomRecord]:
        with self._lock:
            return sorted(self._by_key.values(), key=lambda record: record.key)
