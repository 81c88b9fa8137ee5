"""The identity steps of ClientSession: PASS, REGISTER and a typed LOGIN, and what their refusals mean (scheduler thread).

A mixin of chat_gui.core.session.ClientSession, kept apart so the
session's life (connect, register, join, reconnect) reads on its own:

    _give_code()          after welcome: PASS and a PING when a code is known; the pong lets the name go out
    _start_register(nick) after `nick`: REGISTER and a PING when the user asked to register; the pong joins
    _identity_refusal()   an `error` during those steps (or after a typed LOGIN): what to forget, what to ask
    _retry_when_busy()    LOGIN or REGISTER turned away unchecked (the server was busy): the same again after
                          a short, growing, jittered wait (chat_gui.core.pacing.busy_delay), the password kept
    log_in(), register_account()   the user's own, while connected

`SignIn` (chat_gui/core/sign_in.py) holds the secrets and decides the lines;
this module only knows when to send them.  Every line that carries one goes
through `_send_guarded`: on a plain connection to another computer
(chat_gui/core/plain_secrets.py) it is held back and SecretHeld asks the
front end, which answers with allow_plain_secrets() (sent, and not asked
again for this server until start()) or keep_secrets() (nothing is sent;
while registering the connection is given up).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chat_gui.core.connection import ChatConnection
from chat_gui.core.connection_security import TlsPolicy
from chat_gui.core.events import Listener, Problem, SecretHeld, State
from chat_gui.core.pacing import Backoff, busy_delay
from chat_gui.core.plain_secrets import not_sent, question, secret_kind
from chat_gui.core.sign_in import CODE_BARRIER, REGISTER_BARRIER, SignIn, server_key

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
    _held: tuple[str, ...]  # lines held back (a secret first) until the person says whether they may go in plain
    _plain_allowed: str  # the server (host:port) the person allowed secrets in plain to, until start()
    _busy_tries: int  # LOGIN or REGISTER turned away as busy in a row (ClientSession resets it once ready)
    _auto_nick: bool
    backoff: Backoff
    tls_policy: TlsPolicy
    connection: ChatConnection | None
    listener: Listener

    if TYPE_CHECKING:  # ClientSession's own

        def send_now(self, command: str) -> bool: ...
        def _drop_connection(self) -> None: ...
        def _set_state(self, state: State, detail: str, problem: Problem | None = None, code: str = "") -> None: ...
        def _register(self) -> None: ...
        def _after_name(self, resumed: bool) -> None: ...
        def _registration_refused(self, code: str, content: str, problem: Problem | None = None) -> None: ...
        def _after(self, name: str, ms: int, callback: Callable[[], None]) -> None: ...

    def _reset_sign_in_steps(self) -> None:
        """A new connection: nothing given or in flight on it yet."""
        self._step = ""
        self._code_given = self._login_typed = False
        self._held = ()

    def _secrets_allowed_here(self) -> bool:
        """For a new connection: chat-term's --allow-plain-passwords, or the person's yes for this server."""
        return self.tls_policy.allow_plain_passwords or self._plain_allowed == server_key(self.host, self.port)

    # -- secrets in plain --
    def secret_would_wait(self) -> bool:
        """True when a password or join code sent now would be held back (plain, to another computer, not allowed)."""
        connection = self.connection
        return connection is not None and connection.exposes_secrets()

    def _send_guarded(self, *lines: str) -> bool:
        """Send `lines` now, unless the first carries a secret that the connection would expose: then hold them
        all back and ask (SecretHeld).  True when they went out or wait for the person's answer; False when the
        connection is gone."""
        kind = secret_kind(lines[0])
        if kind and self.secret_would_wait():
            self._held = lines
            address = f"{self.host}:{self.port}"
            self.listener(SecretHeld(kind, address, question(kind)))
            return True
        sent = [self.send_now(line) for line in lines]  # each one, as before: a PING follows its secret
        return all(sent)

    @property
    def secret_waiting(self) -> bool:
        """A password or join code is held back, waiting for allow_plain_secrets() or keep_secrets()."""
        return bool(self._held)

    def allow_plain_secrets(self) -> None:
        """The person said yes: what was held back goes out now, and later secrets to this server go without asking."""
        self._plain_allowed = server_key(self.host, self.port)
        if self.connection is not None:
            self.connection.allow_plain_secrets = True
        held, self._held = self._held, ()
        for line in held:
            self.send_now(line)

    def keep_secrets(self) -> None:
        """The person said no (or chat-term has no --allow-plain-passwords): nothing held back is sent.

        While chatting the connection goes on and the typed login or
        registration is forgotten; while registering it cannot go on without
        the secret, so it is given up (failed, Problem.TLS_REQUIRED).
        """
        held, self._held = self._held, ()
        if not held:
            return
        if self.state is State.READY:
            self._step = ""
            self._login_typed = False
            self.sign_in.forget_password()
            return
        self._drop_connection()
        self._set_state(State.FAILED, not_sent(secret_kind(held[0]), f"{self.host}:{self.port}"), Problem.TLS_REQUIRED)

    # -- the user's own --
    def log_in(self, nick: str, password: str, keep: bool = True) -> bool:
        """Log in as nick: now when connected, otherwise when registering next.  Never queued, never shown."""
        self.sign_in.log_in(nick, password, keep)
        if self.state is State.READY or (self.state is State.REGISTERING and not self.nick):
            self._login_typed = True
            return self._send_guarded(f"LOGIN {nick} {password}")
        return False

    def register_account(self, password: str, keep: bool = True) -> bool:
        """Register the nickname we have now (REGISTER); False when not connected with a nickname."""
        if self.state is not State.READY or not self.nick:
            return False
        self.sign_in.register(self.nick, password, keep)
        self._step = REGISTER
        return self._send_guarded(f"REGISTER {password}", f"PING {REGISTER_BARRIER}")

    # -- while registering --
    def _give_code(self) -> bool:
        """PASS before anything else when a code is known; True while its answer is awaited."""
        code = self.sign_in.code_for(self.host, self.port)
        if not code or self._code_given:
            return False
        self._step = CODE
        self._set_state(State.REGISTERING, "Connected; giving the join code…")
        self._send_guarded(f"PASS {code}", f"PING {CODE_BARRIER}")
        return True

    def _start_register(self, nick: str) -> bool:
        """REGISTER right after the nickname was accepted, when the user asked for it; True while awaited."""
        password = self.sign_in.password_to_register(nick)
        if not password:
            return False
        self._step = REGISTER
        self._set_state(State.REGISTERING, f"Registering the nickname {nick}…")
        self._send_guarded(f"REGISTER {password}", f"PING {REGISTER_BARRIER}")
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

    def _retry_when_busy(self, named_wait: float) -> bool:
        """LOGIN or REGISTER was refused unchecked while signing in (sign_in.busy_wait): keep the password and send
        it again after a wait that grows and is jittered, at least the one the server named; True when so.

        Found by a probe: after a restart forty students sent LOGIN at once; the server checks two, lets 16
        wait and turns the rest away, and 22 of them were left without their name, asked for their password.
        """
        if self.state is not State.REGISTERING or self.connection is None:
            return False
        account = self.sign_in.account
        if account is None or not account.password:
            return False
        if self._step == REGISTER:
            what, nick, again = "registering", self.nick, self._register_again
        elif (self._auto_nick or self._login_typed) and not account.register:
            what, nick, again = "signing in", account.nick, self._log_in_again
        else:
            return False
        self._step = ""
        delay = busy_delay(self._busy_tries, named_wait, self.backoff.jitter)
        self._busy_tries += 1
        self._set_state(
            State.REGISTERING,
            f"The server is busy checking passwords; {what} as {nick} again in {delay:.0f} s (nothing was checked).",
            code="rate_limited",  # no problem for the user to fix: only said (chat-term prints it)
        )
        connection = self.connection

        def when_due() -> None:
            if self.state is State.REGISTERING and self.connection is connection and connection.connected:
                again()

        self._after("sign_in", int(delay * 1000), when_due)
        return True

    def _log_in_again(self) -> None:
        account = self.sign_in.account
        if account is None or not account.password or account.register:
            return  # the user chose something else meanwhile (_auto_nick or _login_typed still says whose it is)
        self._set_state(State.REGISTERING, f"Connected; logging in as {account.nick}…")
        self._send_guarded(self.sign_in.name_command(account.nick))

    def _register_again(self) -> None:
        if self.nick and not self._start_register(self.nick):
            self._after_name(resumed=False)  # the user chose not to register meanwhile: go on without it

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
