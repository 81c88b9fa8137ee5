"""Messages that name you: highlighted, counted apart in the title, and a desktop notification when the window is not focused (Tk thread).

    FrameDisplay._message --> MentionAlerts.check(frame, me, focused) --> "mention" style for the line
                                  not focused: count += 1 (the title shows it) and Notifier.notify (chat_gui/window/notify.py)
    the window gets the focus --> reset()

A mention is your nickname as a whole word in any case (chat_gui/text/mentions.py):
ann is named in "@Ann, look" but not in "joanne".  Your own messages never
alert, nor lines replayed when you join (history_pane.py shows those, not
this).  A message caught up after a reconnect comes with `history` but
was said while you were away, unseen: it alerts as a live one does (a
probe found the teacher's "alice, come to the front" said during a Wi-Fi
drop counted as a plain unread line, no `@` in the title, no
notification).  The notification is the
platform's own tool run off the Tk thread, or the bell where there is
none (docs/look-and-presence.md says which and why).
"""

from __future__ import annotations

import tkinter as tk

from chat_gui.text.mentions import mentions
from chat_gui.window.notify import Notifier
from shared.frame_types import MessageFrame
from shared.names import name_key


class MentionAlerts:
    def __init__(self, root: tk.Misc, notifier: Notifier | None = None) -> None:
        self.root = root
        self._notifier = notifier

    @property
    def notifier(self) -> Notifier:
        if self._notifier is None:
            self._notifier = Notifier(self.root.bell)
        return self._notifier

    def check(self, frame: MessageFrame, me: str, focused: bool) -> bool:
        """Whether the message names `me`; when it does and the window is not focused, count and notify."""
        if not me or name_key(frame["sender"]) == name_key(me) or not mentions(frame["content"], me):
            return False
        if not focused:  # the controller counts it for the title (chat_gui/core/unread.py)
            self.notifier.notify(f"{frame['sender']} mentioned you in #{frame['room']}", frame["content"])
        return True

    def close(self) -> None:
        if self._notifier is not None:
            self._notifier.close(timeout=0.5)
