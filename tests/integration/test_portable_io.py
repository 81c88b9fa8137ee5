"""The server's I/O where MSG_DONTWAIT is missing (Windows): non-blocking sockets, readers waiting in select()."""

from __future__ import annotations

import pytest

import chat_server.outbox
import chat_server.request_handler
from tests.support import connect_client, wait_until


@pytest.fixture
def without_msg_dontwait(monkeypatch):
    monkeypatch.setattr(chat_server.outbox, "SEND_FLAGS", 0)
    monkeypatch.setattr(chat_server.request_handler, "SOCKETS_NEED_NONBLOCKING", True)


def test_chat_kick_and_shutdown_work_with_non_blocking_client_sockets(without_msg_dontwait, start_server):
    server = start_server(rate_per_second=0)
    alice = connect_client(server.address, "alice", "lab")
    bob = connect_client(server.address, "bob", "lab")
    try:
        for number in range(200):
            alice.send_command(f"SAY line {number}")
        texts = [bob.wait_for("message", timeout=10)["content"] for _ in range(200)]
        assert texts == [f"line {number}" for number in range(200)]
        alice.send_command("PM bob psst")
        assert bob.wait_for("private")["content"] == "psst"
        server.kick("alice", "testing")  # the server hangs up: alice's waiting reader must notice
        assert "testing" in alice.wait_for("bye")["content"]
        wait_until(lambda: server.registry.find_nick("alice") is None, timeout=5)
        server.stop()
        assert bob.wait_for(lambda frame: frame.get("event") == "shutdown")
        assert bob.wait_for("bye")
    finally:
        alice.close()
        bob.close()
