"""TOPIC, KEY and REMOVE: a room's owner (or a teacher) looks after the room (handler threads, registry lock held).

PROTOCOL.md (Version 2, Identity); REMOVE is our addition.  All three act on the sender's current room:

    TOPIC [TEXT]   sets the topic (one line, at most MAX_TOPIC_CHARS), or removes it with no text;
                   the room hears `system` topic {room, user, topic}
    KEY [KEY]      sets the room's key (JOIN room KEY enters), or removes it with no key; the room
                   hears `system` key {room, user, locked}; the key itself is never sent to anyone;
                   a new key has at least MIN_NEW_KEY_CHARS characters; a teacher's KEY (a key, or
                   none on a locked room) or changed TOPIC on a room a student owns takes the room
                   from its owner (or the owner undid it at once)
    REMOVE NICK [REASON]  moves NICK out of the room: NICK gets `system` removed {room, by, reason},
                   then `left`; the room hears NICK leave.  NICK stays connected, and joins a locked
                   room again only with its current key.  Nobody removes a teacher.

Only the room's owner (its maker; chat_server/identity/rooms_kept.py) or
a teacher may; others get `not_allowed`.  Both are kept in the rooms table
(the room hears the change once it is on disk: a `kill -9` just after a KEY
undid it, found by a probe) and go out in `joined` and the `rooms` push.  A key is hashed (PBKDF2,
chat_server/identity/room_keys.py) off the registry lock.

REMOVE exists because a new key alone kept nobody out who was already in:
someone who joined with a leaked key went on reading the room, its history
and its files, and only a teacher's KICK (off the whole chat) could end
that; a student owner had no way at all (found by a probe).
"""

from __future__ import annotations

from chat_server.address_budget import SETTINGS_BURST, SETTINGS_PER_MINUTE
from chat_server.handlers.base import CommandModule, CommandResult, Delivery, OffLock, after_saving
from chat_server.handlers.membership import REASON_IN_NOTICE_CHARS, leave_deliveries
from chat_server.identity.room_keys import hash_room_key, new_room_key
from chat_server.identity.rooms_kept import owner_change_words, owner_now
from chat_server.registry import Room
from chat_server.session import Session
from shared.errors import ErrorCode, ProtocolError
from shared.frames import server_frame
from shared.names import name_key, normalise_nick, one_line
from shared.quoted_words import quoted

MAX_TOPIC_CHARS = 120  # keeps the `rooms` push listing many rooms; a topic is a line, not a text


class RoomSettingCommands(CommandModule):
    def handle_topic(self, session: Session, argument: str) -> CommandResult:
        room = self._own_room(session, "set the topic")
        if not self._setting_allowed(session):
            return []
        topic = one_line(argument, max_chars=len(argument) + 1)  # whole: a refusal says how long it really was
        if topic and session.muted:  # the topic would be a way round the mute (removing one says nothing)
            raise ProtocolError(ErrorCode.MUTED, "You are muted, so you cannot set a topic; /topic alone removes it.")
        if len(topic) > MAX_TOPIC_CHARS:
            raise ProtocolError(
                ErrorCode.TOO_LONG, f"A topic has at most {MAX_TOPIC_CHARS} characters; this one has {len(topic)}."
            )
        taken = topic != room.topic and self._teacher_over_an_owner(session, room)
        if taken:  # else the owner wrote over the teacher's topic at once ("TEACHER: homework cancelled", a probe)
            self.kept_rooms.set_owner(room.name, None, None)
        room.topic = topic
        self.kept_rooms.save(room)
        text = (
            f"{session.nick} set the topic of #{room.name}: {quoted(topic)}"
            if topic
            else f"{session.nick} removed the topic"
        )
        notice = server_frame("system", text, event="topic", room=room.name, user=session.nick, topic=topic)
        deliveries = [(room.members, notice), *self._taken_notice(session, room, taken)]
        return after_saving(self.storage, deliveries, asker=session, what=f"The topic of #{room.name}")

    def handle_key(self, session: Session, argument: str) -> CommandResult:
        room = self._own_room(session, "set the key")
        if not self._setting_allowed(session):
            return []
        if not argument:
            return self._keyed(session, room, None)
        self._may_lock(session)
        key = new_room_key(argument)
        return OffLock(lambda: hash_room_key(key), lambda key_hash: self._keyed(session, room, key_hash))

    def _setting_allowed(self, session: Session) -> bool:
        """Whether this TOPIC or KEY fits its computer's budget for room settings (chat_server/address_budget.py).

        Each is written to disk before the answer, a KEY hashed first: fifty owners on five computers, each
        within its own rate, took a whole core and made the class's messages 20 times slower (a probe).
        Past it: `rate_limited` once a second, and False (drop it quietly) in between.  Teachers are not held.
        """
        budget = session.address_budget
        if budget is None or self.identity.is_teacher(session) or budget.allow_setting():
            return True
        session.flood.refuse_or_drop(
            "Your computer has changed room topics and keys too often (all its connections together); nothing "
            f"changed. Each computer may make {SETTINGS_BURST} such changes at once, then {SETTINGS_PER_MINUTE} a "
            "minute."
        )
        return False

    @staticmethod
    def _may_lock(session: Session) -> None:
        if session.muted:  # a key would let a muted owner keep the class out of the room, again and again
            raise ProtocolError(
                ErrorCode.MUTED, "You are muted, so you cannot lock the room; /key alone removes its key."
            )

    def _keyed(self, session: Session, room: Room, key_hash: str | None) -> CommandResult:
        if session.room is not room:
            raise ProtocolError(
                ErrorCode.NOT_IN_ROOM, f"You left #{room.name} before the key was set; nothing changed."
            )
        if key_hash is not None:  # after the hash (off the lock): the admin may have given the room away, a
            self._own_room(session, "set the key")  # teacher muted the owner (found by a race probe)
            self._may_lock(session)
        taken = (key_hash is not None or room.key_hash is not None) and self._teacher_over_an_owner(session, room)
        if taken:
            # A teacher locked a room a student made: its owner took the key off (or put her own on) at once, and
            # the teacher's lock held for one command (a probe); a teacher's unlocking, the same way (the owner
            # locked it again at once: the fifteenth review). The room goes to nobody, as /owner ROOM none does.
            self.kept_rooms.set_owner(room.name, None, None)
        room.key_hash = key_hash
        self.kept_rooms.save(room)
        if key_hash is None:
            # What was said behind the key becomes readable too (HISTORY, SEARCH, replay): the room is told so.
            text = f"{session.nick} removed the key of #{room.name}: anyone may join and read what was said here"
        else:
            text = f"{session.nick} set a key on #{room.name}: others join with /join {room.name} KEY"
        notice = server_frame(
            "system", text, event="key", room=room.name, user=session.nick, locked=key_hash is not None
        )
        deliveries = [(room.members, notice), *self._taken_notice(session, room, taken)]
        return after_saving(self.storage, deliveries, asker=session, what=f"The key of #{room.name}")

    @staticmethod
    def _taken_notice(session: Session, room: Room, taken: bool) -> list[Delivery]:
        """The `owner` event a teacher's KEY or TOPIC that took the room sends, as OWNER ROOM none would: the
        windows' topic bars named the old owner, and his window offered him the room's settings, until a rejoin."""
        if not taken:
            return []
        heard, _done = owner_change_words(session.nick or "", room.name, "")
        return [(room.members, server_frame("system", heard, event="owner", room=room.name, owner=""))]

    def _teacher_over_an_owner(self, session: Session, room: Room) -> bool:
        """Whether a teacher is acting on a room that someone else (a student) owns."""
        return (
            self.identity.is_teacher(session)
            and room.owner_id is not None
            and not self.kept_rooms.is_owner(session, room.owner_id)
        )

    def handle_remove(self, session: Session, argument: str) -> list[Delivery]:
        room = self._own_room(session, "remove someone from it")
        nick, _, said = argument.partition(" ")
        if not nick:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, "Say whom: /remove NICK [reason].")
        target = self.registry.by_nick.get(name_key(normalise_nick(nick)))
        if target is None or target.room is not room or target.closing:
            shown = target.nick if target is not None else one_line(nick, 40)
            raise ProtocolError(
                ErrorCode.NOT_IN_ROOM, f"{shown} is not in #{room.name}; /remove acts on the people of your room."
            )
        if target is session:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, f"To go out of #{room.name} yourself: /leave.")
        if self.identity.is_teacher(target):
            raise ProtocolError(ErrorCode.NOT_ALLOWED, f"{target.nick} is a teacher; only the admin can do that.")
        reason = one_line(said)
        if reason and session.muted:  # the reason reaches the room: it would be a way round the mute
            raise ProtocolError(ErrorCode.MUTED, f"You are muted, so without a reason: /remove {target.nick}.")
        by = session.nick or ""
        text = f"{by} removed you from #{room.name}"
        fields = {"room": room.name, "by": by}
        if reason:
            text += f": {quoted(reason, REASON_IN_NOTICE_CHARS)}"  # their words, quoted and capped; whole in `reason`
            fields["reason"] = reason
        notice = server_frame("system", text, event="removed", **fields)
        left = server_frame("left", f"You left #{room.name}", room=room.name)
        # The room (the remover too) hears the leave, with who did it: their confirmation.
        return [
            ([target], notice),
            ([target], left),
            *leave_deliveries(self.registry, target, f"removed by {by}", reason),
        ]

    def _own_room(self, session: Session, what: str) -> Room:
        room = self.require_room(session)
        if not (self.identity.is_teacher(session) or self.kept_rooms.is_owner(session, room.owner_id)):
            shown = owner_now(self.registry, room)
            owner = f" ({shown})" if shown else ""
            raise ProtocolError(
                ErrorCode.NOT_ALLOWED, f"Only the owner of #{room.name}{owner} or a teacher may {what}."
            )
        return room
