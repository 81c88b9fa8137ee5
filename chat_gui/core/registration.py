"""Taking a nickname and a room after the welcome: RESUME on a reconnect, else NICK or LOGIN, then JOIN (scheduler thread).

A mixin of chat_gui.core.session.ClientSession, built on the identity
steps (chat_gui/core/sign_in_steps.py: PASS, REGISTER, a typed LOGIN):

    _register()        after welcome (and after PASS was answered): RESUME with the token of the
                       last `nick` frame when coming back, NICK/LOGIN otherwise, or wait for /nick;
                       the token and a kept password go only to the server key they were given to
    _on_nick()         the server gave us a name: REGISTER if asked for, then _after_name()
    _after_name()      back into the room: RESUME did it (a PING after it tells), or JOIN; or ready
    _on_error()        an `error` while registering or joining: a refused RESUME falls back to NICK,
                       a taken name after a reconnect is retried later, a LOGIN or REGISTER turned away
                       unchecked (busy) goes again by itself, anything else is the user's
    _become_ready()    ready: away again if we were, the catch-up asked, pending lines sent
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chat_gui.core.connection_security import Security
from chat_gui.core.events import Problem, State
from chat_gui.core.history import HistoryKeeper
from chat_gui.core.in_flight import InFlight
from chat_gui.core.pacing import Backoff
from chat_gui.core.presence import OwnPresence
from chat_gui.core.sign_in import busy_wait
from chat_gui.core.sign_in_steps import REGISTER, SignInSteps

BARRIER_TOKEN = "classchat-resumed"  # a PING after RESUME: its pong comes after the server's answer to RESUME
RESUME_REFUSALS = frozenset(("bad_login", "unknown_command", "bad_argument", "not_registered"))


class RegistrationSteps(SignInSteps):
    room: str | None
    token: str
    security: Security | None
    _secrets_key: str | None  # the server key (hex, "" for plain) the token and a kept password were given to
    ever_ready: bool
    removed_reason: str
    backoff: Backoff
    history: HistoryKeeper
    in_flight: InFlight
    own_presence: OwnPresence
    _last_words: str
    _auto_nick: bool  # the NICK in flight is ours (from start()), not the user's
    _resuming: bool
    _taking_back: bool
    _barrier_joined: bool
    _banned: bool
    same_owner: bool  # the name came back with the session of before (RESUME) or an account

    if TYPE_CHECKING:  # the rest of ClientSession (session.py and its other mixins)

        def _flush_pending(self) -> None: ...
        def _drop_connection(self) -> None: ...
        def _schedule_retry(self, reason: str, refused: bool) -> None: ...

    def _register(self) -> None:
        self._keep_secrets_to_their_key()
        if self._give_code():
            return  # the name goes out once the server has answered PASS
        if self.nick and self.token and self.ever_ready:
            self._resuming = True
            self._set_state(State.REGISTERING, f"Connected; taking back the nickname {self.nick}…")
            self.send_now(f"RESUME {self.nick} {self.token}")
        elif self.nick:
            self._auto_nick = True
            self._set_state(State.REGISTERING, f"Connected; registering as {self.nick}…")
            self._send_guarded(self.sign_in.name_command(self.nick))  # LOGIN waits on a plain network connection
        else:
            self._set_state(State.REGISTERING, "Connected. Choose a nickname: /nick NAME")
            self._flush_pending()  # a /nick typed before the welcome goes out now

    def _key_now(self) -> str:
        security = self.security
        return security.fingerprint.hex if security is not None and security.fingerprint is not None else ""

    def _keep_secrets_to_their_key(self) -> None:
        """Forget the RESUME token and a kept password when this server's key is not the one they were given to.

        Found by the thirteenth review: after "Trust the new key" (or "Connect
        without encryption") the window sent `RESUME alice <token>` to the new
        key at once, and a kept password with LOGIN: a student's server at the
        teacher's address, trusted by one click, got the token of the teacher's
        session (which RESUME turns into alice's name and account at the real
        server) and the password without the person typing it for that key.
        Now the name is taken afresh and a password must be typed again.
        """
        if self._secrets_key is not None and self._secrets_key != self._key_now():
            self.token = ""
            self.sign_in.forget_password()
            self._secrets_key = None

    def _on_nick(self, token: str, nick: str, resumed: bool, account: bool = False) -> None:
        self.nick = nick
        self._login_typed = False
        if token:
            self.token = token
            self._secrets_key = self._key_now()
        if self.state is not State.REGISTERING:
            self.sign_in.logged_in(nick)
            return
        if self._step == REGISTER:
            return  # REGISTER's own answer (`nick`, registered); the pong after it moves on
        resumed = resumed or self._resuming
        self._resuming = self._auto_nick = False
        # A guest's private messages belong to its session (the server's owners): a fresh guest session after
        # a loss does not see those sent before, so its catch-up cannot tell whether they arrived (in_flight.py).
        self.same_owner = resumed or account
        if not resumed and self._start_register(nick):
            return
        self.sign_in.logged_in(nick)
        self._after_name(resumed)

    def _after_name(self, resumed: bool) -> None:
        """The nickname is ours: back into the room (RESUME did it, or JOIN), or ready without one."""
        if self.room and resumed:
            # The server puts a resumed session back in its room and says so with `joined` right after
            # `nick`; the pong to this PING comes after that, so it tells whether a JOIN is still needed.
            self._barrier_joined = False
            self._set_state(State.JOINING, f"Taking back #{self.room}…")
            self.send_now(f"PING {BARRIER_TOKEN}")
        elif self.room:
            self._barrier_joined = True
            self._set_state(State.JOINING, f"Joining #{self.room}…")
            self.send_now(self.sign_in.join_command(self.host, self.port, self.room))
        else:
            self._become_ready()

    def _on_error(self, code: str, content: str, checked: object = None, retry_after: object = None) -> bool:
        if self.state is State.CONNECTING:
            self._last_words = content  # refused before the welcome (server_full): the reason to show
        if code == "banned":  # its words say for how long; the bye that follows may not
            self._banned = True
            self.removed_reason = content or "You are banned from this server."
            return True
        wait = busy_wait(code, content, checked, retry_after)
        if wait is not None and self._retry_when_busy(wait):
            return False
        shown = self._identity_refusal(code, content)
        if shown is not None:
            return shown
        if self.state is State.REGISTERING and self._resuming:
            self._resuming = False
            if code in RESUME_REFUSALS:
                self.token = ""  # a new server, or the session expired: register afresh (with the login, if kept)
                self._auto_nick = True
                self._send_guarded(self.sign_in.name_command(self.nick))
                return False
            # code_required: the teacher set another join code since (a new period): ask for it, as for NICK
            problem = self.sign_in.refused(code, self.host, self.port) if code == "code_required" else None
            self._registration_refused(code, content, problem)
            return False
        if self.state is State.REGISTERING and self._auto_nick:
            self._auto_nick = False
            if code == "nick_taken" and self.ever_ready:
                # a server without RESUME may still hold our old connection: try again later
                self._drop_connection()
                self._schedule_retry(f"the server still holds the nickname {self.nick}", refused=False)
            else:
                self._registration_refused(code, content, self.sign_in.refused(code, self.host, self.port))
            return False
        if self.state is State.JOINING:
            self.room = None  # the room cannot be joined (any more): be ready without it, and say why
            self._become_ready()
        return True

    def _registration_refused(self, code: str, content: str, problem: Problem | None = None) -> None:
        """The server refused our nickname: stay connected; the user chooses another (/nick, or the dialog)."""
        problem = problem or {"nick_taken": Problem.NICK_TAKEN, "bad_nick": Problem.BAD_NICK}.get(
            code, Problem.REFUSED_BY_SERVER
        )
        self.nick = ""
        self._set_state(State.REGISTERING, content, problem, code)

    def _become_ready(self) -> None:
        first = not self.ever_ready
        self.ever_ready = True
        self._taking_back = False  # from now on a loss is the network's again (session.py reconnect_now)
        self.backoff.connected()  # the delays start afresh only once this session has lasted (pacing.py)
        self._busy_tries = 0
        where = f" in #{self.room}" if self.room else ""
        self._set_state(
            State.READY,
            f"Connected to {self.host}:{self.port} as {self.nick}{where}."
            if first
            else f"Reconnected to {self.host}:{self.port} as {self.nick}{where}.",
        )
        self.history.on_ready(reconnected=not first)
        self.in_flight.ready(lambda key: key in self.history.catching, self.history.enabled, self.same_owner, self.nick)
        away_again = self.own_presence.command_after_reconnect()  # a new connection starts online
        if away_again:
            self.send_now(away_again)
        self._flush_pending()
