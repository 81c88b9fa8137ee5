"""A line typed on a connection that had silently died: after the reconnect the window says it was not delivered,
in its conversation's pane, and "Send again" sends it through the normal path (real server, a freezing relay, Tk)."""

from __future__ import annotations

from types import SimpleNamespace

from tests.gui.client.conftest import WAIT
from tests.gui.client.test_client_window import type_line
from tests.integration.cut_relay import CutRelay
from tests.integration.test_client_in_flight import swallowed
from tests.support import connect_client, wait_until

NOTICE = "Not delivered (the connection was lost): “lost line”"


def click_last_action(view, tk_root) -> None:
    start = view.text.tag_ranges("action")[-2]
    view.text.see(start)
    tk_root.update()
    x, y, _w, h = view.text.bbox(f"{start} +2c")
    for event in ("<Motion>", "<ButtonPress-1>", "<ButtonRelease-1>"):
        view.text.event_generate(event, x=x, y=y + h // 2)
    tk_root.update()


def test_a_line_lost_on_a_dead_connection_is_said_and_can_be_sent_again(start_server, open_window, tk_root):
    server = start_server()
    relay = CutRelay(server.address)
    bob = connect_client(server.address, "bob", "lab")
    try:
        alice = open_window(SimpleNamespace(address=relay.address), "alice", "lab")
        view = alice.room_view
        type_line(alice, "arrived line")
        wait_until(lambda: "alice  arrived line" in view.all_text(), pump=tk_root.update, timeout=WAIT)
        relay.freeze()  # the Wi-Fi is gone; the window still believes it is connected
        type_line(alice, "lost line")
        swallowed(relay, 1)
        assert alice.session.state == "ready" and alice.window.entry.get_text() == ""
        relay.cut()
        wait_until(lambda: alice.session.state == "reconnecting", pump=tk_root.update, timeout=WAIT)
        relay.restore()
        wait_until(lambda: NOTICE in view.all_text(), pump=tk_root.update, timeout=30, message=view.all_text())
        assert "Send again" in view.all_text().split(NOTICE)[1].splitlines()[0]
        assert view.all_text().count("Not delivered") == 1 and "arrived line”" not in view.all_text()

        click_last_action(view, tk_root)
        click_last_action(view, tk_root)  # a double-click is two clicks: still once (it was sent twice)
        wait_until(lambda: "alice  lost line" in view.all_text(), pump=tk_root.update, timeout=WAIT)
        assert "Already sent again: “lost line”." in view.all_text()
        type_line(alice, "after it")
        wait_until(lambda: "alice  after it" in view.all_text(), pump=tk_root.update, timeout=WAIT)
        contents = []
        while "after it" not in contents:
            frame = bob.inbox.get(timeout=WAIT)
            if isinstance(frame, dict) and frame.get("type") == "message":
                contents.append(frame["content"])
        assert contents == ["arrived line", "lost line", "after it"], "sent once, after the reconnect"
    finally:
        bob.close()
        relay.close()
