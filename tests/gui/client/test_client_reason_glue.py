"""A server's reason glued after the window's own words reads as English: "History of @b!d. Nicknames are …",
"… is refused. It mixes …", not a capital after a colon.  Real servers, real Tk under Xvfb."""

from __future__ import annotations

from tests.gui.client.conftest import WAIT
from tests.gui.client.test_client_window import type_line
from tests.support import wait_until


def test_a_history_refusal_and_a_mixed_script_refusal_read_as_sentences(start_server, open_window, tk_root):
    server = start_server()
    alice = open_window(server, "alice", "general")
    type_line(alice, "/history @b!d")  # the server refuses the name with a sentence of its own
    wait_until(lambda: "Nicknames are" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    type_line(alice, "/nick bоb")  # a Cyrillic о
    wait_until(lambda: "It mixes" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    pane = alice.room_view.all_text()
    assert "History of @b!d. Nicknames are 1 to 24 letters" in pane, pane
    assert "The nickname 'bоb' is refused. It mixes Latin letters with Cyrillic ones" in pane, pane
    assert ": Nicknames" not in pane and ": It" not in pane, pane
