"""Noticing that the connection is gone (closed, silent, never greeted) and trying again after a pause (scheduler thread).

A mixin of chat_gui.core.session.ClientSession.  A loss after the session
was once ready goes to reconnecting, with the delay chat_gui.core.pacing
gives (short while the address answers); a loss before that, or one that
the server meant (kick, ban: `removed_reason`), is not retried.  The old
connection is closed on a short-lived "chat-close" thread, so the
scheduler thread never waits on a socket.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from chat_gui.core.connect_failure import not_chat_server
from chat_gui.core.connection import KEEPALIVE_TOKEN, Cause, ChatConnection, Disconnected, Inbox
from chat_gui.core.events import Problem, State
from chat_gui.core.history import HistoryKeeper
from chat_gui.core.keepalive import Keepalive, Verdict
from chat_gui.core.pacing import Backoff
from chat_gui.core.presence import PresenceBook


class Reconnecting:
    host: str
    port: int
    state: State
    connection: ChatConnection | None
    ever_ready: bool
    removed_reason: str
    presence: PresenceBook
    history: HistoryKeeper
    alive: Keepalive
    backoff: Backoff
    _inbox: Inbox
    _last_words: str

    if TYPE_CHECKING:  # the rest of ClientSession (session.py and its other mixins)

        def send_now(self, command: str) -> bool: ...
        def _set_state(self, state: State, detail: str, problem: Problem | None = None, code: str = "") -> None: ...
        def _after(self, name: str, ms: int, callback: Callable[[], None]) -> None: ...
        def _cancel(self, *names: str) -> None: ...
        def _open(self) -> None: ...

    def _disconnected(self, item: Disconnected) -> None:
        self.connection = None
        self.presence.clear()
        self._cancel("welcome", "alive", "sign_in")
        self.history.on_lost(item.reason)
        if item.by_user:
            return
        if self.removed_reason:
            self._set_state(State.REMOVED, self.removed_reason)
        elif item.cause is Cause.OVERSIZED:
            self._set_state(State.FAILED, f"Disconnected: {item.reason}.", Problem.BROKE_PROTOCOL)
        elif self._never_greeted(item):
            self._set_state(State.FAILED, not_chat_server(self.host, self.port), Problem.NOT_CHAT_SERVER)
        else:
            # what the server said on hanging up ("The server is full.") says more than "closed"
            self._lost(self._last_words.rstrip(".") or item.reason, refused=False)

    def _never_greeted(self, item: Disconnected) -> bool:
        """A first connection closed without a single frame (a web server answering "HTTP/1.0 400"): no chat server.

        A ClassChat server that refuses someone (full, banned, stopping) says
        why in a frame before it closes, so it never looks like this.
        """
        return not self.ever_ready and self.state is State.CONNECTING and item.cause is Cause.CLOSED and not item.frames

    def _welcome_overdue(self) -> None:
        if self.state is State.CONNECTING and self.connection is not None and self.connection.connected:
            self._drop_connection()
            if self.ever_ready:
                self._schedule_retry("the server did not greet us", refused=False)
                return
            self._set_state(State.FAILED, not_chat_server(self.host, self.port), Problem.NOT_CHAT_SERVER)

    # -- keepalive --
    def _check_alive(self) -> None:
        """PING after `keepalive` seconds of silence; no word for as long again: the server is gone."""
        connection = self.connection
        if connection is None:
            return
        verdict = self.alive.check(connection.activity)
        if verdict is Verdict.DEAD:
            self._drop_connection()
            self._lost(f"no answer from the server for {self.alive.silent_for():.0f} s", refused=False)
            return
        if verdict is Verdict.PING:
            self.send_now(f"PING {KEEPALIVE_TOKEN}")
        self._after("alive", self.alive.check_every_ms, self._check_alive)

    # -- losing the connection --
    def _lost(self, reason: str, refused: bool) -> None:
        self._cancel("welcome", "alive")
        if self.ever_ready:
            self._schedule_retry("nothing listens there yet" if refused else reason, refused)
        else:
            self._set_state(State.FAILED, reason, Problem.REFUSED if refused else Problem.UNREACHABLE)

    def _schedule_retry(self, reason: str, refused: bool) -> None:
        delay = self.backoff.next_delay(refused)
        self._set_state(
            State.RECONNECTING,
            f"Connection lost ({reason}); trying {self.host}:{self.port} again in {delay:.1f} s "
            f"(attempt {self.backoff.attempts}).",
        )
        self._after("retry", int(delay * 1000), self._open)

    def _drop_connection(self) -> None:
        self._cancel("welcome", "retry", "flush", "alive", "sign_in")
        connection, self.connection = self.connection, None
        self._inbox = Inbox()  # whatever the old connection still says is not for us
        self.presence.clear()
        if connection is not None:
            self.history.on_lost("hung up")
        if connection is not None:
            threading.Thread(target=connection.close, name="chat-close", daemon=True).start()
