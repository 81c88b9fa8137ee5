"""Fixtures for black-box tests: raw-socket clients that are closed after each test."""

from __future__ import annotations

import pytest

from tests.integration.wire import WireClient


@pytest.fixture
def wire():
    """Factory: wire(server, nick=None, room=None, welcome=True) -> a checked JSON-mode WireClient."""
    clients: list[WireClient] = []

    def make(server, nick: str | None = None, room: str | None = None, welcome: bool = True) -> WireClient:
        client = WireClient(server.address, welcome=welcome)
        clients.append(client)
        if nick is not None:
            client.register(nick, room)
        return client

    yield make
    for client in clients:
        client.close()

