"""After a reconnect, "Sent while you were away (N):" counts every message shown under it, also those the room's
replay brought while the catch-up's page was out.  Real servers, real Tk under Xvfb."""

from __future__ import annotations

import re

from chat_server import ChatServer
from chat_server.config import ServerConfig
from tests.gui.client.conftest import WAIT
from tests.support import wait_until


def test_the_away_notice_counts_all_that_was_sent_while_away(start_server, open_window, wire, tk_root):
    """Found by the fifteenth review: 120 sent while away read "Sent while you were away (100):"; the other 20
    (held with the room's replay) came right after it, uncounted."""
    first = start_server(rate_per_second=0)
    port = first.address[1]
    alice = open_window(first, "alice", "general")
    first.stop()
    wait_until(lambda: alice.session.state in ("reconnecting", "connecting"), pump=tk_root.update, timeout=WAIT)
    config = ServerConfig(host="127.0.0.1", port=port, data_dir=first.config.data_dir, rate_per_second=0)
    second = ChatServer(config).start()
    try:
        bob = wire(second, "bob", "general")
        for number in range(120):
            bob.send(f"SAY while away {number}")
        bob.expect(lambda frame: frame["type"] == "message" and frame["content"] == "while away 119")
        wait_until(lambda: "while away 119" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT * 2)
        pane = alice.room_view.all_text()
        assert re.findall(r"Sent while you were away \((\d+\+?)\):", pane) == ["120"], pane
        after = pane.split("Sent while you were away (120):", 1)[1]
        assert all(after.count(f"while away {number}\n") == 1 for number in range(120)), after
        bob.close()
    finally:
        second.stop()
