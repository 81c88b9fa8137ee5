"""The server goes away and comes back on the same port: the window reconnects, rejoins, sends what was typed meanwhile."""

from __future__ import annotations

from chat_server import ChatServer, ServerConfig
from tests.gui.client.test_client_window import type_line
from tests.support import connect_client, wait_until


def test_window_reconnects_rejoins_and_delivers_pending_lines(start_server, open_window, tk_root):
    first = start_server()
    port = first.address[1]
    alice = open_window(first, "alice", "physics")
    first.stop()
    wait_until(lambda: alice.session.state in ("reconnecting", "connecting"), pump=tk_root.update, timeout=10)
    assert "Reconnecting" in alice.room_view.all_text()
    type_line(alice, "typed while offline")
    type_line(alice, "/msg bob also offline")
    wait_until(lambda: len(alice.session.pending) == 2, pump=tk_root.update)
    assert "waiting to send: typed while offline" in alice.room_view.all_text()
    assert "waiting to send: also offline" in alice.window.tabs.private["bob"].view.all_text()

    second = ChatServer(ServerConfig(host="127.0.0.1", port=port)).start()
    try:
        bob = connect_client(second.address, "bob", "physics")
        try:
            wait_until(lambda: alice.session.state == "ready", pump=tk_root.update, timeout=20,
                       message="the window did not reconnect")
            assert alice.session.room == "physics" and alice.session.nick == "alice"
            public = bob.wait_for(lambda frame: frame.get("type") == "message", timeout=5)
            private = bob.wait_for(lambda frame: frame.get("type") == "private", timeout=5)
            assert (public["content"], public["sender"], public["room"]) == ("typed while offline", "alice", "physics")
            assert (private["content"], private["sender"]) == ("also offline", "alice")
            wait_until(lambda: "waiting to send" not in alice.room_view.all_text(), pump=tk_root.update)
            wait_until(lambda: "alice  typed while offline" in alice.room_view.all_text(), pump=tk_root.update)
            assert alice.session.pending == []
            assert "Reconnected" in alice.room_view.all_text()
        finally:
            bob.close()
    finally:
        second.stop()


def test_lines_typed_after_disconnect_stay_pending(server, open_window, tk_root):
    alice = open_window(server, "alice")
    alice.disconnect()
    wait_until(lambda: alice.session.state == "offline", pump=tk_root.update)
    type_line(alice, "nobody hears this yet")
    tk_root.update()
    assert [line.command for line in alice.session.pending] == ["SAY nobody hears this yet"]
    assert "waiting to send: nobody hears this yet" in alice.room_view.all_text()
