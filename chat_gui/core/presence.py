"""Presence as a client sees it: who is away, who is typing, this user's own away state and typing pace (scheduler thread; no Tk).

    book = PresenceBook(clock)
    book.learn(frame, me)                 every server frame; most teach nothing
    book.status("ann") -> "away"          "online" for anyone not known to be away
    book.away_text("ann") -> "at lunch"
    book.typing_now("general") -> ["ann"] who is typing in a room, oldest first, until TYPING_SHOWN_SECONDS pass
    book.next_expiry() -> seconds         when the typing line next changes by itself (None: nothing shown)

    own = OwnPresence(clock)
    own.want_away("lunch") / own.want_back()   what the user (or the idle timer) asked; the command to send
    own.typing_due() -> bool              True at most once per TYPING_EVERY_SECONDS while the user types

Away is known from `presence` frames and the `statuses` of `joined`,
`members` and `list`; it is forgotten when it can no longer be true or
followed: a join (the server sends `presence` right after the join of
someone away, so a join alone means online), a leave (we stop hearing of
them), a rename (the status goes with the person to the new name; the new
name's old status was someone else's).  A message is not taken for BACK:
the contract has only BACK for that, and a student away can still type.

PROTOCOL.md (Version 2, Presence): clients drop a typing indicator after
6 s or when that user's message arrives; here also when that user leaves
the room, renames, goes away, or when this client leaves the room or loses
the connection (the room it learns on coming back is learned afresh).
Names are compared as the server compares them (name_key).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from shared.frame_types import ServerFrame
from shared.names import name_key

ONLINE = "online"
AWAY = "away"
TYPING_SHOWN_SECONDS = 6.0  # the contract: clients drop the indicator after 6 s without another TYPING
TYPING_EVERY_SECONDS = 3.0  # the server passes one TYPING per 3 s on; sending more is wasted
MAX_TYPING_TRACKED = 200  # a room of hundreds typing at once: the line names a few and counts the rest
# Away people remembered at most (far more than a school's rooms hold): a hostile server announcing
# millions of made-up people away must not fill the window's memory; past it the longest-known go.
MAX_AWAY_TRACKED = 5000
MAX_AWAY_TEXT_CHARS = 200  # the server keeps away texts to 64 characters; a longer one is cut here


@dataclass
class _Typing:
    nick: str
    room: str
    until: float


class PresenceBook:
    """Others' presence and typing, learned from frames."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._away: dict[str, tuple[str, str]] = {}  # key -> (nick as shown, away text)
        self._typing: dict[str, _Typing] = {}  # key -> who types where, until when

    # -- questions --
    def status(self, nick: str) -> str:
        return AWAY if name_key(nick) in self._away else ONLINE

    def away_text(self, nick: str) -> str:
        entry = self._away.get(name_key(nick))
        return entry[1] if entry is not None else ""

    def typing_now(self, room: str | None) -> list[str]:
        """Who is typing in `room` now, the longest typing first."""
        if room is None:
            return []
        now, room_key = self.clock(), name_key(room)
        self._expire(now)
        return [entry.nick for entry in self._typing.values() if name_key(entry.room) == room_key]

    def next_expiry(self) -> float | None:
        """Seconds until the next indicator runs out, or None when none is shown."""
        if not self._typing:
            return None
        return max(0.0, min(entry.until for entry in self._typing.values()) - self.clock())

    # -- learning --
    def clear(self) -> None:
        """The connection is gone: nothing known any more (the next `joined` says who is away)."""
        self._away.clear()
        self._typing.clear()

    def learn(self, frame: ServerFrame, me: str) -> bool:
        """Update from one server frame; True when what a window shows of presence or typing may have changed."""
        if frame["type"] == "presence":
            return self._set(frame["user"], frame["status"], frame["text"])
        if frame["type"] == "typing":
            return self._typing_seen(frame["user"], frame["room"], me)
        if frame["type"] == "message" or frame["type"] == "private":
            return self._stop_typing(frame["sender"])
        if frame["type"] == "joined":
            self.clear()
            return self._statuses(frame.get("statuses"))
        if frame["type"] == "members" or frame["type"] == "list":
            return self._statuses(frame.get("statuses"))
        if frame["type"] == "left":
            self.clear()
            return True
        if frame["type"] == "system":
            event, user = frame["event"], frame.get("user", "")
            if event == "leave" and user:
                self._away.pop(name_key(user), None)
                self._stop_typing(user)
                return True
            if event == "join" and user:  # online, unless the `presence` the server sends right after says away
                return self._away.pop(name_key(user), None) is not None
            if event == "nick" and user and frame.get("old"):
                return self._rename(frame.get("old", ""), user)
            return False
        if frame["type"] == "nick" and frame.get("old"):
            return self._rename(frame.get("old", ""), frame["nick"])
        return False

    def _set(self, nick: str, status: str, text: str) -> bool:
        key = name_key(nick)
        if status == AWAY:
            self._remember_away(key, nick, text[:MAX_AWAY_TEXT_CHARS])
            self._typing.pop(key, None)
        else:
            self._away.pop(key, None)
        return True

    def _remember_away(self, key: str, nick: str, text: str) -> None:
        if key not in self._away and len(self._away) >= MAX_AWAY_TRACKED:
            del self._away[next(iter(self._away))]  # the one known longest (dicts keep insertion order)
        self._away[key] = (nick, text)

    def _statuses(self, statuses: object) -> bool:
        if not isinstance(statuses, dict):
            return False
        for nick, status in statuses.items():
            if isinstance(nick, str) and status in (ONLINE, AWAY):
                key = name_key(nick)
                if status == ONLINE:
                    self._away.pop(key, None)
                elif key not in self._away:  # the text comes with `presence` frames only
                    self._remember_away(key, nick, "")
        return True

    def _typing_seen(self, nick: str, room: str, me: str) -> bool:
        key = name_key(nick)
        if key == name_key(me):
            return False
        if key not in self._typing and len(self._typing) >= MAX_TYPING_TRACKED:
            return False
        self._typing.pop(key, None)  # re-inserted: the order is who started typing first, among those still typing
        self._typing[key] = _Typing(nick, room, self.clock() + TYPING_SHOWN_SECONDS)
        return True

    def _stop_typing(self, nick: str) -> bool:
        return self._typing.pop(name_key(nick), None) is not None

    def _rename(self, old: str, new: str) -> bool:
        old_key, new_key = name_key(old), name_key(new)
        away = self._away.pop(old_key, None)
        if old_key != new_key:  # whatever was known of the new name was someone else's (or stale)
            forgot = self._away.pop(new_key, None) is not None
        else:
            forgot = False
        if away is not None:
            self._away[new_key] = (new, away[1])
        typing = self._typing.pop(old_key, None)
        if typing is not None:
            typing.nick = new
            self._typing[new_key] = typing
        return away is not None or typing is not None or forgot

    def _expire(self, now: float) -> None:
        for key in [key for key, entry in self._typing.items() if entry.until <= now]:
            del self._typing[key]


class OwnPresence:
    """This user's own away state and the pace of their TYPING commands."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.away: str | None = None  # None: online; else the away text ("" for none)
        self.automatic = False  # away because of no input, not because the user said so
        self._last_typing = float("-inf")

    def want_away(self, text: str = "", automatic: bool = False) -> str | None:
        """The command that makes this user away, or None when nothing changes."""
        if self.away == text:
            return None
        self.away, self.automatic = text, automatic
        return f"AWAY {text}".strip()

    def want_back(self) -> str | None:
        if self.away is None:
            return None
        self.away, self.automatic = None, False
        return "BACK"

    def learn(self, frame: ServerFrame, me: str) -> None:
        """The server's `presence` frame about this user is the truth, however the change was asked for (/away typed)."""
        if frame["type"] == "presence" and me and name_key(frame["user"]) == name_key(me):
            if frame["status"] == AWAY:
                if self.away != frame["text"]:
                    self.away, self.automatic = frame["text"], False
            else:
                self.away, self.automatic = None, False

    def command_after_reconnect(self) -> str | None:
        """What to say again on a new connection, where the server starts everyone online."""
        return None if self.away is None else f"AWAY {self.away}".strip()

    def typing_due(self) -> bool:
        """True when a TYPING should go out now (at most once per TYPING_EVERY_SECONDS)."""
        now = self.clock()
        if now - self._last_typing < TYPING_EVERY_SECONDS:
            return False
        self._last_typing = now
        return True


def typing_phrase(names: list[str]) -> str:
    """'ann is typing…', 'ann and bob are typing…', 'ann, bob and 3 others are typing…'."""
    if not names:
        return ""
    if len(names) == 1:
        return f"{names[0]} is typing…"
    if len(names) == 2:
        return f"{names[0]} and {names[1]} are typing…"
    if len(names) == 3:
        return f"{names[0]}, {names[1]} and {names[2]} are typing…"
    return f"{names[0]}, {names[1]} and {len(names) - 2} others are typing…"
