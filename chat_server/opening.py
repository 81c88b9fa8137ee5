"""A new connection's first moments: the first-byte sniff, the TLS handshake, the --require-tls refusal (handler thread).

    ChatRequestHandler.handle, before admit() and `welcome`:
        open_transport(server, session)
            TLS off (--no-tls)     -> plain, after at most TELNET_WAIT_SECONDS for a first byte (PuTTY's
                                      telnet offers: its `welcome` is then a readable line, not JSON)
            first byte 0x16        -> TLS handshake (at most HANDSHAKE_SECONDS); the session's outbox encrypts
            anything else, silence -> plain, as PROTOCOL.md says (text, JSON, and bytes no client sends first: NUL,
                                      another kind of TLS record; a line of those gets a clear error as in
                                      version 1); with --require-tls: `tls_required` and `bye`, then closed
            failed TLS             -> one log line (rate-limited), closed; the peer gets nothing but a TLS alert
        -> Opened(early plaintext), or None to close

A peer that sends nothing waits here at most FIRST_BYTE_SECONDS and is then
served as plain: version 1 clients and `nc` wait for `welcome` before they
say anything, so they get it that much later.  ClassChat's own clients speak
first (a ClientHello, or a blank line when plain) and never wait.

Connections in the sniff or the handshake are not sessions yet, so the
server keeps them in `Openings`: stop() shuts their read side, which ends
the sniff or the handshake at once.  Handshakes still under way from one
address are capped (the per-address limit for connections without a
nickname), so one machine cannot hold many threads in the 10 s handshake.
So are the connections from one address waiting for their first byte
(--max-per-address): admit() does not count them yet, so without that cap
one machine could hold a thread for 2 s per socket it opens, thousands at
once (found by the hostile review, docs/reliability.md).  A connection past
it does not wait: it is TLS if its ClientHello is already there, otherwise
plain at once, and admit() refuses it as usual (`server_full`).
A later step (file transfers) may add its own first-line kinds after this
one has chosen the transport: `Opened` is where to carry that choice.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chat_server.farewells import plain_refused_frames
from chat_server.tls.handshake import FIRST_BYTE_SECONDS, FirstByte, accept_tls, sniff_first_byte
from shared.tls_channel import TlsError

if TYPE_CHECKING:
    from chat_server.server import ChatServer
    from chat_server.session import Session

log = logging.getLogger("chat_server")

PEEK_BYTES = 64  # enough to see past a few blank lines to a JSON client's `{`
CROWDED_FIRST_BYTE_SECONDS = 0.05  # past the cap on waiting connections: a ClientHello sent with the connect is seen
# With TLS off nothing else waits for a first byte, but PuTTY in telnet mode sends its offers the moment it has
# connected, and a telnet user whose first screen was a line of JSON (the eleventh review) should see words:
# this long is enough for those bytes to cross a LAN; only a client that never speaks first (nc, version 1's)
# waits it out, for its `welcome`.
TELNET_WAIT_SECONDS = 0.25


@dataclass(frozen=True)
class Opened:
    """The transport is settled: `early` is plaintext that came with the TLS handshake (feed it first)."""

    early: bytes = b""


PLAIN = Opened()


class Openings:
    """Connections still choosing their transport (any thread): for stop(), and a cap on handshakes per address."""

    def __init__(self, handshakes_per_address: int, waiting_per_address: int = 0) -> None:
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._handshakes: Counter[str] = Counter()
        self._waiting: Counter[str] = Counter()  # address -> its connections allowed to wait for a first byte
        self._limit = handshakes_per_address  # 0: no cap
        self._waiting_limit = waiting_per_address  # 0: no cap
        self.closed = False

    def enter(self, sock: socket.socket, host: str) -> bool | None:
        """Note a connection that starts its opening: whether it may wait for its first byte (its address has
        fewer than the cap waiting; then call `leave` with True), or None once the server is stopping."""
        with self._lock:
            if self.closed:
                return None
            self._sockets.add(sock)
            patient = not self._waiting_limit or self._waiting[host] < self._waiting_limit
            if patient:
                self._waiting[host] += 1
            return patient

    def leave(self, sock: socket.socket, host: str, patient: bool) -> None:
        with self._lock:
            self._sockets.discard(sock)
            if patient:
                self._waiting[host] -= 1
                if self._waiting[host] <= 0:
                    del self._waiting[host]

    def handshakes_from(self, host: str) -> int:
        """TLS handshakes under way from `host` now (for tests and snapshots)."""
        with self._lock:
            return self._handshakes[host]

    def waiting_from(self, host: str) -> int:
        """Connections from `host` allowed to wait for their first byte now (for tests and snapshots)."""
        with self._lock:
            return self._waiting[host]

    def begin_handshake(self, host: str) -> bool:
        """Count a handshake from `host`; False when that address already has as many under way as allowed."""
        with self._lock:
            if self._limit and self._handshakes[host] >= self._limit:
                return False
            self._handshakes[host] += 1
            return True

    def end_handshake(self, host: str) -> None:
        with self._lock:
            self._handshakes[host] -= 1
            if self._handshakes[host] <= 0:
                del self._handshakes[host]

    def close_all(self) -> None:
        """The server stops: no new openings, and those under way end now (their reads see the end of the stream)."""
        with self._lock:
            self.closed = True
            sockets = list(self._sockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RD)
            except OSError:
                pass  # already closed by its own thread

    def __len__(self) -> int:
        with self._lock:
            return len(self._sockets)


def open_transport(server: ChatServer, session: Session) -> Opened | None:
    """Settle how this connection talks (see the module's table); None means close it (nothing more to send)."""
    tls = server.tls
    sock = session.sock
    openings = server.openings
    patient = openings.enter(sock, session.computer)
    if patient is None:
        return None
    if tls is None:
        try:  # the handler peeks for telnet's IAC next (request_handler._telnet_speaks_first)
            if patient:
                sniff_first_byte(sock, TELNET_WAIT_SECONDS)  # whatever it is, the read loop deals with it
        finally:
            openings.leave(sock, session.computer, patient)
        return PLAIN
    try:
        first = sniff_first_byte(sock, FIRST_BYTE_SECONDS if patient else CROWDED_FIRST_BYTE_SECONDS)
        if first is FirstByte.CLOSED:
            return None
        if first is FirstByte.TLS:
            return _handshake(server, session)
        if tls.required:
            session.text_mode = first is FirstByte.PLAIN and _looks_like_text(sock)
            session.send_last(*plain_refused_frames())  # not admitted: nobody else can queue anything for it
            server.note_transport_problem(session.address_text, "a plain connection, and --require-tls is on")
            return None
        return PLAIN
    finally:
        openings.leave(sock, session.computer, patient)


def _handshake(server: ChatServer, session: Session) -> Opened | None:
    tls = server.tls
    assert tls is not None
    openings = server.openings
    if not openings.begin_handshake(session.computer):
        server.note_transport_problem(
            session.address_text, "too many TLS handshakes under way from this address; closed at once"
        )
        return None
    try:
        channel, early = accept_tls(session.sock, tls.context)
    except TlsError as exc:
        if not openings.closed:  # a stop cuts handshakes short: nothing to report then
            server.note_transport_problem(session.address_text, str(exc))
        return None
    finally:
        openings.end_handshake(session.computer)
    session.outbox.channel = channel
    session.encrypted = True
    log.debug("%s: %s, %s", session.address_text, channel.version, channel.cipher)
    return Opened(early)


def _looks_like_text(sock: socket.socket) -> bool:
    """Whether the input waiting (there is some) is a person's text rather than JSON; blank lines say nothing."""
    try:
        waiting = sock.recv(PEEK_BYTES, socket.MSG_PEEK)
    except OSError:
        return False
    stripped = waiting.lstrip()
    return bool(stripped) and not stripped.startswith(b"{")
