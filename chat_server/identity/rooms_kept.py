"""Rooms that outlive their members: owner, topic and key from the rooms table (handler threads, registry lock held).

PROTOCOL.md (Version 2, Identity): the room's owner is whoever made it;
its owner, topic and key outlive its last member.  How:

- When a room is made (the registry calls `created`), its record is read
  from the rooms table, or, for a new name, written with the maker as its
  owner.  The live Room carries topic, owner and key hash from then on.
- When its last member leaves (`emptied`), the record stays if the room
  has a topic or a key, was kept before, or had a message this time;
  otherwise it goes again, so a student making rooms `a1`, `a2`... for fun
  leaves nothing behind, while a group's room with its key is kept.
- The owner is a nickname key.  If that name has an account, only a
  connection logged in to it counts as the owner; if not, whoever holds
  the name does (so register a name you make rooms under).

A locked room's kept messages are for those who may enter it without
telling its key again: its members, its owner and teachers
(`check_readable`, which HISTORY and SEARCH of a named room call).

Every look-up here is in memory (the storage's tables), every change is
queued for its writer: nothing does I/O under the lock.
"""

from __future__ import annotations

import time

from chat_server.registry import ChatRegistry, Room
from chat_server.session import Session
from chat_server.storage import RoomRecord, Storage
from shared.errors import ErrorCode, ProtocolError


class KeptRooms:
    """The registry's RoomLife: keeps the rooms table and the room look-alike index in step with live rooms."""

    def __init__(self, registry: ChatRegistry, storage: Storage) -> None:
        self.registry = registry
        self.storage = storage

    def created(self, room: Room, creator: Session) -> None:
        record = self.storage.rooms.get(room.name)
        if record is None:
            record = RoomRecord(room.name, owner_key=creator.key, created_ms=int(time.time() * 1000))
            self.storage.rooms.put(record)
            self.registry.room_index.add(record.name)
        else:
            room.kept = True
            room.name = record.name  # shown as it was first made
        room.topic, room.owner_key, room.key_hash = record.topic, record.owner_key, record.key_hash
        room.owner = creator.nick or "" if record.owner_key == creator.key else self.owner_shown(record.owner_key)

    def emptied(self, room: Room) -> None:
        if room.kept or room.topic or room.key_hash is not None or room.messages:
            return
        if self.storage.rooms.delete(room.name):
            self.registry.room_index.discard(room.name)

    def save(self, room: Room) -> None:
        """Write the live room's topic and key to its record (after TOPIC or KEY)."""
        record = self.storage.rooms.get(room.name)
        created_ms = record.created_ms if record is not None else int(time.time() * 1000)
        self.storage.rooms.put(RoomRecord(room.name, room.owner_key, room.topic, room.key_hash, created_ms))
        if record is None:
            self.registry.room_index.add(room.name)
        self.registry.rooms_version += 1  # the `rooms` push carries topic and lock

    def record(self, name: str) -> RoomRecord | None:
        return self.storage.rooms.get(name)

    def is_owner(self, session: Session, owner_key: str | None) -> bool:
        if owner_key is None or session.key != owner_key:
            return False
        if self.storage.accounts.get(owner_key) is None:
            return True
        return session.account == owner_key

    def check_readable(self, session: Session, name: str, is_teacher: bool) -> None:
        """Raise `bad_room_key` unless `session` may read the kept messages of room `name` (lock held)."""
        room = self.registry.find_room(name)
        record = self.record(name) if room is None else None
        key_hash = room.key_hash if room is not None else record.key_hash if record is not None else None
        if key_hash is None or is_teacher or (room is not None and session.room is room):
            return
        owner_key = room.owner_key if room is not None else record.owner_key if record is not None else None
        if self.is_owner(session, owner_key):
            return
        shown = room.name if room is not None else record.name if record is not None else name
        raise ProtocolError(
            ErrorCode.BAD_ROOM_KEY,
            f"#{shown} is locked: its messages are for its members. Join it with its key first: /join {shown} KEY.",
        )

    def owner_shown(self, owner_key: str | None) -> str:
        """The owner's nickname as people see it: online, else as registered, else its key ("" for none)."""
        if owner_key is None:
            return ""
        holder = self.registry.by_nick.get(owner_key)
        if holder is not None and holder.nick:
            return holder.nick
        account = self.storage.accounts.get(owner_key)
        return account.nick if account is not None else owner_key
