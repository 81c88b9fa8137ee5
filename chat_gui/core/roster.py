"""Who this client knows to be online, learned from frames (scheduler thread).

The server tells no client who is online everywhere (that takes a LIST),
so the roster holds what this client has seen: the members of its room,
the people in its private conversations, and the users of the last LIST
answer.  It serves the `/msg bob ...` warning, Tab completion and the
user list.  Names are compared as the server compares them (name_key).

The names outside the room are the MAX_OTHERS heard of most lately: before,
every name that ever wrote to this client or stood in a LIST stayed for
good (a probe: one per distinct name over a lesson, all offered to Tab).
"""

from __future__ import annotations

from collections import OrderedDict

from shared.frame_types import ServerFrame
from shared.names import name_key

MAX_OTHERS = 2000  # names outside the room remembered (a school's worth), heard of least lately forgotten first


class Roster:
    def __init__(self, max_others: int = MAX_OTHERS) -> None:
        self.room: str | None = None
        self._members: dict[str, str] = {}  # key -> name as shown, for the current room
        # key -> name: private partners and LIST's users, heard of least lately first
        self._others: OrderedDict[str, str] = OrderedDict()
        self._max_others = max_others

    # -- questions --
    def is_online(self, nick: str) -> bool:
        key = name_key(nick)
        return key in self._members or key in self._others

    def members(self) -> list[str]:
        return sorted(self._members.values(), key=name_key)

    def known(self) -> list[str]:
        return sorted({**self._others, **self._members}.values(), key=name_key)

    def in_my_room(self, room: str | None) -> bool:
        return room is not None and self.room is not None and name_key(room) == name_key(self.room)

    # -- learning --
    def clear(self) -> None:
        self.room = None
        self._members.clear()
        self._others.clear()

    def learn(self, frame: ServerFrame, me: str) -> None:
        """Update from one server frame (any type; most teach nothing)."""
        if frame["type"] == "joined":
            self.room = frame["room"]
            self._members = {name_key(user): user for user in frame["users"]}
        elif frame["type"] == "left":
            self.room = None
            self._members.clear()
        elif frame["type"] == "members":
            if self.in_my_room(frame["room"]):
                self._members.update((name_key(user), user) for user in frame["users"])
        elif frame["type"] == "system":
            self._learn_system(frame["event"], frame.get("room"), frame.get("user", ""), frame.get("old", ""))
        elif frame["type"] == "nick" and frame.get("old"):
            self._rename(frame.get("old", ""), frame["nick"])
        elif frame["type"] == "private":
            other = frame["to"] if name_key(frame["sender"]) == name_key(me) else frame["sender"]
            self._heard_of([other])
        elif frame["type"] == "list":
            self._heard_of(frame["users"])

    def _heard_of(self, users: list[str]) -> None:
        for user in users:
            key = name_key(user)
            self._others[key] = user
            self._others.move_to_end(key)
        while len(self._others) > self._max_others:
            self._others.popitem(last=False)

    def _learn_system(self, event: str, room: str | None, user: str, old: str) -> None:
        if not user:
            return
        key = name_key(user)
        if event == "nick" and old:
            self._rename(old, user)
        elif event == "join" and self.in_my_room(room):
            self._members[key] = user
        elif event == "leave" and self.in_my_room(room):
            self._members.pop(key, None)

    def _rename(self, old: str, new: str) -> None:
        for names in (self._members, self._others):
            if names.pop(name_key(old), None) is not None:
                names[name_key(new)] = new
