"""The client end of a socket pair in server unit tests: reads without blocking and keeps everything read (test thread)."""

from __future__ import annotations

import socket


class Peer:
    """One client's end of a socket pair, and everything it has read."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.sock.setblocking(False)
        self.received = b""

    def read(self) -> bytes:
        try:
            while chunk := self.sock.recv(1 << 20):
                self.received += chunk
        except BlockingIOError:
            pass
        return self.received
