"""Answering one message in real windows on a real server: Reply, the bar over the entry, the quote, the jump."""

from __future__ import annotations

import pytest

from chat_gui.window.controller import ChatController
from tests.gui.client.conftest import WAIT
from tests.gui.client.test_client_history import menu_labels, message_start, visible
from tests.gui.client.test_client_window import type_line
from tests.integration.test_client_history import say_many
from tests.support import wait_until


@pytest.fixture
def quick_server(start_server):
    return lambda **options: start_server(rate_per_second=0, **options)


def right_click_menu(window: ChatController, number: int):
    text = window.room_view.text
    text.see(message_start(window, number))
    window.room_view.update()
    x, y, _w, _h = text.bbox(message_start(window, number))
    return window.history.menu_at(window.room_view, x + 2, y + 2)


def quote_rows(window: ChatController) -> list[str]:
    text = window.room_view.text
    ranges = text.tag_ranges("quote")
    return [text.get(ranges[i], ranges[i + 1]).rstrip("\n") for i in range(0, len(ranges), 2)]


def test_reply_from_the_menu_shows_the_bar_sends_an_answer_and_its_quote_jumps_back(
    quick_server, wire, open_window, tk_root
):
    server = quick_server()
    bob = wire(server, "bob", "general")
    alice = open_window(server, "alice", "general")
    bob.send("SAY @alice is it https://example.invalid `rm -rf /` \u05e9\u05dc\u05d5\u05dd?")
    question = bob.expect(lambda f: f["type"] == "message" and f["sender"] == "bob")["id"]
    pane = alice.history.pane(alice.room_view)
    wait_until(lambda: pane.has(question), pump=tk_root.update, timeout=WAIT)
    menu = right_click_menu(alice, question)
    assert menu_labels(menu) == ["Reply"]
    menu.invoke(0)
    tk_root.update()
    bar = alice.window.reply_bar
    assert bar.winfo_ismapped() and "Replying to bob" in bar.label.cget("text")
    type_line(alice, "yes it is")
    answer = bob.expect(lambda f: f["type"] == "message" and f["sender"] == "alice")
    assert answer["content"] == "yes it is" and answer["reply"]["id"] == question
    tk_root.update()
    assert not bar.winfo_ismapped(), "the bar closes once the answer is sent"
    wait_until(lambda: quote_rows(alice), pump=tk_root.update, timeout=WAIT)
    (row,) = quote_rows(alice)
    assert row.startswith("↪ bob: @alice is it https://example.invalid")
    text = alice.room_view.text
    start = text.tag_ranges("quote")[0]
    names = set(text.tag_names(start))
    assert not names & {"link", "mention", "code", "time", "nick"}, "the quote's words do nothing"
    # bob answers his own "@alice …": the quote names alice, but only the answer's own words may call her
    bob.send(f"REPLY {question} asking again")
    wait_until(lambda: "asking again" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    at = text.search("asking again", "1.0")
    assert "mention" not in text.tag_names(at), "a quote with her name is no mention of her"
    # the answer's block holds the quote: a right-click on it offers Reply to the answer
    answer_id = answer["id"]
    assert pane.span(answer_id) is not None and text.compare(pane.span(answer_id)[0], "<=", start)
    # clicking the quote goes to the original
    say_many(bob, 60, "filler")
    wait_until(lambda: "filler 59" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    alice.room_view.on_quote_click(question)
    tk_root.update()
    assert visible(alice, message_start(alice, question))
    assert "flash" in text.tag_names(message_start(alice, question))


def test_escape_or_another_tab_cancels_and_a_plain_line_is_no_answer(quick_server, wire, open_window, tk_root):
    server = quick_server()
    bob = wire(server, "bob", "general")
    alice = open_window(server, "alice", "general")
    bob.send("SAY first")
    first = bob.expect(lambda f: f["type"] == "message" and f["content"] == "first")["id"]
    pane = alice.history.pane(alice.room_view)
    wait_until(lambda: pane.has(first), pump=tk_root.update, timeout=WAIT)
    alice.window.entry.text.focus_force()
    alice.window.entry.text.event_generate("<Control-Shift-Up>")  # the keyboard way: the newest message of someone else
    tk_root.update()
    bar = alice.window.reply_bar
    assert bar.answering is not None and bar.answering.number == first
    alice.window.entry.text.event_generate("<Escape>")
    tk_root.update()
    assert bar.answering is None, "Escape cancels"
    assert not bar.winfo_ismapped()
    type_line(alice, "not an answer")
    plain = bob.expect(lambda f: f["type"] == "message" and f["sender"] == "alice")
    assert "reply" not in plain


def test_deleting_the_original_takes_its_words_out_of_the_quote(quick_server, wire, open_window, tk_root):
    server = quick_server()
    bob = wire(server, "bob", "general")
    alice = open_window(server, "alice", "general")
    bob.send("SAY my password is hunter2")
    leaked = bob.expect(lambda f: f["type"] == "message" and "hunter2" in f["content"])["id"]
    bob.send(f"REPLY {leaked} oops")
    bob.expect(lambda f: f["type"] == "message" and f["content"] == "oops")
    wait_until(lambda: quote_rows(alice), pump=tk_root.update, timeout=WAIT)
    bob.send(f"DELETE {leaked}")
    bob.expect("deleted")
    wait_until(lambda: quote_rows(alice) == ["↪ bob: message deleted"], pump=tk_root.update, timeout=WAIT)
    assert "hunter2" not in alice.room_view.all_text()


def test_clicking_the_quote_of_an_original_further_back_loads_earlier_messages(
    quick_server, wire, open_window, tk_root
):
    server = quick_server(replay=20)
    bob = wire(server, "bob", "general")
    bob.send("SAY the original question")
    question = bob.expect(lambda f: f["type"] == "message" and f["content"] == "the original question")["id"]
    say_many(bob, 60, "filler")
    bob.send(f"REPLY {question} about that question")
    bob.expect(lambda f: f["type"] == "message" and f["content"] == "about that question")
    alice = open_window(server, "alice", "general")
    wait_until(lambda: quote_rows(alice), pump=tk_root.update, timeout=WAIT)
    assert quote_rows(alice) == ["↪ bob: the original question"], "the replay keeps the quote"
    pane = alice.history.pane(alice.room_view)
    assert not pane.has(question), "the original is not in the replay"
    text = alice.room_view.text
    start = text.tag_ranges("quote")[0]
    text.see(start)
    tk_root.update()
    x, y, _w, _h = text.bbox(start)
    text.event_generate("<ButtonRelease-1>", x=x + 4, y=y + 2)  # a click on the quote
    wait_until(lambda: pane.has(question), pump=tk_root.update, timeout=WAIT, message="earlier pages not loaded")
    wait_until(lambda: visible(alice, message_start(alice, question)), pump=tk_root.update, timeout=WAIT)
    assert "flash" in text.tag_names(message_start(alice, question))


def test_a_reply_in_a_private_tab_goes_privately_to_that_person(quick_server, wire, open_window, tk_root):
    server = quick_server()
    bob = wire(server, "bob", "general")
    alice = open_window(server, "alice", "general")
    bob.send("PM alice psst, what is the answer?")
    asked = bob.expect("private")["id"]
    wait_until(lambda: "bob" in alice.window.tabs.private, pump=tk_root.update, timeout=WAIT)
    tab = alice.window.tabs.private["bob"]
    alice.window.tabs.select(tab.frame)
    tk_root.update()
    pane = alice.history.pane(tab.view)
    wait_until(lambda: pane.has(asked), pump=tk_root.update, timeout=WAIT)
    alice.history.reply_to(tab.view, asked)
    type_line(alice, "it is 42")
    answer = bob.expect(lambda f: f["type"] == "private" and f["sender"] == "alice")
    assert answer["to"] == "bob" and answer["reply"]["id"] == asked
    wait_until(
        lambda: "↪ bob: psst, what is the answer?" in tab.view.text.get("1.0", "end"), pump=tk_root.update, timeout=WAIT
    )
