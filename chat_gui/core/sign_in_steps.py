"""The identity steps of ClientSession: PASS, REGISTER and a typed LOGIN, and what their refusals mean (scheduler thread).

A mixin of chat_gui.core.session.ClientSession, kept apart so the
session's life (connect, register, join, reconnect) reads on its own:

    _give_code()          after welcome: PASS and a PING when a code is known; the pong lets the name go out
    _start_register(nick) after `nick`: REGISTER and a PING when the user asked to register; the pong joins
    _identity_refusal()   an `error` during those steps (or after a typed LOGIN): what to forget, what to ask
    log_in(), register_account()   the user's own, while connected

`SignIn` (chat_gui/core/sign_in.py) holds the secrets and decides the lines;
this module only knows when to send them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chat_gui.core.events import Problem, State
from chat_gui.core.sign_in import CODE_BARRIER, REGISTER_BARRIER, SignIn

CODE, REGISTER = "code", "register"


class SignInSteps:
    sign_in: SignIn
    state: State
    nick: str
    host: str
    port: int
    _step: str  # the identity step in flight while registering: CODE, REGISTER or ""
    _code_given: bool  # PASS went out on this connection and its pong came back
    _login_typed: bool  # a LOGIN the user typed while connected: its refusal forgets the password

    if TYPE_CHECKING:  # ClientSession's own

        def send_now(self, command: str) -> bool: ...
        def _set_state(self, state: State, detail: str, problem: Problem | None = None, code: str = "") -> None: ...
        def _register(self) -> None: ...
        def _after_name(self, resumed: bool) -> None: ...
        def _registration_refused(self, code: str, content: str, problem: Problem | None = None) -> None: ...

    def _reset_sign_in_steps(self) -> None:
        """A new connection: nothing given or in flight on it yet."""
        self._step = ""
        self._code_given = self._login_typed = False

    # -- the user's own --
    def log_in(self, nick: str, password: str, keep: bool = True) -> bool:
        """Log in as nick: now when connected, otherwise when registering next.  Never queued, never shown."""
        self.sign_in.log_in(nick, password, keep)
        if self.state is State.READY or (self.state is State.REGISTERING and not self.nick):
            self._login_typed = True
            return self.send_now(f"LOGIN {nick} {password}")
        return False

    def register_account(self, password: str, keep: bool = True) -> bool:
        """Register the nickname we have now (REGISTER); False when not connected with a nickname."""
        if self.state is not State.READY or not self.nick:
            return False
        self.sign_in.register(self.nick, password, keep)
        self._step = REGISTER
        return self.send_now(f"REGISTER {password}") and self.send_now(f"PING {REGISTER_BARRIER}")

    # -- while registering --
    def _give_code(self) -> bool:
        """PASS before anything else when a code is known; True while its answer is awaited."""
        code = self.sign_in.code_for(self.host, self.port)
        if not code or self._code_given:
            return False
        self._step = CODE
        self._set_state(State.REGISTERING, "Connected; giving the join code…")
        self.send_now(f"PASS {code}")
        self.send_now(f"PING {CODE_BARRIER}")
        return True

    def _start_register(self, nick: str) -> bool:
        """REGISTER right after the nickname was accepted, when the user asked for it; True while awaited."""
        password = self.sign_in.password_to_register(nick)
        if not password:
            return False
        self._step = REGISTER
        self._set_state(State.REGISTERING, f"Registering the nickname {nick}…")
        self.send_now(f"REGISTER {password}")
        self.send_now(f"PING {REGISTER_BARRIER}")
        return True

    def _identity_step_done(self, barrier: str) -> None:
        """The server answered PASS or REGISTER without refusing it (a refusal comes before the pong)."""
        step, self._step = self._step, ""
        if barrier == CODE_BARRIER and step == CODE and self.state is State.REGISTERING:
            self._code_given = True
            self._register()
        elif barrier == REGISTER_BARRIER and step == REGISTER:
            self.sign_in.registered()
            if self.state is State.REGISTERING:
                self._after_name(resumed=False)

    def _identity_refusal(self, code: str, content: str) -> bool | None:
        """An error that answers an identity step: True to show it, False when handled; None when not one."""
        if code == "bad_room_key":
            self.sign_in.key_refused(self.host, self.port)
            return None  # the session goes on as for any refused JOIN
        if self._step == REGISTER and self.state is State.READY:
            self._step = ""
            self.sign_in.no_account()  # the nickname stays as it was, without an account
            return True
        if self._login_typed and code in ("bad_login", "rate_limited", "tls_required", "code_required"):
            self._login_typed = False
            self.sign_in.refused(code, self.host, self.port)
            return True
        if self.state is State.REGISTERING and self._step:
            step, self._step = self._step, ""
            problem = self.sign_in.refused(code, self.host, self.port)
            if step == REGISTER:
                problem = Problem.REGISTER_REFUSED
            self._registration_refused(code, content, problem or Problem.REFUSED_BY_SERVER)
            return False
        return None
