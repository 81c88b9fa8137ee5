"""The server frames of the wire contract as types, and the check that a received frame fits its type (any thread).

One TypedDict per server frame type (PROTOCOL.md, versions 1 and 2).  A
field added to a frame is added here once; the type checker then finds every
reader, and `check_server_frame` (used by both clients and by the tests'
wire clients) checks received frames against the same table:

    frame = check_server_frame(decoded)     # ProtocolError(bad_frame) if a required field is missing
    if frame["type"] == "message":           # mypy narrows to MessageFrame
        show(frame["sender"], frame["content"])

Fields every server frame has (`content`, `timestamp`, and from version 2
`time`) come from `_Common`; the optional ones of a type sit in its
`total=False` part.  Frame types this module does not know are passed
through unchecked, so a newer server never breaks an older client.
"""

from __future__ import annotations

import re
import time
import typing
from typing import Any, Literal, TypedDict

from shared.errors import ErrorCode, ProtocolError

STAMP_PATTERN = re.compile(r"[0-2][0-9]:[0-5][0-9]:[0-5][0-9]")  # what `timestamp` holds: HH:MM:SS
NOT_NEGATIVE = frozenset(("size", "offset", "count"))  # counts of bytes or people: below 0 only from a forger


class _Common(TypedDict):
    content: str
    timestamp: str  # HH:MM:SS, server local time


class _CommonOptional(_Common, total=False):
    time: str  # version 2: UTC, ISO 8601 with milliseconds, e.g. 2026-11-30T17:25:03.123Z


# -- nested shapes --
class _ListRoom(TypedDict):
    name: str
    users: list[str]


class ListRoom(_ListRoom, total=False):
    count: int  # extension: every member, also when `users` names only some (a paged or summarised LIST)


class RoomSummary(TypedDict, total=False):
    name: str
    count: int
    topic: str
    locked: bool


class _SearchResult(TypedDict):
    id: int
    room: str  # the room's name; for a private message "@" and the other person's nickname
    sender: str
    time: str
    content: str


class SearchResult(_SearchResult, total=False):
    to: str  # extension: the recipient of a private message
    reply_to: int  # extension: the id of the message this one answers (REPLY)
    cut: bool  # extension: true when `content` is only the part around the match (the frame must fit 32 KiB)


# -- one type per frame --
class _Welcome(_CommonOptional):
    type: Literal["welcome"]
    server: str
    protocol: int


class WelcomeFrame(_Welcome, total=False):
    features: list[str]
    unsaved_ids: list[int]  # extension: [low, high], ids the last run lost when it stopped without closing its store


class _Nick(_CommonOptional):
    type: Literal["nick"]
    nick: str


class NickFrame(_Nick, total=False):
    old: str
    token: str  # version 2: the secret for RESUME
    role: str  # version 2: teacher or student
    resumed: bool  # extension: true when RESUME gave the nickname back
    account: bool  # extension: true while logged in to the nickname's account (after REGISTER or LOGIN)
    registered: bool  # extension: true in the answer to REGISTER


class _Message(_CommonOptional):
    type: Literal["message"]
    id: int
    room: str
    sender: str


class ReplyQuote(TypedDict, total=False):
    """Extension (REPLY): the message an answer quotes, filled in by the server from its own history."""

    id: int
    sender: str
    excerpt: str  # its first words on one line; absent once the original is deleted
    deleted: bool


class MessageFrame(_Message, total=False):
    history: bool
    role: Literal["teacher"]  # extension: the sender is logged in to a teacher's account (absent for students)
    reply: ReplyQuote  # extension: this message answers another (REPLY)


class _Private(_CommonOptional):
    type: Literal["private"]
    id: int
    sender: str
    to: str


class PrivateFrame(_Private, total=False):
    history: bool
    role: Literal["teacher"]  # extension: as in MessageFrame
    reply: ReplyQuote  # extension: as in MessageFrame


class _Joined(_CommonOptional):
    type: Literal["joined"]
    room: str
    users: list[str]


class JoinedFrame(_Joined, total=False):
    count: int  # extension: members in all; past `users` they come in `members` frames
    more: bool  # extension: true when `members` frames follow with the rest
    topic: str
    owner: str
    locked: bool
    statuses: dict[str, str]
    roles: dict[str, str]  # extension: {nick: "teacher"} for the teachers among `users`
    you_own: bool  # extension: true when the joiner owns the room (TOPIC, KEY, REMOVE are theirs)


class _Members(_CommonOptional):
    """Extension: the rest of a big room's member list after `joined`, in pages."""

    type: Literal["members"]
    room: str
    users: list[str]
    more: bool  # false on the last page


class MembersFrame(_Members, total=False):
    statuses: dict[str, str]  # version 2 presence: "online" or "away" for each of `users`
    roles: dict[str, str]  # {nick: "teacher"} for the teachers among `users`


class LeftFrame(_CommonOptional):
    type: Literal["left"]
    room: str


class _System(_CommonOptional):
    type: Literal["system"]
    event: str


class SystemFrame(_System, total=False):
    room: str
    user: str
    old: str
    reason: str  # extension: a leaver's own words (QUIT reason, kick reason), one line; never in the server's voice
    role: str  # extension: on join, the joiner's role; on event role, the new role
    by: str  # extension: the teacher who did it (announcement, muted, unmuted, room_closed), or who removed you
    # (removed: a room's owner or a teacher); absent: the admin
    text: str  # extension: an announcement's own text, without "Announcement from ...:"
    topic: str  # extension: event topic, the new topic ("" when removed)
    locked: bool  # extension: event key, whether the room now has a key
    action: str  # extension: event moderation, what a teacher's command did (kick, ban, unban, mute, ...)
    upto: int  # extension: event history_cleared, the highest message id that went (later ones are kept)
    users: list[str]  # extension: event ignoring, the people this user ignores (IGNORE, UNIGNORE)


class _List(_CommonOptional):
    type: Literal["list"]
    users: list[str]
    rooms: list[ListRoom]


class ListFrame(_List, total=False):
    statuses: dict[str, str]
    complete: bool  # extension: true when `users` and every room's `users` name everyone
    total_users: int  # extension: everyone online
    total_rooms: int  # extension: every room
    page: int  # extension: this page, from 1
    pages: int  # extension: how many pages LIST (or LIST #room) has
    roles: dict[str, str]  # extension: {nick: "teacher"} for the teachers among `users`


class _Help(_CommonOptional):
    type: Literal["help"]


class HelpFrame(_Help, total=False):
    commands: list[str]


class _Pong(_CommonOptional):
    type: Literal["pong"]


class PongFrame(_Pong, total=False):
    token: str


class _Bye(_CommonOptional):
    type: Literal["bye"]


class ByeFrame(_Bye, total=False):
    reason: str
    by: str  # extension: the teacher who removed this client (reason kick)


class _Error(_CommonOptional):
    type: Literal["error"]
    code: str


class ErrorFrame(_Error, total=False):
    until: str  # extension, on `banned`: when the ban ends (UTC, as `time`); absent: until lifted
    retry_after: int  # extension, on `rate_limited`: seconds to wait before asking again, when the server knows
    checked: bool  # extension, on `rate_limited` LOGIN/REGISTER/PASS: false = turned away unchecked (not wrong)
    elsewhere: (
        bool  # extension, on `bad_login` after RESUME: the account was logged in to elsewhere since, and is there now
    )


class _History(_CommonOptional):
    type: Literal["history"]
    target: str  # "#room" or "@nick"
    count: int
    more: bool


class HistoryFrame(_History, total=False):
    room: str  # extension: the room's name, for a room's history
    peer: str  # extension: the other person, for a private conversation
    direction: str  # extension: "replay" (after joined), "newest", "before" or "after"
    first: int  # extension: the lowest id sent (absent when count is 0)
    last: int  # extension: the highest id sent (absent when count is 0)
    deleted: list[int]  # extension, a replay's: ids deleted in the room lately, for a client that showed one while away


class _Deleted(_CommonOptional):
    type: Literal["deleted"]
    id: int


class DeletedFrame(_Deleted, total=False):
    room: str  # extension: the room of a public message


class _Search(_CommonOptional):
    type: Literal["search"]
    results: list[SearchResult]


class SearchFrame(_Search, total=False):
    query: str  # extension: the words searched for, as given (at most 60 characters)
    room: str  # extension: the room searched (absent when no room was)
    private: bool  # extension: true when one's own private messages were searched too
    more: bool  # extension: true when older messages match too (only the newest 50 are sent)


class PresenceFrame(_CommonOptional):
    type: Literal["presence"]
    user: str
    status: str
    text: str


class TypingFrame(_CommonOptional):
    type: Literal["typing"]
    room: str
    user: str


class _Rooms(_CommonOptional):
    type: Literal["rooms"]
    rooms: list[RoomSummary]


class RoomsFrame(_Rooms, total=False):
    total: int  # extension: every room; more than len(rooms) when the biggest rooms were all that fitted


class _File(_CommonOptional):
    type: Literal["file"]
    id: int
    file: str
    name: str
    size: int
    sha256: str
    sender: str


class FileFrame(_File, total=False):
    room: str
    to: str
    history: bool


# Files (docs/files.md): the answers to UPLOAD, DOWNLOAD and CANCEL, to the asker only.
class _Upload(_CommonOptional):
    type: Literal["upload"]
    upload: str
    token: str
    name: str
    size: int
    sha256: str


class UploadFrame(_Upload, total=False):
    room: str
    to: str


class DownloadFrame(_CommonOptional):
    type: Literal["download"]
    file: str
    token: str
    name: str
    size: int
    sha256: str


class CancelledFrame(_CommonOptional):
    type: Literal["cancelled"]
    upload: str


ServerFrame = (
    WelcomeFrame
    | NickFrame
    | MessageFrame
    | PrivateFrame
    | JoinedFrame
    | MembersFrame
    | LeftFrame
    | SystemFrame
    | ListFrame
    | HelpFrame
    | PongFrame
    | ByeFrame
    | ErrorFrame
    | HistoryFrame
    | SearchFrame
    | DeletedFrame
    | PresenceFrame
    | TypingFrame
    | RoomsFrame
    | FileFrame
    | UploadFrame
    | DownloadFrame
    | CancelledFrame
)


# -- the check, built once from the types above --
class _Field(typing.NamedTuple):
    """What one field must hold: a value type, or a list/dict of values, or nested frames (checked in turn)."""

    kind: type
    element: type | None = None  # a list's items, or a dict's values (its keys are always str)
    nested: _Shape | None = None  # a TypedDict, or a list of them


class _Shape(typing.NamedTuple):
    required: dict[str, _Field]
    optional: dict[str, _Field]


def _field_of(hint: Any) -> _Field:
    origin = typing.get_origin(hint) or hint
    args = typing.get_args(hint)
    if _is_typed_dict(origin):
        return _Field(dict, nested=_shape_of(origin))
    if origin is list and args:
        if _is_typed_dict(args[0]):
            return _Field(list, nested=_shape_of(args[0]))
        return _Field(list, args[0])
    if origin is dict and len(args) == 2:
        return _Field(dict, args[1])
    if origin is Literal:
        return _Field(type(args[0]))
    return _Field(origin)


def _shape_of(frame_type: Any) -> _Shape:
    hints = typing.get_type_hints(frame_type)
    fields = {name: _field_of(hint) for name, hint in hints.items() if name != "type"}
    required = {name: field for name, field in fields.items() if name in frame_type.__required_keys__}
    optional = {name: field for name, field in fields.items() if name not in required}
    return _Shape(required, optional)


def _is_typed_dict(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, dict) and hasattr(hint, "__required_keys__")


def _frame_type_name(frame_type: Any) -> str:
    (name,) = typing.get_args(typing.get_type_hints(frame_type)["type"])
    return str(name)


FRAME_SHAPES: dict[str, _Shape] = {_frame_type_name(kind): _shape_of(kind) for kind in typing.get_args(ServerFrame)}
FRAME_TYPES = frozenset(FRAME_SHAPES)


def _is(value: Any, kind: type) -> bool:
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def _fault(value: Any, field: _Field) -> str:
    """Why `value` does not fit `field` ("" when it does); names the innermost field that is wrong."""
    if not _is(value, field.kind):
        return f"({field.kind.__name__})"
    if field.nested is not None:
        items = typing.cast("list[Any]", value) if field.kind is list else [value]
        for item in items:
            problem = _shape_fault(item, field.nested) if isinstance(item, dict) else "(objects)"
            if problem:
                return problem
    elif field.element is not None:
        element = field.element
        if field.kind is list:
            if not all(_is(item, element) for item in typing.cast("list[Any]", value)):
                return f"({element.__name__}s)"
        elif not all(isinstance(key, str) and _is(item, element) for key, item in value.items()):
            return f"(text to {element.__name__})"
    return ""


def _shape_fault(frame: dict[str, Any], shape: _Shape) -> str:
    present = [(name, field) for name, field in shape.optional.items() if name in frame]
    for name, field in [*shape.required.items(), *present]:
        value = frame.get(name)
        problem = _fault(value, field)
        if problem:
            return f"{name} {problem}" if problem.startswith("(") else f"{name}: {problem}"
        if name in NOT_NEGATIVE and isinstance(value, int) and value < 0:
            return f"{name}: a number not below 0"
    return ""


def check_server_frame(frame: dict[str, Any]) -> ServerFrame:
    """The frame as its type, or ProtocolError(bad_frame) naming the first field that is missing or wrong.

    Every field the type names is checked: required ones must be there,
    optional ones only when present, nested objects (a search's results,
    the rooms of LIST) field by field.  Fields the type does not name pass
    through, and unknown frame types come back as they are (the caller
    ignores them), so a newer server never breaks an older client.
    """
    shape = FRAME_SHAPES.get(frame.get("type", ""))
    if shape is None:
        return frame  # type: ignore[return-value]  # a newer server's frame: not ours to refuse
    problem = _shape_fault(frame, shape)
    if problem:
        raise ProtocolError(ErrorCode.BAD_FRAME, f"A {frame['type']} frame needs {problem}.")
    if STAMP_PATTERN.fullmatch(frame["timestamp"]) is None:
        # Shown in the time column as it is, so it must be a time: other text there (a hostile server's
        # "21:15:02  * Mrs_Smith is now a teacher") would read as a line of its own.  The message is kept.
        frame["timestamp"] = time.strftime("%H:%M:%S")
    return frame  # type: ignore[return-value]  # checked above against its TypedDict
