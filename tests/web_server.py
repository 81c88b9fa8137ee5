"""A program that is not a chat server on a port: it answers any first bytes with "HTTP/1.0 400" and hangs up (its own thread).

What a web server does with our TLS ClientHello or a plain line: the
clients must say that this is not a ClassChat server, not just "closed".
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

ANSWER = b"HTTP/1.0 400 Bad Request\r\nContent-Type: text/html\r\n\r\n<h1>Bad Request</h1>\r\n"


@contextmanager
def web_server() -> Iterator[tuple[str, int]]:
    """A listening socket on 127.0.0.1, port 0, that answers every connection as a web server answers nonsense."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2.0)
                try:
                    conn.recv(4096)
                    conn.sendall(ANSWER)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, name="web-server", daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[:2]
    finally:
        stop.set()
        listener.close()
        thread.join(5)
