"""The life of a client's connection, with no Tk: connect, register, join, keep alive, reconnect, pending lines (scheduler thread).

    connect thread (short-lived): ChatConnection.connect(); a failure goes on the inbox as ConnectFailed
    reader thread (ChatConnection): frames -> bounded inbox
    scheduler thread: _poll() drains a bounded batch per tick and hands each item to _dispatch;
                      every other method here runs on it too (callers use the scheduler to get there)

States (chat_gui.core.events.State): offline -> connecting -> registering
(welcome seen; RESUME or NICK sent) -> joining -> ready.  A plain `welcome`
that lists `tls` after our TLS opening was answered in plain means someone
between us stripped encryption: failed (Problem.TLS_BLOCKED), nothing sent.  A connection lost
by accident goes to reconnecting and is retried (chat_gui.core.pacing
says how soon); the client first sends RESUME with the token of its last
`nick` frame, so it takes its own nickname and room back even while the
server still holds the old connection, and falls back to NICK and JOIN.
A `bye` that sends the user away (kick, ban, flood) goes to removed, where
nothing is retried and typed lines are refused.  Lines typed while not
ready, or faster than the server's rate limit allows, wait in `pending`
and go out once, in order, as soon as they can.  Lines that went out on a
connection already dead but not yet known to be are caught by
chat_gui/core/in_flight.py: after the reconnect's catch-up, those the
server never got come back as LinesNotDelivered.

ClientSession is this module (the front end's calls, the poller, following
frames, pending lines) plus its mixins, one step each:
registration.py (RESUME, NICK, JOIN after the welcome), sign_in_steps.py
(PASS, REGISTER, LOGIN) and reconnecting.py (a lost or silent connection,
the retry); history.py's HistoryKeeper does the catch-up after it.
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from chat_gui.core.connect_failure import ConnectFailed, describe_os_error, describe_tls_error
from chat_gui.core.connection import (
    STALL_SECONDS,
    ChatConnection,
    Disconnected,
    Inbox,
    NotConnected,
)
from chat_gui.core.connection_security import KeyWarning, Security, TlsPolicy, blocked_words, encryption_blocked
from chat_gui.core.events import LineSent, Listener, Problem, State, StateChanged
from chat_gui.core.history import HistoryKeeper
from chat_gui.core.in_flight import InFlight
from chat_gui.core.keepalive import Keepalive
from chat_gui.core.pacing import Backoff, SendBudget
from chat_gui.core.plain_secrets import secret_kind
from chat_gui.core.presence import OwnPresence, PresenceBook
from chat_gui.core.reconnecting import Reconnecting
from chat_gui.core.registration import BARRIER_TOKEN, RegistrationSteps
from chat_gui.core.roster import Roster
from chat_gui.core.scheduler import Scheduler
from chat_gui.core.sending import NotSent, PendingLine, SendResult, Sent, Waiting
from chat_gui.core.sign_in import CODE_BARRIER, REGISTER_BARRIER, SignIn, ban_words
from chat_gui.core.sign_in_steps import CODE
from shared.frame_types import ServerFrame
from shared.names import name_key
from shared.server_address import mistyped_address
from shared.tls_channel import TlsError

POLL_MS = 15
BATCH_LIMIT = 400  # frames per tick at most...
BATCH_SECONDS = 0.025  # ...and no longer than this, so a window keeps answering
WELCOME_TIMEOUT = 5.0  # a program that accepts but never greets is not a chat server
KEEPALIVE = 30.0  # silence before a PING; as long again without a word and the server is taken for dead
# Frames waiting: a second or more of drawing a flood of long messages; the window says it is behind.
BEHIND_FRAMES = 500
SLOW_GAP_SECONDS = 0.050  # a gap between poller ticks longer than this is felt as a stutter
# bye reasons and error codes that send a user away: coming straight back would undo what the server did
# (`replaced`: the account was logged in to elsewhere; logging in again by itself closed that one in turn)
REMOVAL_REASONS = frozenset(("kick", "ban", "banned", "flood", "resumed", "replaced", "password"))


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


class ClientSession(RegistrationSteps, Reconnecting):
    def __init__(
        self,
        scheduler: Scheduler,
        listener: Listener,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
        welcome_timeout: float = WELCOME_TIMEOUT,
        keepalive: float = KEEPALIVE,
        stall_seconds: float = STALL_SECONDS,
        ready_for_more: Callable[[], bool] = lambda: True,
    ) -> None:
        self.scheduler = scheduler
        self.listener = listener
        self.clock = clock
        self.welcome_timeout = welcome_timeout
        self.stall_seconds = stall_seconds
        self.ready_for_more = ready_for_more  # False: the front end is behind; frames wait (and TCP pushes back)
        self.host = ""
        self.port = 0
        self.nick = ""  # the nickname we have, or want ("" until the user chooses one)
        self.room: str | None = None  # the room we are in, or want to be in after a reconnect
        self.state = State.OFFLINE
        self.ever_ready = False
        self.removed_reason = ""  # set when the server sent us away: no automatic reconnect
        self._last_words = ""  # the last bye's text, the best reason when the connection then ends
        self.pending: list[PendingLine] = []
        self.roster = Roster()
        self.presence = PresenceBook(clock)  # others: away, typing (chat_gui/core/presence.py)
        self.own_presence = OwnPresence(clock)
        self.stats = PollerStats()
        self.backoff = Backoff(clock, jitter)
        self.budget = SendBudget()
        self.token = ""  # the RESUME secret from the last `nick` frame
        self._secrets_key: str | None = None  # the key it (and a kept password) went to (registration.py)
        self.connection: ChatConnection | None = None
        self.tls_policy = TlsPolicy()  # the front end may change it (chat-term's --accept-new-key)
        self.security: Security | None = None  # the current connection's, from its welcome on
        self.key_warning: KeyWarning | None = None  # set with Problem.KEY_CHANGED: what the person must decide
        self._inbox = Inbox()
        self._next_token = 1
        self._auto_nick = False  # the NICK in flight is ours (from start()), not the user's
        self._resuming = False
        self.same_owner = True  # the name came back with the session of before (RESUME) or an account
        self._barrier_joined = False
        self.sign_in = SignIn()  # join code, account, role, room keys (chat_gui/core/sign_in.py)
        self._plain_allowed = ""  # the server the person let secrets go to unencrypted (sign_in_steps.py)
        self._busy_tries = 0  # LOGIN or REGISTER turned away unchecked in a row (sign_in_steps.py)
        self._reset_sign_in_steps()  # PASS, REGISTER, a typed LOGIN (chat_gui/core/sign_in_steps.py)
        self._banned = False  # a `banned` error came on this connection
        self.alive = Keepalive(clock, keepalive)
        self._timers: dict[str, object] = {}
        self._closed = False
        self.in_flight = InFlight(
            listener, clock
        )  # chat lines written but not yet answered (chat_gui/core/in_flight.py)
        self.history = HistoryKeeper(
            scheduler,
            listener,
            self.send_now,
            self.send,
            self.budget_wait,
            lambda: self.nick,
            lambda: self.room,
            self.in_flight.caught_up,
        )
        self._after("poll", POLL_MS, self._poll)

    # -- timers, by name: at most one of each kind is due --
    def _after(self, name: str, ms: int, callback: Callable[[], None]) -> None:
        self._cancel(name)

        def fire() -> None:
            self._timers.pop(name, None)
            callback()

        self._timers[name] = self.scheduler.after(ms, fire)

    def _cancel(self, *names: str) -> None:
        for name in names:
            timer = self._timers.pop(name, None)
            if timer is not None:
                self.scheduler.cancel(timer)

    # -- what the front end asks for --
    def start(self, host: str, port: int, nick: str, room: str | None) -> None:
        """Connect (again) to host:port as nick ("" lets the user choose), then join room; events follow."""
        self._drop_connection()
        self._plain_allowed = ""  # a yes to secrets in plain holds for this connection's reconnects only
        self.host, self.port, self.nick, self.room = host, port, nick, room or None
        self.ever_ready = False
        self.token = ""
        self._secrets_key = None
        self.backoff.reset()
        self.in_flight.forget()
        self.history.forget()
        self._open()

    def send(self, command: str) -> SendResult:
        """Send now when connected and the pace allows; otherwise keep the line in `pending`."""
        if self.state is State.REMOVED:
            return NotSent(
                f"Not sent: {self.removed_reason or 'the server sent you away.'} "
                f"Nothing reconnects by itself after that; Reconnect now (/reconnect) tries again."
            )
        command = self.sign_in.outgoing(command, self.host, self.port)  # a JOIN gets the room's remembered key
        kind = secret_kind(command)  # a typed PASS, LOGIN or REGISTER: now or never, and never exposed
        if kind and not self._can_send_now():
            return NotSent(f"Not sent: a {kind} goes out only while connected; type it again once connected.")
        if kind and self.secret_would_wait():
            return NotSent(
                f"Not sent: this connection is not encrypted, and anyone on the network could read your {kind}."
            )
        if self._can_send_now() and not self.pending and self.budget.take():
            try:
                assert self.connection is not None
                self.connection.send_command(command)
                self._written(command)
                return Sent()
            except NotConnected:
                pass  # the reader will report the loss; keep the line
        token = self._next_token
        self._next_token += 1
        self.pending.append(PendingLine(command, token))
        if self._can_send_now() and "flush" not in self._timers:
            self._after("flush", self._ms_until_budget(), self._flush_pending)
        return Waiting(token)

    def send_now(self, command: str) -> bool:
        """Send a command that is worthless later (LIST, QUIT); False when not connected."""
        if self.connection is None or not self.connection.connected:
            return False
        self.budget.take(force=True)
        try:
            self.connection.send_command(command)
        except NotConnected:
            return False
        return True

    def reconnect_now(self) -> bool:
        """Try at once (the user asked): also after a kick or a failure.  False when already connected or connecting."""
        if self.state in (State.READY, State.CONNECTING, State.REGISTERING, State.JOINING) or not self.host:
            return False
        self._drop_connection()
        self.backoff.reset()
        self._open()
        return True

    def drop_pending(self) -> list[PendingLine]:
        """Forget the lines waiting to be sent and return them (the user hung up, or was sent away)."""
        dropped, self.pending = self.pending, []
        self._cancel("flush")
        return dropped

    def backlog(self) -> int:
        """Frames received and not yet handled by the poller."""
        return self._inbox.qsize()

    def behind(self) -> bool:
        """Far more frames wait than one tick handles: the front end says it is catching up (found by a probe)."""
        return self._inbox.qsize() >= BEHIND_FRAMES

    def reader_gone(self) -> bool:
        """The connection has ended but frames it delivered before that still wait to be handled.

        The Disconnected comes last on the inbox, so until those are shown the
        state is still READY; the front end must not say "Connected" meanwhile.
        """
        connection = self.connection
        return (
            self.state is State.READY
            and connection is not None
            and not connection.connected  # its reader has stopped
            and not self._inbox.empty()
        )

    def disconnect(self) -> None:
        """Hang up on purpose: no reconnect; pending lines stay pending."""
        self._drop_connection()
        self._set_state(State.OFFLINE, "Disconnected.")

    def close(self) -> None:
        """Stop everything: the poller, timers and the connection (the front end is going away)."""
        self._closed = True
        self._drop_connection()
        self._cancel(*list(self._timers))

    # -- the poller --
    def _poll(self) -> None:
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
            while handled < BATCH_LIMIT and self.ready_for_more():
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
            if not self._closed:
                self._after("poll", POLL_MS, self._poll)

    def _dispatch(self, item: object) -> None:
        if isinstance(item, ConnectFailed):
            self.connection = None
            if item.key_warning is not None:  # never retried by itself: a person must decide
                self.key_warning = item.key_warning
                self._cancel("welcome", "alive")
                self._set_state(State.FAILED, item.reason, Problem.KEY_CHANGED)
            elif item.problem is not None and not self.ever_ready:
                self._cancel("welcome", "alive")
                self._set_state(State.FAILED, item.reason, item.problem)
            else:
                self._lost(item.reason, refused=item.refused)
        elif isinstance(item, Disconnected):
            self._disconnected(item)
        else:
            frame: ServerFrame = item  # type: ignore[assignment]  # the reader puts only checked frames besides these
            if frame["type"] != "error" or not self.history.requests.answering():  # a page's refusal: not a line's
                self.in_flight.observe(frame, self.nick)
            if self._track(frame):
                self.history.on_frame(frame)  # hands it on (Received), or as part of a page, or holds it back

    # -- connection steps --
    def _open(self) -> None:
        self.removed_reason = self._last_words = ""
        self._resuming = self._auto_nick = self._banned = False
        self._reset_sign_in_steps()
        self.budget = SendBudget()  # the server counts per connection
        self._inbox = inbox = Inbox()
        self.security = self.key_warning = None
        connection = ChatConnection(
            self.host,
            self.port,
            inbox=inbox,
            stall_seconds=self.stall_seconds,
            policy=self.tls_policy,
            handshake_timeout=self.welcome_timeout,
        )
        connection.allow_plain_secrets = self._secrets_allowed_here()
        self.connection = connection
        self._set_state(State.CONNECTING, f"Connecting to {self.host}:{self.port}…")
        host, port = self.host, self.port

        def connect_in_background() -> None:
            typo = mistyped_address(host)
            if typo is not None:  # said at once: looking "192.168.1.2O" up as a name would fail slowly and vaguely
                inbox.put(ConnectFailed(typo, False, problem=Problem.UNREACHABLE))
                return
            try:
                connection.connect()
            except OSError as exc:
                inbox.put(ConnectFailed(describe_os_error(exc, host, port), isinstance(exc, ConnectionRefusedError)))
            except TlsError as exc:
                inbox.put(describe_tls_error(exc, host, port))

        threading.Thread(target=connect_in_background, name="chat-connect", daemon=True).start()
        self._after("welcome", int(self.welcome_timeout * 1000), self._welcome_overdue)

    def _track(self, frame: ServerFrame) -> bool:
        """Follow the connection's life in one frame; False when the frame was the core's own business."""
        self.roster.learn(frame, self.nick)
        self.presence.learn(frame, self.nick)
        self.own_presence.learn(frame, self.nick)
        if frame["type"] == "welcome":
            if self.state is State.CONNECTING and self.connection is not None:
                self.security = self.connection.security
                if encryption_blocked(self.security, frame.get("features")):
                    self._drop_connection()  # before anything is sent: no name, no password, no code
                    self._set_state(State.FAILED, blocked_words(f"{self.host}:{self.port}"), Problem.TLS_BLOCKED)
                    return False
            if self.state is State.CONNECTING:
                self.history.on_welcome(frame.get("features"), frame.get("unsaved_ids"))
                self._cancel("welcome")
                self.alive.restart()
                self._after("alive", self.alive.check_every_ms, self._check_alive)
                self._register()
        elif frame["type"] == "nick":
            if "role" in frame or not frame.get("old"):
                self.sign_in.role = frame.get("role", "")
            self._on_nick(
                frame.get("token", ""), frame["nick"], bool(frame.get("resumed")), frame.get("account") is True
            )
        elif frame["type"] == "joined":
            self.room = frame["room"]
            self.sign_in.joined(self.host, self.port, frame["room"], bool(frame.get("locked")))
            if self.state is State.JOINING:
                self._barrier_joined = True
                self._become_ready()
        elif frame["type"] == "left":
            if self.room is not None and name_key(frame["room"]) == name_key(self.room):
                self.room = None
        elif frame["type"] == "pong" and frame["content"] == BARRIER_TOKEN:
            if self.state is State.JOINING and not self._barrier_joined and self.room:
                # RESUME gave the name back but not the room: join it
                self.send_now(self.sign_in.join_command(self.host, self.port, self.room))
            return False
        elif frame["type"] == "system" and frame["event"] == "code_accepted" and self._step == CODE:
            return False  # "now choose a nickname": the session is already doing it
        elif frame["type"] == "pong" and frame["content"] in (CODE_BARRIER, REGISTER_BARRIER):
            self._identity_step_done(frame["content"])
            return False
        elif frame["type"] == "bye":
            self._last_words = frame["content"]
            if frame.get("reason") in REMOVAL_REASONS and not self._banned:
                self.removed_reason = frame["content"] or "The server sent you away."
        elif frame["type"] == "error":
            until: object = frame.get("until")
            content = ban_words(frame["content"], until) if until else frame["content"]
            return self._on_error(frame["code"], content, frame.get("checked"), frame.get("retry_after"))
        return True

    def _can_send_now(self) -> bool:
        connected = self.connection is not None and self.connection.connected
        choosing = self.state is State.REGISTERING and not self.nick  # the user's own NICK, HELP...
        return connected and (self.state is State.READY or choosing)

    def budget_wait(self, lines: int) -> float:
        """Seconds until `lines` commands may go out together without tripping the server's rate limit."""
        return self.budget.seconds_until(lines)

    def _ms_until_budget(self) -> int:
        return int(self.budget.seconds_until_next() * 1000) + 1

    def _flush_pending(self) -> None:
        """Send the waiting lines in order, no faster than the server's rate limit accepts."""
        self._cancel("flush")
        while self.pending and self._can_send_now() and self.connection is not None:
            if not self.budget.take():
                self._after("flush", self._ms_until_budget(), self._flush_pending)
                return
            line = self.pending[0]
            try:
                self.connection.send_command(line.command)
            except NotConnected:
                return
            self.pending.pop(0)
            self._written(line.command)
            self.listener(LineSent(line.token))

    def _written(self, command: str) -> None:
        """A command reached the socket: a chat line is remembered until the server answers it (in_flight.py)."""
        self.in_flight.sent(command, self.room, self.roster.is_online, self.history.cursors.highest)

    def _set_state(self, state: State, detail: str, problem: Problem | None = None, code: str = "") -> None:
        self.state = state
        if state is State.RECONNECTING:
            self.in_flight.connection_lost(self.nick)  # lines not answered yet may have died with the connection
            for key, target, floor in self.in_flight.suspected():
                self.history.follow(key, target, floor)  # the catch-up will show whether they arrived
        if state in (State.REMOVED, State.FAILED, State.OFFLINE):
            self.history.on_ended()  # no reconnect is coming: hand on whatever a catch-up held back
            if state is State.OFFLINE:
                self.in_flight.hung_up()  # the person's Disconnect: only lines long unanswered are in doubt
            else:
                self.in_flight.ended()
        self.listener(StateChanged(state, detail, problem, code))
