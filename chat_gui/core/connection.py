"""One client connection to a chat server: the socket, a reader thread and a bounded inbox (reader thread + any thread).

    reader thread:  recv -> FrameDecoder (32 KiB cap) -> check_server_frame -> inbox.offer(frame)
                    (and, at the end, one Disconnected)
    any thread:     send_command("JOIN general"), close()

The reader never touches the user interface: the client core (and tests)
take frames off `inbox` on their own threads.  Everything the reader holds
is bounded, whatever the server sends:

- a line longer than 32 KiB (the contract's cap) ends the connection with
  `Disconnected(cause=OVERSIZED)`; the decoder never holds more than that;
- a line that is not a frame, or a frame without the fields its type needs,
  is skipped and counted (`skipped`);
- the inbox holds at most `max_frames` frames and `max_weight` of their
  estimated memory.  When it is full the reader stops reading, so TCP makes
  the server wait; if it stays full for `stall_seconds` the connection is
  ended with `Disconnected(cause=OVERFLOW)` and a reason that says why.

The connection is TLS unless told otherwise (chat_gui.core.connection_security
settles it in connect(): the handshake, the key's pin, the plain fallback for
a server without TLS).  On a plain connection to the network, send_command
refuses PASS, LOGIN and REGISTER unless allowed (chat_gui/core/plain_secrets.py).
Over TLS the socket stays a plain socket: the reader
feeds what it receives to the TlsChannel, and senders encrypt and send under
one lock so records leave in order (shared/tls_channel.py says why).

Idle pings live in the client core (chat_gui.core.session), which watches
`activity`; the answer to its PING is not put on the inbox.  Only complete
lines count as activity, as on the server: a peer that sends half a frame
and then a byte now and then is as dead as a silent one.
"""

from __future__ import annotations

import queue
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, cast

from chat_gui.core.connection_security import Security, TlsPolicy, secure
from chat_gui.core.plain_secrets import secret_kind
from chat_gui.core.tls_client import HANDSHAKE_SECONDS
from shared.errors import ProtocolError
from shared.frame_types import ServerFrame, check_server_frame
from shared.frames import MAX_FRAME_BYTES, Frame, command_frame, decode_frame, encode_frame
from shared.framing import FrameTooLarge, LineDecoder
from shared.tls_channel import TlsChannel, TlsError

KEEPALIVE_TOKEN = "classchat-keepalive"
INBOX_FRAMES = 20_000
# Estimated memory, not bytes on the wire: a 32 KiB line of "{}," decodes into ~10,000 dicts, so every
# bracket is charged as much as a small Python object.  4 MiB is ~15,000 ordinary chat frames.
INBOX_WEIGHT = 4 * 1024 * 1024
BRACKET_WEIGHT = 64
STALL_SECONDS = 15.0
OFFER_SLICE_SECONDS = 0.25


class Cause(str, Enum):
    """Why a connection ended, as the client core needs to know it."""

    BY_USER = "by_user"  # close() was called
    CLOSED = "closed"  # the server closed it (after a bye, or not)
    LOST = "lost"  # a socket error: reset, unreachable
    OVERSIZED = "oversized"  # the server sent a line over 32 KiB
    OVERFLOW = "overflow"  # frames arrived faster than this client handled them, for too long


@dataclass(frozen=True)
class Disconnected:
    """Put on the inbox once, as the last item, when the connection ends."""

    reason: str
    by_user: bool = False  # True when close() ended it
    cause: Cause = Cause.CLOSED
    frames: int = 0  # frames the connection delivered: none at all, before a welcome, means it was no chat server


InboxItem = ServerFrame | Disconnected


class NotConnected(ConnectionError):
    pass


class SecretHeldBack(NotConnected):
    """A PASS, LOGIN or REGISTER would have crossed the network unencrypted without the person's yes.

    The client core asks first (ClientSession.secret_would_wait), so this is
    the last guard, under every caller: the line is not sent.
    """


def frame_weight(line: bytes) -> int:
    """Roughly the memory a decoded line takes: its bytes, plus an object's worth per bracket."""
    return len(line) + BRACKET_WEIGHT * (line.count(b"{") + line.count(b"["))


class Inbox(queue.Queue[Any]):
    """A queue of frames bounded by count and by estimated memory.

    `offer` (the reader) waits while the inbox is full; `put` (used for the
    final Disconnected, and by tests that give an item back) never waits.
    `get`, `get_nowait`, `empty` and `qsize` are the queue's own.
    """

    def __init__(self, max_frames: int = INBOX_FRAMES, max_weight: int = INBOX_WEIGHT) -> None:
        super().__init__()
        self.max_frames = max_frames
        self.max_weight = max_weight
        self.weight = 0
        self.peak_weight = 0
        self._weights: deque[int] = deque()

    def offer(self, item: InboxItem, weight: int, timeout: float) -> bool:
        """Add `item` once there is room for it; False if there was none for `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self.not_full:
            # an empty inbox takes any one frame, so a frame heavier than the whole budget still gets through
            while self.queue and (len(self.queue) >= self.max_frames or self.weight + weight > self.max_weight):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.not_full.wait(remaining)
            self._add(item, weight)
            self.unfinished_tasks += 1
            self.not_empty.notify()
            return True

    def _add(self, item: InboxItem, weight: int) -> None:
        self.queue.append(item)
        self._weights.append(weight)
        self.weight += weight
        self.peak_weight = max(self.peak_weight, self.weight)

    def _put(self, item: InboxItem) -> None:
        self._add(item, 0)

    def _get(self) -> InboxItem:
        self.weight -= self._weights.popleft()
        return cast(InboxItem, self.queue.popleft())


class ChatConnection:
    def __init__(
        self,
        host: str,
        port: int,
        inbox: Inbox | None = None,
        connect_timeout: float = 5.0,
        stall_seconds: float = STALL_SECONDS,
        policy: TlsPolicy | None = None,
        handshake_timeout: float = HANDSHAKE_SECONDS,
    ) -> None:
        self.host = host
        self.port = port
        self.inbox = inbox if inbox is not None else Inbox()
        self.connect_timeout = connect_timeout
        self.stall_seconds = stall_seconds
        # counts received complete lines and waits for room: the core's keepalive sees the server is not silent
        self.activity = 0
        self.skipped = 0  # lines that were not frames of the contract
        self.delivered = 0  # frames put on the inbox
        self.policy = policy or TlsPolicy()
        self.handshake_timeout = handshake_timeout
        self.security: Security | None = None  # set by connect(): encrypted or not, the server's key
        # PASS, LOGIN, REGISTER over plain to the network: only with chat-term's option or the person's yes
        self.allow_plain_secrets = self.policy.allow_plain_passwords
        self._sock: socket.socket | None = None
        self._channel: TlsChannel | None = None
        self._early_data = b""
        self._send_lock = threading.Lock()
        self._reader: threading.Thread | None = None
        self._closed_by_user = False

    # -- any thread --
    def connect(self) -> ChatConnection:
        """Open the socket, secure it, start the reader.

        Raises OSError (e.g. ConnectionRefusedError), or TlsError:
        ServerKeyChanged and TlsMissing when a person must decide
        (chat_gui.core.connection_security), another TlsError when the
        handshake fails.
        """
        secured = secure(
            self._open_socket(), self.host, self.port, self.policy, self._open_socket, self.handshake_timeout
        )
        sock = secured.sock
        sock.settimeout(None)
        self.security = secured.security
        self._channel = secured.channel
        self._early_data = secured.early_data
        self._sock = sock
        self._reader = threading.Thread(target=self._read_loop, name="chat-reader", daemon=True)
        self._reader.start()
        return self

    def _open_socket(self) -> socket.socket:
        sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    @property
    def connected(self) -> bool:
        return self._sock is not None and self._reader is not None and self._reader.is_alive()

    def exposes_secrets(self) -> bool:
        """A password or join code sent now would cross the network unencrypted, and nobody allowed that."""
        security = self.security
        return security is not None and security.exposes_secrets and not self.allow_plain_secrets

    def send_command(self, content: str) -> None:
        """Send one command line; raises NotConnected if the connection is gone, SecretHeldBack (a NotConnected)
        for a secret that exposes_secrets() keeps back."""
        if secret_kind(content) and self.exposes_secrets():
            raise SecretHeldBack(f"not sent over an unencrypted connection to {self.host}:{self.port}")
        self.send_raw(encode_frame(command_frame(content)))

    def send_raw(self, data: bytes) -> None:
        sock = self._sock
        if sock is None:
            raise NotConnected("not connected")
        channel = self._channel
        try:
            with self._send_lock:
                sock.sendall(data if channel is None else channel.encrypt(data))
        except (OSError, TlsError) as exc:
            raise NotConnected(str(exc)) from exc

    def close(self) -> None:
        """Hang up; the reader puts Disconnected(by_user=True) and exits."""
        self._closed_by_user = True
        self._hang_up()
        if self._reader is not None and self._reader is not threading.current_thread():
            self._reader.join(5)
        sock = self._sock
        if sock is not None:
            sock.close()

    def _hang_up(self) -> None:
        sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> ChatConnection:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()

    def wait_for(self, match: str | Callable[[Frame], bool], timeout: float = 5.0) -> Frame:
        """Take frames off the inbox until one matches (a type name or a predicate).

        Frames before it are dropped.  Raises TimeoutError, or NotConnected if
        the connection ends first.  For tests and simple scripts; the client
        core reads the inbox itself.
        """
        predicate = (lambda frame: frame.get("type") == match) if isinstance(match, str) else match
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no frame matching {match!r} within {timeout} s")
            try:
                item = self.inbox.get(timeout=remaining)
            except queue.Empty:
                continue
            if isinstance(item, Disconnected):
                self.inbox.put(item)
                raise NotConnected(item.reason)
            frame = cast(Frame, item)
            if predicate(frame):
                return frame

    # -- reader thread --
    def _read_loop(self) -> None:
        sock = self._sock
        assert sock is not None
        lines = LineDecoder(MAX_FRAME_BYTES)
        reason, cause = "the server closed the connection", Cause.CLOSED
        channel = self._channel
        data, self._early_data = self._early_data, b""  # plaintext that came with the TLS handshake
        try:
            while True:
                if not data:
                    data = sock.recv(65536)
                    if not data:
                        break
                    if channel is not None:
                        data = self._decrypt(channel, data)
                        if channel.peer_closed and not data:
                            break
                try:
                    complete = lines.feed(data)
                except FrameTooLarge as exc:
                    self._deliver_lines(exc.lines_before)
                    reason = (
                        f"the server sent a line longer than {MAX_FRAME_BYTES // 1024} KiB, which no chat "
                        f"server sends; disconnected"
                    )
                    cause = Cause.OVERSIZED
                    break
                if complete:  # bytes of a line that never ends are no proof of life (a hostile trickle)
                    self.activity += 1
                if not self._deliver_lines(complete):
                    reason = (
                        f"the server sent more than this client could take in for {self.stall_seconds:g} s "
                        f"({len(self.inbox.queue)} messages waiting); disconnected to keep this computer responsive"
                    )
                    cause = Cause.OVERFLOW
                    break
                data = b""
        except OSError as exc:
            reason, cause = f"connection lost: {exc.strerror or exc}", Cause.LOST
        except TlsError as exc:
            reason, cause = f"connection lost: {exc}", Cause.LOST
        if self._closed_by_user:
            reason, cause = "disconnected", Cause.BY_USER
        else:
            self._hang_up()
        self.inbox.put(Disconnected(reason, self._closed_by_user, cause, self.delivered))

    def _decrypt(self, channel: TlsChannel, data: bytes) -> bytes:
        """The plaintext in what the server sent (often b""); raises TlsError on a broken or forged record."""
        plaintext = channel.feed(data)
        if channel.wants_write:  # the TLS layer has an answer of its own (a key update)
            with self._send_lock:
                sock = self._sock
                if sock is not None:
                    sock.sendall(channel.encrypt(b""))
        return plaintext

    def _deliver_lines(self, complete: list[bytes]) -> bool:
        """Decode, check and queue each line; False when the inbox stayed full for too long."""
        for line in complete:
            if not line.strip():
                continue
            try:
                frame = check_server_frame(decode_frame(line))
            except ProtocolError:
                self.skipped += 1  # a garbled line from the server: skip it, keep reading
                continue
            if frame["type"] == "pong" and frame["content"] == KEEPALIVE_TOKEN:
                continue
            if not self._offer(frame, frame_weight(line)):
                return False
            self.delivered += 1
        return True

    def _offer(self, frame: ServerFrame, weight: int) -> bool:
        """Wait for room in the inbox, a little at a time so close() is never kept waiting; False if none came."""
        deadline = time.monotonic() + self.stall_seconds
        while not self.inbox.offer(frame, weight, OFFER_SLICE_SECONDS):
            # unread frames are waiting, so the server is not silent: the core's keepalive must not think so
            self.activity += 1
            if self._closed_by_user or time.monotonic() >= deadline:
                return False
        return True
