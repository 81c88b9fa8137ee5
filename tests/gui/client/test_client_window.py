"""Two real windows on a real server: public and private messages, lists that follow, the unread count."""

from __future__ import annotations

import tkinter as tk

from chat_gui.window.controller import ChatController
from tests.gui.client.conftest import WAIT
from tests.support import wait_until


def type_line(controller: ChatController, line: str) -> None:
    """Type into the entry box and press Return, as a student does."""
    text = controller.window.entry.text
    text.focus_force()
    text.insert("insert", line)
    text.event_generate("<Return>")


def double_click_item(listbox: tk.Listbox, index: int) -> None:
    listbox.see(index)
    listbox.update()
    x, y, _width, height = listbox.bbox(index)
    for _click in range(2):  # Tk cannot generate <Double-...>; two quick clicks make one
        listbox.event_generate("<ButtonPress-1>", x=x + 3, y=y + height // 2)
        listbox.event_generate("<ButtonRelease-1>", x=x + 3, y=y + height // 2)


def test_two_windows_exchange_public_messages(server, open_window, tk_root):
    alice = open_window(server, "alice")
    bob = open_window(server, "bob")
    type_line(alice, "hello bob 😀")
    wait_until(lambda: "alice  hello bob 😀" in bob.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    type_line(bob, "bob: are you there?")  # looks like a private address, must stay public text
    type_line(bob, "join me for lunch")
    wait_until(lambda: "join me for lunch" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert "bob  bob: are you there?" in alice.room_view.all_text()
    assert alice.window.entry.get_text() == "", "the entry is cleared after sending"
    assert not alice.window.tabs.private and not bob.window.tabs.private


def test_double_click_on_a_name_starts_a_private_conversation(server, open_window, tk_root):
    alice = open_window(server, "alice")
    bob = open_window(server, "bob")
    wait_until(lambda: alice.window.users.users == ["alice", "bob"], pump=tk_root.update, timeout=WAIT)
    double_click_item(alice.window.users.listbox, alice.window.users.users.index("bob"))
    wait_until(lambda: alice.window.tabs.current_private() == "bob", pump=tk_root.update, timeout=WAIT)
    type_line(alice, "just between us")
    wait_until(
        lambda: "bob" not in bob.window.tabs.private and "alice" in bob.window.tabs.private,
        pump=tk_root.update,
        timeout=WAIT,
    )
    bob_tab = bob.window.tabs.private["alice"]
    wait_until(lambda: "just between us" in bob_tab.view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert "just between us" not in bob.room_view.all_text(), "a private line never shows in the room"
    assert bob.window.tabs.tab(bob_tab.frame, "text") == "✉ alice (1)", "an unread private tab counts"
    bob.window.tabs.select(bob_tab.frame)
    type_line(bob, "ok")  # typed in the private tab: goes privately
    wait_until(lambda: "bob  ok" in alice.window.tabs.private["bob"].view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert "ok" not in alice.room_view.all_text().split("just between us")[-1]
    alice.window.tabs.close_private("bob")
    assert alice.window.tabs.current_private() is None and not alice.window.tabs.private


def test_lists_follow_joins_leaves_and_room_changes(server, open_window, make_client, tk_root):
    alice = open_window(server, "alice")
    rooms, users = alice.window.rooms, alice.window.users
    wait_until(lambda: rooms.rooms == [("general", 1)], pump=tk_root.update, timeout=WAIT)
    carol = make_client(server, "carol", "general")
    wait_until(
        lambda: users.users == ["alice", "carol"] and rooms.rooms == [("general", 2)], pump=tk_root.update, timeout=WAIT
    )
    carol.send_command("JOIN maths")
    wait_until(
        lambda: users.users == ["alice"] and rooms.rooms == [("general", 1), ("maths", 1)],
        pump=tk_root.update,
        timeout=WAIT,
        message=f"lists did not follow carol to #maths: {rooms.rooms} {users.users}",
    )
    double_click_item(rooms.listbox, rooms.room_names().index("maths"))
    wait_until(
        lambda: alice.session.room == "maths" and users.users == ["alice", "carol"], pump=tk_root.update, timeout=WAIT
    )
    wait_until(lambda: rooms.rooms == [("maths", 2)], pump=tk_root.update, timeout=WAIT)
    assert rooms.listbox.get(0).startswith("▶"), "the current room is marked"
    assert tk_root.title() == "ClassChat — alice in #maths"
    carol.close()
    wait_until(lambda: users.users == ["alice"] and rooms.rooms == [("maths", 1)], pump=tk_root.update, timeout=WAIT)
    type_line(alice, "/leave")
    wait_until(lambda: alice.session.room is None and users.users == [], pump=tk_root.update, timeout=WAIT)


def test_unread_count_in_the_title_while_unfocused(server, open_window, make_client, tk_root):
    alice = open_window(server, "alice")
    dave = make_client(server, "dave", "general")
    alice.set_focused(False)
    dave.send_command("SAY one")
    dave.send_command("SAY two")
    wait_until(
        lambda: tk_root.title() == "(2) ClassChat — alice in #general",
        pump=tk_root.update,
        timeout=WAIT,
        message=f"title is {tk_root.title()!r}",
    )
    tk_root.event_generate("<FocusIn>")
    wait_until(lambda: tk_root.title() == "ClassChat — alice in #general", pump=tk_root.update, timeout=WAIT)
    type_line(alice, "mine")  # the user's own lines never count
    alice.set_focused(False)
    dave.wait_for(lambda frame: frame.get("content") == "mine")
    tk_root.update()
    assert tk_root.title() == "ClassChat — alice in #general"


def test_server_errors_and_help_show_in_the_pane(server, open_window, tk_root):
    alice = open_window(server, "alice")
    type_line(alice, "/pm nobody hello?")  # the refusal shows where the line was typed
    wait_until(lambda: "Nobody called nobody" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    alice.window.tabs.close_private("nobody")
    type_line(alice, "/help")
    assert "/join ROOM" in alice.room_view.all_text()
    type_line(alice, "see https://example.org/page.")
    wait_until(lambda: "https://example.org/page" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    alice.room_view.paint_links()
    link = alice.room_view.text.tag_ranges("link")
    assert alice.room_view.text.get(*link[-2:]) == "https://example.org/page"


def test_the_pane_is_read_only_but_selectable(server, open_window, tk_root):
    alice = open_window(server, "alice")
    pane = alice.room_view.text
    before = alice.room_view.all_text()
    pane.focus_force()
    wait_until(lambda: tk_root.focus_get() == pane, pump=tk_root.update, timeout=WAIT)
    for keysym in ("x", "BackSpace", "Return", "Delete", "Tab"):
        pane.event_generate(f"<KeyPress-{keysym}>")
    pane.event_generate("<<Paste>>")
    tk_root.update()
    assert alice.room_view.all_text() == before
    pane.tag_add("sel", "1.0", "1.5")
    pane.event_generate("<Control-c>")
    tk_root.update()
    assert tk_root.clipboard_get() == before[:5]


def test_changing_nickname_updates_title_lists_and_others(server, open_window, tk_root):
    alice = open_window(server, "alice")
    bob = open_window(server, "bob")
    type_line(alice, "/nick alicia")
    wait_until(lambda: tk_root.title() == "ClassChat — alicia in #general", pump=tk_root.update, timeout=WAIT)
    assert "alicia" in alice.window.users.users and "alice" not in alice.window.users.users
    wait_until(lambda: bob.window.users.users == ["alicia", "bob"], pump=tk_root.update, timeout=WAIT)
    assert "alice is now alicia" in bob.room_view.all_text()


def test_a_line_that_cannot_be_sent_stays_in_the_box(server, open_window, tk_root):
    alice = open_window(server, "alice")
    long_line = "word " * 500
    type_line(alice, long_line)
    assert alice.window.entry.get_text() == long_line
    assert "the limit is 2000" in alice.room_view.all_text()
    alice.window.entry.set_text("")
    type_line(alice, "/join")
    assert alice.window.entry.get_text() == "/join"


def test_lines_typed_faster_than_the_rate_limit_all_arrive(server, open_window, make_client, tk_root):
    alice = open_window(server, "alice")
    watcher = make_client(server, "watcher", "general")
    lines = [f"quick {number}" for number in range(45)]  # the server allows bursts of 30, then 10 a second
    for line in lines:
        type_line(alice, line)
    received: list[dict] = []

    def watcher_has_all() -> bool:
        while not watcher.inbox.empty():
            frame = watcher.inbox.get_nowait()
            if isinstance(frame, dict) and frame.get("type") == "message":
                received.append(frame)
        return len(received) >= len(lines)

    wait_until(watcher_has_all, pump=tk_root.update, timeout=WAIT, message="not every quick line arrived")
    assert [frame["content"] for frame in received] == lines
    wait_until(lambda: not alice.session.pending, pump=tk_root.update, timeout=WAIT)
    assert not alice.room_view.text.tag_ranges("error"), "no line was refused (e.g. 'Slow down')"


def test_new_room_asks_again_for_a_name_a_room_cannot_have_and_keeps_what_was_typed(server, open_window, tk_root):
    """Found by the fifteenth review: "my room!" in New room… went out as JOIN my room!, and the pane answered
    about keys with "/join my" while the dialog and its text were gone."""
    alice = open_window(server, "alice")
    asked: list[tuple[str, str]] = []
    answers = ["my room!", "my_room"]

    def answer(title: str, prompt: str, typed: str) -> str | None:
        asked.append((prompt, typed))
        return answers.pop(0)

    alice.window.rooms.ask_text = answer
    alice.window.rooms.new_button.invoke()
    assert asked[0] == ("Name of the new room (letters, digits, _ or -):", "")
    assert asked[1] == (
        "A room name is 1 to 32 letters, digits, _ or -, with no spaces. Try another name:",
        "my room!",
    ), "the rule, and the name to correct"
    wait_until(lambda: alice.session.room == "my_room", pump=tk_root.update, timeout=WAIT)
    assert "a key goes only with a room" not in alice.room_view.all_text(), "no JOIN with a key went out"
