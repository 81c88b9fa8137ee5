"""The `rooms` push: every JSON client's room list kept current without LIST (housekeeper thread, registry lock held).

PROTOCOL.md (Version 2, Presence): `{"rooms": [{"name", "count", "topic",
"locked"}]}` to every JSON client, at most once a second and only when
something changed.  A client gets one at once when it registers, then one
whenever a room appeared, went or changed its member count since the last.
Text-mode clients get none.

However many rooms there are, the frame stays under 32 KiB: the rooms go in
biggest first (by members, then name) while they fit in PUSH_BUDGET bytes,
and `total` (an extension) says how many rooms there are in all; LIST pages
through every one of them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from chat_server.registry import ChatRegistry
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

    def summary(self) -> tuple[list[RoomSummary], int]:
        """The rooms that fit, biggest first, and how many rooms there are; built once per change."""
        version = self.registry.rooms_version
        if self._summary[0] != version:
            rooms = sorted(self.registry.rooms.values(), key=lambda room: (-len(room.members), room.key))
            entries: list[RoomSummary] = []
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
                entries.append(entry)
            self._summary = (version, entries, len(rooms))
        return self._summary[1], self._summary[2]

    def frame(self) -> Frame:
        rooms, total = self.summary()
        return server_frame("rooms", "", rooms=rooms, total=total)

    def first_push(self, session: Session) -> list[Delivery]:
        """The room list for a client that just registered (JSON clients only)."""
        return [] if session.text_mode else [([session], self.frame())]

    def tick(self, now: float) -> None:
        """Push to every registered JSON client if the rooms changed and the last push is a second old."""
        if self.registry.rooms_version == self._pushed_version or now - self._last_push < PUSH_EVERY_SECONDS:
            return
        self._pushed_version = self.registry.rooms_version
        self._last_push = now
        recipients = [session for session in self.registry.by_nick.values() if not session.text_mode]
        if recipients:
            self.registry.deliver(recipients, self.frame())
