"""Presence in the chat window: the dots, "ann is typing…", TYPING while the entry changes, away after 5 idle minutes (Tk thread).

    ClientSession.presence (chat_gui/core/presence.py) --frames--> PresenceBook
    WindowPresence.refresh() --> users.dots (presence_dots.py) and the typing line under the pane
    EntryBox.on_edit --> TYPING, at most once per 3 s, while a chat line is typed in the room tab
    <KeyPress>/<ButtonPress>/<Motion> anywhere in the window --> the last input; back from an automatic away
    every CHECK_MS: AUTO_AWAY_SECONDS without input --> AWAY (automatic)

The typing line names who is typing in the room whose pane is in view,
and empties itself when the next indicator runs out (6 s after the last
TYPING), on that user's message, a leave, or a lost connection.  Going
away by hand (/away) is never undone by input; only the automatic away is.
"""

from __future__ import annotations

import time
import tkinter as tk
from collections.abc import Callable

from chat_gui.core.events import State
from chat_gui.core.presence import typing_phrase
from chat_gui.core.session import ClientSession
from chat_gui.window.main_window import ChatWindow
from chat_gui.window.presence_dots import UNKNOWN
from chat_gui.window.tk_text import shown_notice

AUTO_AWAY_SECONDS = 300.0
CHECK_MS = 15_000
PRESENCE_FRAMES = frozenset(
    ("presence", "typing", "message", "private", "joined", "members", "left", "system", "list", "nick")
)
AWAY_FLAG = "Away"


class WindowPresence:
    def __init__(self, root: tk.Misc, window: ChatWindow, session: ClientSession) -> None:
        self.root = root
        self.window = window
        self.session = session
        self.auto_away_seconds = AUTO_AWAY_SECONDS
        self.clock: Callable[[], float] = time.monotonic
        self.muted: Callable[[], bool] = lambda: False  # the controller's: what the server last said of this user
        self.last_input = self.clock()
        self._typing_id: str | None = None
        self._idle_id: str | None = None
        self._closed = False
        window.users.status_of = self.status_of
        window.users.away_text = session.presence.away_text
        window.entry.on_edit = self.on_edit
        for sequence in ("<KeyPress>", "<ButtonPress>", "<Motion>"):
            root.bind(sequence, self.on_input, add="+")
        self._idle_id = root.after(CHECK_MS, self._check_idle)

    # -- what the controller tells it --
    def on_frame(self, frame_type: str) -> None:
        if frame_type in PRESENCE_FRAMES:
            self.refresh()

    def refresh(self) -> None:
        """Dots and typing line as the presence book has them now."""
        self.window.users.dots.redraw_soon()
        self._show_typing()
        self.window.status_bar.set_flag("away", AWAY_FLAG if self.session.own_presence.away is not None else "")

    def close(self) -> None:
        self._closed = True
        for after_id in (self._typing_id, self._idle_id):
            if after_id is not None:
                self.root.after_cancel(after_id)
        self._typing_id = self._idle_id = None

    def status_of(self, nick: str) -> str:
        """What the dot beside `nick` shows: online or away, or nothing while not connected (the list is stale)."""
        if self.session.state is not State.READY:
            return UNKNOWN
        return self.session.presence.status(nick)

    # -- typing --
    def room_in_view(self) -> str | None:
        """The room whose pane is shown now, if it is the room this user is in."""
        tab = self.window.tabs.current_tab()
        if tab is not None or self.session.state is not State.READY:
            return None  # a private tab, or not connected: nobody's typing is for this pane
        return self.session.room

    def _show_typing(self) -> None:
        if self._typing_id is not None:
            self.root.after_cancel(self._typing_id)
            self._typing_id = None
        names = self.session.presence.typing_now(self.room_in_view())
        # "דנה is typing…": her name in reading order (chat_gui/text/bidi_display.py)
        self.window.typing_line.configure(text=shown_notice(self.window.root, typing_phrase(names)))
        expiry = self.session.presence.next_expiry()
        if expiry is not None and not self._closed:
            self._typing_id = self.root.after(int(expiry * 1000) + 20, self._typing_expired)

    def _typing_expired(self) -> None:
        self._typing_id = None
        self._show_typing()

    def on_edit(self, text: str) -> None:
        """The entry changed: a chat line being typed in the room tab says so, no more than the server passes on."""
        self.on_input()
        line = text.lstrip()
        if not line or (line.startswith("/") and not line.startswith("//")):
            return  # nothing, or a command: nobody is "typing" a /join
        if self.room_in_view() is None:
            return
        if self.session.own_presence.typing_due():
            self.session.send_now("TYPING")

    # -- away and back --
    def on_input(self, _event: object = None) -> None:
        self.last_input = self.clock()
        own = self.session.own_presence
        if own.away is not None and own.automatic:
            self._say(own.want_back())

    def _check_idle(self) -> None:
        self._idle_id = None
        if self._closed:
            return
        self.check_idle()
        self._idle_id = self.root.after(CHECK_MS, self._check_idle)

    def check_idle(self) -> None:
        """AUTO_AWAY_SECONDS without input in the window: away, until the next key or click.

        Not while muted: a class muted for a test may not change its status, and the refusal each idle
        student's window drew after 5 minutes was noise (the exam review).
        """
        own = self.session.own_presence
        idle = self.clock() - self.last_input
        quiet = own.away is None and not self.muted() and self.session.state is State.READY
        if quiet and idle >= self.auto_away_seconds:
            self._say(own.want_away(automatic=True))

    def _say(self, command: str | None) -> None:
        if command is not None:
            self.session.send_now(command)  # not connected: the core says it again on the next connection
        self.refresh()
