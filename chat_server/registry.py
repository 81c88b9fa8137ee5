"""Rooms, nicknames, message ids and per-address counts: the server's shared state, under one lock.

Every handler thread reads and changes this state only while holding
`ChatRegistry.lock`, and frames are queued on the recipients' outboxes
before the lock is released.  Since ids are assigned under the same lock,
every member of a room queues that room's messages in id order.  Nothing
here does I/O: no socket call, no disk, no logging.
"""

from __future__ import annotations

import bisect
import collections
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from chat_server.ignoring import IgnoreBook
from chat_server.name_holders import NameHolders
from chat_server.outbox import Outbox
from chat_server.resume_tokens import ParkedSessions
from chat_server.session import Session
from chat_server.superseded_tokens import SupersededTokens
from shared.frames import Frame, encode_frame
from shared.lookalike import LookalikeIndex
from shared.names import name_key

Listener = Callable[[str, dict[str, Any]], None]


class RoomLife(Protocol):
    """What happens to what outlives a room (owner, topic, key) when it is made and when it empties (lock held)."""

    def created(self, room: Room, creator: Session) -> None: ...

    def emptied(self, room: Room) -> None: ...


@dataclass(eq=False)
class Room:
    name: str
    key: str
    members: dict[Session, None] = field(default_factory=dict)  # ordered set, join order
    messages: int = 0
    # From the rooms table (chat_server/identity/rooms_kept.py): they outlive the last member.
    topic: str = ""
    owner_key: str | None = None  # the name key it was made under
    owner_id: str | None = None  # who owns it: an account or one guest's session (identity/owners.py)
    owner: str = ""  # the owner's nickname as shown
    key_hash: str | None = None
    kept: bool = False  # its record was in the rooms table before this room was made

    @property
    def locked(self) -> bool:
        return self.key_hash is not None

    def nicks(self) -> list[str]:
        return [member.nick for member in self.members if member.nick]


class ChatRegistry:
    def __init__(self, resume_seconds: float = 0.0) -> None:
        self.lock = threading.Lock()
        self.sessions: dict[Session, None] = {}
        self.by_nick: dict[str, Session] = {}
        self.rooms: dict[str, Room] = {}
        self.nick_keys: list[str] = []  # the keys of by_nick, sorted: LIST pages slice it
        self.nick_bytes = 0  # UTF-8 bytes of every nickname online: LIST knows at once whether all fit
        self.rooms_version = 0  # changes whenever a room appears, goes or changes its member count
        self.connections_by_host: dict[str, int] = {}
        self.unregistered_by_host: dict[str, int] = {}
        self.parked = ParkedSessions(resume_seconds)
        self.superseded = SupersededTokens(resume_seconds)  # tokens a login elsewhere took over (RESUME says so)
        self.ignores = IgnoreBook()  # who has ignored whom (chat_server/ignoring.py)
        self.name_holders = NameHolders()  # who gave up a name lately: a KICK of it reaches them (moderation.py)
        # Look-alike indexes (shared/lookalike.py): nicknames online and registered; rooms kept or live.
        self.nick_index = LookalikeIndex()
        self.room_index = LookalikeIndex()
        self.room_life: RoomLife | None = None
        # The last RECENT_DELETES ids deleted in each room this run, for its replay's `deleted` (handlers/replay.py).
        self.recent_deletes: dict[str, collections.deque[int]] = {}
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

    @property
    def last_id(self) -> int:
        """The newest message id given out so far."""
        return self._last_id

    def continue_ids_after(self, last_id: int) -> None:
        """Ids keep increasing across restarts: the next one follows the highest the store kept."""
        self._last_id = max(self._last_id, last_id)

    def find_nick(self, nick: str) -> Session | None:
        return self.by_nick.get(name_key(nick))

    def find_room(self, name: str) -> Room | None:
        return self.rooms.get(name_key(name))

    def online_nicks(self, start: int = 0, stop: int | None = None) -> list[str]:
        """Nicknames online in their sorted order, or a slice of them."""
        by_nick = self.by_nick
        return [by_nick[key].nick or "" for key in self.nick_keys[start:stop]]

    def connections_from(self, host: str) -> tuple[int, int]:
        """(connections, of which without a nickname) from one address."""
        return self.connections_by_host.get(host, 0), self.unregistered_by_host.get(host, 0)

    # -- changes, under the lock --
    def add_session(self, session: Session) -> None:
        self.sessions[session] = None
        _count(self.connections_by_host, session.computer, +1)
        _count(self.unregistered_by_host, session.computer, +1)
        self.emit("client_connected", session=session)

    def set_nick(self, session: Session, nick: str) -> str | None:
        """Give `session` the nickname; return its old one."""
        old = session.nick
        if old is None:
            _count(self.unregistered_by_host, session.computer, -1)
        else:
            self._forget_nick(session)
        session.nick = nick
        session.key = name_key(nick)
        self.by_nick[session.key] = session
        self.nick_index.add(nick)
        bisect.insort(self.nick_keys, session.key)
        self.nick_bytes += len(nick.encode())
        self.emit("client_nick", session=session, old=old)
        return old

    def _forget_nick(self, session: Session) -> None:
        """Drop the session's nickname from the index (it keeps `nick` for the notices still to come)."""
        key = session.key
        if key is None or self.by_nick.get(key) is not session:
            return
        del self.by_nick[key]
        self.name_holders.gave_up(key, session)
        self.nick_index.discard(session.nick or "")
        index = bisect.bisect_left(self.nick_keys, key)
        if index < len(self.nick_keys) and self.nick_keys[index] == key:
            del self.nick_keys[index]
        self.nick_bytes -= len((session.nick or "").encode())

    def release_nick(self, session: Session) -> None:
        """The session lets go of its nickname now (its connection is ending), so another may take it."""
        self._forget_nick(session)
        session.key = None

    def join_room(self, session: Session, name: str) -> Room:
        key = name_key(name)
        room = self.rooms.get(key)
        if room is None:
            room = self.rooms[key] = Room(name, key)
            if self.room_life is not None:
                self.room_life.created(room, session)
            self.emit("room_created", room=room)
        room.members[session] = None
        session.room = room
        self.rooms_version += 1
        self.emit("room_joined", session=session, room=room)
        return room

    def leave_room(self, session: Session) -> Room | None:
        room = session.room
        if room is None:
            return None
        room.members.pop(session, None)
        session.room = None
        self.rooms_version += 1
        self.emit("room_left", session=session, room=room)
        if not room.members:
            del self.rooms[room.key]
            if self.room_life is not None:
                self.room_life.emptied(room)
            self.emit("room_closed", room=room)
        return room

    def hand_over(self, old: Session, new: Session) -> Room | None:
        """RESUME: `new` takes `old`'s nickname and room place, with nothing the room would hear."""
        nick = old.nick
        assert nick is not None and new.nick is None
        room = old.room
        self._forget_nick(old)
        old.key = None
        if room is not None:
            del room.members[old]
            old.room = None
            room.members[new] = None
            new.room = room
        new.muted = old.muted
        new.away = old.away  # the room heard nothing of the hand-over, so it still sees the old presence
        new.messages_sent = old.messages_sent
        new.sent_ids = old.sent_ids  # `DELETE last` still finds what was said before the connection dropped
        new.renames = old.renames  # a new connection does not refill them (chat_server/rename_budget.py)
        self.set_nick(new, nick)
        self.emit("client_nick", session=old, old=nick)
        return room

    def remove_session(self, session: Session) -> Room | None:
        """Forget a connection: its room membership, its nickname, itself."""
        room = self.leave_room(session)
        if session.key is not None:
            self._forget_nick(session)
        if session in self.sessions:
            del self.sessions[session]
            _count(self.connections_by_host, session.computer, -1)
            if session.nick is None:
                _count(self.unregistered_by_host, session.computer, -1)
        self.emit("client_disconnected", session=session)
        return room

    # -- delivery, under the lock --
    @staticmethod
    def deliver(recipients: Iterable[Session], frame: Frame) -> None:
        """Queue one frame for each recipient, encoding the JSON once."""
        members = recipients if isinstance(recipients, (list, dict)) else list(recipients)  # read twice below
        outboxes = [session.outbox for session in members if not session.text_mode]
        if outboxes:
            Outbox.put_each(outboxes, encode_frame(frame))
        if len(outboxes) < len(members):  # text mode: each gets the frame as a line of text
            for session in members:
                if session.text_mode:
                    session.send(frame)


def _count(counts: dict[str, int], host: str, step: int) -> None:
    value = counts.get(host, 0) + step
    if value > 0:
        counts[host] = value
    else:
        counts.pop(host, None)
