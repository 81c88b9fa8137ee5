"""What the server knows about one connection: identity, room, outbox, counters.

A Session is created by its handler thread.  Fields that other threads read
(nick, room) change only under the registry lock; the rest belong to the
handler thread.
"""

from __future__ import annotations

import itertools
import socket
import time
from typing import TYPE_CHECKING, Any

from chat_server.history.marks import HistoryMarks
from chat_server.identity.owners import new_guest_owner
from chat_server.outbox import Outbox, WriterPool
from chat_server.rate_limit import FloodGuard, TokenBucket
from chat_server.rename_budget import new_rename_bucket
from shared.frame_text import render_text_line
from shared.frames import Frame, encode_frame

if TYPE_CHECKING:
    from chat_server.address_budget import AddressBudget
    from chat_server.registry import Room
    from chat_server.storage.models import Role
    from chat_server.storage.search_sender import SenderFilter

_session_ids = itertools.count(1)
SENT_IDS_KEPT = 50  # `DELETE last` looks this far back for one of its own messages still kept


class Session:
    def __init__(
        self,
        sock: socket.socket,
        address: tuple[Any, ...],
        outbound_limit: int,
        bucket: TokenBucket,
        writer: WriterPool,
        flood: FloodGuard | None = None,
        list_bucket: TokenBucket | None = None,
    ) -> None:
        self.id = next(_session_ids)
        self.sock = sock
        self.address = address
        self.host = address_key(str(address[0]))  # logs go by it
        # the "computer" limits, bans, mutes and throttles count by: `host` or its IPv6 prefix (address_groups.py)
        self.computer = self.host
        self.nick: str | None = None
        self.key: str | None = None  # name_key(nick)
        self.room: Room | None = None
        self.text_mode = False
        self.encrypted = False  # came in over TLS (chat_server/opening.py sets it before admit)
        self.muted = False
        self.address_budget: AddressBudget | None = (
            None  # what its computer may still say (chat_server/address_budget.py)
        )
        # Who is who (docs/identity.md): these change only under the registry lock.
        self.encrypted = False  # set by the TLS layer when the connection is encrypted
        self.passed_code = False  # sent the right join code (or needed none when it came in)
        self.entered_code: str | None = None  # that code, compared form: a RESUME after it changed asks again
        self.account: str | None = None  # the name key of the account this connection is logged in to
        self.role: Role = "student"  # "teacher" only while logged in to a teacher's account
        # Whose private messages and files this is (chat_server/identity/owners.py): RESUME hands them on.
        self.guest_owner = new_guest_owner()
        self.account_owner: str | None = None  # the logged-in account's owner; set with `account`
        self.connected_at = time.time()  # wall clock, for display
        self.opened = time.monotonic()
        self.last_heard = time.monotonic()
        self.messages_sent = 0
        # The ids of its newest messages, for `DELETE last` (an nc/telnet user never sees an id); RESUME hands them on.
        # A list, not a deque: an empty deque holds a 64-slot block, 0.6 KB for each of thousands of connections.
        self.sent_ids: list[int] = []
        # SEARCH from:NAME's person, by name key, for its SEARCHBEFORE pages (handlers/history.py); made when used.
        self.searched_senders: dict[str, tuple[SenderFilter, str]] | None = None
        self.bucket = bucket
        self.flood = flood or FloodGuard(0)
        self.list_bucket = list_bucket or TokenBucket(0, 1)
        self.renames = new_rename_bucket()  # a student's renames (chat_server/rename_budget.py); RESUME hands it on
        self.token: str | None = None  # the RESUME secret, from registration on
        self.closing = False  # set once the server decided to hang up
        self.close_reason = ""  # in the server's words, for the log and the leave notice ("quit", "kicked"...)
        self.said = ""  # the user's (or admin's) own words about leaving, one line: a QUIT or kick reason
        self.keep_token = True  # park the RESUME token when the connection ends (not after QUIT, kick, RESUME)
        self.away: str | None = None  # presence (chat_server/presence.py): None online, else the away text
        self.typing_relayed = float("-inf")  # monotonic time the last TYPING of this connection was passed on
        self.outbox = Outbox(sock, outbound_limit, self._on_overflow, writer)
        self.history = HistoryMarks()  # what this connection has of the history (chat_server/history/marks.py)

    def __repr__(self) -> str:
        return f"<Session {self.id} {self.nick or '(unregistered)'} {self.address_text}>"

    @property
    def address_text(self) -> str:
        host, port = self.address[0], self.address[1]
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    @property
    def owner(self) -> str:
        """Who what this connection sends now belongs to: its account while logged in, else this guest."""
        if self.account is not None and self.account_owner is not None:
            return self.account_owner
        return self.guest_owner

    @property
    def owners(self) -> tuple[str, ...]:
        """Whose private messages and files this connection may read: this guest's, and its account's."""
        if self.account is not None and self.account_owner is not None:
            return (self.guest_owner, self.account_owner)
        return (self.guest_owner,)

    def owns(self, owner: str | None) -> bool:
        return owner is not None and owner in self.owners

    @property
    def registered(self) -> bool:
        return self.nick is not None

    def note_sent(self, message_id: int) -> None:
        """Remember one of its own messages for `DELETE last` (the newest SENT_IDS_KEPT)."""
        self.sent_ids.append(message_id)
        if len(self.sent_ids) > SENT_IDS_KEPT:
            del self.sent_ids[0]

    def send(self, frame: Frame, data: bytes | None = None) -> bool:
        """Queue a frame; `data` is its JSON encoding when the caller already has it."""
        if self.text_mode:
            return self.outbox.put(render_text_line(frame))
        return self.outbox.put(data if data is not None else encode_frame(frame))

    def send_last(self, *frames: Frame) -> None:
        """Queue the frames (a `bye` last) and accept nothing after them.

        The caller holds the registry lock, so no other thread can queue a
        frame between them: the bye is always the last thing a client reads.
        """
        for frame in frames:
            self.send(frame)
        self.outbox.close()

    def hang_up(self, reason: str) -> None:
        """End the connection from the server side: stop writing after what is queued, wake the reader."""
        if not self.closing:
            self.closing = True
            self.close_reason = reason
        self.outbox.close()
        self._shutdown(socket.SHUT_RD)

    def _on_overflow(self) -> None:
        self.closing = True
        self.close_reason = "too much unsent output (not reading)"
        self._shutdown(socket.SHUT_RDWR)

    def end(self, reason: str, said: str = "", keep_token: bool = False) -> None:
        """Mark the connection as ending on purpose (its bye is queued by the caller); no socket call."""
        self.closing = True
        self.close_reason = reason
        self.said = said
        self.keep_token = keep_token
        if not keep_token:
            # Kicked, banned, quit or resumed elsewhere: the connection stays registered until its handler
            # thread ends it, and a RESUME with this token in that moment took the kicked session back
            # (13 of 20 tries, a probe). A token that may not be parked may not be used either.
            self.token = None

    def _shutdown(self, how: int) -> None:
        try:
            self.sock.shutdown(how)
        except OSError:
            pass


def address_key(host: str) -> str:
    """The address per-address limits count by: an IPv4 address seen through an IPv6 socket counts as itself."""
    if host.startswith("::ffff:") and "." in host:
        return host[7:]
    return host
