"""The server goes away and comes back on the same port: the window reconnects, rejoins, sends what was typed meanwhile."""

from __future__ import annotations

from chat_server import ChatServer, ServerConfig
from tests.gui.client.conftest import WAIT
from tests.gui.client.test_client_window import type_line
from tests.support import connect_client, wait_until

OFFLINE_LINES = 30


def test_window_reconnects_rejoins_and_delivers_pending_lines(start_server, open_window, tk_root):
    first = start_server()
    port = first.address[1]
    alice = open_window(first, "alice", "physics")
    first.stop()
    wait_until(lambda: alice.session.state in ("reconnecting", "connecting"), pump=tk_root.update, timeout=10)
    assert "Reconnecting" in alice.room_view.all_text()
    type_line(alice, "typed while offline")
    type_line(alice, "/pm bob also offline")
    for number in range(OFFLINE_LINES):  # more than the server's burst allowance of 30 commands
        type_line(alice, f"offline {number}")
    wait_until(lambda: len(alice.session.pending) == 2 + OFFLINE_LINES, pump=tk_root.update, timeout=WAIT)
    assert "waiting to send: typed while offline" in alice.room_view.all_text()
    assert "waiting to send: also offline" in alice.room_view.all_text()  # shown where it was typed
    assert "bob" in alice.window.tabs.private and alice.window.tabs.current_tab() is None

    second = ChatServer(ServerConfig(host="127.0.0.1", port=port, data_dir=first.config.data_dir)).start()
    try:
        bob = connect_client(second.address, "bob", "physics")
        try:
            wait_until(
                lambda: alice.session.state == "ready",
                pump=tk_root.update,
                timeout=20,
                message="the window did not reconnect",
            )
            assert alice.session.room == "physics" and alice.session.nick == "alice"
            received: list[dict] = []

            def bob_has_everything() -> bool:
                while not bob.inbox.empty():
                    frame = bob.inbox.get_nowait()
                    if isinstance(frame, dict) and frame.get("type") in ("message", "private", "error"):
                        received.append(frame)
                return len(received) >= 2 + OFFLINE_LINES

            # the window sends in bursts the rate limit accepts, so keep its timers running while waiting
            wait_until(
                bob_has_everything, pump=tk_root.update, timeout=20, message="bob did not get every pending line"
            )
            public, private, *rest = received
            assert (public["content"], public["sender"], public["room"]) == ("typed while offline", "alice", "physics")
            assert (private["type"], private["content"], private["sender"]) == ("private", "also offline", "alice")
            assert [frame["content"] for frame in rest] == [f"offline {number}" for number in range(OFFLINE_LINES)]
            wait_until(lambda: "waiting to send" not in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
            assert "Slow down" not in alice.room_view.all_text(), "no line was refused for coming too fast"
            wait_until(
                lambda: "alice  typed while offline" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT
            )
            assert alice.session.pending == []
            assert "Reconnected" in alice.room_view.all_text()
        finally:
            bob.close()
    finally:
        second.stop()


def test_lines_typed_after_disconnect_stay_in_the_box_and_are_not_queued(server, open_window, tk_root):
    alice = open_window(server, "alice")
    alice.disconnect()
    wait_until(lambda: alice.session.state == "offline", pump=tk_root.update, timeout=WAIT)
    type_line(alice, "nobody hears this yet")
    tk_root.update()
    assert alice.session.pending == [], "nothing is queued as if the window would reconnect by itself"
    assert alice.window.entry.get_text() == "nobody hears this yet", "the line stays in the box"
    assert "waiting to send" not in alice.room_view.all_text()
    assert "Not sent: you are not connected. Reconnect now" in alice.room_view.all_text()


def test_a_user_removed_by_an_admin_does_not_come_straight_back(server, open_window, make_client, tk_root):
    alice = open_window(server, "alice")
    watcher = make_client(server, "watcher", "general")
    server.kick("alice", "spamming")
    wait_until(lambda: alice.session.state == "removed", pump=tk_root.update, timeout=WAIT)
    assert "An admin removed you: spamming" in alice.room_view.all_text()
    watcher.send_command("LIST")
    listing = watcher.wait_for("list")
    assert listing["users"] == ["watcher"], "the window did not reconnect by itself"


def test_the_rooms_list_shows_no_old_counts_while_the_connection_is_down(start_server, open_window, tk_root):
    """Found by a classroom probe: after a disconnect the rooms list kept the member counts of a lost connection."""
    first = start_server()
    port = first.address[1]
    alice = open_window(first, "alice", "physics")
    bob = connect_client(first.address, "bob", "physics")
    wait_until(lambda: "▶ #physics  (2)" in alice.window.rooms.row_texts(), pump=tk_root.update, timeout=WAIT)
    bob.close()
    first.stop()
    wait_until(lambda: alice.session.state in ("reconnecting", "connecting"), pump=tk_root.update, timeout=10)
    tk_root.update()
    assert alice.window.rooms.row_texts() == ["▶ #physics"], "the room stays listed, without a count"

    second = ChatServer(ServerConfig(host="127.0.0.1", port=port, data_dir=first.config.data_dir)).start()
    try:
        wait_until(lambda: alice.session.state == "ready", pump=tk_root.update, timeout=20)
        wait_until(lambda: alice.window.rooms.row_texts() == ["▶ #physics  (1)"], pump=tk_root.update, timeout=WAIT)
    finally:
        second.stop()
