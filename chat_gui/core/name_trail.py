"""Following one person by nickname while a dialog is open: who renamed, joined or left since (Tk thread; pure).

    trail.mark()                     -> 7               (the moment a teacher right-clicked rex)
    trail.learn(frame)               system nick / join / leave in my room; joined, left: my room changed
    trail.follow("rex", 7)           -> Followed("rex_", "")   rex renamed to rex_, nobody else touched the names
    trail.follow("rex", 7)           -> Followed(None, "rex changed their name while you were choosing; ...")

A command names its target by nickname, and a nickname can change hands
while the Kick… or Ban… dialog is open: rex renames to rex_, his friend
takes "rex", and `/kick rex` removes the friend.  The trail follows the
person through their own renames; when anyone else's rename, join or
leave touched a name the person held since the mark (or the room this
client sees changed, or too much happened to remember), it cannot be sure
and answers None: the window then does nothing and says why.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from shared.names import name_key

KEEP = 1000  # name events remembered; a dialog open across more of them answers "not sure"
LOST = "lost"  # my room changed (or the connection came back): events about the person may have been missed


@dataclass(frozen=True)
class Followed:
    """The person's nickname now, or None with the reason nothing may be done (shown to the teacher)."""

    nick: str | None
    why: str = ""


class NameTrail:
    def __init__(self, keep: int = KEEP) -> None:
        self._events: deque[tuple[str, str, str]] = deque(maxlen=keep)  # (event, old, user)
        self._seen = 0  # events learned since the start; the last len(_events) of them are kept

    def mark(self) -> int:
        """Now, to follow someone from (a right-click, a dialog opening)."""
        return self._seen

    def learn(self, frame: Any) -> None:
        """One server frame: renames, joins and leaves in my room, and my own room changing (others teach nothing)."""
        kind = frame.get("type")
        if kind in ("joined", "left"):
            self._add(LOST, "", "")
        elif kind == "system" and frame.get("event") in ("nick", "join", "leave"):
            self._add(str(frame["event"]), str(frame.get("old", "")), str(frame.get("user", "")))

    def lose_track(self) -> None:
        """The window no longer sees the room's events (sent away, disconnected): anyone marked before is unsure."""
        self._add(LOST, "", "")

    def follow(self, nick: str, since: int) -> Followed:
        """Whom `nick` (as it was at mark `since`) is called now, if that is certain."""
        first = self._seen - len(self._events)
        if since < first:
            return Followed(None, f"too much changed while you were choosing; pick {nick} again.")
        held = {name_key(nick)}  # every name the person had since the mark
        now = nick
        for event, old, user in list(self._events)[since - first :]:
            if event == LOST:
                return Followed(
                    None, f"the chat reconnected or you changed rooms while you were choosing; pick {nick} again."
                )
            if event == "nick" and name_key(old) == name_key(now):
                now = user  # the person renamed
                held.add(name_key(user))
                continue
            touched = {name_key(user)} | ({name_key(old)} if event == "nick" else set())
            if touched & held:
                if event == "nick":
                    return Followed(None, f"{nick} changed their name while you were choosing; pick them again.")
                return Followed(None, f"{nick} left or came back while you were choosing; pick them again.")
        return Followed(now)

    def _add(self, event: str, old: str, user: str) -> None:
        self._events.append((event, old, user))
        self._seen += 1
