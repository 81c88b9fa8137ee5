"""The `rooms` push: every JSON client's room list kept current without LIST (housekeeper thread, registry lock held).

PROTOCOL.md (Version 2, Presence): `{"rooms": [{"name", "count", "topic",
"locked"}]}` to every JSON client, at most once a second and only when
something changed.  A client gets one at once when it registers, then one
whenever a room appeared, went or changed its member count since the last.
Text-mode clients get none.

The topic of a locked room goes only to its members; everyone else gets
"" for it: a topic such as "plans for the surprise party for Mr Brown"
reached every client of the class (found by a probe).  Most clients share
one frame; the members of each locked room with a topic get theirs, with
their room's topic filled in, so the encoding costs one frame per such room.

However many rooms there are, the frame stays under 32 KiB: the rooms go in
biggest first (by members, then name) while they fit in PUSH_BUDGET bytes,
and `total` (an extension) says how many rooms there are in all; LIST pages
through every one of them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from chat_server.registry import ChatRegistry, Room
from chat_server.session import Session
from shared.frame_types import RoomSummary
from shared.frames import Frame, server_frame

if TYPE_CHECKING:
    from chat_server.handlers.base import Delivery

PUSH_BUDGET = 24 * 1024  # bytes of room entries; the rest of the frame is under 200 bytes
PUSH_EVERY_SECONDS = 1.0
_entry_size = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class RoomsPush:
    def __init__(self, registry: ChatRegistry) -> None:
        self.registry = registry
        self._pushed_version = 0  # the registry's rooms_version starts at 0 with no rooms: nothing to push
        self._last_push = float("-inf")
        self._summary: tuple[int, list[RoomSummary], int] = (-1, [], 0)  # (version, rooms, total)
        self._private: list[tuple[int, Room]] = []  # (index in the summary, room): locked rooms whose topic is hidden

    def summary(self) -> tuple[list[RoomSummary], int]:
        """The rooms that fit, biggest first, as outsiders see them, and how many rooms there are; built once per
        change.  The budget counts every topic, hidden or not, so a member's frame fits as well."""
        version = self.registry.rooms_version
        if self._summary[0] != version:
            rooms = sorted(self.registry.rooms.values(), key=lambda room: (-len(room.members), room.key))
            entries: list[RoomSummary] = []
            private: list[tuple[int, Room]] = []
            size = 0
            for room in rooms:
                entry: RoomSummary = {
                    "name": room.name,
                    "count": len(room.members),
                    "topic": room.topic,
                    "locked": room.locked,
                }
                size += len(_entry_size(entry).encode()) + 1
                if size > PUSH_BUDGET:
                    break
                if room.locked and room.topic:
                    entry["topic"] = ""
                    private.append((len(entries), room))
                entries.append(entry)
            self._summary = (version, entries, len(rooms))
            self._private = private
        return self._summary[1], self._summary[2]

    def frame(self, members_of: Room | None = None) -> Frame:
        """The push as outsiders get it, or as the members of `members_of` (a locked room with a topic) get it."""
        rooms, total = self.summary()
        for index, room in self._private:
            if room is members_of:
                rooms = list(rooms)
                rooms[index] = {**rooms[index], "topic": room.topic}
        return server_frame("rooms", "", rooms=rooms, total=total)

    def first_push(self, session: Session) -> list[Delivery]:
        """The room list for a client that just registered (JSON clients only)."""
        return [] if session.text_mode else [([session], self.frame(session.room))]

    def tick(self, now: float) -> None:
        """Push to every registered JSON client if the rooms changed and the last push is a second old."""
        if self.registry.rooms_version == self._pushed_version or now - self._last_push < PUSH_EVERY_SECONDS:
            return
        self._pushed_version = self.registry.rooms_version
        self._last_push = now
        recipients = [session for session in self.registry.by_nick.values() if not session.text_mode]
        if not recipients:
            return
        self.summary()
        insiders = {room: [member for member in room.members if not member.text_mode] for _, room in self._private}
        if insiders:
            inside = {member for members in insiders.values() for member in members}
            recipients = [session for session in recipients if session not in inside]
        self.registry.deliver(recipients, self.frame())
        for room, members in insiders.items():
            if members:
                self.registry.deliver(members, self.frame(room))
