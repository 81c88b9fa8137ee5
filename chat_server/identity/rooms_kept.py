"""Rooms that outlive their members: owner, topic and key from the rooms table (handler threads, registry lock held).

PROTOCOL.md (Version 2, Identity): the room's owner is whoever made it;
its owner, topic and key outlive its last member.  How:

- When a room is made (the registry calls `created`), its record is read
  from the rooms table, or, for a new name, written with the maker as its
  owner.  The live Room carries topic, owner and key hash from then on.
- When its last member leaves (`emptied`), the record stays if the room
  has a topic or a key, was kept before, or had a message this time;
  otherwise it goes again, so a student making rooms `a1`, `a2`... for fun
  leaves nothing behind, while a group's room with its key is kept.
- The owner is who made it, as private messages have theirs
  (chat_server/identity/owners.py): the maker's account when logged in,
  else the maker's guest session, which only RESUME hands on. Whoever
  takes a guest's nickname after they have gone does not own their rooms
  (so register a name you make rooms under). A guest's room from before
  owners has none; teachers manage it.

A locked room's kept messages are for those who may enter it without
telling its key again: its members, its owner and teachers
(`check_readable`, which HISTORY and SEARCH of a named room call).

Every look-up here is in memory (the storage's tables), every change is
queued for its writer: nothing does I/O under the lock.
"""

from __future__ import annotations

import time

from chat_server.identity.owners import ACCOUNT_PREFIX, account_owner
from chat_server.registry import ChatRegistry, Room
from chat_server.session import Session
from chat_server.storage import RoomRecord, Storage
from shared.errors import ErrorCode, ProtocolError
from shared.names import normalise_nick, one_line

NOBODY = ("", "none", "nobody", "-")  # the words that give a room to nobody
PERSON_MARK = "@"  # "@None": the person called None (a nickname may be a word of NOBODY), never nobody


def owner_change_words(by: str, room: str, owner: str) -> tuple[str, str]:
    """(what the room's members hear, the confirmation) when `by` ("An admin", a teacher's name) gives `room` to
    `owner` ("": to nobody)."""
    if owner:
        return f"{by} gave #{room} to {owner}: they set its topic and key now", f"#{room} now belongs to {owner}."
    heard = f"{by} took #{room} from its owner: nobody owns it now (teachers set its topic and key)"
    return heard, f"Nobody owns #{room} now."


def owner_now(registry: ChatRegistry, room: Room) -> str:
    """The live room's owner as shown to a joiner (lock held): `room.owner` while that name is the owner's still,
    "" once a guest owner has gone or been renamed, or someone else holds the name (an account made again).

    It was kept from when the room was made or given, so a classmate who took a gone guest owner's name was
    shown as the owner (found by a probe, the ninth review)."""
    if not room.owner or room.owner_id is None:
        return room.owner
    holder = registry.find_nick(room.owner)
    if holder is not None:  # whoever is called that now: the owner, or someone else (an account made again)
        return room.owner if holder.owns(room.owner_id) else ""
    return room.owner if room.owner_id.startswith(ACCOUNT_PREFIX) else ""  # an account owner away: its name


class KeptRooms:
    """The registry's RoomLife: keeps the rooms table and the room look-alike index in step with live rooms."""

    def __init__(self, registry: ChatRegistry, storage: Storage) -> None:
        self.registry = registry
        self.storage = storage

    def created(self, room: Room, creator: Session) -> None:
        record = self.storage.rooms.get(room.name)
        if record is None:
            record = RoomRecord(
                room.name, owner_key=creator.key, created_ms=int(time.time() * 1000), owner=creator.owner
            )
            self.storage.rooms.put(record)
            self.registry.room_index.add(record.name)
        else:
            room.kept = True
            room.name = record.name  # shown as it was first made
        room.topic, room.owner_key, room.key_hash = record.topic, record.owner_key, record.key_hash
        room.owner_id = record.owner
        room.owner = creator.nick or "" if creator.owns(record.owner) else self.owner_shown(record)

    def emptied(self, room: Room) -> None:
        if room.kept or room.topic or room.key_hash is not None or room.messages:
            return
        if self.storage.rooms.delete(room.name):
            self.registry.room_index.discard(room.name)

    def save(self, room: Room) -> None:
        """Write the live room's topic and key to its record (after TOPIC or KEY)."""
        record = self.storage.rooms.get(room.name)
        created_ms = record.created_ms if record is not None else int(time.time() * 1000)
        self.storage.rooms.put(
            RoomRecord(room.name, room.owner_key, room.topic, room.key_hash, created_ms, owner=room.owner_id)
        )
        if record is None:
            self.registry.room_index.add(room.name)
        self.registry.rooms_version += 1  # the `rooms` push carries topic and lock

    def set_owner(self, name: str, owner: str | None, owner_key: str | None) -> tuple[str, Room | None]:
        """Give room `name` to `owner` (owners.py; None: nobody), live or kept; its name as shown and its live Room.

        The admin's way to take back a room a student made first and keeps
        locked (found by a probe: the owner put a key back on as soon as a
        teacher took it off, and /clear, /close and restarts left the owner).
        """
        room = self.registry.find_room(name)
        record = self.storage.rooms.get(name)
        if room is None and record is None:
            raise ProtocolError(ErrorCode.BAD_ROOM, f"There is no room #{name}, live or kept.")
        if room is not None:
            room.owner_id, room.owner_key = owner, owner_key
            self.save(room)
            room.owner = self.owner_shown(self.storage.rooms.get(room.name) or RoomRecord(room.name))
            return room.name, room
        assert record is not None
        self.storage.rooms.put(
            RoomRecord(record.name, owner_key, record.topic, record.key_hash, record.created_ms, owner=owner)
        )
        return record.name, None

    def free(self, name: str, nothing_said: bool) -> tuple[str, Room | None, RoomRecord, bool]:
        """Take the key, the topic and the owner off room `name`, live or kept; (its name as shown, its live Room
        or None, the record as it was, whether it was forgotten).  A room nobody is in and with no kept
        message (`nothing_said`, read off the lock) is forgotten altogether: its name and the names that
        look like it are free again (a squatter's `hοmework`, with a Greek ο, kept the teacher's `homework`
        out, and sent the class to the squatter's room).

        The admin's one step for a room a student made before the lesson and locked, with a topic worded like
        the teacher's: the headless console had no KEY or TOPIC, and `/owner ROOM none` left the key on, so
        the class stayed outside (found by a probe, the fifteenth review).
        """
        room = self.registry.find_room(name)
        record = self.storage.rooms.get(name)
        if room is None and record is None:
            raise ProtocolError(ErrorCode.BAD_ROOM, f"There is no room #{name}, live or kept.")
        if room is not None:
            before = RoomRecord(room.name, room.owner_key, room.topic, room.key_hash, owner=room.owner_id)
            room.topic, room.key_hash, room.owner_id, room.owner_key, room.owner = "", None, None, None, ""
            self.save(room)
            return room.name, room, before, False
        assert record is not None
        if nothing_said:
            self.storage.rooms.delete(record.name)
            self.registry.room_index.discard(record.name)
            return record.name, None, record, True
        self.storage.rooms.put(RoomRecord(record.name, None, "", None, record.created_ms, owner=None))
        return record.name, None, record, False

    def kept_empty(self) -> list[tuple[RoomRecord, str]]:
        """The kept rooms nobody is in, by name, with their owner's name as shown ("" for nobody)."""
        return [
            (record, self.owner_shown(record))
            for record in self.storage.rooms.list_all()
            if self.registry.find_room(record.name) is None
        ]

    def give(self, name: str, wanted: str) -> tuple[str, str, Room | None]:
        """Give room `name` to the person `wanted` (an account, else a guest online) or to nobody (NOBODY words);
        (the room's name as shown, the new owner's name as shown or "", the live Room or None).

        "@NICK" is always the person: "None", "Nobody" and "-" are nicknames too, and the window's "Give #room to
        them" on a student called None took the room from its owner instead (found by a probe). A typed word of
        NOBODY stays nobody, so such a student never gets a room a teacher meant to take back."""
        wanted = wanted.strip()
        person = wanted.startswith(PERSON_MARK)
        wanted = wanted.removeprefix(PERSON_MARK)
        if not person and wanted.lower() in NOBODY:
            shown_room, live = self.set_owner(name, None, None)
            return shown_room, "", live
        account = self.storage.accounts.get(wanted)
        holder = self.registry.find_nick(wanted)
        owner_key: str | None
        if account is not None:
            owner, owner_key, shown = account_owner(account), account.key, account.nick
        elif holder is not None and holder.nick:
            owner, owner_key, shown = holder.guest_owner, holder.key, holder.nick
        else:
            raise ProtocolError(
                ErrorCode.NO_SUCH_USER, f"{one_line(normalise_nick(wanted), 40)} has no account and is not online."
            )
        shown_room, live = self.set_owner(name, owner, owner_key)
        return shown_room, shown, live

    def record(self, name: str) -> RoomRecord | None:
        return self.storage.rooms.get(name)

    @staticmethod
    def is_owner(session: Session, owner: str | None) -> bool:
        """Whether `session` is the room's owner (`owner`: Room.owner_id or RoomRecord.owner), whatever its nickname."""
        return session.owns(owner)

    def check_readable(self, session: Session, name: str, is_teacher: bool) -> None:
        """Raise `bad_room_key` unless `session` may read the kept messages of room `name` (lock held)."""
        room = self.registry.find_room(name)
        record = self.record(name) if room is None else None
        key_hash = room.key_hash if room is not None else record.key_hash if record is not None else None
        if key_hash is None or is_teacher or (room is not None and session.room is room):
            return
        owner = room.owner_id if room is not None else record.owner if record is not None else None
        if self.is_owner(session, owner):
            return
        shown = room.name if room is not None else record.name if record is not None else name
        raise ProtocolError(
            ErrorCode.BAD_ROOM_KEY,
            f"#{shown} is locked: its messages are for its members. Join it with its key first: /join {shown} KEY.",
        )

    def owner_shown(self, record: RoomRecord) -> str:
        """The owner's nickname as people see it: as online now, else as registered; "" when nobody owns it.

        Never merely whoever holds the nickname the room was made under: a
        guest's room whose maker has gone shows no owner, so the next holder
        of that name does not look like its owner either.
        """
        owner = record.owner
        if owner is None:
            return ""
        for session in self.registry.by_nick.values():
            if session.nick and session.owns(owner):
                return session.nick
        if record.owner_key is not None and owner.startswith(ACCOUNT_PREFIX):
            account = self.storage.accounts.get(record.owner_key)
            if account is not None and account_owner(account) == owner:  # not an account of that name made again
                return account.nick
        return ""
