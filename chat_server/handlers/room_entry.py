"""JOIN ROOM [KEY]: entering a room, with its key, its owner and the look-alike rule (handler threads, registry lock held).

PROTOCOL.md (Version 2, Identity):

- A name that could pass for a room that exists or is kept (shared/lookalike.py)
  is refused with `bad_room`, naming that room; the same name in another case
  or width is simply that room.
- A room with a key (`locked`) is entered with `JOIN room KEY`.  A missing or
  wrong key gets `bad_room_key`; after 5 wrong keys in a minute from one
  address, or for one room from all addresses, further tries get
  `rate_limited` without being checked.
- One address makes at most NEW_ROOMS_PER_ADDRESS new rooms in
  NEW_ROOMS_WINDOW_SECONDS (teachers and this computer excepted): a kept
  room's name is the class's for good.  Only a really new room counts: not
  one with kept messages, nor one this address made within the window
  already (it emptied and lost its record; going back to it is not making it).  The room's
  owner and teachers enter without the key, and so does a member already in it.
  A key given for a room without one is ignored (it may just have been
  removed); for a room that does not exist it is refused with `bad_room`
  (room names have no spaces).
- The key is checked against its hash off the registry lock (an OffLock):
  if the key changed meanwhile, the joiner is told to try again.
- Every join is followed by the room's replay (handlers/replay.py); when a
  key is checked off the lock, the replay's disk read happens in that same
  work, before the joiner is put in the room.  When the replay alone needs
  the disk, the whole decision is taken again under the lock after the read
  (from memory then): the owner may have set a key, or the room emptied,
  while the disk was read (found by a race probe: a student who sent JOIN
  just before the owner's KEY was let into the locked room without a key).
"""

from __future__ import annotations

import math

from chat_server.handlers.base import CommandResult, Delivery, OffLock, ServerServices
from chat_server.handlers.membership import join_deliveries
from chat_server.handlers.replay import replay_count, replay_deliveries
from chat_server.identity.login_throttle import LoginAttempt
from chat_server.identity.room_keys import room_key_matches
from chat_server.identity.service import NEW_ROOMS_PER_ADDRESS, NEW_ROOMS_WINDOW_SECONDS
from chat_server.plain_secrets import THIS_COMPUTER
from chat_server.registry import Room
from chat_server.session import Session
from chat_server.storage.models import RoomRecord
from shared.errors import ErrorCode, ProtocolError
from shared.lookalike import room_lookalike_error
from shared.names import name_key, normalise_room


def enter_room(services: ServerServices, session: Session, argument: str, history_read: bool = False) -> CommandResult:
    """JOIN: `history_read` when the room's newest kept messages were just read into memory (off the lock): then
    everything is decided from memory, with no further disk read."""
    words = argument.split(None, 1)
    name = normalise_room(words[0])
    typed_key = words[1].strip() if len(words) > 1 else ""
    registry = services.registry
    room = registry.find_room(name)
    if room is not None and session.room is room:
        # already there: `joined` again, nobody hears it
        return _join(services, session, argument, room.name, history_read)
    kept = services.who.rooms
    record = kept.record(name) if room is None else None
    if room is None and record is None:
        if typed_key:  # no such room, so no key: "JOIN lab room" is a room name with a space
            raise ProtocolError(
                ErrorCode.BAD_ROOM,
                f"Room names have no spaces; a key goes only with a room that has one. To make #{name}: /join {name}.",
            )
        existing = registry.room_index.find(name)
        if existing is not None:
            raise room_lookalike_error(name, existing)
        history = kept_history(services, name, history_read)
        if history is None:  # memory cannot say: read the room's newest messages off the lock, then decide again
            store = services.storage.messages

            def again(_read: bool) -> CommandResult:
                return [] if session.closing else enter_room(services, session, argument, history_read=True)

            return OffLock(lambda: store.load_recent(name), again)
        if not history:  # really new: no kept message, no record (owner, topic, key)
            if session.muted:  # a room's name reaches every window's room list: it would be a muted student's words
                raise ProtocolError(
                    ErrorCode.MUTED, "You are muted, so you cannot make a new room; join one that exists (/list)."
                )
            _count_new_room(services, session, name)
        return _join(services, session, argument, name, history_read)  # made again: its maker owns it
    shown = room.name if room is not None else record.name if record is not None else name
    key_hash = key_to_enter(services, session, room, record)
    if key_hash is None:
        return _join(services, session, argument, shown, history_read)
    if not typed_key:
        raise ProtocolError(
            ErrorCode.BAD_ROOM_KEY, f"#{shown} is locked: join it with its key, /join {shown} KEY (ask its owner)."
        )
    throttle = services.who.service.room_key_throttle
    # Counted per room as well as per address (as logins are per nickname): five wrong keys a minute per
    # address would be no limit for someone trying from many addresses.
    room_side = f"room\n{name_key(shown)}"
    attempt = throttle.try_begin(room_side, session.computer)
    if attempt is None:
        wait = max(1, math.ceil(throttle.retry_after(room_side, session.computer)))
        raise ProtocolError(
            ErrorCode.RATE_LIMITED, f"Too many wrong keys for #{shown}, or from your address; try again in {wait} s."
        )
    stored = key_hash
    store = services.storage.messages
    preload = bool(replay_count(services))

    def work() -> bool:
        matches = room_key_matches(typed_key, stored)
        if matches and preload:
            store.load_recent(shown)  # the replay's disk read, here rather than under the lock
        return matches

    def then(matches: bool) -> list[Delivery]:
        if session.closing:  # kicked or taken over while the key was checked
            return []
        return _after_check(services, session, shown, stored, matches, attempt)

    return OffLock(work, then)


def key_to_enter(
    services: ServerServices, session: Session, room: Room | None, record: RoomRecord | None
) -> str | None:
    """The key hash `session` must match to enter the room (live, else kept); None: no key, or a teacher or the owner."""
    key_hash = room.key_hash if room is not None else record.key_hash if record is not None else None
    if key_hash is None or services.who.service.is_teacher(session):
        return None
    owner = room.owner_id if room is not None else record.owner if record is not None else None
    return None if services.who.rooms.is_owner(session, owner) else key_hash


def kept_history(services: ServerServices, name: str, read: bool) -> bool | None:
    """Whether room `name` has kept messages, from memory (no I/O); None: memory cannot say until they are read.

    A room without a record may still have history (its record went, or it predates the rooms table):
    entering it is not making a room, whatever number of times (found by a probe: a room with 12,500
    messages counted as new).
    """
    if not services.config.history:
        return False
    page = services.storage.messages.recent(name, 1, memory_only=read)
    return None if page is None else bool(page.messages)


def _count_new_room(services: ServerServices, session: Session, name: str) -> None:
    """Count a room this address makes: `rate_limited` past NEW_ROOMS_PER_ADDRESS (teachers and this computer have
    no limit); one it made within the window already is not counted again (identity/new_rooms.py)."""
    service = services.who.service
    if session.host in THIS_COMPUTER or service.is_teacher(session):
        return
    wait = service.new_rooms.acquire(session.computer, name_key(name))
    if wait:
        raise ProtocolError(
            ErrorCode.RATE_LIMITED,
            f"You made {NEW_ROOMS_PER_ADDRESS} new rooms in {NEW_ROOMS_WINDOW_SECONDS / 60:g} minutes; join one "
            f"that exists (/list), or make another in {max(1, math.ceil(wait))} s.",
        )


def _join(services: ServerServices, session: Session, argument: str, name: str, history_read: bool) -> CommandResult:
    """Join now, with the replay from memory; or, if the replay needs the disk, read it off the lock and decide again."""
    store = services.storage.messages
    count = replay_count(services)
    if history_read or not count or store.recent(name, count) is not None:
        return _join_now(services, session, name)

    def again(_read: bool) -> CommandResult:
        return [] if session.closing else enter_room(services, session, argument, history_read=True)

    return OffLock(lambda: store.load_recent(name), again)


def _join_now(services: ServerServices, session: Session, name: str) -> list[Delivery]:
    """Under the lock after an OffLock: the join and the replay from memory (read in the work, if needed)."""
    return join_deliveries(services.registry, session, name) + replay_deliveries(services, session)


def _after_check(
    services: ServerServices, session: Session, shown: str, checked: str, matches: bool, attempt: LoginAttempt
) -> list[Delivery]:
    """Back under the lock: join if the key fitted and is still the room's key."""
    room = services.registry.find_room(shown)
    record = services.who.rooms.record(shown) if room is None else None
    now = room.key_hash if room is not None else record.key_hash if record is not None else None
    if now != checked:
        if now is None:
            return _join_now(services, session, shown)  # the key was removed meanwhile
        raise ProtocolError(ErrorCode.BAD_ROOM_KEY, f"The key of #{shown} changed just now; ask for the new one.")
    if not matches:
        raise ProtocolError(ErrorCode.BAD_ROOM_KEY, f"That is not the key of #{shown}; check it with the room's owner.")
    services.who.service.room_key_throttle.succeeded(attempt)
    return _join_now(services, session, shown)
