"""The rows the storage layer hands out and takes in: a named tuple for messages, frozen dataclasses else (any thread).

Every name is kept twice: as shown (`sender`, `room`, `recipient`) and as
the server compares it (`*_key`, from `shared.names.name_key`), so lookups
never depend on how a user typed a name.  Who a private message or a file
*belongs to* is a third thing, its owners (`sender_owner`,
`recipient_owner`: an account, or one guest's session; see
chat_server/identity/owners.py): a nickname can pass from one person to
another, an owner never does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from shared.names import name_key

MESSAGE_KIND = "message"
FILE_KIND = "file"


def room_conversation(room_key: str) -> str:
    return "#" + room_key


def private_conversation(key_a: str, key_b: str) -> str:
    """One key for both directions of a private conversation ('@' is never part of a name key)."""
    first, second = sorted((key_a, key_b))
    return f"@{first}@{second}"


class StoredMessage(NamedTuple):
    """One kept message: public (`room` set) or private (`recipient` set), never both.

    A named tuple, because the server makes one per message under the
    registry lock and a tuple is the cheapest immutable record; its fields
    are in the order of the `messages` table, so it is also the row. Make
    one with `StoredMessage.public(...)` or `StoredMessage.private(...)`.
    """

    id: int
    conv: str
    room: str | None
    sender: str
    sender_key: str
    recipient: str | None
    recipient_key: str | None
    text: str
    time_ms: int
    kind: str = MESSAGE_KIND
    sender_owner: str | None = None  # who sent it (chat_server/identity/owners.py); None: nobody now (kept from before)
    recipient_owner: str | None = None  # a private message's other person, the same way
    # REPLY (chat_server/handlers/replies.py): the id it answers, and that message's sender and first line as
    # the server quoted them; the excerpt is None once the original is deleted.
    reply_to: int | None = None
    reply_sender: str | None = None
    reply_excerpt: str | None = None

    @classmethod
    def public(
        cls,
        id: int,
        room: str,
        sender: str,
        text: str,
        time_ms: int,
        *,
        kind: str = MESSAGE_KIND,
        room_key: str | None = None,
        sender_key: str | None = None,
        sender_owner: str | None = None,
    ) -> StoredMessage:
        """A room message; pass the name keys when you have them (saves normalising the names again)."""
        conv = "#" + (room_key if room_key is not None else name_key(room))  # room_conversation, inlined
        # tuple.__new__ skips the named tuple's generated Python __new__: one is made per message under
        # the registry lock (0.8 instead of 1.6 us).
        row = (
            id,
            conv,
            room,
            sender,
            sender_key or name_key(sender),
            None,
            None,
            text,
            time_ms,
            kind,
            sender_owner,
            None,
            None,
            None,
            None,
        )
        return tuple.__new__(cls, row)

    @classmethod
    def private(
        cls,
        id: int,
        sender: str,
        recipient: str,
        text: str,
        time_ms: int,
        *,
        kind: str = MESSAGE_KIND,
        sender_key: str | None = None,
        recipient_key: str | None = None,
        sender_owner: str | None = None,
        recipient_owner: str | None = None,
    ) -> StoredMessage:
        """A private message from `sender` to `recipient` (the server always passes both owners)."""
        sender_key = sender_key or name_key(sender)
        recipient_key = recipient_key or name_key(recipient)
        conv = private_conversation(sender_key, recipient_key)
        row = (
            *(id, conv, None, sender, sender_key, recipient, recipient_key, text, time_ms, kind),
            *(sender_owner, recipient_owner, None, None, None),
        )
        return tuple.__new__(cls, row)  # as in public()

    @property
    def is_private(self) -> bool:
        return self.recipient is not None

    @property
    def room_key(self) -> str | None:
        return self.conv[1:] if self.room is not None else None

    def visible_to(self, asker_key: str) -> bool:
        """Whether a private message is one of `asker_key`'s two people (public ones: always)."""
        return not self.is_private or asker_key in (self.sender_key, self.recipient_key)

    def quoting(self, quote: Quote | None) -> StoredMessage:
        """This message as an answer to another: `quote` is (its id, sender, excerpt); None: as it is."""
        if quote is None:
            return self
        return self._replace(reply_to=quote[0], reply_sender=quote[1], reply_excerpt=quote[2])

    def without_quote(self) -> StoredMessage:
        """This answer once the message it quoted is deleted: the link stays, the quoted words go."""
        return self._replace(reply_excerpt=None) if self.reply_excerpt is not None else self

    def owned_by(self, owners: tuple[str, ...]) -> bool:
        """Whether one of `owners` sent this message or, for a private one, received it."""
        return self.sender_owner in owners or (self.recipient_owner is not None and self.recipient_owner in owners)


_new_tuple = tuple.__new__

Quote = tuple[int, str, str]  # what an answer quotes: the original's id, sender and excerpt (StoredMessage.quoting)


def quote_field(message_id: int, sender: str, excerpt: str | None) -> dict[str, object]:
    """The `reply` field of an answer's frame; without `excerpt` once the original is deleted."""
    if excerpt is None:
        return {"id": message_id, "sender": sender, "deleted": True}
    return {"id": message_id, "sender": sender, "excerpt": excerpt}


def room_message(
    message_id: int,
    room: str,
    room_key: str,
    sender: str,
    sender_key: str,
    text: str,
    time_ms: int,
    sender_owner: str | None,
) -> StoredMessage:
    """`StoredMessage.public` with both keys and the owner known, positional only: the chat path's constructor.

    A room message is made under the registry lock for every SAY; this
    skips the classmethod's keyword handling (about half of its cost).
    """
    # One literal tuple of the 15 fields: building a row and unpacking it into a longer one cost 60 ns more.
    row = (
        message_id,
        "#" + room_key,
        room,
        sender,
        sender_key,
        None,
        None,
        text,
        time_ms,
        MESSAGE_KIND,
        sender_owner,
        None,
        None,
        None,
        None,
    )
    return _new_tuple(StoredMessage, row)


@dataclass(frozen=True, slots=True)
class Conversation:
    """What a page of history is taken from: one room, or the private messages between two people.

    Build it with `Conversation.between(asker, peer, owners, peers)`;
    the asker of a private page is always one of its two people.  With
    `owners`, a private page holds only the messages one of them sent or
    received: the asker's own, not those of whoever had the nickname before.
    With `peers` too (the other person's owners, when the server knows who
    holds the nickname now), it holds every message between the two people
    under any names (the conversation follows a rename on either side) and
    nothing else: not what an earlier holder of the peer's nickname (a guest
    who has gone, a period before) said to the asker or heard from them.
    """

    key: str
    room_key: str | None = None
    people: tuple[str, str] | None = None
    owners: tuple[str, ...] | None = None
    peers: tuple[str, ...] | None = None

    @classmethod
    def of_room(cls, room: str) -> Conversation:
        key = name_key(room)
        return cls(room_conversation(key), room_key=key)

    @classmethod
    def between(
        cls, asker: str, peer: str, owners: tuple[str, ...] | None = None, peers: tuple[str, ...] | None = None
    ) -> Conversation:
        a, b = sorted((name_key(asker), name_key(peer)))
        return cls(private_conversation(a, b), people=(a, b), owners=owners, peers=peers if owners else None)


@dataclass(frozen=True, slots=True)
class Page:
    """Messages in id order, and whether more remain beyond them in the direction asked."""

    messages: list[StoredMessage]
    more: bool


Role = Literal["teacher", "student"]


@dataclass(frozen=True, slots=True)
class Account:
    """A registered nickname. `password_hash` is opaque here: it carries its own algorithm and parameters."""

    nick: str
    password_hash: str
    role: Role = "student"
    created_ms: int = 0
    key: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.role not in ("teacher", "student"):
            raise ValueError(f"unknown role {self.role!r}")
        if not self.key:
            object.__setattr__(self, "key", name_key(self.nick))


SanctionKind = Literal["ban", "mute"]


@dataclass(frozen=True, slots=True)
class Sanction:
    """A ban or a mute, by nickname key and/or by address; `until_ms` None means until lifted."""

    kind: SanctionKind
    nick_key: str | None
    address: str | None
    reason: str
    until_ms: int | None
    set_by: str
    created_ms: int
    id: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ("ban", "mute"):
            raise ValueError(f"unknown sanction {self.kind!r}")
        if self.nick_key is None and self.address is None:
            raise ValueError("a sanction names a nickname, an address or both")

    def active_at(self, now_ms: int) -> bool:
        return self.until_ms is None or self.until_ms > now_ms


@dataclass(frozen=True, slots=True)
class RoomRecord:
    """What outlives a room's last member: its owner, topic and key (as a hash made elsewhere).

    `owner` is who owns it (chat_server/identity/owners.py: an account, or one
    guest's session; None: nobody now); `owner_key` is the name key of the
    nickname it was made under, for showing.
    """

    name: str
    owner_key: str | None = None
    topic: str = ""
    key_hash: str | None = None
    created_ms: int = 0
    key: str = field(default="", compare=False)
    owner: str | None = None

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", name_key(self.name))


FileState = Literal["receiving", "ready", "removed"]


@dataclass(frozen=True, slots=True)
class FileRecord:
    """A shared file's metadata; the bytes sit in the data folder under `stored_name`."""

    file_id: str
    message_id: int
    stored_name: str
    original_name: str
    size: int
    sha256: str
    sender: str
    time_ms: int
    room: str | None = None
    recipient: str | None = None
    state: FileState = "receiving"
    sender_key: str = field(default="", compare=False)
    room_key: str | None = field(default=None, compare=False)
    recipient_key: str | None = field(default=None, compare=False)
    sender_owner: str | None = None  # as in StoredMessage: who may delete it, and fetch it when private
    recipient_owner: str | None = None
    waiting: bool = False  # sent privately to an account while nobody was logged in to it: shown at its login

    def __post_init__(self) -> None:
        if (self.room is None) == (self.recipient is None):
            raise ValueError("a file goes to either a room or a recipient")
        if self.state not in ("receiving", "ready", "removed"):
            raise ValueError(f"unknown file state {self.state!r}")
        if not self.sender_key:
            object.__setattr__(self, "sender_key", name_key(self.sender))
        if self.room is not None and self.room_key is None:
            object.__setattr__(self, "room_key", name_key(self.room))
        if self.recipient is not None and self.recipient_key is None:
            object.__setattr__(self, "recipient_key", name_key(self.recipient))


@dataclass(frozen=True, slots=True)
class StoreStatus:
    """What the store can promise right now, for the server to log once and show.

    `state`: "ok" (everything is written), "retrying" (writes fail for now and
    wait in memory), or "memory" (no database at all: nothing is kept past a
    restart). `not_saved` counts messages that will never reach the disk,
    `changes_not_saved` the same for accounts, bans, mutes, rooms and files;
    `notices` are one-off events such as a damaged database moved aside.
    """

    state: Literal["ok", "retrying", "memory"]
    reason: str = ""
    not_saved: int = 0
    waiting: int = 0
    path: str | None = None
    changes_not_saved: int = 0
    notices: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.state == "ok"

    def describe(self) -> str:
        if self.state == "ok":
            text = "ok"
        elif self.state == "memory":
            text = f"memory only: {self.reason}"
        else:
            text = f"not saving for now ({self.reason}); {self.waiting} waiting to be written"
        if self.not_saved:
            text += f"; {self.not_saved} messages not saved"
        if self.changes_not_saved:
            text += f"; {self.changes_not_saved} other changes not saved"
        for notice in self.notices:
            text += f"; {notice}"
        return text
