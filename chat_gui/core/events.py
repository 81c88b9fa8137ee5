"""What the client core tells its front end: the connection's states and the typed events (any thread; plain data).

A front end (the Tk window, chat-term) gives the core one callable and
receives, on the scheduler's thread, one of:

    StateChanged(state, detail, problem)   the connection moved on; `detail` is a sentence to show
    Received(frame)                        a server frame, already checked against its type
    LineSent(token)                        a line that waited (offline, or paced) has gone out
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from shared.frame_types import ServerFrame


class State(str, Enum):
    """The connection's life.  A str enum, so `state == "ready"` reads as well as `state is State.READY`.

    offline -> connecting -> registering -> joining -> ready
                  ^                                      |
                  +------ reconnecting <-- lost ---------+
    removed: the server sent this user away (kick, ban, flood, resumed elsewhere): no retry.
    failed:  the first connection did not work (see Problem): no retry; the user decides.
    """

    OFFLINE = "offline"
    CONNECTING = "connecting"
    REGISTERING = "registering"
    JOINING = "joining"
    READY = "ready"
    RECONNECTING = "reconnecting"
    REMOVED = "removed"
    FAILED = "failed"


class Problem(str, Enum):
    """Why connecting or registering did not work (StateChanged.problem)."""

    REFUSED = "refused"  # nothing listens on that port
    UNREACHABLE = "unreachable"  # no answer at all, unknown address, no network
    NOT_CHAT_SERVER = "not_chat_server"  # something answered but never said welcome
    NICK_TAKEN = "nick_taken"
    BAD_NICK = "bad_nick"
    REFUSED_BY_SERVER = "refused_by_server"  # any other error during registration (server_full, a join code...)
    BROKE_PROTOCOL = "broke_protocol"  # the server sent an oversized line
    JOIN_CODE = "join_code"  # the server wants a join code (code_required), or the one given was wrong (bad_code)
    NICK_REGISTERED = "nick_registered"  # the nickname is an account: log in with its password
    BAD_LOGIN = "bad_login"  # the password was wrong, or too many tries (rate_limited)
    REGISTER_REFUSED = "register_refused"  # REGISTER was refused (the password's length, the name taken...)
    TLS_REQUIRED = "tls_required"  # a password or join code over a plain connection from the network


@dataclass(frozen=True)
class StateChanged:
    state: State
    detail: str
    problem: Problem | None = None
    code: str = ""  # the server's error code behind a problem, if any


@dataclass(frozen=True)
class Received:
    frame: ServerFrame


@dataclass(frozen=True)
class LineSent:
    token: int


CoreEvent = StateChanged | Received | LineSent
Listener = Callable[[CoreEvent], None]
