"""A small line-echo server around the TLS helpers, for testing them over real sockets (not our chat server).

One port, chosen per connection by the first byte, as PROTOCOL.md asks:
    TLS            -> accept_tls, then each line comes back as "tls:<line>"
    plain / silent -> a welcome line, then "json:<line>" or "text:<line>" by the first line's first byte
    garbage        -> closed at once (this harness's choice, to test the sniff; the chat server serves it plain)
Each connection runs on its own thread (socketserver.ThreadingTCPServer), as
in the chat server.  What happened is kept in `events` for the tests to check,
the way the chat server would log it.
"""

from __future__ import annotations

import socket
import socketserver
import ssl
import threading
import time
from collections.abc import Callable

from chat_server.tls.handshake import FIRST_BYTE_SECONDS, HANDSHAKE_SECONDS, FirstByte, accept_tls, sniff_first_byte
from shared.tls_channel import TlsError
from tests.integration.wire import receive_before

WELCOME = b'{"type":"welcome"}\n'


class EchoServer(socketserver.ThreadingTCPServer):
    daemon_threads = False  # server_close() joins every handler thread: a stuck one fails the test
    block_on_close = True
    allow_reuse_address = True
    request_queue_size = 256  # tests open 100 connections at once

    def __init__(
        self,
        context: ssl.SSLContext,
        first_byte_seconds: float = FIRST_BYTE_SECONDS,
        handshake_seconds: float = HANDSHAKE_SECONDS,
        port: int = 0,
    ) -> None:
        super().__init__(("127.0.0.1", port), _EchoHandler)
        self.context = context  # a test may swap it, as if the server got a new certificate
        self.first_byte_seconds = first_byte_seconds
        self.handshake_seconds = handshake_seconds
        self._lock = threading.Lock()
        self.events: list[tuple[str, str]] = []  # (what, detail), in the order they happened
        self.accepted = 0
        self._open: set[socket.socket] = set()
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.server_address[:2]
        return str(host), int(port)

    def start(self) -> EchoServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, hang up on every open connection (as the chat server does), join every thread."""
        self.shutdown()
        with self._lock:
            still_open = list(self._open)
        for sock in still_open:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.server_close()
        self._thread.join()

    def record(self, what: str, detail: str = "") -> None:
        with self._lock:
            self.events.append((what, detail))

    def events_of(self, what: str) -> list[str]:
        with self._lock:
            return [detail for kind, detail in self.events if kind == what]

    def opened(self, sock: socket.socket) -> None:
        with self._lock:
            self.accepted += 1
            self._open.add(sock)

    def closed(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.discard(sock)
            self.events.append(("closed", ""))


class _EchoHandler(socketserver.BaseRequestHandler):
    server: EchoServer

    def handle(self) -> None:
        self.server.opened(self.request)
        try:
            self.serve()
        finally:
            self.server.closed(self.request)

    def serve(self) -> None:
        server = self.server
        sock: socket.socket = self.request
        first = sniff_first_byte(sock, server.first_byte_seconds)
        server.record("first byte", first.value)
        if first is FirstByte.CLOSED:
            return
        if first is FirstByte.GARBAGE:
            server.record("refused", "not a chat client: the first byte is neither TLS nor text")
            return
        if first is FirstByte.TLS:
            started = time.monotonic()
            try:
                channel, early = accept_tls(sock, server.context, server.handshake_seconds)
            except TlsError as exc:
                server.record("tls failed", f"{exc} after {time.monotonic() - started:.2f} s")
                return
            server.record("tls", channel.version or "")

            def receive_tls() -> bytes | None:
                data = sock.recv(65536)
                plaintext = channel.feed(data) if data else b""
                return None if not data or (channel.peer_closed and not plaintext) else plaintext

            self.echo(receive_tls, lambda data: sock.sendall(channel.encrypt(data)), early, "tls")
            return
        sock.sendall(WELCOME)
        self.echo(lambda: sock.recv(65536) or None, sock.sendall, b"", None)

    def echo(
        self, receive: Callable[[], bytes | None], send: Callable[[bytes], None], pending: bytes, mode: str | None
    ) -> None:
        """Send each line back with its mode in front until the peer hangs up (receive() gives None)."""
        buffer = pending
        try:
            while True:
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    mode = mode or ("json" if line.startswith(b"{") else "text")
                    self.server.record("line", f"{mode}:{line.decode('utf-8', 'replace')}")
                    send(f"{mode}:".encode() + line + b"\n")
                data = receive()
                if data is None:
                    return
                buffer += data  # b"" from TLS: a record without application data
        except (OSError, TlsError) as exc:
            self.server.record("connection error", str(exc))


class LineReader:
    """Lines from a client socket, plain or through `decrypt` (a TlsChannel's feed); keeps what follows a line."""

    def __init__(self, sock: socket.socket, decrypt: Callable[[bytes], bytes] | None = None) -> None:
        self.sock = sock
        self.decrypt = decrypt
        self.buffer = b""

    def line(self, timeout: float = 15.0) -> bytes:
        """The next line without its newline, or b"" if the connection closed first; fails at the deadline."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            data = receive_before(self.sock, deadline, "line")
            if not data:
                return b""
            self.buffer += self.decrypt(data) if self.decrypt else data
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line


def read_line(sock: socket.socket, timeout: float = 15.0, decrypt: Callable[[bytes], bytes] | None = None) -> bytes:
    """One line from a socket that sends nothing after it (anything after the line is dropped)."""
    return LineReader(sock, decrypt).line(timeout)
