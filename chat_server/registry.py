"""Rooms, nicknames and message ids: the server's shared state, under one lock.

Every handler thread reads and changes this state only while holding
`ChatRegistry.lock`, and frames are queued on the recipients' outboxes
before the lock is released.  Since ids are assigned under the same lock,
every member of a room queues that room's messages in id order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from chat_server.session import Session
from shared.frames import Frame, encode_frame
from shared.names import name_key

Listener = Callable[[str, dict[str, Any]], None]


@dataclass(eq=False)
class Room:
    name: str
    key: str
    members: dict[Session, None] = field(default_factory=dict)  # ordered set, join order
    messages: int = 0

    def nicks(self) -> list[str]:
        return [member.nick for member in self.members if member.nick]


class ChatRegistry:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sessions: dict[Session, None] = {}
        self.by_nick: dict[str, Session] = {}
        self.rooms: dict[str, Room] = {}
        self._last_id = 0
        self._listeners: list[Listener] = []

    # -- events for observers (the admin window); called under the lock --
    def add_listener(self, listener: Listener) -> None:
        with self.lock:
            self._listeners = [*self._listeners, listener]

    def remove_listener(self, listener: Listener) -> None:
        with self.lock:
            self._listeners = [item for item in self._listeners if item is not listener]

    def emit(self, event: str, **data: Any) -> None:
        """Tell observers what changed; a listener must only queue, never block."""
        for listener in self._listeners:
            listener(event, data)

    @property
    def has_listeners(self) -> bool:
        return bool(self._listeners)

    # -- queries, under the lock --
    def next_id(self) -> int:
        self._last_id += 1
        return self._last_id

    def find_nick(self, nick: str) -> Session | None:
        return self.by_nick.get(name_key(nick))

    def find_room(self, name: str) -> Room | None:
        return self.rooms.get(name_key(name))

    def online_nicks(self) -> list[str]:
        return sorted((s.nick for s in self.by_nick.values() if s.nick), key=name_key)

    # -- changes, under the lock --
    def add_session(self, session: Session) -> None:
        self.sessions[session] = None
        self.emit("client_connected", session=session)

    def set_nick(self, session: Session, nick: str) -> str | None:
        """Give `session` the nickname; return its old one."""
        old = session.nick
        if session.key is not None:
            self.by_nick.pop(session.key, None)
        session.nick = nick
        session.key = name_key(nick)
        self.by_nick[session.key] = session
        self.emit("client_nick", session=session, old=old)
        return old

    def join_room(self, session: Session, name: str) -> Room:
        key = name_key(name)
        room = self.rooms.get(key)
        if room is None:
            room = self.rooms[key] = Room(name, key)
            self.emit("room_created", room=room)
        room.members[session] = None
        session.room = room
        self.emit("room_joined", session=session, room=room)
        return room

    def leave_room(self, session: Session) -> Room | None:
        room = session.room
        if room is None:
            return None
        room.members.pop(session, None)
        session.room = None
        self.emit("room_left", session=session, room=room)
        if not room.members:
            del self.rooms[room.key]
            self.emit("room_closed", room=room)
        return room

    def remove_session(self, session: Session) -> Room | None:
        """Forget a connection: its room membership, its nickname, itself."""
        room = self.leave_room(session)
        if session.key is not None and self.by_nick.get(session.key) is session:
            del self.by_nick[session.key]
        self.sessions.pop(session, None)
        self.emit("client_disconnected", session=session)
        return room

    # -- delivery, under the lock --
    @staticmethod
    def deliver(recipients: Iterable[Session], frame: Frame) -> None:
        """Queue one frame for each recipient, encoding the JSON once."""
        data = None
        for session in recipients:
            if session.text_mode:
                session.send(frame)
            else:
                if data is None:
                    data = encode_frame(frame)
                session.outbox.put(data)
