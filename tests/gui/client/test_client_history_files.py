"""Kept files in real windows on a real server: cards in the replay and in earlier pages, deleted cards, cleared rooms."""

from __future__ import annotations

import tkinter as tk
from pathlib import Path

import pytest

from chat_gui.window.controller import ChatController
from chat_gui.window.file_card import MUTED_NAME, FileCard
from tests.gui.client.conftest import WAIT
from tests.gui.client.test_client_files import png_bytes
from tests.integration.file_wire import ChatLine, share
from tests.support import wait_until


@pytest.fixture
def file_server(start_server):
    return start_server(rate_per_second=0, files_keep_free_mb=0, replay=10)


def cards_in(controller: ChatController, name: str) -> list[FileCard]:
    return [
        card for cards in controller.files.cards.values() for card in cards if card.name == name and card.winfo_exists()
    ]


def make_file(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def say(line: ChatLine, count: int, prefix: str) -> None:
    for number in range(count):
        line.send(f"SAY {prefix} {number}")
    for _number in range(count):
        line.expect("message")


def card_index(view_text: tk.Text, card: FileCard) -> str:
    return str(view_text.index(card))


def test_a_late_joiner_sees_shared_files_as_muted_cards_in_the_replay(file_server, open_window, tk_root, tmp_path):
    bob = ChatLine(file_server.address, "bob", "general")
    try:
        say(bob, 2, "before")
        sheet = share(bob, make_file(tmp_path / "out", "worksheet.pdf", b"%PDF-1.4 the sheet"))[1]
        share(bob, make_file(tmp_path / "out", "graph.png", png_bytes(60, 30)))
        say(bob, 1, "after")
        alice = open_window(file_server, "alice", "general")
        text = alice.room_view.text
        wait_until(lambda: "new since you were here" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
        wait_until(lambda: cards_in(alice, "graph.png"), pump=tk_root.update, timeout=WAIT)
        (card,) = cards_in(alice, "worksheet.pdf")
        assert card.sender == "bob" and card.file_id == sheet["file"] and card.file_size == 18
        assert card.name_label.cget("foreground") == MUTED_NAME, "a kept file's card is muted"
        shown = alice.room_view.all_text()
        assert "bob  shared worksheet.pdf (18 bytes)" in shown
        assert "shared worksheet.pdf (18 bytes) with #general" not in shown, "a card, not the server's words as a line"
        order = [shown.index(words) for words in ("before 1", "shared worksheet.pdf", "shared graph.png", "after 0")]
        assert order == sorted(order), "cards stand where their messages were said"
        new_line = text.search("new since you were here", "1.0")
        assert text.compare(card_index(text, card), "<", new_line), "the card is in the replay, above the line"
        start = alice.history.pane(alice.room_view).span(card.message_id)[0]
        assert "replayed" in text.tag_names(start), "the line above the card is muted like other kept messages"
        assert text.compare(start, "<=", card_index(text, card)), "the card belongs to its message's block"
        # the card works as a live one does: Save, and pictures once asked for
        downloads = tmp_path / "Downloads"
        downloads.mkdir()
        alice.files.downloads = lambda: downloads
        card.save_button.invoke()
        wait_until(lambda: card.saved_path is not None, pump=tk_root.update, timeout=WAIT, message="never saved")
        assert (downloads / "worksheet.pdf").read_bytes() == b"%PDF-1.4 the sheet"
        (picture,) = cards_in(alice, "graph.png")
        assert not picture.has_thumbnail(), "no picture is fetched before the user asks"
        picture.picture_button.invoke()
        wait_until(picture.has_thumbnail, pump=tk_root.update, timeout=WAIT, message="no thumbnail")
    finally:
        bob.close()


def test_a_page_of_older_history_brings_its_file_cards_above(file_server, open_window, tk_root, tmp_path):
    bob = ChatLine(file_server.address, "bob", "general")
    try:
        say(bob, 3, "early")
        ticket = share(bob, make_file(tmp_path / "out", "old-notes.txt", b"from last week"))[1]
        say(bob, 40, "later")
        alice = open_window(file_server, "alice", "general")
        text = alice.room_view.text
        wait_until(lambda: "later 39" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
        assert not cards_in(alice, "old-notes.txt"), "older than the replay"
        for _page in range(2):
            text.yview_moveto(0.0)
            text.event_generate("<Button-4>")
            wait_until(lambda: not alice.history.pane(alice.room_view).loading, pump=tk_root.update, timeout=WAIT)
            if cards_in(alice, "old-notes.txt"):
                break
        wait_until(lambda: cards_in(alice, "old-notes.txt"), pump=tk_root.update, timeout=WAIT)
        (card,) = cards_in(alice, "old-notes.txt")
        assert card.file_id == ticket["file"] and card.name_label.cget("foreground") == MUTED_NAME
        shown = alice.room_view.all_text()
        order = [shown.index(words) for words in ("early 2", "shared old-notes.txt", "later 0", "later 39")]
        assert order == sorted(order), "the page went above, in order, its card where the file was shared"
        assert shown.count("shared old-notes.txt") == 1
        later = text.search("later 0", "1.0")
        assert text.compare(card_index(text, card), "<", later)
    finally:
        bob.close()


def test_a_deleted_file_message_takes_its_card_away_live_and_replayed(file_server, open_window, tk_root, tmp_path):
    bob = ChatLine(file_server.address, "bob", "general")
    try:
        kept = share(bob, make_file(tmp_path / "out", "draft.txt", b"first draft"))[0]
        alice = open_window(file_server, "alice", "general")
        wait_until(lambda: cards_in(alice, "draft.txt"), pump=tk_root.update, timeout=WAIT)
        live = share(bob, make_file(tmp_path / "out", "final.txt", b"final version"))[0]
        wait_until(lambda: cards_in(alice, "final.txt"), pump=tk_root.update, timeout=WAIT)
        say(bob, 1, "still here")
        wait_until(lambda: "still here 0" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
        numbers = {card.name: card.message_id for card in cards_in(alice, "draft.txt") + cards_in(alice, "final.txt")}
        assert set(numbers) == {"draft.txt", "final.txt"}
        assert kept["name"] == "draft.txt" and live["name"] == "final.txt"
        for name in ("final.txt", "draft.txt"):  # a live card, then a replayed one
            (card,) = cards_in(alice, name)
            bob.send(f"DELETE {numbers[name]}")
            assert bob.expect("deleted")["id"] == numbers[name]
            wait_until(lambda card=card: not card.winfo_exists(), pump=tk_root.update, timeout=WAIT)
            assert f"shared {name}" not in alice.room_view.all_text()
        shown = alice.room_view.all_text()
        assert shown.count("message deleted") == 2, "each deleted file leaves one grey line"
        assert "still here 0" in shown
    finally:
        bob.close()


def test_a_cleared_room_history_leaves_the_windows_that_showed_it(file_server, open_window, tk_root, tmp_path):
    bob = ChatLine(file_server.address, "bob", "general")
    carol = ChatLine(file_server.address, "carol", "other")
    try:
        say(bob, 3, "before")
        share(bob, make_file(tmp_path / "out", "answers.txt", b"the answers"))
        alice = open_window(file_server, "alice", "general")
        wait_until(lambda: cards_in(alice, "answers.txt"), pump=tk_root.update, timeout=WAIT)
        say(bob, 2, "live")
        carol.send("PM alice a private word")
        wait_until(lambda: "live 1" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
        wait_until(lambda: "carol" in alice.window.tabs.private, pump=tk_root.update, timeout=WAIT)
        (card,) = cards_in(alice, "answers.txt")
        alice.history.open_search("before")
        alice.history.search_panel.submit()
        wait_until(lambda: alice.history.search_panel.results, pump=tk_root.update, timeout=WAIT)
        file_server.clear_history("general")
        wait_until(lambda: "cleared the history" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
        tk_root.update()
        shown = alice.room_view.all_text()
        for gone in ("before 0", "before 2", "shared answers.txt", "live 0", "live 1", "new since you were here"):
            assert gone not in shown, f"{gone!r} is still shown after the clear"
        assert not card.winfo_exists(), "the file's card went with its message"
        assert "6 messages removed: an admin cleared the history of #general" in shown
        assert shown.index("6 messages removed") < shown.index("An admin cleared the history of #general.")
        assert not alice.history.pane(alice.room_view).ids, "no id of the room is left"
        assert alice.history.search_panel.results == [], "the room's search results went too"
        assert "a private word" in alice.window.tabs.private["carol"].view.all_text(), "private talk is not touched"
        say(bob, 1, "after the clear")
        wait_until(lambda: "after the clear 0" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    finally:
        bob.close()
        carol.close()


def test_a_clear_takes_only_the_messages_up_to_its_id_from_the_window(file_server, open_window, tk_root):
    bob = ChatLine(file_server.address, "bob", "general")
    try:
        alice = open_window(file_server, "alice", "general")
        say(bob, 3, "early")
        wait_until(lambda: "early 2" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
        pane = alice.history.pane(alice.room_view)
        upto = max(pane.ids)
        say(bob, 2, "raced")  # said while the admin's clear was on its way: the server kept them
        wait_until(lambda: "raced 1" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
        alice.history.show_frame(
            {
                "type": "system",
                "event": "history_cleared",
                "room": "general",
                "upto": upto,
                "content": "An admin cleared the history of #general.",
                "timestamp": "12:00:00",
            }
        )
        tk_root.update()
        shown = alice.room_view.all_text()
        assert "early" not in shown and "3 messages removed" in shown
        assert "raced 0" in shown and "raced 1" in shown, "messages after the cleared id stay"
        assert all(number > upto for number in pane.ids) and len(pane.ids) == 2
    finally:
        bob.close()


def test_a_search_result_for_a_file_jumps_to_its_card_loading_what_it_must(file_server, open_window, tk_root, tmp_path):
    bob = ChatLine(file_server.address, "bob", "general")
    try:
        share(bob, make_file(tmp_path / "out", "field-trip-form.pdf", b"%PDF-1.4 sign here"))
        say(bob, 60, "after")
        alice = open_window(file_server, "alice", "general")
        wait_until(lambda: "after 59" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
        assert not cards_in(alice, "field-trip-form.pdf"), "older than the replay"
        alice.history.open_search("field-trip")
        panel = alice.history.search_panel
        panel.submit()
        wait_until(lambda: panel.results, pump=tk_root.update, timeout=WAIT)
        (result,) = panel.results
        panel.pick(0)
        wait_until(lambda: "Found it" in str(panel.status.cget("text")), pump=tk_root.update, timeout=WAIT)
        (card,) = cards_in(alice, "field-trip-form.pdf")
        assert card.message_id == result["id"] and card.name_label.cget("foreground") == MUTED_NAME
        text = alice.room_view.text
        start = alice.history.pane(alice.room_view).span(result["id"])[0]
        assert "flash" in text.tag_names(start)
        tk_root.update()
        assert text.bbox(start) is not None, "the view went to it"
    finally:
        bob.close()


def test_private_files_show_as_cards_when_the_tab_is_opened_by_hand_and_in_history(
    file_server, open_window, tk_root, tmp_path
):
    alice = open_window(file_server, "alice", "general")
    bob = ChatLine(file_server.address, "bob", "general")
    try:
        bob.send("PM alice here is my essay")
        share(bob, make_file(tmp_path / "out", "essay.txt", b"my essay"), "@alice")
        wait_until(lambda: cards_in(alice, "essay.txt"), pump=tk_root.update, timeout=WAIT)
        alice.window.tabs.close_private("bob")
        tk_root.update()
        alice.open_private("bob")
        view = alice.window.tabs.private["bob"].view
        wait_until(lambda: "new since you were here" in view.all_text(), pump=tk_root.update, timeout=WAIT)
        (card,) = cards_in(alice, "essay.txt")
        assert card.name_label.cget("foreground") == MUTED_NAME and card.shared_in == "@bob"
        assert view.text.compare(view.text.index(card), "<", view.text.search("new since you were here", "1.0"))
        shown = view.all_text()
        assert shown.index("here is my essay") < shown.index("shared essay.txt")
        assert "essay.txt" not in alice.room_view.all_text()
        alice.send_typed("/history 5")  # typed in bob's tab: its conversation, the file as a card again
        wait_until(lambda: len(cards_in(alice, "essay.txt")) == 2, pump=tk_root.update, timeout=WAIT)
        assert "Kept messages of @bob" in view.all_text()
    finally:
        bob.close()
