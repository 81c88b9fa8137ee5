"""Fixtures for the adversarial tests: raw clients, and the server's resources before and after an attack.

The server runs in the test process, so its threads and open files are
this process's: a test takes a snapshot once the server is up, attacks it,
closes its own sockets and waits (with a deadline) until the threads, the
file descriptors and the registry are back where they started.
"""

from __future__ import annotations

import os
import socket
import struct
import threading
from dataclasses import dataclass

from chat_server import ChatServer
from tests.support import wait_until

SETTLE_SECONDS = 8.0


@dataclass(frozen=True)
class Resources:
    threads: int
    open_files: int
    sessions: int
    nicks: int
    rooms: int


def resources(server: ChatServer) -> Resources:
    with server.registry.lock:
        sessions, nicks, rooms = len(server.registry.sessions), len(server.registry.by_nick), len(server.registry.rooms)
    return Resources(threading.active_count(), _open_files(server), sessions, nicks, rooms)


def _open_files(server: ChatServer) -> int:
    """Open file descriptors, not counting the database's own files.

    The store opens up to 4 pooled reader connections as replays and HISTORY
    pages need them and keeps them; they are bounded, not a leak.
    """
    database = server.storage.status().path
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if database is None or not target.startswith(database):
            count += 1
    return count


def wait_for_resources(server: ChatServer, expected: Resources, timeout: float = SETTLE_SECONDS) -> None:
    """Wait until threads, open files and registry are back to `expected`; fail with both snapshots."""
    last: list[Resources] = []

    def back() -> bool:
        last[:] = [resources(server)]
        return last[0] == expected

    try:
        wait_until(back, timeout)
    except AssertionError:
        raise AssertionError(f"resources did not return: expected {expected}, have {last[0]}") from None


def reset_close(sock: socket.socket) -> None:
    """Close with an RST instead of a FIN, as a killed client's kernel would."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
