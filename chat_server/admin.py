"""Admin actions on a running server: kick, mute, broadcast, close a room, snapshots (any thread but the server's).

Mixed into ChatServer.  The admin window and the console call these from
their own threads; each takes the registry lock briefly and only queues
frames, so the caller never waits on a client.  Logging and hanging up
happen after the lock is released.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chat_server.identity.wiring import WhoIsWho
from chat_server.moderation import Moderator, Outcome, carry_out, chosen_nick
from chat_server.registry import ChatRegistry, Room
from chat_server.session import Session
from shared.errors import ErrorCode, ProtocolError
from shared.names import clean_message_text, normalise_room, one_line

if TYPE_CHECKING:
    from chat_server.handlers import CommandHandlers

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
    role: str = "student"
    account: bool = False  # logged in to an account


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
        session.role,
        session.account is not None,
    )


def room_info(room: Room) -> RoomInfo:
    """A snapshot of one room; call it while holding the registry lock."""
    return RoomInfo(room.name, tuple(room.nicks()), room.messages, room.key)


class AdminActions:
    registry: ChatRegistry
    who: WhoIsWho
    handlers: CommandHandlers

    def _moderate(self, action: Callable[[Moderator], Outcome]) -> Outcome:
        return carry_out(self.registry, self.who.moderator, action)

    def kick(self, nick: str, reason: str = "", session_id: int | None = None) -> None:
        """Disconnect a client; it gets a `bye` saying why. `session_id`: the row the admin chose (chat_server/moderation.py chosen_nick)."""
        reason = one_line(reason) or "no reason given"
        outcome = self._moderate(
            lambda moderator: moderator.kick(chosen_nick(self.registry, nick, session_id), reason, None)
        )
        log.warning("admin kicked %s: %s", outcome.ended[0].nick if outcome.ended else nick, reason)

    def set_muted(self, nick: str, muted: bool) -> None:
        """A muted client stays connected but its messages are refused with error `muted`; it lasts (database)."""
        if muted:
            outcome = self._moderate(lambda moderator: moderator.mute(nick, None))
        else:
            outcome = self._moderate(lambda moderator: moderator.unmute(nick, None))
        log.warning("admin %s %s", "muted" if muted else "unmuted", outcome.subject or nick)

    def class_muted(self) -> bool:
        """Whether the whole class is muted now (MUTE *)."""
        with self.registry.lock:
            return self.who.moderator.class_muted_by is not None

    def class_muted_glance(self) -> bool:
        """class_muted() without the registry lock, for a window's poller that must never queue behind the server.

        One attribute read (atomic under the GIL): at worst as it was a moment ago, and the next look sees
        the change.  With 600 students leaving at once the Tk thread waited up to 250 ms for the lock here.
        """
        return self.who.moderator.class_muted_by is not None

    def class_muted_by(self) -> str | None:
        """Who muted the whole class (a teacher's nickname, or the admin), or None when it is not muted."""
        with self.registry.lock:
            return self.who.moderator.class_muted_by

    def set_class_muted(self, muted: bool) -> str:
        """MUTE * / UNMUTE *: every student at once, and those who come meanwhile; the sentence saying what was done."""
        outcome = self._moderate(
            lambda moderator: moderator.mute_class(None) if muted else moderator.unmute_class(None)
        )
        log.warning(
            "admin %s the whole class (%d student%s)",
            "muted" if muted else "unmuted",
            outcome.count,
            "" if outcome.count == 1 else "s",
        )
        return outcome.summary

    def broadcast(self, text: str) -> int:
        """An announcement to every registered client, as a `system` frame; returns how many got it."""
        text = clean_message_text(text)
        outcome = self._moderate(lambda moderator: moderator.announce(text, None))
        recipients = sum(len(list(recipients)) for recipients, _frame in outcome.deliveries)
        log.warning("admin broadcast to %d clients: %s", recipients, text)
        return recipients

    def close_room(self, name: str, reason: str = "") -> int:
        """Move every member out of a room (each gets a notice and `left`); returns how many."""
        room_name = normalise_room(name)
        reason = one_line(reason) or "closed by an admin"

        def close(moderator: Moderator) -> Outcome:
            room = self.registry.find_room(room_name)
            if room is None:
                raise ProtocolError(ErrorCode.BAD_ROOM, f"There is no room #{room_name}.")
            return moderator.close_room(room, reason, None)

        outcome = self._moderate(close)
        log.warning("admin closed #%s (%d members moved out): %s", outcome.subject, outcome.count, reason)
        return outcome.count

    def move(self, room: str, who: str, reason: str = "") -> str:
        """MOVE as the admin (chat_server/handlers/moving.py): WHO (NICK,NICK or *) into ROOM; what was done."""
        with self.registry.lock:
            deliveries, confirmation = self.handlers.admin_move(room, who, reason)
            for recipients, frame in deliveries:
                self.registry.deliver(recipients, frame)
        log.warning("admin moved %s to #%s", ", ".join(confirmation["users"]) or "nobody", confirmation["room"])
        return str(confirmation["content"])

    def clients(self) -> list[ClientInfo]:
        with self.registry.lock:
            return [client_info(session) for session in self.registry.sessions]

    def rooms(self) -> list[RoomInfo]:
        with self.registry.lock:
            return [room_info(room) for room in sorted(self.registry.rooms.values(), key=lambda room: room.key)]
