"""What the client core tells its front end: the connection's states and the typed events (any thread; plain data).

A front end (the Tk window, chat-term) gives the core one callable and
receives, on the scheduler's thread, one of:

    StateChanged(state, detail, problem)   the connection moved on; `detail` is a sentence to show
    Received(frame)                        a server frame, already checked against its type
    LineSent(token)                        a line that waited (offline, or paced) has gone out
    HistoryPage(kind, target, frames, ...) kept messages: a replay, a catch-up page, a page asked for
    SearchResults(words, room, results)    the answer to a search
    MessageDeleted(id)                     a message was deleted: show it nowhere any more
    LinesNotDelivered(target, lines, ...)  chat lines sent on a connection that was dying never reached the server
    SecretHeld(kind, address, question)    a password or join code waits: the connection is not encrypted and
                                           crosses the network; ask, then allow_plain_secrets() or keep_secrets()

The history events come from chat_gui.core.history (see there).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from shared.frame_types import FileFrame, MessageFrame, PrivateFrame, SearchResult, ServerFrame


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
    KEY_CHANGED = "key_changed"  # the server's key is not the pinned one, or it stopped encrypting: a person decides
    TLS_FAILED = "tls_failed"  # the TLS handshake failed (an old TLS version, a broken peer, a timeout)
    TLS_BLOCKED = "tls_blocked"  # the server offers TLS, but our TLS opening was answered in plain: stripped


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


class PageKind(str, Enum):
    """Why a page of kept messages came (HistoryPage.kind)."""

    REPLAY = "replay"  # the server's replay after `joined`: what was said before this user came
    CATCH_UP = "catch_up"  # fetched after a reconnect: what was said while this client was away; new to the user
    EARLIER = "earlier"  # asked for by the front end: older than what it shows (scrolling up)
    AROUND = "around"  # asked for by the front end: around one message (jumping to a search result)
    ASKED = "asked"  # asked for by the user (/history)


KeptFrame = MessageFrame | PrivateFrame | FileFrame  # a shared file is a kept message too


@dataclass(frozen=True)
class HistoryPage:
    """Kept messages of one conversation, oldest first.

    `target` is `#room` or `@nick`; `more` is the server's word that older
    (or, after AFTER, newer) ones remain.  REPLAY and CATCH_UP pages hold
    only messages this client has not handed on before; pages that were
    asked for hold what the server sent.  `error` is the server's refusal
    (the page is then empty); `request` is what `HistoryKeeper.request_page`
    returned, 0 for pages nobody asked for.
    """

    kind: PageKind
    target: str
    frames: tuple[KeptFrame, ...]
    more: bool = False
    error: str = ""
    request: int = 0
    anchor: int | None = None  # the id the page was asked before or after
    direction: str = ""  # "before", "after", or "" for the newest
    following: int = 0  # CATCH_UP's last page: messages held while catching up, handed on right after as Received


@dataclass(frozen=True)
class SearchResults:
    words: str
    room: str | None
    results: tuple[SearchResult, ...]  # newest first, as the server sends them
    error: str = ""
    request: int = 0
    stopped_early: bool = False  # the server stopped searching before the oldest messages (it took too long)
    more: bool = False  # older messages match too: only the newest were sent
    before: int | None = None  # a next page (SEARCHBEFORE): the matches older than this id
    # from:NAME matched by a nickname nobody holds now: the results may be more than one person's
    by_nickname_only: bool = False


@dataclass(frozen=True)
class MessageDeleted:
    id: int


@dataclass(frozen=True)
class MessagesGone:
    """Messages of `target` this client showed that its replay after `joined` no longer has: deleted or
    cleared while this client was in another room or cut off (no `deleted` reached it then).

    `unsaved`: not deleted but lost: the server stopped unexpectedly before writing them (their ids are in
    the range its `welcome` names in `unsaved_ids`).  Nobody took them back, so front ends keep them shown.
    """

    target: str
    ids: tuple[int, ...]
    unsaved: bool = False


@dataclass(frozen=True)
class SecretHeld:
    """A password (`kind` "password") or join code ("join code") was about to go over a plain connection to
    another computer, where anyone on the network could read it; nothing was sent.  The front end asks the person
    (default: no), then calls ClientSession.allow_plain_secrets() or keep_secrets().  Left unanswered, it never goes.
    """

    kind: str
    address: str  # host:port
    question: str  # the question to ask, in words


@dataclass(frozen=True)
class LinesNotDelivered:
    """Chat lines of `target` ("#room", "@nick") that went out while the connection was already dead (half-open,
    a silent server) and that the server never got (chat_gui/core/in_flight.py).  `certain`: the catch-up after
    the reconnect showed everything the server kept since, without them; false: the server keeps no history (or
    the catch-up was cut short), so they may or may not have arrived.  Nothing is sent again by itself.
    """

    target: str
    lines: tuple[str, ...]  # the texts as typed, oldest first
    certain: bool = True

    @property
    def words(self) -> str:
        """How both clients say it, before the line itself."""
        if self.certain:
            return "Not delivered (the connection was lost)"
        return "Maybe not delivered (the connection ended before the server answered, and it could not be checked)"


CoreEvent = (
    StateChanged
    | Received
    | LineSent
    | HistoryPage
    | SearchResults
    | MessageDeleted
    | MessagesGone
    | SecretHeld
    | LinesNotDelivered
)
Listener = Callable[[CoreEvent], None]
