"""Which conversation a kept message belongs to, and the newest id handed on per conversation (scheduler thread; pure).

A conversation is a room or one private partner, keyed as the server
compares names:

    conversation_of({"type": "message", "room": "Lab", ...}, me)          -> "#lab"
    conversation_of({"type": "private", "sender": "Bob", "to": me}, me)   -> "@bob"

`Cursors` remembers, for the conversations this client has seen lately,
the highest message id it has handed on to its front end.  Ids only grow
(the contract), and while a client stays connected it receives every
message of its conversations in id order, so an id at or below the cursor
has been shown already: that one number per conversation is all the
deduplication the live stream needs, and the catch-up after a reconnect
asks for what came after it.  Only the most recent MAX_CONVERSATIONS are
kept, so memory stays bounded however many people write to this client.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any

from shared.names import name_key

MAX_CONVERSATIONS = 256
SEEN_PER_CONVERSATION = 500  # ids remembered per conversation to notice the ones deleted while away
KEPT_TYPES = frozenset(("message", "private", "file"))  # the frames that carry a message id


def room_key(room: str) -> str:
    return "#" + name_key(room)


def private_key(nick: str) -> str:
    return "@" + name_key(nick)


def key_of_target(target: str) -> str:
    """The key of a HISTORY target: "#Lab" -> "#lab", "@Bob" -> "@bob"."""
    return room_key(target[1:]) if target.startswith("#") else private_key(target.removeprefix("@"))


def message_id(frame: Any) -> int | None:
    """The message id of a kept frame (message, private, file), or None for any other frame."""
    if frame.get("type") not in KEPT_TYPES:
        return None
    value = frame.get("id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def conversation_of(frame: Any, me: str) -> tuple[str, str] | None:
    """(key, target) of a kept frame, e.g. ("#lab", "#Lab") or ("@bob", "@Bob"); None when it has none."""
    room = frame.get("room")
    if isinstance(room, str) and room:
        return room_key(room), f"#{room}"
    sender, to = frame.get("sender"), frame.get("to")
    if not isinstance(sender, str) or not isinstance(to, str):
        return None
    other = to if name_key(sender) == name_key(me) else sender
    return private_key(other), f"@{other}"


def is_history(frame: Any) -> bool:
    return frame.get("history") is True


@dataclass
class Cursor:
    target: str  # "#Room" or "@Nick" as last seen, for the HISTORY command
    last_id: int
    # The newest ids handed on here (live, replayed, caught up): a later replay that lacks one of them shows
    # it was deleted or cleared meanwhile (HistoryKeeper, "gone while away").
    seen: deque[int] = field(default_factory=lambda: deque(maxlen=SEEN_PER_CONVERSATION))


class Cursors:
    """conversation key -> the highest id handed on, for the MAX_CONVERSATIONS most recently active ones."""

    def __init__(self, limit: int = MAX_CONVERSATIONS) -> None:
        self.limit = limit
        self._by_key: OrderedDict[str, Cursor] = OrderedDict()
        self.highest = 0  # the highest id handed on in any conversation (ids are one sequence for the server)

    def __len__(self) -> int:
        return len(self._by_key)

    def get(self, key: str) -> Cursor | None:
        return self._by_key.get(key)

    def last_id(self, key: str) -> int | None:
        cursor = self._by_key.get(key)
        return cursor.last_id if cursor is not None else None

    def is_new(self, key: str, message: int) -> bool:
        """True when `message` is above the conversation's cursor (or the conversation is unknown)."""
        cursor = self._by_key.get(key)
        return cursor is None or message > cursor.last_id

    def advance(self, key: str, target: str, message: int, shown: bool = True) -> bool:
        """Move the cursor to `message` if that is newer; False when it was handed on already (a duplicate).

        `shown` False: a cursor placed, not a message handed on (it is not remembered as seen).
        """
        self.highest = max(self.highest, message)
        cursor = self._by_key.get(key)
        if cursor is None:
            cursor = self._by_key[key] = Cursor(target, message)
            if shown:
                cursor.seen.append(message)
            while len(self._by_key) > self.limit:
                self._by_key.popitem(last=False)
            return True
        self._by_key.move_to_end(key)
        cursor.target = target
        if message <= cursor.last_id:
            return False
        cursor.last_id = message
        if shown:
            cursor.seen.append(message)
        return True

    def seen(self, key: str) -> tuple[int, ...]:
        """The newest ids handed on in this conversation (at most SEEN_PER_CONVERSATION), oldest first."""
        cursor = self._by_key.get(key)
        return tuple(cursor.seen) if cursor is not None else ()

    def forget_id(self, number: int) -> None:
        """A message deleted while this client was there: no later replay should report it gone again."""
        for cursor in self._by_key.values():
            if number in cursor.seen:
                cursor.seen.remove(number)

    def forget_seen(self, key: str, gone: set[int]) -> None:
        cursor = self._by_key.get(key)
        if cursor is not None:
            kept = [number for number in cursor.seen if number not in gone]
            cursor.seen.clear()
            cursor.seen.extend(kept)

    def recent(self, prefix: str, count: int) -> list[tuple[str, Cursor]]:
        """The `count` most recently active conversations whose key starts with `prefix` ("@" or "#"), newest first."""
        found: list[tuple[str, Cursor]] = []
        for key in reversed(self._by_key):
            if key.startswith(prefix):
                found.append((key, self._by_key[key]))
                if len(found) >= count:
                    break
        return found
