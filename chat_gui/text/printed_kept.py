"""Which kept messages chat-term has printed, per room, so a cleared history or a deleted file can be named (core thread; pure).

A terminal cannot take back a line it printed.  When an admin clears a
room's history, or someone deletes a shared file, chat-term says which of
the lines above are gone instead:

    printed.note(frame)        a message, private message or file frame was printed
    printed.cleared("lab")     -> a Span of #lab's printed messages (count 6, ids 12 to 20), then forgets them
    printed.deleted(14)        -> "notes.txt" when message 14 was a shared file (and 14 leaves the counts)
    printed.note(frame, me)    ... and when its sender is `me`, it is one of the user's own
    printed.newest_own()       -> the highest id of the user's own printed messages not deleted (/delete last)

Memory stays bounded: at most MAX_ROOMS rooms, MAX_FILES file messages and MAX_OWN own ones.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from shared.names import name_key

MAX_ROOMS = 64
MAX_FILES = 500
MAX_IDS_PER_ROOM = 10_000  # past this a room's count says "at least"
MAX_OWN = 200  # the user's own newest messages, for /delete last


@dataclass
class Span:
    ids: set[int]  # each printed message once, however often it was printed (/history prints again)
    first: int
    last: int

    @property
    def count(self) -> int:
        return len(self.ids)


class PrintedKept:
    def __init__(self) -> None:
        self._rooms: OrderedDict[str, Span] = OrderedDict()
        self._files: OrderedDict[int, tuple[str, str]] = OrderedDict()  # message id -> (file name, room key or "")
        self._own: dict[int, str] = {}  # the user's own printed messages: id -> room key ("" for a private one)

    def note(self, frame: Any, me: str = "") -> None:
        """A kept frame was printed (live, replayed, a page): count it under its room; remember a file's name,
        and the message when `me` sent it."""
        number = frame.get("id")
        if not isinstance(number, int) or isinstance(number, bool):
            return
        sender = frame.get("sender")
        if me and isinstance(sender, str) and name_key(sender) == name_key(me):
            room = frame.get("room")
            self._own[number] = name_key(room) if isinstance(room, str) and room else ""
            if len(self._own) > MAX_OWN:
                del self._own[min(self._own)]
        room = frame.get("room")
        key = name_key(room) if frame.get("type") != "private" and isinstance(room, str) and room else ""
        if frame.get("type") == "file" and isinstance(frame.get("name"), str):
            self._files[number] = (frame["name"], key)
            self._files.move_to_end(number)
            while len(self._files) > MAX_FILES:
                self._files.popitem(last=False)
        if not key:
            return
        span = self._rooms.get(key)
        if span is None:
            self._rooms[key] = Span({number}, number, number)
            while len(self._rooms) > MAX_ROOMS:
                self._rooms.popitem(last=False)
        else:
            if len(span.ids) < MAX_IDS_PER_ROOM:
                span.ids.add(number)
            span.first, span.last = min(span.first, number), max(span.last, number)
            self._rooms.move_to_end(key)

    def deleted(self, number: int) -> str | None:
        """Message `number` was deleted: it leaves the counts; the name of its file, if it announced one."""
        for span in self._rooms.values():
            span.ids.discard(number)
            if span.ids and number in (span.first, span.last):  # "ids A to B" names printed ones only
                span.first, span.last = min(span.ids), max(span.ids)
        self._own.pop(number, None)
        found = self._files.pop(number, None)
        return found[0] if found is not None else None

    def newest_own(self) -> int | None:
        """The newest of the user's own printed messages still kept, or None."""
        return max(self._own, default=None)

    def cleared(self, room: str, upto: int | None = None) -> Span | None:
        """The room's history was cleared (up to message `upto`; None: all): what of it was printed (None:
        nothing), forgotten from now on; printed messages after `upto` stay counted."""
        key = name_key(room)
        for number in [number for number, where in self._own.items() if where == key]:
            if upto is None or number <= upto:
                del self._own[number]
        for number in [number for number, (_name, where) in self._files.items() if where == key]:
            if upto is None or number <= upto:
                del self._files[number]
        span = self._rooms.pop(key, None)
        if span is None or not span.ids:
            return None
        if upto is None:
            return span
        gone = {number for number in span.ids if number <= upto}
        kept = span.ids - gone
        if kept:
            self._rooms[key] = Span(kept, min(kept), max(kept))
        return Span(gone, min(gone), max(gone)) if gone else None
