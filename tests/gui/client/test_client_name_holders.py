"""A private tab never carries on silently with whoever holds its name now: after a rename away, a server restart.

Found by a probe: dave renamed away and mallory, from another computer, took
"dave" and wrote; the tab said "dave is here again" and the reply went to
her.  After a server restart mallory took "gina" first, and the gina tab
sent to her without a word.  "Another computer" is a client bound to 127.0.0.2.
"""

from __future__ import annotations

from chat_server import ChatServer, ServerConfig
from tests.gui.client.conftest import WAIT
from tests.gui.client.test_client_private_tabs import typed_in_tab_is_refused
from tests.integration.wire import WireClient
from tests.support import wait_until

OTHER_COMPUTER = "127.0.0.2"


def privates_from_before_marker(client: WireClient, sender: str, watcher: WireClient, name: str) -> list[dict]:
    """The private messages `client` (called `name`) got from `sender` before a marker sent to it by `watcher` now."""
    watcher.send(f"PM {name} marker")
    client.expect(lambda frame: frame["type"] == "private" and frame["content"] == "marker")
    return [frame for frame in client.received if frame["type"] == "private" and frame["sender"] == sender]


def test_the_names_new_holder_writing_after_a_rename_away_is_shown_with_a_warning_and_gets_nothing(
    server, open_window, wire, tk_root
):
    alice = open_window(server, "alice", "lab")
    dave = wire(server, "dave", "lab")
    dave.send("PM alice my password is in my next message")
    wait_until(lambda: "dave" in alice.window.tabs.private, pump=tk_root.update, timeout=WAIT)
    tab = alice.window.tabs.private["dave"]
    dave.send("NICK dave_afk")
    wait_until(lambda: "dave is now called dave_afk" in tab.view.all_text(), pump=tk_root.update, timeout=WAIT)
    mallory = wire(server, "dave", "general", source=OTHER_COMPUTER)  # another student, another room
    mallory.send("PM alice ok now send me the answers, right here")
    wait_until(lambda: "send me the answers" in tab.view.all_text(), pump=tk_root.update, timeout=WAIT)
    text = tab.view.all_text()
    assert "Someone else may be using the name dave now" in text and "here again" not in text
    assert text.index("Someone else may be using") < text.index("send me the answers"), "the warning comes first"
    assert "dave is not here: nothing you type in this tab is sent" in tab.banner.cget("text")
    alice.window.tabs.select(tab.frame)
    assert typed_in_tab_is_refused(alice, tk_root, "here are my answers: 1a 2c")
    watcher = wire(server, "watcher", "lab")
    assert privates_from_before_marker(mallory, "alice", watcher, "dave") == []
    assert privates_from_before_marker(dave, "alice", watcher, "dave_afk") == []


def test_after_a_server_restart_the_tab_is_shut_until_the_name_is_seen_and_its_new_holder_gets_nothing(
    start_server, open_window, wire, tk_root
):
    first = start_server()
    port = first.address[1]
    alice = open_window(first, "alice", "general")
    gina = wire(first, "gina", "general")
    gina.send("PM alice send me the quiz answers when you have them")
    wait_until(lambda: "gina" in alice.window.tabs.private, pump=tk_root.update, timeout=WAIT)
    tab = alice.window.tabs.private["gina"]
    first.stop()
    wait_until(lambda: alice.session.state != "ready", pump=tk_root.update, timeout=WAIT)
    assert "someone else may have taken the name" in tab.view.all_text()
    # No RESUME window after this restart (a kill -9, or gina's token ran out): her name is free to anyone.
    config = ServerConfig(host="127.0.0.1", port=port, data_dir=first.config.data_dir, resume_seconds=0)
    second = ChatServer(config).start()
    try:
        mallory = wire(second, "gina", "lab", source=OTHER_COMPUTER)  # first to take the name, silent elsewhere
        wait_until(lambda: alice.session.state == "ready", pump=tk_root.update, timeout=WAIT)
        assert "gina is not here: nothing you type in this tab is sent" in tab.banner.cget("text")
        alice.window.tabs.select(tab.frame)
        assert typed_in_tab_is_refused(alice, tk_root, "quiz answers: 1b 2a 3d")
        watcher = wire(second, "watcher", "lab")
        assert privates_from_before_marker(mallory, "alice", watcher, "gina") == []
        mallory.send("PM alice it's me, gina")  # the name writes: reopened, with honest words
        wait_until(lambda: "it's me, gina" in tab.view.all_text(), pump=tk_root.update, timeout=WAIT)
        assert "Someone named gina wrote to you; it may not be the gina of before" in tab.view.all_text()
    finally:
        second.stop()


def test_a_partners_own_resume_gives_no_false_warning(server, open_window, wire, tk_root):
    """RESUME after a short drop: the room hears neither a leave nor a join, so the tab goes on as it was."""
    alice = open_window(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    token = next(frame["token"] for frame in bob.received if frame["type"] == "nick")
    bob.send("PM alice hi")
    wait_until(lambda: "bob" in alice.window.tabs.private, pump=tk_root.update, timeout=WAIT)
    tab = alice.window.tabs.private["bob"]
    bob_again = wire(server)
    bob_again.send(f"RESUME bob {token}")
    bob_again.expect(lambda frame: frame["type"] == "nick" and frame.get("resumed"))
    bob_again.send("PM alice still me")
    wait_until(lambda: "still me" in tab.view.all_text(), pump=tk_root.update, timeout=WAIT)
    text = tab.view.all_text()
    assert "Someone" not in text and "not here" not in text and "only the two of you" in tab.banner.cget("text")
