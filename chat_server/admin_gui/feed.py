"""AdminFeed: turns the registry's events into snapshots on a queue for the admin window.

    server threads (registry lock held) --on_event--> snapshot --> events queue
                                        --message--> latest counters (coalesced)
    Tk thread: take_events(limit), take_counters()

`on_event` runs on server threads while they hold the registry lock, so it
copies what the window needs into frozen records (the live Session and
Room objects keep changing) and only puts them on an unbounded queue; it
never blocks and never calls back into the server.  Message events are the
hot path: instead of one queue item per message they overwrite the latest
counter values in a small dict, so a busy room cannot flood the window.
"""

from __future__ import annotations

import itertools
import queue
import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the server's modules load when a server starts, not with the window (docs/executables.md)
    from chat_server.admin import ClientInfo, RoomInfo
    from chat_server.registry import Room
    from chat_server.session import Session


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
    key: str
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
        self.events: queue.Queue[FeedEvent] = queue.Queue()
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

        put = self.events.put
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

    # -- any thread --
    def mark_stopped(self) -> None:
        self.events.put(ServerStopped())

    # -- the consumer (Tk thread) --
    def take_events(self, limit: int) -> tuple[list[FeedEvent], bool]:
        """Up to `limit` events, oldest first, and whether the queue was found empty."""
        taken: list[FeedEvent] = []
        while len(taken) < limit:
            try:
                taken.append(self.events.get_nowait())
            except queue.Empty:
                return taken, True
        return taken, False

    def take_counters(self) -> Counters:
        with self._counter_lock:
            clients, self._client_counts = self._client_counts, {}
            rooms, self._room_counts = self._room_counts, {}
        return Counters(clients, rooms)
