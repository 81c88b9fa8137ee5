"""Thousands of users held by the server without thousands of sockets (adversarial tests' helper).

The users are real sessions in the real registry, put there the way the
handlers would (add_session, set_nick, join_room under the lock); only
their sockets are stand-ins that take every byte, so frames for them (join
notices, the rooms push) go through the real outboxes and writer.
"""

from __future__ import annotations

import itertools

from chat_server import ChatServer
from chat_server.rate_limit import TokenBucket
from chat_server.session import Session

_ports = itertools.count(1)


class NullSocket:
    """A client socket that takes every byte and never answers."""

    def send(self, data: bytes, flags: int = 0) -> int:
        return len(data)

    def shutdown(self, how: int) -> None:
        pass

    def fileno(self) -> int:
        return -1


def long_nick(n: int) -> str:
    """24 letters of four UTF-8 bytes each (CJK extension B), unique per n: the longest nickname in bytes."""
    return chr(0x20000 + n) + chr(0x2A700) * 23


def long_room(n: int) -> str:
    """32 four-byte letters, unique per n: the longest room name in bytes."""
    return chr(0x20000 + n) + chr(0x2B740) * 31


def add_crowd(server: ChatServer, nicks: list[str], room_of: list[str | None]) -> list[Session]:
    sessions = []
    with server.registry.lock:
        for nick, room in zip(nicks, room_of, strict=True):
            session = Session(NullSocket(), ("127.0.0.99", next(_ports)), 0, TokenBucket(0, 1), server.writer)  # type: ignore[arg-type]
            server.registry.add_session(session)
            server.registry.set_nick(session, nick)
            session.text_mode = False
            if room is not None:
                server.registry.join_room(session, room)
            sessions.append(session)
    return sessions


def remove_crowd(server: ChatServer, sessions: list[Session]) -> None:
    with server.registry.lock:
        for session in sessions:
            server.registry.remove_session(session)
    for session in sessions:
        session.outbox.close()
