"""TOPIC and KEY: a room's owner (or a teacher) sets what outlives its members (handler threads, registry lock held).

PROTOCOL.md (Version 2, Identity).  Both act on the sender's current room:

    TOPIC [TEXT]   sets the topic (one line, at most MAX_TOPIC_CHARS), or removes it with no text;
                   the room hears `system` topic {room, user, topic}
    KEY [KEY]      sets the room's key (JOIN room KEY enters), or removes it with no key; the room
                   hears `system` key {room, user, locked}; the key itself is never sent to anyone

Only the room's owner (its maker; chat_server/identity/rooms_kept.py) or
a teacher may; others get `not_allowed`.  Both are kept in the rooms table
(the room hears the change once it is on disk: a `kill -9` just after a KEY
undid it, found by a probe) and go out in `joined` and the `rooms` push.  A key is hashed (PBKDF2,
chat_server/identity/room_keys.py) off the registry lock.
"""

from __future__ import annotations

from chat_server.handlers.base import CommandModule, CommandResult, OffLock, after_saving
from chat_server.identity.room_keys import clean_room_key, hash_room_key
from chat_server.registry import Room
from chat_server.session import Session
from shared.errors import ErrorCode, ProtocolError
from shared.frames import server_frame
from shared.names import one_line

MAX_TOPIC_CHARS = 120  # keeps the `rooms` push listing many rooms; a topic is a line, not a text


class RoomSettingCommands(CommandModule):
    def handle_topic(self, session: Session, argument: str) -> CommandResult:
        room = self._own_room(session, "set the topic")
        topic = one_line(argument, max_chars=len(argument) + 1)  # whole: a refusal says how long it really was
        if topic and session.muted:  # the topic would be a way round the mute (removing one says nothing)
            raise ProtocolError(ErrorCode.MUTED, "You are muted, so you cannot set a topic; /topic alone removes it.")
        if len(topic) > MAX_TOPIC_CHARS:
            raise ProtocolError(
                ErrorCode.TOO_LONG, f"A topic has at most {MAX_TOPIC_CHARS} characters; this one has {len(topic)}."
            )
        room.topic = topic
        self.kept_rooms.save(room)
        text = (
            f"{session.nick} set the topic of #{room.name}: {topic}" if topic else f"{session.nick} removed the topic"
        )
        notice = server_frame("system", text, event="topic", room=room.name, user=session.nick, topic=topic)
        return after_saving(self.storage, [(room.members, notice)], asker=session, what=f"The topic of #{room.name}")

    def handle_key(self, session: Session, argument: str) -> CommandResult:
        room = self._own_room(session, "set the key")
        if not argument:
            return self._keyed(session, room, None)
        if session.muted:  # a key would let a muted owner keep the class out of the room, again and again
            raise ProtocolError(
                ErrorCode.MUTED, "You are muted, so you cannot lock the room; /key alone removes its key."
            )
        key = clean_room_key(argument)
        return OffLock(lambda: hash_room_key(key), lambda key_hash: self._keyed(session, room, key_hash))

    def _keyed(self, session: Session, room: Room, key_hash: str | None) -> CommandResult:
        if session.room is not room:
            raise ProtocolError(
                ErrorCode.NOT_IN_ROOM, f"You left #{room.name} before the key was set; nothing changed."
            )
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
        return after_saving(self.storage, [(room.members, notice)], asker=session, what=f"The key of #{room.name}")

    def _own_room(self, session: Session, what: str) -> Room:
        room = self.require_room(session)
        if not (self.identity.is_teacher(session) or self.kept_rooms.is_owner(session, room.owner_id)):
            owner = f" ({room.owner})" if room.owner else ""
            raise ProtocolError(
                ErrorCode.NOT_ALLOWED, f"Only the owner of #{room.name}{owner} or a teacher may {what}."
            )
        return room
