"""One client connection to a chat server: the socket, a reader thread and an inbox queue.

    reader thread:  recv -> FrameDecoder -> inbox.put(frame)   (and, at the end, Disconnected)
    any thread:     send_command("JOIN general"), close()

The reader never touches the user interface: the terminal client and the Tk
window take frames off `inbox` on their own threads.  When nothing arrives
for `keepalive` seconds the reader sends PING; a server that stays silent
for another `keepalive` seconds is taken for dead.  The answer to that PING
proves the server alive and is not put on the inbox: it is no news for the user.
"""

from __future__ import annotations

import queue
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from shared.errors import ProtocolError
from shared.frames import Frame, command_frame, encode_frame
from shared.framing import FrameDecoder


@dataclass(frozen=True)
class Disconnected:
    """Put on the inbox once, as the last item, when the connection ends."""

    reason: str
    by_user: bool = False  # True when close() ended it


InboxItem = Frame | Disconnected


class NotConnected(ConnectionError):
    pass


KEEPALIVE_TOKEN = "classchat-keepalive"
# Frames are meant to stay under 32 KiB, but a LIST or `joined` on a server
# with hundreds of long nicknames can pass that; dropping the connection over
# it would only make the client reconnect and ask again.
MAX_SERVER_FRAME_BYTES = 1024 * 1024


class ChatConnection:
    def __init__(
        self,
        host: str,
        port: int,
        inbox: queue.Queue[InboxItem] | None = None,
        connect_timeout: float = 5.0,
        keepalive: float = 60.0,
    ) -> None:
        self.host = host
        self.port = port
        self.inbox: queue.Queue[InboxItem] = inbox if inbox is not None else queue.Queue()
        self.connect_timeout = connect_timeout
        self.keepalive = keepalive
        self._sock: socket.socket | None = None
        self._send_lock = threading.Lock()
        self._reader: threading.Thread | None = None
        self._closed_by_user = False

    # -- any thread --
    def connect(self) -> ChatConnection:
        """Open the socket and start the reader; raises OSError (e.g. ConnectionRefusedError)."""
        sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(self.keepalive or None)
        self._sock = sock
        self._reader = threading.Thread(target=self._read_loop, name="chat-reader", daemon=True)
        self._reader.start()
        return self

    @property
    def connected(self) -> bool:
        return self._sock is not None and self._reader is not None and self._reader.is_alive()

    def send_command(self, content: str) -> None:
        """Send one command line; raises NotConnected if the connection is gone."""
        self.send_raw(encode_frame(command_frame(content)))

    def send_raw(self, data: bytes) -> None:
        sock = self._sock
        if sock is None:
            raise NotConnected("not connected")
        try:
            with self._send_lock:
                sock.sendall(data)
        except OSError as exc:
            raise NotConnected(str(exc)) from exc

    def close(self) -> None:
        """Hang up; the reader puts Disconnected(by_user=True) and exits."""
        self._closed_by_user = True
        sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._reader is not None and self._reader is not threading.current_thread():
            self._reader.join(5)
        if sock is not None:
            sock.close()

    def __enter__(self) -> ChatConnection:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()

    def wait_for(self, match: str | Callable[[Frame], bool], timeout: float = 5.0) -> Frame:
        """Take frames off the inbox until one matches (a type name or a predicate).

        Frames before it are dropped.  Raises TimeoutError, or NotConnected if
        the connection ends first.  For tests and simple scripts; a window
        reads the inbox itself.
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
            if predicate(item):
                return item

    # -- reader thread --
    def _read_loop(self) -> None:
        sock = self._sock
        assert sock is not None
        decoder = FrameDecoder(MAX_SERVER_FRAME_BYTES)
        reason = "the server closed the connection"
        pinged = False
        try:
            while True:
                try:
                    data = sock.recv(65536)
                except TimeoutError:
                    if pinged:
                        reason = f"no answer from the server for {2 * self.keepalive:g} s"
                        break
                    pinged = True
                    self.send_command(f"PING {KEEPALIVE_TOKEN}")
                    continue
                if not data:
                    break
                pinged = False
                for item in decoder.feed(data):
                    if isinstance(item, ProtocolError):
                        continue  # a garbled line from the server: skip it, keep reading
                    if item.get("type") == "pong" and item.get("content") == KEEPALIVE_TOKEN:
                        continue
                    self.inbox.put(item)
        except (OSError, ProtocolError) as exc:
            reason = f"connection lost: {exc}"
        if self._closed_by_user:
            reason = "disconnected"
        self.inbox.put(Disconnected(reason, self._closed_by_user))
