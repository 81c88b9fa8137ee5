"""A private tab opened by hand shows its conversation's last messages at once: real windows on a real server."""

from __future__ import annotations

import re

import pytest

from chat_gui.window.controller import ChatController
from chat_gui.window.message_view import MessageView
from tests.gui.client.conftest import WAIT
from tests.gui.client.test_client_window import type_line
from tests.integration.wire import WireClient
from tests.support import wait_until

NEW_SINCE = "new since you were here"


@pytest.fixture
def quick_server(start_server):
    return start_server(rate_per_second=0)


def pm_many(sender: WireClient, count: int, prefix: str) -> list[int]:
    for number in range(count):
        sender.send(f"PM alice {prefix} {number}")
    return [sender.expect("private")["id"] for _number in range(count)]


def bob_said(view: MessageView) -> list[str]:
    return re.findall(r"bob  ((?:early|live|later) \d+)$", view.all_text(), re.MULTILINE)


def reopen(alice: ChatController, tk_root) -> MessageView:
    """Close bob's tab, then open it again by hand (as a double-click on his name does)."""
    alice.window.tabs.close_private("bob")
    tk_root.update()
    alice.open_private("bob")
    return alice.window.tabs.private["bob"].view


def test_a_private_tab_opened_by_hand_shows_the_last_page_muted_above_the_new_since_line(
    quick_server, wire, open_window, tk_root
):
    alice = open_window(quick_server, "alice", "general")
    bob = wire(quick_server, "bob", "general")
    ids = pm_many(bob, 60, "early")
    wait_until(lambda: "bob" in alice.window.tabs.private, pump=tk_root.update, timeout=WAIT)
    wait_until(lambda: "early 59" in alice.window.tabs.private["bob"].view.all_text(), pump=tk_root.update)
    view = reopen(alice, tk_root)
    assert alice.window.tabs.current_private() == "bob"
    wait_until(lambda: NEW_SINCE in view.all_text(), pump=tk_root.update, timeout=WAIT, message="no page loaded")
    assert bob_said(view) == [f"early {n}" for n in range(10, 60)], "the last 50, oldest first, at once"
    pane = alice.history.pane(view)
    text = view.text
    for number in ids[10:]:
        assert "replayed" in text.tag_names(pane.span(number)[0]), "kept messages are muted"
    assert "Earlier messages are kept" in view.all_text(), "the header offers the older ones"
    bob.send("PM alice live 0")
    wait_until(lambda: "live 0" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    shown = view.all_text()
    assert shown.index("early 59") < shown.index(NEW_SINCE) < shown.index("live 0")
    live = max(pane.ids)
    assert "replayed" not in text.tag_names(pane.span(live)[0]), "a live message is not muted"
    text.yview_moveto(0.0)
    text.event_generate("<Button-4>")  # scrolling up still loads the rest
    wait_until(lambda: "early 0" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert bob_said(view) == [f"early {n}" for n in range(60)] + ["live 0"], "nothing twice"


def test_pm_typed_from_the_room_opens_the_tab_with_the_last_messages_above_the_new_one(
    quick_server, wire, open_window, tk_root
):
    alice = open_window(quick_server, "alice", "general")
    bob = wire(quick_server, "bob", "general")
    pm_many(bob, 3, "early")
    wait_until(lambda: "bob" in alice.window.tabs.private, pump=tk_root.update, timeout=WAIT)
    alice.window.tabs.close_private("bob")
    alice.window.tabs.select(alice.room_view)
    tk_root.update()
    type_line(alice, "/pm bob are you coming?")
    wait_until(lambda: "bob" in alice.window.tabs.private, pump=tk_root.update, timeout=WAIT)
    view = alice.window.tabs.private["bob"].view
    wait_until(lambda: "are you coming?" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    wait_until(lambda: NEW_SINCE in view.all_text(), pump=tk_root.update, timeout=WAIT)
    shown = view.all_text()
    assert bob_said(view) == ["early 0", "early 1", "early 2"]
    assert shown.index("early 2") < shown.index(NEW_SINCE) < shown.index("are you coming?")
    assert shown.count("are you coming?") == 1
    assert "This is where the kept messages begin" in shown, "all of it fitted in one page"


def test_a_tab_opened_by_hand_for_someone_new_says_nothing_and_a_tab_already_open_loads_nothing_again(
    quick_server, wire, open_window, tk_root
):
    alice = open_window(quick_server, "alice", "general")
    bob = wire(quick_server, "bob", "general")
    wire(quick_server, "carol", "general")
    alice.open_private("carol")
    view = alice.window.tabs.private["carol"].view
    pane = alice.history.pane(view)
    wait_until(lambda: not pane.loading, pump=tk_root.update, timeout=WAIT)
    assert NEW_SINCE not in view.all_text() and not pane.ids, "no kept messages: no line, no header"
    pm_many(bob, 2, "early")
    wait_until(lambda: "bob" in alice.window.tabs.private, pump=tk_root.update, timeout=WAIT)
    bob_view = alice.window.tabs.private["bob"].view
    wait_until(lambda: "early 1" in bob_view.all_text(), pump=tk_root.update, timeout=WAIT)
    asked = alice.session.history.requests.busy
    alice.open_private("bob")  # already open, opened by bob's message: nothing to load
    assert not alice.history.pane(bob_view).loading and not asked()
    assert NEW_SINCE not in bob_view.all_text()
    assert bob_said(bob_view) == ["early 0", "early 1"]
