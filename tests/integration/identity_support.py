"""Helpers for the who-is-who tests: accounts made without paying a slow hash each time, logins, restarts."""

from __future__ import annotations

import functools
import time

from chat_server import ChatServer
from chat_server.identity.passwords import hash_password
from chat_server.storage import Account
from chat_server.storage.models import Role
from tests.integration.wire import WireClient

PASSWORD = "correct horse battery"


@functools.cache
def password_hash(password: str = PASSWORD) -> str:
    """One real scrypt hash per password for the whole run (each costs up to a second on the test machine)."""
    return hash_password(password)


def add_account(server: ChatServer, nick: str, role: Role = "student", password: str = PASSWORD) -> None:
    """An account as REGISTER would have made it, through the server's admin API."""
    server.add_account(Account(nick, password_hash(password), role, int(time.time() * 1000)))


def login(client: WireClient, nick: str, password: str = PASSWORD) -> dict:
    """LOGIN and return the `nick` frame that answers it (the rooms push and joined may follow)."""
    answer = client.reply(f"LOGIN {nick} {password}", timeout=60)
    assert answer["type"] == "nick", answer
    return answer


def teacher(server: ChatServer, wire, nick: str = "Ms_Lee", room: str | None = None) -> WireClient:
    """A connection logged in to a teacher's account, in `room` when given."""
    add_account(server, nick, "teacher")
    client = wire(server)
    assert login(client, nick)["role"] == "teacher"
    if room is not None:
        client.send(f"JOIN {room}")
        client.expect("joined")
    return client


def moderate(client: WireClient, command: str) -> dict:
    """Send a teacher command and return its `moderation` confirmation (notices before it are skipped)."""
    client.send(command)
    return client.expect(lambda frame: frame.get("event") == "moderation" or frame["type"] == "error")
