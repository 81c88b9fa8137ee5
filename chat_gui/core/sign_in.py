"""Who this client says it is: the join code, logging in or registering, the role, room keys (scheduler thread; no I/O).

ClientSession asks this module which lines to send while it registers and
what an identity refusal means; the front ends fill it in from the Connect
dialog, the login dialog or chat-term's prompts:

    welcome --> PASS <code>, PING (only when a code is known for this server; its pong says the code was taken)
            --> RESUME <nick> <token>         on a reconnect, as before
            --> LOGIN <nick> <password>       when the user logs in (also when RESUME is refused after a restart)
                or NICK <nick>
            --> REGISTER <password>, PING     when the user registers the nickname; the pong says it was kept
            --> JOIN <room> [<key>]           the key remembered for that server and room, if any

Secrets stay in this process's memory and are never printed or logged.  A
password is kept after a login only when the user chose "log in again by
itself"; otherwise a reconnect that needs it (the server restarted, so
RESUME is refused) stops and asks.  A wrong password or join code is
forgotten at once, so a retry never repeats it.  A `rate_limited` that says
"Nothing was checked" (the server was busy checking others' passwords, as
when a whole class comes back after a restart) is not a wrong password:
`busy_wait` tells it apart, the password is kept and the session sends it
again after a short wait.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from chat_gui.core.events import Problem
from shared.names import name_key

MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 128
CODE_BARRIER = "classchat-code"  # the pong to this PING follows the server's answer to PASS
REGISTER_BARRIER = "classchat-registered"  # ... and to REGISTER
TEACHER = "teacher"

NOTHING_CHECKED = "nothing was checked"  # the server's words on a LOGIN or REGISTER it turned away unchecked
_NAMED_WAIT = re.compile(r"try again in (\d+) s\b")
MAX_BUSY_WAIT = 120.0  # seconds: a longer wait the server names is shown to the person, not waited out

# identity refusals while registering, and what the front end should ask for
PROBLEMS = {
    "code_required": Problem.JOIN_CODE,
    "bad_code": Problem.JOIN_CODE,
    "nick_registered": Problem.NICK_REGISTERED,
    "bad_login": Problem.BAD_LOGIN,
    "tls_required": Problem.TLS_REQUIRED,
}


def password_problem(password: str, again: str | None = None) -> str:
    """Why a new password cannot be used ("" when it can): the contract's length, and the two copies alike."""
    if len(password) < MIN_PASSWORD_CHARS:
        return f"The password needs at least {MIN_PASSWORD_CHARS} characters (it has {len(password)})."
    if len(password) > MAX_PASSWORD_CHARS:
        return f"The password may have at most {MAX_PASSWORD_CHARS} characters (it has {len(password)})."
    if password != password.strip():
        return "The password cannot start or end with a space."
    if not password.isprintable():
        return "The password cannot contain control characters such as a line break or a tab."
    if again is not None and again != password:
        return "The two passwords are not the same. Type it again in both fields."
    return ""


def busy_wait(code: str, content: str, checked: object = None, retry_after: object = None) -> float | None:
    """A refusal that checked nothing (the server was busy): the seconds to wait (0.0 if none named); None otherwise.

    The frame's `checked: false` and `retry_after` say it; from a server that
    sends neither, its words do ("Nothing was checked", "try again in N s").
    A wait of more than MAX_BUSY_WAIT is not waited out by itself.
    """
    if code != "rate_limited" or checked is True:
        return None
    if checked is None and NOTHING_CHECKED not in content.lower():
        return None
    if isinstance(retry_after, int) and not isinstance(retry_after, bool) and retry_after >= 0:
        wait = float(retry_after)
    else:
        named = _NAMED_WAIT.search(content)
        wait = float(named.group(1)) if named else 0.0
    return wait if wait <= MAX_BUSY_WAIT else None


def ban_words(content: str, until: object) -> str:
    """The server's words about a ban, with the end in this computer's local time when the frame gives `until`."""
    if not isinstance(until, str):
        return content
    try:
        end = datetime.fromisoformat(until.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return content
    today = datetime.now().astimezone().date()
    when = end.strftime("%H:%M") if end.date() == today else end.strftime("%a %d %b %H:%M")
    said = content.rstrip()
    if said.endswith("."):  # "for 90 more minutes (until 20:46).", not "minutes. (until 20:46)"
        return f"{said[:-1]} (until {when})."
    return f"{said} (until {when})"


def server_key(host: str, port: int) -> str:
    return f"{host.strip().lower()}:{port}"


@dataclass
class Account:
    """The user's account on one server.  `password` is "" when it is not (or no longer) known."""

    nick: str
    password: str = ""
    keep: bool = True  # log in again by itself after a lost connection (the password stays in memory)
    register: bool = False  # the nickname is not registered yet: REGISTER once it is ours

    def __repr__(self) -> str:  # never shows the password, even in a traceback or a test's failure
        return f"Account(nick={self.nick!r}, keep={self.keep}, register={self.register})"


@dataclass
class SignIn:
    """What the session needs to know about the user's identity, per server."""

    account: Account | None = None
    role: str = ""  # from the last `nick` frame: teacher or student ("" from a server without roles)
    codes: dict[str, str] = field(default_factory=dict, repr=False)  # server -> join code
    room_keys: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)  # (server, room key) -> key
    joining: str = ""  # the room of the last JOIN sent, for a bad_room_key to name
    _trying_key: tuple[str, str] = ("", "")  # (room key, key) of the last JOIN that carried a key

    @property
    def is_teacher(self) -> bool:
        return self.role == TEACHER

    # -- the front end says --
    def log_in(self, nick: str, password: str, keep: bool = True) -> None:
        self.account = Account(nick, password, keep)

    def register(self, nick: str, password: str, keep: bool = True) -> None:
        self.account = Account(nick, password, keep, register=True)

    def no_account(self) -> None:
        self.account = None

    def set_code(self, host: str, port: int, code: str) -> None:
        code = "".join(code.split())
        if code:
            self.codes[server_key(host, port)] = code
        else:
            self.codes.pop(server_key(host, port), None)

    def code_for(self, host: str, port: int) -> str:
        return self.codes.get(server_key(host, port), "")

    # -- the session asks --
    def name_command(self, nick: str) -> str:
        """LOGIN when the password for this nickname is known (and it is registered), otherwise NICK."""
        account = self.account
        if account and account.password and not account.register and name_key(account.nick) == name_key(nick):
            return f"LOGIN {account.nick} {account.password}"
        return f"NICK {nick}"

    def password_to_register(self, nick: str) -> str:
        """The new password when the user asked to register `nick` ("" otherwise)."""
        account = self.account
        if account is not None and account.register and name_key(account.nick) == name_key(nick):
            return account.password
        return ""

    def registered(self) -> None:
        """REGISTER was accepted: from now on this is a login like any other."""
        if self.account is not None:
            self.account.register = False
            self._after_success()

    def logged_in(self, nick: str) -> None:
        """The server gave us `nick`; if that was our login, drop a password the user did not want kept."""
        account = self.account
        if account is not None and not account.register and name_key(account.nick) == name_key(nick):
            self._after_success()

    def forget_password(self) -> None:
        """A login or registration the user then chose not to send: the password is not kept for later."""
        if self.account is not None:
            self.account.password = ""
            self.account.register = False

    def _after_success(self) -> None:
        if self.account is not None and not self.account.keep:
            self.account.password = ""

    def refused(self, code: str, host: str, port: int) -> Problem | None:
        """An identity refusal while registering: forget what was wrong; the problem to show (None: not ours)."""
        if code == "bad_code":
            self.codes.pop(server_key(host, port), None)
        elif code == "bad_login" and self.account is not None and self.account.password:
            self.account.password = ""
            return Problem.BAD_LOGIN
        elif code == "nick_registered" and self.account is not None and self.account.register:
            self.account = None  # someone else owns it: registering it again cannot work
        return PROBLEMS.get(code)

    # -- room keys --
    def join_command(self, host: str, port: int, room: str, key: str = "") -> str:
        """JOIN with the key given, or the one remembered for that room on this server."""
        room = room.strip()
        self.joining = room.lstrip("#")
        key = key or self.room_keys.get((server_key(host, port), name_key(self.joining)), "")
        self._trying_key = (name_key(self.joining), key)
        return f"JOIN {room} {key}" if key else f"JOIN {room}"

    def outgoing(self, command: str, host: str, port: int) -> str:
        """A line the user sends: a JOIN gets the room's remembered key; other lines go as they are."""
        word, _, rest = command.strip().partition(" ")
        if word.lstrip("/").upper() != "JOIN" or not rest.strip():
            return command
        room, _, key = rest.strip().partition(" ")
        return self.join_command(host, port, room, key.strip())

    def joined(self, host: str, port: int, room: str, locked: bool) -> None:
        """Keep the key that opened a locked room; forget a key for a room that has none any more."""
        room_key = name_key(room)
        remembered = (server_key(host, port), room_key)
        tried_room, tried_key = self._trying_key
        if locked and tried_room == room_key and tried_key:
            self.room_keys[remembered] = tried_key
        elif not locked:
            self.room_keys.pop(remembered, None)
        self._trying_key = ("", "")

    def key_refused(self, host: str, port: int) -> str:
        """bad_room_key: forget the key tried for that room; the room to ask a key for."""
        self.room_keys.pop((server_key(host, port), name_key(self.joining)), None)
        self._trying_key = ("", "")
        return self.joining

    def has_key(self, host: str, port: int, room: str) -> bool:
        return (server_key(host, port), name_key(room.lstrip("#"))) in self.room_keys
