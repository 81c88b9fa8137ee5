"""One connection's bounded outbound queue and the writer thread that drains it.

Any server thread may `put` (it only appends under a small lock and never
touches the socket); the outbox's own writer thread sends everything queued
so far in one `sendall`.  So a client that stops reading stalls only its own
writer, and once its unsent output passes the limit it alone is cut off.

    handler threads --put()--> [chunks] --writer thread--> socket
"""

from __future__ import annotations

import logging
import socket
import threading
from typing import Callable

log = logging.getLogger(__name__)


class Outbox:
    def __init__(self, sock: socket.socket, limit: int, on_overflow: Callable[[], None], name: str) -> None:
        self._sock = sock
        self._limit = limit
        self._on_overflow = on_overflow
        self._cond = threading.Condition(threading.Lock())
        self._chunks: list[bytes] = []
        self._queued = 0  # bytes in _chunks
        self._in_flight = 0  # bytes handed to sendall and not yet sent
        self._closing = False  # no more puts; the writer exits once drained
        self._dead = False  # sending failed or overflowed; nothing more goes out
        self.bytes_sent = 0
        self._thread = threading.Thread(target=self._run, name=f"writer-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def unsent(self) -> int:
        return self._queued + self._in_flight

    def put(self, data: bytes) -> bool:
        """Queue bytes for sending; False if the outbox no longer accepts any."""
        overflow = False
        with self._cond:
            if self._closing or self._dead:
                return False
            self._chunks.append(data)
            self._queued += len(data)
            if self._limit and self._queued + self._in_flight > self._limit:
                self._dead = True
                self._chunks.clear()
                self._queued = 0
                overflow = True
            if len(self._chunks) == 1 or overflow:
                self._cond.notify()
        if overflow:
            self._on_overflow()
            return False
        return True

    def close(self) -> None:
        """Accept nothing more; the writer sends what is queued, then exits."""
        with self._cond:
            self._closing = True
            self._cond.notify()

    def join(self, timeout: float | None = None) -> bool:
        if self._thread.ident is not None:
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._chunks and not self._closing and not self._dead:
                    self._cond.wait()
                if self._dead or not self._chunks:
                    return
                batch = self._chunks
                self._chunks = []
                self._in_flight = self._queued
                self._queued = 0
            data = batch[0] if len(batch) == 1 else b"".join(batch)
            try:
                self._sock.sendall(data)
            except OSError as exc:
                log.debug("send failed: %s", exc)
                with self._cond:
                    self._dead = True
                    self._chunks.clear()
                    self._queued = 0
                    self._in_flight = 0
                return
            with self._cond:
                self._in_flight = 0
                self.bytes_sent += len(data)
