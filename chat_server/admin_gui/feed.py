"""AdminFeed: turns the registry's events into the latest snapshot per client and per room for the admin window.

    server threads (registry lock held) --on_event--> snapshot --> latest per session id / room name (coalesced)
                                        --message--> latest counters (coalesced)
    admin-stop thread --mark_stopped--> a flag, seen before anything pending
    Tk thread: take_events(limit), take_counters()

`on_event` runs on server threads while they hold the registry lock, so it
copies what the window needs into frozen records (the live Session and
Room objects keep changing) and only overwrites the pending record for
that client or room; it never blocks and never calls back into the server.
Nothing is kept but the latest state of each client (by session id) and
each room name (by its key: a room closed and opened again is one entry)
changed since the window last took them, so however fast students come,
go and hop between rooms, what waits is bounded by the clients and rooms there are
(plus those gone since the last take), never by how many changes there
were.  The stop is a flag, not an item in line: the window sees it at its
next take, however much is pending.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # the server's modules load when a server starts, not with the window (docs/executables.md)
    from chat_server.admin import ClientInfo, RoomInfo
    from chat_server.registry import Room
    from chat_server.session import Session

_K = TypeVar("_K")
_T = TypeVar("_T")


@dataclass(frozen=True)
class ClientChanged:
    client: ClientInfo


@dataclass(frozen=True)
class ClientGone:
    session_id: int


@dataclass(frozen=True)
class RoomChanged:
    room: RoomInfo
    token: int  # tells a room apart from a later one of the same name


@dataclass(frozen=True)
class RoomGone:
    key: str  # no room has this name now (a later room of the same name comes as RoomChanged)
    token: int


@dataclass(frozen=True)
class ServerStopped:
    """Put by whoever stopped the server, after stop() returned: nothing from it follows."""


FeedEvent = ClientChanged | ClientGone | RoomChanged | RoomGone | ServerStopped


@dataclass(frozen=True)
class Counters:
    """Latest message counts since the last take: session id -> sent, room token -> (key, messages)."""

    clients: dict[int, int]
    rooms: dict[int, tuple[str, int]]


class AdminFeed:
    def __init__(self) -> None:
        self._pending_lock = threading.Lock()
        self._clients: dict[int, ClientChanged | ClientGone] = {}  # session id -> its latest state
        self._rooms: dict[
            str, RoomChanged | RoomGone
        ] = {}  # room name key -> the latest state of the room by that name
        self._stopped = False
        self._counter_lock = threading.Lock()
        self._client_counts: dict[int, int] = {}
        self._room_counts: dict[int, tuple[str, int]] = {}
        self._room_tokens: weakref.WeakKeyDictionary[Room, int] = weakref.WeakKeyDictionary()
        self._next_token = itertools.count(1)

    def _token(self, room: Room) -> int:
        token = self._room_tokens.get(room)
        if token is None:
            token = self._room_tokens[room] = next(self._next_token)
        return token

    # -- server threads, registry lock held: copy and queue, nothing else --
    def on_event(self, event: str, data: dict[str, Any]) -> None:
        session: Session | None = data.get("session")
        room: Room | None = data.get("room")
        if event == "message":
            assert session is not None
            with self._counter_lock:
                self._client_counts[session.id] = session.messages_sent
                if room is not None:
                    self._room_counts[self._token(room)] = (room.key, room.messages)
            return
        from chat_server.admin import client_info, room_info  # loaded by then: the server that calls this imports it

        put = self._put
        if event in ("client_connected", "client_nick", "client_muted", "room_joined", "room_left"):
            assert session is not None
            put(ClientChanged(client_info(session)))
            if event == "client_nick" and session.room is not None:
                room = session.room
        elif event == "client_disconnected":
            assert session is not None
            put(ClientGone(session.id))
        if event == "room_closed":
            assert room is not None
            put(RoomGone(room.key, self._token(room)))
        elif (
            room is not None
            and event in ("room_created", "room_joined", "room_left", "client_nick")
            and (event != "room_left" or room.members)  # an emptied room is closed right after
        ):
            put(RoomChanged(room_info(room), self._token(room)))

    def _put(self, change: ClientChanged | ClientGone | RoomChanged | RoomGone) -> None:
        with self._pending_lock:  # a dict assignment: held for no time at all
            if isinstance(change, ClientChanged):
                self._clients[change.client.session_id] = change
            elif isinstance(change, ClientGone):
                self._clients[change.session_id] = change
            else:
                self._rooms[change.key if isinstance(change, RoomGone) else change.room.key] = change

    # -- any thread --
    def mark_stopped(self) -> None:
        """Called after stop() returned: the next take reports ServerStopped alone; nothing pending matters then."""
        with self._pending_lock:
            self._stopped = True

    def pending(self) -> int:
        """How many client and room states wait to be taken."""
        with self._pending_lock:
            return len(self._clients) + len(self._rooms)

    # -- the consumer (Tk thread) --
    def take_events(self, limit: int) -> tuple[list[FeedEvent], bool]:
        """Up to `limit` latest states (each client's and room's in the order it first changed), and whether none are left.

        Once the server has stopped: [ServerStopped()] alone, at once, whatever was still pending.
        """
        with self._pending_lock:
            if self._stopped:
                self._clients.clear()
                self._rooms.clear()
                return [ServerStopped()], True
            clients = _take(self._clients, limit)
            rooms = _take(self._rooms, limit - len(clients))
            return [*clients, *rooms], not self._clients and not self._rooms

    def take_counters(self) -> Counters:
        with self._counter_lock:
            clients, self._client_counts = self._client_counts, {}
            rooms, self._room_counts = self._room_counts, {}
        return Counters(clients, rooms)


def _take(pending: dict[_K, _T], limit: int) -> list[_T]:
    """Remove and return up to `limit` values from the front of `pending`."""
    if len(pending) <= limit:
        taken = list(pending.values())
        pending.clear()
        return taken
    keys = list(itertools.islice(pending, max(limit, 0)))
    return [pending.pop(key) for key in keys]
