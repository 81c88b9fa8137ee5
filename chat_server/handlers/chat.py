"""The chat commands of version 1: NICK, JOIN, MSG, SAY, PM, LEAVE, HELP, QUIT, PING (handler threads, registry lock held)."""

from __future__ import annotations

from chat_server.farewells import quit_bye
from chat_server.handlers.base import CommandModule, CommandResult, Delivery
from chat_server.handlers.membership import leave_deliveries
from chat_server.handlers.room_entry import enter_room
from chat_server.identity.roles import identity_fields, role_notice
from chat_server.rename_budget import check_rename
from chat_server.resume_tokens import new_token
from chat_server.session import Session
from chat_server.storage import StoredMessage, room_message
from chat_server.storage.models import Quote, quote_field
from shared.commands import COMMANDS, classify_msg, help_text, split_pm_argument
from shared.errors import ErrorCode, ProtocolError
from shared.frames import server_frame, server_frame_at
from shared.names import MAX_TEXT_CHARS, name_key, normalise_nick, normalise_room, one_line

# The pong carries its token twice (content and `token`), so this keeps it far under the 32 KiB frame cap.
MAX_PING_TOKEN_CHARS = MAX_TEXT_CHARS


class ChatCommands(CommandModule):
    def handle_nick(self, session: Session, argument: str) -> list[Delivery]:
        if not argument:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, "Say which nickname you want: /nick NAME.")
        nick = normalise_nick(argument)
        banned = self.nick_rules.check_nick(session, nick)  # code, scripts, accounts, look-alikes, bans
        if banned is not None:
            return banned
        holder = self.registry.by_nick.get(name_key(nick))
        if holder is not None and holder is not session:
            raise ProtocolError(ErrorCode.NICK_TAKEN, f"The nickname {nick} is taken; pick another one.")
        if nick == session.nick:  # nothing changes, so the room hears nothing
            frame = server_frame("nick", f"You are already {nick}.", nick=nick, token=session.token)
            return [([session], {**frame, **identity_fields(session)})]
        check_rename(session)  # a student renaming again and again stays ahead of every name a teacher types
        if session.nick is not None and not self.notice_allowed(session):
            return []
        was_teacher = session.role != "student"
        old = self.registry.set_nick(session, nick)
        logged_out = self.nick_rules.after_rename(session)
        if old is None:
            session.token = new_token()
            session.passed_code = True
            text = f"You are {nick}. Join a room to talk, e.g. /join general; /help lists the commands."
            frame = server_frame("nick", text, nick=nick, token=session.token, **identity_fields(session))
            deliveries: list[Delivery] = [([session], frame)]
            return deliveries + self.rooms_push.first_push(session)
        text = f"You are now {nick}." + (f" You are no longer logged in as {old}." if logged_out else "")
        frame = server_frame("nick", text, nick=nick, old=old, token=session.token, **identity_fields(session))
        deliveries = [([session], frame)]
        if session.room is not None:
            notice = server_frame(
                "system", f"{old} is now {nick}", event="nick", room=session.room.name, user=nick, old=old
            )
            deliveries.append((self.others(session.room, session), notice))
            if was_teacher and logged_out:
                deliveries += role_notice(session)
        return deliveries

    def handle_join(self, session: Session, argument: str) -> CommandResult:
        if not argument:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, "Say which room, e.g. /join general.")
        self._stay_in_a_test(session, argument)
        if not self.notice_allowed(session):
            return []
        return enter_room(self.services, session, argument)  # JOIN ROOM [KEY]: keys, owners, look-alikes, replay

    def public_in(self, session: Session, raw_text: str, reply: Quote | None = None) -> list[Delivery]:
        """A message to the sender's room; `reply` (the server's own quote, handlers/replies.py) goes with it."""
        room = self.require_room(session)
        self.require_voice(session)
        text = self.text(raw_text)
        budget = session.address_budget
        if budget is not None and not budget.allow(len(text)):
            return self._over_budget(session)
        nick, sender_key = session.nick, session.key
        if nick is None or sender_key is None:  # dispatch lets only registered sessions talk: never taken
            raise ProtocolError(ErrorCode.NOT_REGISTERED, "Choose a nickname first: /nick NAME.")
        message_id, now = self.registry.next_id(), self.storage.deletion_clock.stamp()
        frame = server_frame_at(now, "message", text, id=message_id, room=room.name, sender=nick)
        if session.role == "teacher":  # what no nickname can copy: the window and chat-term mark the line
            frame["role"] = "teacher"
        if reply is not None:
            frame["reply"] = quote_field(*reply)
        # Queued for the store's writer thread: no I/O here, and the cheapest constructor (docs/storage.md).
        # The owner says who may delete it: this person, not the next holder of the name.
        message = room_message(
            message_id, room.name, room.key, nick, sender_key, text, round(now * 1000), session.owner
        )
        if reply is not None:
            message = message.quoting(reply)
        self.storage.messages.append(message)
        room.messages += 1
        session.messages_sent += 1
        session.note_sent(message_id)
        if self.registry.has_listeners:
            self.registry.emit("message", session=session, room=room)
        return [(room.members, frame)]

    def private_to(self, session: Session, nick: str, raw_text: str, reply: Quote | None = None) -> list[Delivery]:
        """A private message to `nick`, with `reply` as in public_in."""
        target = self.registry.find_nick(nick)
        if target is None:
            raise ProtocolError(
                ErrorCode.NO_SUCH_USER, f"Nobody called {one_line(nick, 40)} is online; /list shows who is."
            )
        self.require_voice(session, to_teacher=target.role == "teacher")  # a class mute lets this through
        self.refuse_if_ignored(target, session, "private messages")  # refused, so it gets no id
        text = self.text(raw_text)
        budget = session.address_budget
        if budget is not None and not budget.allow(len(text)):
            return self._over_budget(session)
        message_id, now = self.registry.next_id(), self.storage.deletion_clock.stamp()
        frame = server_frame_at(now, "private", text, id=message_id, sender=session.nick, to=target.nick)
        if session.role == "teacher":
            frame["role"] = "teacher"
        if reply is not None:
            frame["reply"] = quote_field(*reply)
        message = StoredMessage.private(
            message_id,
            frame["sender"],
            frame["to"],
            text,
            round(now * 1000),
            sender_key=session.key,
            recipient_key=target.key,
            sender_owner=session.owner,  # the conversation is theirs, not their nicknames' (identity/owners.py)
            recipient_owner=target.owner,
        )
        self.storage.messages.append(message.quoting(reply))
        session.messages_sent += 1
        session.note_sent(message_id)
        if self.registry.has_listeners:
            self.registry.emit("message", session=session, room=None)
        return [([target] if target is session else [target, session], frame)]

    @staticmethod
    def _over_budget(session: Session) -> list[Delivery]:
        """Past its computer's budget (chat_server/address_budget.py): one `rate_limited` a second, the rest dropped."""
        session.flood.refuse_or_drop(
            "Your computer is sending more than one person can type (all its connections together); "
            "the message was not sent. Wait a moment."
        )
        return []

    def handle_msg(self, session: Session, argument: str) -> list[Delivery]:
        target = classify_msg(argument, lambda nick: self.registry.find_nick(nick) is not None)
        if target.kind == "private":
            return self.private_to(session, target.nick, target.text)
        if target.kind == "no_such_user":
            raise ProtocolError(
                ErrorCode.NO_SUCH_USER,
                f"Nobody called {one_line(target.nick, 40)} is online, so the message was not sent. "
                f"To post it publicly use /say TEXT; /list shows who is online.",
            )
        return self.public_in(session, target.text)

    def handle_say(self, session: Session, argument: str) -> list[Delivery]:
        return self.public_in(session, argument)

    def handle_pm(self, session: Session, argument: str) -> list[Delivery]:
        nick, text = split_pm_argument(argument)
        if not nick:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, "Say who and what: /pm NICK TEXT.")
        return self.private_to(session, nick, text)

    def handle_leave(self, session: Session, argument: str) -> list[Delivery]:
        room = self.require_room(session)
        self._stay_in_a_test(session, None)
        if not self.notice_allowed(session):
            return []
        return leave_deliveries(self.registry, session) + [
            ([session], server_frame("left", f"You left #{room.name}", room=room.name))
        ]

    def _stay_in_a_test(self, session: Session, join: str | None) -> None:
        """`muted` for a class-muted student in a room who would leave it (LEAVE, JOIN of another room).

        Joins and leaves reach the classmates: a muted student flipped between two rooms 20 times in 2.1 s
        (the exam probe), Morse the class could read.  One in no room (a latecomer, a window coming back)
        may join a room; the teacher moves a student with REMOVE or CLOSE.
        """
        room = session.room
        if room is None or not self.moderator.muted_with_class(session):
            return
        if join is not None and name_key(normalise_room(join.split(" ", 1)[0])) == room.key:
            return
        raise ProtocolError(
            ErrorCode.MUTED,
            f"The teacher has muted the whole class, so you stay in #{room.name} until then; "
            "ask the teacher if you need another room.",
        )

    def handle_help(self, session: Session, argument: str) -> list[Delivery]:
        return [([session], server_frame("help", help_text(), commands=list(COMMANDS)))]

    def handle_quit(self, session: Session, argument: str) -> list[Delivery]:
        # A muted user's reason would reach the room in the leave notice: a way round the mute, so it is dropped.
        said = "" if session.muted else one_line(argument)
        session.end("quit", said=said)  # the handler thread hangs up once the bye is queued
        return [([session], quit_bye())]

    def handle_ping(self, session: Session, argument: str) -> list[Delivery]:
        if len(argument) > MAX_PING_TOKEN_CHARS:
            raise ProtocolError(ErrorCode.TOO_LONG, f"A PING token may have up to {MAX_PING_TOKEN_CHARS} characters.")
        return [([session], server_frame("pong", argument, token=argument))]
