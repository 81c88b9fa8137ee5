"""The life of the window's connection: connect, register, join, reconnect, pending lines (Tk thread).

    connect thread (short-lived): ChatConnection.connect() -> ConnectFailed on the inbox if it fails
    reader thread (ChatConnection): frames -> inbox
    Tk thread: _poll_inbox() drains a bounded batch per tick with get_nowait(), hands each
               frame to the listener and reschedules itself with after(); close() cancels it.

States: offline -> connecting -> registering (welcome seen, NICK sent) -> joining -> ready.
A connection lost by accident goes to "reconnecting" and is retried with
growing delays; the nickname and the room are taken again.  One removed by
an admin (`bye` with reason "kick") goes to "removed" and stays there.
Lines sent while not ready, or faster than the server's rate limit allows,
wait in `pending` (the listener shows them) and go out, in order, as soon
as they can.  Every method here runs on the Tk thread.
"""

from __future__ import annotations

import queue
import threading
import time
import tkinter as tk
from dataclasses import dataclass, field
from typing import Protocol

from chat_gui.connection import ChatConnection, Disconnected, NotConnected
from shared.frames import Frame

POLL_MS = 15
BATCH_LIMIT = 400  # frames per tick at most...
BATCH_SECONDS = 0.025  # ...and no longer than this, so the window keeps answering
WELCOME_TIMEOUT_MS = 5000
# The server refuses commands past 10 a second with bursts of 30 (its defaults); staying a little
# below that means a line the user typed is never refused for coming too fast.
SEND_RATE = 8.0
SEND_BURST = 25
SLOW_GAP_SECONDS = 0.050  # a gap longer than this is felt as a stutter
RECONNECT_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)


@dataclass(frozen=True)
class ConnectFailed:
    """Put on the inbox by the connect thread when the socket could not be opened."""

    reason: str
    refused: bool


SessionItem = Frame | Disconnected | ConnectFailed


class SendBudget:
    """A token bucket: how many commands may go out now without tripping the server's rate limit."""

    def __init__(self, rate: float = SEND_RATE, burst: int = SEND_BURST) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.updated = time.monotonic()

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def take(self, force: bool = False) -> bool:
        """Use one token if there is one (or anyway, when forced: the debt delays later lines)."""
        self._refill()
        if self.tokens >= 1 or force:
            self.tokens -= 1
            return True
        return False

    def seconds_until_next(self) -> float:
        self._refill()
        return max(0.0, (1 - self.tokens) / self.rate)


@dataclass
class PendingLine:
    command: str
    token: int


class SessionListener(Protocol):
    def on_frame(self, frame: Frame) -> None: ...
    def on_state(self, state: str, detail: str) -> None: ...
    def on_pending_sent(self, token: int) -> None: ...


@dataclass
class PollerStats:
    """Measured by the poller for the benchmark and the tests: ticks and the longest gap between their starts."""

    ticks: int = 0
    frames: int = 0
    longest_gap: float = 0.0
    slow_gaps: int = 0  # gaps longer than SLOW_GAP_SECONDS
    last_tick: float = field(default_factory=time.perf_counter)

    def reset(self) -> None:
        self.ticks, self.frames, self.longest_gap, self.slow_gaps = 0, 0, 0.0, 0
        self.last_tick = time.perf_counter()


class ChatSession:
    def __init__(self, root: tk.Misc, listener: SessionListener) -> None:
        self.root = root
        self.listener = listener
        self.host = ""
        self.port = 0
        self.nick = ""
        self.room: str | None = None
        self.state = "offline"
        self.ever_ready = False
        self.pending: list[PendingLine] = []
        self.stats = PollerStats()
        self.welcome_timeout_ms = WELCOME_TIMEOUT_MS  # a program that accepts but never greets is not a chat server
        self._next_token = 1
        self._connection: ChatConnection | None = None
        self._inbox: queue.Queue[SessionItem] = queue.Queue()
        self._attempt = 0
        self._retry_id: str | None = None
        self._flush_id: str | None = None
        self._removed_reason = ""  # set when an admin removed this user: no automatic reconnect
        self.budget = SendBudget()
        self._welcome_timer: str | None = None
        self._poll_id: str | None = self.root.after(POLL_MS, self._poll_inbox)

    # -- what the window asks for --
    def start(self, host: str, port: int, nick: str, room: str | None) -> None:
        """Connect (again) to host:port as nick, then join room; results arrive via the listener."""
        self._drop_connection()
        self.host, self.port, self.nick, self.room = host, port, nick, room or None
        self.ever_ready = False
        self._attempt = 0
        self._open()

    def send(self, command: str) -> int | None:
        """Send now when ready; otherwise keep it pending and return its token (the listener shows it)."""
        if self.state == "ready" and self._connection is not None and not self.pending and self.budget.take():
            try:
                self._connection.send_command(command)
                return None
            except NotConnected:
                pass  # the reader will report the loss; keep the line
        token = self._next_token
        self._next_token += 1
        self.pending.append(PendingLine(command, token))
        if self.state == "ready" and self._flush_id is None:
            self._flush_id = self.root.after(int(self.budget.seconds_until_next() * 1000) + 1, self._flush_pending)
        return token

    def send_now(self, command: str) -> bool:
        """Send a command that is worthless later (LIST, QUIT); False when not connected."""
        if self._connection is None:
            return False
        self.budget.take(force=True)
        try:
            self._connection.send_command(command)
        except NotConnected:
            return False
        return True

    def backlog(self) -> int:
        """Frames received and not yet handled by the poller."""
        return self._inbox.qsize()

    def disconnect(self) -> None:
        """Hang up on purpose: no reconnect; pending lines stay pending."""
        self._drop_connection()
        self._set_state("offline", "Disconnected.")

    def close(self) -> None:
        """Stop everything: the poller, timers and the connection (the window is going away)."""
        if self._poll_id is not None:
            self.root.after_cancel(self._poll_id)
            self._poll_id = None
        self._drop_connection()

    # -- the poller --
    def _poll_inbox(self) -> None:
        now = time.perf_counter()
        stats = self.stats
        gap = now - stats.last_tick  # start to start: the previous tick's own work counts too
        stats.longest_gap = max(stats.longest_gap, gap)
        stats.slow_gaps += gap > SLOW_GAP_SECONDS
        stats.ticks += 1
        stats.last_tick = now
        deadline = now + BATCH_SECONDS
        inbox = self._inbox
        handled = 0
        try:
            while handled < BATCH_LIMIT:
                try:
                    item = inbox.get_nowait()
                except queue.Empty:
                    break
                handled += 1
                self._dispatch(item)
                if inbox is not self._inbox or time.perf_counter() > deadline:
                    break
        finally:
            stats.frames += handled
            if self._poll_id is not None:
                self._poll_id = self.root.after(POLL_MS, self._poll_inbox)

    def _dispatch(self, item: SessionItem) -> None:
        if isinstance(item, ConnectFailed):
            self._connection = None
            self._lost(item.reason, refused=item.refused)
        elif isinstance(item, Disconnected):
            self._connection = None
            if item.by_user:
                return
            if self._removed_reason:
                # an admin removed this user: coming straight back would undo that
                self._set_state("removed", self._removed_reason)
                return
            self._lost(item.reason, refused=False)
        else:
            self._track(item)
            self.listener.on_frame(item)

    # -- connection steps --
    def _open(self) -> None:
        self._removed_reason = ""
        self.budget = SendBudget()  # the server counts per connection
        self._inbox = queue.Queue()
        connection = ChatConnection(
            self.host,
            self.port,
            inbox=self._inbox,  # type: ignore[arg-type]  # the connect thread also puts ConnectFailed here
            connect_timeout=5.0,
            keepalive=30.0,
        )
        self._connection = connection
        self._set_state("connecting", f"Connecting to {self.host}:{self.port}…")
        inbox = self._inbox

        def connect_in_background() -> None:
            try:
                connection.connect()
            except OSError as exc:
                refused = isinstance(exc, ConnectionRefusedError)
                inbox.put(ConnectFailed(_describe_os_error(exc, self.host, self.port), refused))

        threading.Thread(target=connect_in_background, name="chat-connect", daemon=True).start()
        self._welcome_timer = self.root.after(self.welcome_timeout_ms, self._welcome_overdue)

    def _welcome_overdue(self) -> None:
        self._welcome_timer = None
        if self.state == "connecting" and self._connection is not None and self._connection.connected:
            self._drop_connection()
            if self.ever_ready:
                self._schedule_retry("the server did not greet us")
                return
            self._set_state(
                "not_chat_server",
                f"Something answers on {self.host}:{self.port}, but it is not a ClassChat server. "
                f"Check the port number; to start a chat server here, pick a free port.",
            )

    def _track(self, frame: Frame) -> None:
        kind = frame.get("type")
        if kind == "welcome" and self.state == "connecting":
            self._cancel_welcome_timer()
            self._set_state("registering", "Connected; registering…")
            self.send_now(f"NICK {self.nick}")
        elif kind == "nick":
            self.nick = str(frame.get("nick") or self.nick)
            if self.state == "registering":
                if self.room:
                    self._set_state("joining", f"Joining #{self.room}…")
                    self.send_now(f"JOIN {self.room}")
                else:
                    self._become_ready()
        elif kind == "joined":
            self.room = str(frame.get("room") or self.room)
            if self.state == "joining":
                self._become_ready()
        elif kind == "bye" and frame.get("reason") == "kick":
            self._removed_reason = str(frame.get("content", "")) or "An admin removed you."
        elif kind == "left" and frame.get("room") == self.room:
            self.room = None
        elif kind == "error" and self.state in ("registering", "joining"):
            code = frame.get("code")
            if self.state == "registering" and code in ("nick_taken", "bad_nick"):
                self._drop_connection()
                if self.ever_ready and code == "nick_taken":
                    # our old connection may not have timed out on the server yet: try again later
                    self._schedule_retry(f"the server still holds the nickname {self.nick}")
                else:
                    self._set_state(str(code), str(frame.get("content", "")))
            elif self.state == "joining":
                self.room = None
                self._become_ready()

    def _become_ready(self) -> None:
        first = not self.ever_ready
        self.ever_ready = True
        self._attempt = 0
        where = f" in #{self.room}" if self.room else ""
        self._set_state(
            "ready",
            f"Connected to {self.host}:{self.port} as {self.nick}{where}."
            if first
            else f"Reconnected to {self.host}:{self.port}{where}.",
        )
        self._flush_pending()

    def _flush_pending(self) -> None:
        """Send the waiting lines in order, no faster than the server's rate limit accepts."""
        self._flush_id = None
        while self.pending and self.state == "ready" and self._connection is not None:
            if not self.budget.take():
                self._flush_id = self.root.after(int(self.budget.seconds_until_next() * 1000) + 1, self._flush_pending)
                return
            line = self.pending[0]
            try:
                self._connection.send_command(line.command)
            except NotConnected:
                return
            self.pending.pop(0)
            self.listener.on_pending_sent(line.token)

    def _lost(self, reason: str, refused: bool) -> None:
        self._cancel_welcome_timer()
        if self.ever_ready:
            self._schedule_retry("no answer yet" if refused else reason)
        else:
            self._set_state("refused" if refused else "failed", reason)

    def _schedule_retry(self, reason: str) -> None:
        delay = RECONNECT_DELAYS[min(self._attempt, len(RECONNECT_DELAYS) - 1)]
        self._attempt += 1
        self._set_state(
            "reconnecting",
            f"Connection lost ({reason}); trying {self.host}:{self.port} again "
            f"in {delay:g} s (attempt {self._attempt}).",
        )
        self._retry_id = self.root.after(int(delay * 1000), self._retry)

    def _retry(self) -> None:
        self._retry_id = None
        self._open()

    def _drop_connection(self) -> None:
        self._cancel_welcome_timer()
        for timer in (self._retry_id, self._flush_id):
            if timer is not None:
                self.root.after_cancel(timer)
        self._retry_id = self._flush_id = None
        connection, self._connection = self._connection, None
        self._inbox = queue.Queue()  # whatever the old connection still says is not for us
        if connection is not None:
            threading.Thread(target=connection.close, name="chat-close", daemon=True).start()

    def _cancel_welcome_timer(self) -> None:
        if self._welcome_timer is not None:
            self.root.after_cancel(self._welcome_timer)
            self._welcome_timer = None

    def _set_state(self, state: str, detail: str) -> None:
        self.state = state
        self.listener.on_state(state, detail)


def _describe_os_error(exc: OSError, host: str, port: int) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return (
            f"Nothing answers on {host}:{port}. Is the chat server running there, and are the address and port right?"
        )
    if isinstance(exc, TimeoutError):
        return f"{host}:{port} did not answer in time. Check the address, and that you are on the same network."
    if "Name or service not known" in str(exc) or "getaddrinfo" in str(exc) or "nodename" in str(exc):
        return f"The address {host!r} is unknown. Check its spelling, or use a numeric address like 192.168.1.20."
    return f"Could not connect to {host}:{port}: {exc.strerror or exc}."
