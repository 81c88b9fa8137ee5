"""The client connection module (chat_gui/core/connection.py) against a real server, and against a dead peer."""

from __future__ import annotations

import pytest

from chat_gui.core.connection import KEEPALIVE_TOKEN, ChatConnection, Disconnected, Inbox, NotConnected
from shared.frames import MAX_FRAME_BYTES, encode_frame
from tests.integration.wire import DEADLINE, WireClient

pytestmark = pytest.mark.usefixtures("no_server_errors")


def last_item(connection: ChatConnection) -> object:
    """Everything on the inbox up to and including Disconnected; returns that last item."""
    while True:
        item = connection.inbox.get(timeout=DEADLINE)
        if isinstance(item, Disconnected):
            return item


def test_frames_arrive_on_the_inbox_and_commands_go_out(server):
    with ChatConnection(*server.address).connect() as connection:
        assert connection.wait_for("welcome", DEADLINE)["protocol"] == 2
        connection.send_command("NICK alice")
        assert connection.wait_for("nick", DEADLINE)["nick"] == "alice"
        connection.send_command("PM alice " + "😀" * 2000)
        frame = connection.wait_for(lambda f: f["type"] == "private", DEADLINE)
        assert frame["content"] == "😀" * 2000
        assert connection.connected


def test_close_puts_disconnected_by_user_last(server):
    connection = ChatConnection(*server.address).connect()
    connection.wait_for("welcome", DEADLINE)
    connection.close()
    item = last_item(connection)
    assert isinstance(item, Disconnected) and item.by_user
    assert not connection.connected
    with pytest.raises(NotConnected):
        connection.send_command("PING")


def test_the_server_hanging_up_ends_the_connection(server):
    connection = ChatConnection(*server.address).connect()
    try:
        connection.send_command("QUIT")
        assert connection.wait_for("bye", DEADLINE)["type"] == "bye"
        with pytest.raises(NotConnected):
            connection.wait_for("welcome", DEADLINE)
        item = connection.inbox.get(timeout=DEADLINE)
        assert isinstance(item, Disconnected) and not item.by_user
    finally:
        connection.close()


def test_a_refused_connection_raises(start_server):
    server = start_server()
    address = server.address
    server.stop()
    with pytest.raises(ConnectionRefusedError):
        ChatConnection(*address).connect()


def test_the_answer_to_the_cores_keepalive_ping_is_not_put_on_the_inbox(server):
    """The client core pings an idle server with KEEPALIVE_TOKEN (chat_gui/core/session.py); the pong is no news."""
    with ChatConnection(*server.address).connect() as connection:
        connection.wait_for("welcome", DEADLINE)
        activity = connection.activity
        connection.send_command(f"PING {KEEPALIVE_TOKEN}")
        connection.send_command("PING still")
        seen: list[dict] = []
        connection.wait_for(lambda f: seen.append(f) or (f["type"] == "pong" and f["content"] == "still"), DEADLINE)
        assert [f["content"] for f in seen if f["type"] == "pong"] == ["still"], "keepalive answers reached the inbox"
        assert connection.activity > activity, "but they count as hearing from the server"


def test_a_shared_inbox_receives_frames_of_several_connections(server):
    inbox = Inbox()
    first = ChatConnection(*server.address, inbox=inbox).connect()
    second = ChatConnection(*server.address, inbox=inbox).connect()
    try:
        assert [inbox.get(timeout=DEADLINE)["type"] for _ in range(2)] == ["welcome", "welcome"]
    finally:
        first.close()
        second.close()


def test_a_crowded_server_reaches_the_client_in_pages_under_32_kib(start_server):
    """150 users with 24 four-byte letters each: their names pass 32 KiB, so LIST and `joined` come in pages."""
    server = start_server(rate_per_second=0, max_per_address=0, max_unregistered_per_address=0, list_interval=0)
    crowd = []
    try:
        for n in range(150):
            crowd.append(WireClient(server.address).register(crowd_nick(n), "hall"))
        with ChatConnection(*server.address).connect() as connection:
            connection.send_command("NICK late")
            connection.send_command("LIST")
            first = connection.wait_for("list", DEADLINE)
            assert (first["complete"], first["page"], first["pages"], first["total_users"]) == (False, 1, 2, 151)
            assert first["rooms"] == [{"name": "hall", "users": [], "count": 150}]
            connection.send_command("LIST 2")
            second = connection.wait_for("list", DEADLINE)
            assert sorted(first["users"] + second["users"]) == sorted([crowd_nick(n) for n in range(150)] + ["late"])
            connection.send_command("JOIN hall")
            joined = connection.wait_for("joined", DEADLINE)
            members = connection.wait_for("members", DEADLINE)
            assert (joined["count"], joined["more"], members["more"]) == (151, True, False)
            assert len(joined["users"]) + len(members["users"]) == 151 and joined["users"][0] == "late"
            for frame in (first, second, joined, members):
                assert len(encode_frame(frame)) <= MAX_FRAME_BYTES
    finally:
        for client in crowd:
            client.close()


def crowd_nick(n: int) -> str:
    return chr(0x20000 + n) * 24  # CJK extension B letters, four bytes each in UTF-8
