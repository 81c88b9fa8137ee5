"""Admin actions on a running server: kick, mute, broadcast, close a room, snapshots.

Mixed into ChatServer.  The admin window and the console call these from
their own threads; each takes the registry lock briefly and only queues
frames, so the caller never waits on a client.  Logging and hanging up
happen after the lock is released.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from chat_server.farewells import kicked_bye
from chat_server.registry import ChatRegistry, Room
from chat_server.session import Session
from shared.errors import ErrorCode, ProtocolError
from shared.frames import server_frame
from shared.names import clean_message_text, normalise_room, one_line

log = logging.getLogger("chat_server.admin")


@dataclass(frozen=True)
class ClientInfo:
    session_id: int
    nick: str | None
    address: str
    room: str | None
    connected_at: float
    messages_sent: int
    muted: bool


@dataclass(frozen=True)
class RoomInfo:
    name: str
    members: tuple[str, ...]
    messages: int
    key: str = ""  # name_key(name): rooms are told apart by it


def client_info(session: Session) -> ClientInfo:
    """A snapshot of one connection; call it while holding the registry lock."""
    return ClientInfo(
        session.id,
        session.nick,
        session.address_text,
        session.room.name if session.room else None,
        session.connected_at,
        session.messages_sent,
        session.muted,
    )


def room_info(room: Room) -> RoomInfo:
    """A snapshot of one room; call it while holding the registry lock."""
    return RoomInfo(room.name, tuple(room.nicks()), room.messages, room.key)


class AdminActions:
    registry: ChatRegistry

    def _find(self, nick: str) -> Session:
        session = self.registry.find_nick(nick)
        if session is None:
            raise ProtocolError(ErrorCode.NO_SUCH_USER, f"Nobody called {nick} is online.")
        return session

    def kick(self, nick: str, reason: str = "") -> None:
        """Disconnect a client; it gets a `bye` saying why."""
        reason = one_line(reason) or "no reason given"
        with self.registry.lock:
            session = self._find(nick)
            session.send_last(kicked_bye(reason))
            session.end("kicked", said=reason)
        session.hang_up("kicked")
        log.warning("admin kicked %s: %s", session.nick, reason)

    def set_muted(self, nick: str, muted: bool) -> None:
        """A muted client stays connected but its messages are refused with error `muted`."""
        with self.registry.lock:
            session = self._find(nick)
            session.muted = muted
            text = "An admin muted you; your messages are not delivered." if muted else "An admin unmuted you."
            session.send(server_frame("system", text, event="muted" if muted else "unmuted", user=session.nick))
            self.registry.emit("client_muted", session=session)
        log.warning("admin %s %s", "muted" if muted else "unmuted", session.nick)

    def broadcast(self, text: str) -> None:
        """An announcement to every registered client, as a `system` frame."""
        text = clean_message_text(text)
        with self.registry.lock:
            recipients = [session for session in self.registry.sessions if session.registered]
            self.registry.deliver(recipients, server_frame("system", f"Announcement: {text}", event="announcement"))
        log.warning("admin broadcast to %d clients: %s", len(recipients), text)

    def close_room(self, name: str, reason: str = "") -> int:
        """Move every member out of a room (each gets a notice and `left`); returns how many."""
        room_name = normalise_room(name)
        reason = one_line(reason) or "closed by an admin"
        with self.registry.lock:
            room = self.registry.find_room(room_name)
            if room is None:
                raise ProtocolError(ErrorCode.BAD_ROOM, f"There is no room #{room_name}.")
            members = list(room.members)
            notice = server_frame("system", f"#{room.name} was closed: {reason}", event="room_closed", room=room.name)
            self.registry.deliver(members, notice)
            for session in members:
                self.registry.leave_room(session)
                session.send(server_frame("left", f"You left #{room.name}", room=room.name))
        log.warning("admin closed #%s (%d members moved out): %s", room.name, len(members), reason)
        return len(members)

    def clients(self) -> list[ClientInfo]:
        with self.registry.lock:
            return [client_info(session) for session in self.registry.sessions]

    def rooms(self) -> list[RoomInfo]:
        with self.registry.lock:
            return [room_info(room) for room in sorted(self.registry.rooms.values(), key=lambda room: room.key)]
