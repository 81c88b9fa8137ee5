"""A /pm to a name nobody has (misspelt, or offline) leaves no empty conversation tab behind; a tab that shows a
conversation, or that was open before, stays.  Real windows on a real server under Xvfb."""

from __future__ import annotations

from chat_gui.window.controller import ChatController
from shared.names import name_key
from tests.gui.client.conftest import WAIT
from tests.gui.client.test_client_window import type_line
from tests.support import wait_until


def refused_in(controller: ChatController, view_text, words: str) -> None:
    wait_until(lambda: words in view_text(), pump=controller.root.update, timeout=WAIT, message=view_text())


def test_a_pm_to_nobody_is_refused_where_it_was_typed_and_opens_no_tab(server, open_window, tk_root):
    """Found by the fifteenth review: "/pm nobdy my homework answer" left an empty "✉ nobdy" tab."""
    alice = open_window(server, "alice", "general")
    for nick in ("nobdy", "Nobdy", "bob"):  # a misspelt name, the same in other letters, a name nobody has yet
        type_line(alice, f"/pm {nick} my homework answer")
        refused_in(alice, alice.room_view.all_text, f"Nobody called {nick} is online")
        assert name_key(nick) not in alice.window.tabs.private, list(alice.window.tabs.private)
    pane = alice.room_view.all_text()
    assert pane.count("not delivered: my homework answer") == 3, pane
    assert alice.window.tabs.current_tab() is None  # the user is still where they typed


def test_a_tab_opened_before_or_showing_a_conversation_stays(server, open_window, make_client, tk_root):
    alice = open_window(server, "alice", "general")
    bob = make_client(server, "bob", "general")
    carol = make_client(server, "carol", "general")
    bob.send_command("PM alice the answer is 42")
    carol.send_command("PM alice see you")
    tabs = alice.window.tabs
    wait_until(lambda: {"bob", "carol"} <= set(tabs.private), pump=tk_root.update, timeout=WAIT)
    wait_until(lambda: "see you" in tabs.private["carol"].view.all_text(), pump=tk_root.update, timeout=WAIT)
    tabs.close_private("carol")  # closed by hand: its conversation is kept on the server
    bob.close()
    carol.close()
    wait_until(lambda: server.registry.online_nicks() == ["alice"], pump=tk_root.update, timeout=WAIT)
    type_line(alice, "/pm bob thanks")  # bob just left: his tab was open, it stays
    refused_in(alice, alice.room_view.all_text, "Nobody called bob")
    assert "bob" in tabs.private
    type_line(alice, "/pm carol thanks")  # the tab opens again with the kept conversation: it stays
    refused_in(alice, alice.room_view.all_text, "Nobody called carol")
    assert "carol" in tabs.private
    assert "see you" in tabs.private["carol"].view.all_text()


def test_a_line_typed_in_a_tab_opened_by_hand_is_refused_there_and_the_tab_stays(server, open_window, tk_root):
    alice = open_window(server, "alice", "general")
    type_line(alice, "/pm nobdy")  # opens the tab on purpose, and goes there
    tabs = alice.window.tabs
    wait_until(lambda: tabs.current_tab() is not None, pump=tk_root.update, timeout=WAIT)
    type_line(alice, "hello?")
    view = tabs.private["nobdy"].view
    refused_in(alice, view.all_text, "Nobody called nobdy")
    assert "not delivered: hello?" in view.all_text()
    assert "nobdy" in tabs.private
