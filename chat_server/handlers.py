"""Command handlers: each one decides, from the state and one command, who gets which frames.

Handlers run on the sender's handler thread while it holds the registry
lock.  They change the registry and return deliveries; they never touch a
socket.  A refusal is raised as ProtocolError and becomes an `error` frame.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from chat_server.config import ServerConfig
from chat_server.registry import ChatRegistry, Room
from chat_server.session import Session
from shared.commands import COMMANDS, classify_msg, help_text, parse_command_line, split_pm_argument
from shared.errors import ErrorCode, ProtocolError
from shared.frames import Frame, server_frame
from shared.names import MAX_TEXT_CHARS, clean_message_text, name_key, normalise_nick, normalise_room, strip_control

Delivery = tuple[Iterable[Session], Frame]

# Both keep answers under the 32 KiB frame cap: the pong carries its token
# twice, and the list's `users` and `rooms` fields already name everyone.
MAX_PING_TOKEN_CHARS = MAX_TEXT_CHARS
LIST_TEXT_NAMES = 50


def _first_few(names: list[str]) -> str:
    """ "a, b, c" for the readable `content`; past LIST_TEXT_NAMES names it ends "... and 70 more"."""
    shown = ", ".join(names[:LIST_TEXT_NAMES])
    hidden = len(names) - LIST_TEXT_NAMES
    return f"{shown} and {hidden} more" if hidden > 0 else shown


class CommandHandlers:
    def __init__(self, registry: ChatRegistry, config: ServerConfig) -> None:
        self.registry = registry
        self.config = config
        self._table: dict[str, Callable[[Session, str], list[Delivery]]] = {
            name: getattr(self, f"handle_{name.lower()}") for name in COMMANDS
        }

    def dispatch(self, session: Session, content: str) -> list[Delivery]:
        """Carry out one command line for `session`; the caller holds the registry lock."""
        command = parse_command_line(content)
        handler = self._table.get(command.name)
        if handler is None:
            shown = strip_control(command.name)[:40] or "(empty)"
            raise ProtocolError(ErrorCode.UNKNOWN_COMMAND, f"Unknown command {shown}; type HELP for the list.")
        if not session.registered and not COMMANDS[command.name].before_nick:
            raise ProtocolError(ErrorCode.NOT_REGISTERED, "Choose a nickname first: NICK <name>.")
        return handler(session, command.argument)

    # -- helpers --
    def _others(self, room: Room, session: Session) -> list[Session]:
        return [member for member in room.members if member is not session]

    def _text(self, raw: str) -> str:
        return clean_message_text(raw, self.config.max_message_chars)

    def _require_room(self, session: Session) -> Room:
        if session.room is None:
            raise ProtocolError(ErrorCode.NOT_IN_ROOM, "You are not in a room; JOIN one first, e.g. JOIN general.")
        return session.room

    def _require_voice(self, session: Session) -> None:
        if session.muted:
            raise ProtocolError(ErrorCode.MUTED, "An admin has muted you; your messages are not delivered.")

    def leave(self, session: Session, reason: str = "") -> list[Delivery]:
        """Take `session` out of its room; the others there get a `system` leave notice."""
        room = self.registry.leave_room(session)
        if room is None:
            return []
        text = f"{session.nick} left #{room.name}" + (f" ({reason})" if reason else "")
        notice = server_frame("system", text, event="leave", room=room.name, user=session.nick)
        return [(room.members, notice)]

    # -- the commands of the contract --
    def handle_nick(self, session: Session, argument: str) -> list[Delivery]:
        if not argument:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, "Say which nickname you want: NICK <name>.")
        nick = normalise_nick(argument)
        holder = self.registry.by_nick.get(name_key(nick))
        if holder is not None and holder is not session:
            raise ProtocolError(ErrorCode.NICK_TAKEN, f"The nickname {nick} is taken; pick another one.")
        if nick == session.nick:  # nothing changes, so the room hears nothing
            return [([session], server_frame("nick", f"You are already {nick}.", nick=nick))]
        old = self.registry.set_nick(session, nick)
        if old is None:
            text = f"You are {nick}. Join a room to talk, e.g. JOIN general; HELP lists the commands."
            return [([session], server_frame("nick", text, nick=nick))]
        deliveries: list[Delivery] = [([session], server_frame("nick", f"You are now {nick}.", nick=nick, old=old))]
        if session.room is not None:
            notice = server_frame(
                "system", f"{old} is now {nick}", event="nick", room=session.room.name, user=nick, old=old
            )
            deliveries.append((self._others(session.room, session), notice))
        return deliveries

    def handle_join(self, session: Session, argument: str) -> list[Delivery]:
        if not argument:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, "Say which room: JOIN <room>, e.g. JOIN general.")
        name = normalise_room(argument)
        deliveries: list[Delivery] = []
        if session.room is None or session.room.key != name_key(name):
            if session.room is not None:
                old_room = session.room
                deliveries += self.leave(session)
                deliveries.append(([session], server_frame("left", f"You left #{old_room.name}", room=old_room.name)))
            room = self.registry.join_room(session, name)
            notice = server_frame(
                "system", f"{session.nick} joined #{room.name}", event="join", room=room.name, user=session.nick
            )
            deliveries.append((self._others(room, session), notice))
        joined_room = session.room
        assert joined_room is not None
        users = joined_room.nicks()
        joined = server_frame(
            "joined", f"You joined #{joined_room.name} ({len(users)} here)", room=joined_room.name, users=users
        )
        deliveries.append(([session], joined))
        return deliveries

    def _public(self, session: Session, raw_text: str) -> list[Delivery]:
        room = self._require_room(session)
        self._require_voice(session)
        text = self._text(raw_text)
        frame = server_frame("message", text, id=self.registry.next_id(), room=room.name, sender=session.nick)
        room.messages += 1
        session.messages_sent += 1
        if self.registry.has_listeners:
            self.registry.emit("message", session=session, room=room)
        return [(room.members, frame)]

    def _private(self, session: Session, nick: str, raw_text: str) -> list[Delivery]:
        target = self.registry.find_nick(nick)
        if target is None:
            raise ProtocolError(
                ErrorCode.NO_SUCH_USER, f"Nobody called {strip_control(nick)[:40]} is online; LIST shows who is."
            )
        self._require_voice(session)
        text = self._text(raw_text)
        frame = server_frame("private", text, id=self.registry.next_id(), sender=session.nick, to=target.nick)
        session.messages_sent += 1
        if self.registry.has_listeners:
            self.registry.emit("message", session=session, room=None)
        return [([target] if target is session else [target, session], frame)]

    def handle_msg(self, session: Session, argument: str) -> list[Delivery]:
        target = classify_msg(argument, lambda nick: self.registry.find_nick(nick) is not None)
        if target.kind == "private":
            return self._private(session, target.nick, target.text)
        if target.kind == "no_such_user":
            raise ProtocolError(
                ErrorCode.NO_SUCH_USER,
                f"Nobody called {target.nick} is online, so the message was not sent. "
                f"To post it publicly use SAY; LIST shows who is online.",
            )
        return self._public(session, target.text)

    def handle_say(self, session: Session, argument: str) -> list[Delivery]:
        return self._public(session, argument)

    def handle_pm(self, session: Session, argument: str) -> list[Delivery]:
        nick, text = split_pm_argument(argument)
        if not nick:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, "Say who and what: PM <nick> <text>.")
        return self._private(session, nick, text)

    def handle_leave(self, session: Session, argument: str) -> list[Delivery]:
        room = self._require_room(session)
        return self.leave(session) + [([session], server_frame("left", f"You left #{room.name}", room=room.name))]

    def handle_list(self, session: Session, argument: str) -> list[Delivery]:
        users = self.registry.online_nicks()
        rooms = [
            {"name": room.name, "users": room.nicks()}
            for room in sorted(self.registry.rooms.values(), key=lambda room: room.key)
        ]
        room_text = _first_few([f"#{room['name']} ({len(room['users'])})" for room in rooms]) or "none yet"
        text = f"{len(users)} online: {_first_few(users)}. Rooms: {room_text}"
        return [([session], server_frame("list", text, users=users, rooms=rooms))]

    def handle_help(self, session: Session, argument: str) -> list[Delivery]:
        return [([session], server_frame("help", help_text(), commands=list(COMMANDS)))]

    def handle_quit(self, session: Session, argument: str) -> list[Delivery]:
        reason = strip_control(argument)[:200]
        session.closing = True  # the handler thread hangs up once the bye is queued
        session.close_reason = f"quit: {reason}" if reason else "quit"
        return [([session], server_frame("bye", "Goodbye!"))]

    def handle_ping(self, session: Session, argument: str) -> list[Delivery]:
        if len(argument) > MAX_PING_TOKEN_CHARS:
            raise ProtocolError(ErrorCode.TOO_LONG, f"A PING token may have up to {MAX_PING_TOKEN_CHARS} characters.")
        return [([session], server_frame("pong", argument, token=argument))]
