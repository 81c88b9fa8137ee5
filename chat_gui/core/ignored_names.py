"""The names of the people this user has ignored (IGNORE), so their mentions do not alert (scheduler or Tk thread; pure).

The server does the ignoring that matters (chat_server/ignoring.py): their
private messages, private files and typing never arrive.  Their room
messages still do (the room and the teacher see one conversation), and one
that names this user would be highlighted, counted in the title and
raise a notification: the very "@alice @alice @alice" the user ignored
them for.  So the window keeps the names the server's `system` `ignoring`
answer lists, follows their renames that it sees (`system` `nick` in its
room), and a message from one of them is shown as a plain line, folded
(`hides`): the window shows "a message from someone you ignore" with a
Show link, chat-term a one-line placeholder.  A teacher's never folds.

Names, not people: a rename in a room this user is not in goes unseen (the
server tells nobody outside the room), and then the new name alerts again
until `/ignore` is typed (the server's list answers with the name it was
given).  A list this client never asked for is the server's to send.
"""

from __future__ import annotations

from shared.frame_types import ServerFrame
from shared.names import name_key

MAX_NAMES = 200  # the server keeps at most 100 people per list; renames seen may add a few names more


class IgnoredNames:
    def __init__(self) -> None:
        self._keys: dict[str, None] = {}

    def on_frame(self, frame: ServerFrame) -> None:
        if frame["type"] != "system":
            return
        event = frame["event"]
        if event == "ignoring":
            users = frame.get("users", [])
            self._keys = {name_key(name): None for name in users[:MAX_NAMES]}
        elif event == "nick" and self._keys:
            old = frame.get("old", "")
            if old and name_key(old) in self._keys and len(self._keys) < MAX_NAMES:
                self._keys[name_key(frame.get("user", ""))] = None

    def keys(self) -> frozenset[str]:
        """The name keys ignored now (the "People here" list marks them)."""
        return frozenset(self._keys)

    def ignores(self, name: str) -> bool:
        return bool(self._keys) and name_key(name) in self._keys

    def hides(self, frame: ServerFrame | dict[str, object]) -> bool:
        """Whether a room message (live, replayed or from history) is from someone ignored and so shown folded.

        Never a teacher's (`role` teacher) nor anything but a room `message` or a file shared in a room (a picture
        he posts would show itself): notices and private lines pass."""
        kind = frame.get("type")
        if kind not in ("message", "file") or frame.get("role") == "teacher" or (kind == "file" and frame.get("to")):
            return False
        sender = frame.get("sender")
        return isinstance(sender, str) and self.ignores(sender)
