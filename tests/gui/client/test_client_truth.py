"""The window says the truth (issue 11, items 1-5): the status bar follows every change, each room keeps its own
conversation, a removed or disconnected window says so and queues nothing, a muted line is not lost, and a
refusal is said once, where the user is looking.  Real windows on a real server under Xvfb."""

from __future__ import annotations

import pytest

from chat_gui.window.controller import ChatController
from tests.gui.client.conftest import WAIT
from tests.gui.client.test_client_window import double_click_item, type_line
from tests.support import wait_until


def status(controller: ChatController) -> str:
    return controller.window.status_bar.text()


def wait_status(controller: ChatController, words: str) -> None:
    wait_until(
        lambda: words in status(controller),
        pump=controller.root.update,
        timeout=WAIT,
        message=f"the status bar never said {words!r}; it says {status(controller)!r}",
    )


def room_tab_title(controller: ChatController) -> str:
    tabs = controller.window.tabs
    return str(tabs.tab(tabs.room_frame, "text"))


# -- 1. the status bar follows every change --
def test_status_bar_follows_rooms_joined_by_every_route(server, open_window, make_client, tk_root):
    alice = open_window(server, "alice", "general")
    wait_status(alice, "as alice · in #general")
    make_client(server, "bob", "maths")
    alice.window.rooms.ask_text = lambda title, prompt, typed: "physics"  # New room… answered
    alice.window.rooms.new_button.invoke()
    wait_status(alice, "· in #physics")
    assert "#general" not in status(alice)
    rooms = alice.window.rooms
    wait_until(lambda: "maths" in rooms.room_names(), pump=tk_root.update, timeout=WAIT)
    double_click_item(rooms.listbox, rooms.room_names().index("maths"))
    wait_status(alice, "· in #maths")
    type_line(alice, "/join chemistry")
    wait_status(alice, "· in #chemistry")
    alice.window.rooms.ask_text = lambda title, prompt, typed: "biology"  # Rooms > Join room… (Ctrl+J)
    alice.ask_join()
    wait_status(alice, "· in #biology")
    server.close_room("biology", "end of the lesson")
    wait_status(alice, "not in a room (#biology was closed: end of the lesson)")
    assert tk_root.title() == "ClassChat — alice"
    assert room_tab_title(alice) == "#biology (left)"


def test_status_bar_follows_a_new_nickname(server, open_window, tk_root):
    alice = open_window(server, "alice", "general")
    type_line(alice, "/nick alicia")
    wait_status(alice, "as alicia · in #general")


def test_status_bar_follows_reconnecting_muted_and_unmuted(start_server, open_window, tk_root):
    server = start_server()
    alice = open_window(server, "alice", "general")
    server.set_muted("alice", True)
    wait_until(lambda: alice.window.status_bar.flag("muted"), pump=tk_root.update, timeout=WAIT)
    assert alice.window.status_bar.flag("muted") == "You are muted"
    server.set_muted("alice", False)
    wait_until(lambda: not alice.window.status_bar.flag("muted"), pump=tk_root.update, timeout=WAIT)
    server.stop()
    wait_status(alice, "Connection lost")
    assert "reconnecting" in tk_root.title()


def test_status_bar_and_title_after_a_disconnect_on_purpose(server, open_window, tk_root):
    alice = open_window(server, "alice", "general")
    alice.disconnect()
    wait_status(alice, "Disconnected. Nothing is sent until you connect again")
    assert tk_root.title() == "ClassChat — alice — disconnected"
    assert "You disconnected" in alice.room_view.all_text()
    assert alice.window.users.users == [] and alice.window.rooms.rooms == []
    alice.reconnect_now()
    wait_status(alice, "as alice · in #general")
    assert tk_root.title() == "ClassChat — alice in #general"


# -- 2. each room keeps its own conversation --
def test_switching_rooms_never_shows_one_rooms_messages_under_another(server, open_window, make_client, tk_root):
    alice = open_window(server, "alice", "general")
    in_general = make_client(server, "bob", "general")
    in_maths = make_client(server, "carol", "maths")
    in_general.send_command("SAY said in general")
    wait_until(lambda: "said in general" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    general_view = alice.room_view
    type_line(alice, "/join maths")
    wait_until(lambda: alice.session.room == "maths", pump=tk_root.update, timeout=WAIT)
    assert room_tab_title(alice) == "#maths"
    assert alice.room_view is not general_view
    assert "said in general" not in alice.room_view.all_text(), "general's messages under the name #maths"
    in_maths.send_command("SAY said in maths")
    wait_until(lambda: "said in maths" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    rooms = alice.window.rooms
    double_click_item(rooms.listbox, rooms.room_names().index("general"))
    wait_until(lambda: alice.session.room == "general", pump=tk_root.update, timeout=WAIT)
    assert alice.room_view is general_view, "going back shows what was said there before"
    assert room_tab_title(alice) == "#general"
    assert "said in general" in alice.room_view.all_text()
    assert "said in maths" not in alice.room_view.all_text()
    in_general.send_command("SAY back in general")
    wait_until(lambda: "back in general" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    maths_view = alice.window.tabs.room_views.view_for("maths")
    assert maths_view is not None and "back in general" not in maths_view.all_text()


def test_panes_are_kept_for_a_bounded_number_of_rooms(server, open_window, tk_root):
    alice = open_window(server, "alice", "room0")
    views = alice.window.tabs.room_views
    views.limit = 3
    for number in range(1, 6):
        type_line(alice, f"/join room{number}")
        wait_until(lambda number=number: alice.session.room == f"room{number}", pump=tk_root.update, timeout=WAIT)
    assert views.rooms() == ["room3", "room4", "room5"]
    assert len(alice.window.tabs.room_frame.winfo_children()) == 3, "dropped panes are destroyed"


# -- 3. removed or disconnected on purpose --
@pytest.mark.parametrize("reason", ["spamming", "calm down, see you tomorrow"])
def test_a_kick_is_said_plainly_and_nothing_is_queued(server, open_window, make_client, tk_root, reason):
    alice = open_window(server, "alice", "general")
    make_client(server, "bob", "general")
    wait_until(lambda: len(alice.window.users.users) == 2, pump=tk_root.update, timeout=WAIT)
    alice.open_private("bob")  # a private tab in front: the banner shows there too
    server.kick("alice", reason)
    wait_until(lambda: alice.session.state == "removed", pump=tk_root.update, timeout=WAIT)
    tk_root.update()
    assert tk_root.title() == "ClassChat — alice — removed from the server"
    assert f"Not connected: An admin removed you: {reason}" in status(alice)
    for view in (alice.room_view, alice.current_view()):
        banner = view.text.tag_ranges("alert")
        assert banner, "a banner in the pane"
        assert "You were removed from the chat" in view.text.get(banner[0], banner[-1])
    assert alice.window.users.users == [] and alice.window.users.row_texts() == []
    assert alice.window.rooms.rooms == [] and alice.window.rooms.row_texts()[:1] != ["▶ #general"]
    alice.window.tabs.select(alice.room_view)
    type_line(alice, "let me back in")
    tk_root.update()
    assert alice.session.pending == []
    assert alice.window.entry.get_text() == "let me back in"
    assert "waiting to send" not in alice.room_view.all_text()


def test_lines_waiting_when_the_user_hangs_up_are_struck_out(start_server, open_window, tk_root):
    server = start_server()
    alice = open_window(server, "alice", "general")
    server.stop()
    wait_until(lambda: alice.session.state in ("reconnecting", "connecting"), pump=tk_root.update, timeout=WAIT)
    type_line(alice, "typed while the server was away")
    wait_until(lambda: alice.session.pending, pump=tk_root.update, timeout=WAIT)
    alice.disconnect()
    tk_root.update()
    assert alice.session.pending == []
    view = alice.room_view
    assert "waiting to send" not in view.all_text()
    struck = view.text.tag_ranges("undelivered")
    assert struck and view.text.get(struck[0], struck[1]) == "typed while the server was away"
    assert "not sent: you disconnected" in view.all_text()


# -- 4. muted --
def test_a_private_line_refused_keeps_its_words_in_view_and_a_later_refusal_strikes_out_its_own(
    server, open_window, make_client, tk_root
):
    """Found by the fifteenth review: "/pm nobdy my homework answer" left only "Nobody called nobdy is online"
    (the words gone), and the refused line stayed paired: a "muted" refusal in the next 30 s struck out that one."""
    alice = open_window(server, "alice", "general")
    bob = make_client(server, "bob", "general")
    type_line(alice, "/pm nobdy my homework answer")
    wait_until(lambda: "Nobody called nobdy" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    pane = alice.room_view.all_text()
    assert "not delivered: my homework answer  Nobody called nobdy is online" in pane, pane
    bob.send_command("IGNORE alice")
    bob.wait_for(lambda frame: frame.get("event") == "ignoring")
    type_line(alice, "/pm bob psst")
    wait_until(lambda: "not taking private messages" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert "not delivered: psst  bob is not taking private messages from you." in alice.room_view.all_text()
    type_line(alice, "hello room")
    wait_until(lambda: "alice  hello room" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    # each refusal answered its own line: nothing is left paired, for a later refusal to strike out wrongly
    assert len(alice.frames.outgoing) == 0
    assert alice.room_view.all_text().count("not delivered: ") == 2


def test_a_muted_line_stays_in_the_box_with_the_reason(server, open_window, make_client, tk_root):
    alice = open_window(server, "alice", "general")
    bob = make_client(server, "bob", "general")
    server.set_muted("alice", True)
    wait_until(lambda: alice.frames.muted, pump=tk_root.update, timeout=WAIT)
    for line in ("is anyone there?", "/pm bob psst", "/msg bob: psst"):
        alice.window.entry.set_text("")
        type_line(alice, line)
        tk_root.update()
        assert alice.window.entry.get_text() == line, "the line stays in the box"
    assert alice.room_view.all_text().count("Not sent: you are muted") == 3
    alice.window.entry.set_text("")
    type_line(alice, "/join physics")  # a new room's name would reach every room list: refused while muted
    wait_until(lambda: "cannot make a new room" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert alice.session.room == "general"
    bob.send_command("JOIN maths")
    wait_until(lambda: any(room.name == "maths" for room in server.rooms()), timeout=WAIT)
    alice.window.entry.set_text("")
    type_line(alice, "/join maths")  # mute covers what is said, not moving between rooms that exist
    wait_until(lambda: alice.session.room == "maths", pump=tk_root.update, timeout=WAIT)
    server.set_muted("alice", False)
    wait_until(lambda: not alice.frames.muted, pump=tk_root.update, timeout=WAIT)
    type_line(alice, "thanks for unmuting me")
    wait_until(lambda: "alice  thanks for unmuting me" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)


def test_a_line_the_server_refuses_as_muted_is_struck_out_once(server, open_window, tk_root):
    alice = open_window(server, "alice", "general")
    server.set_muted("alice", True)
    wait_until(lambda: alice.frames.muted, pump=tk_root.update, timeout=WAIT)
    alice.frames.muted = False  # as after a reconnect: the window does not know yet, the server does
    type_line(alice, "first words")
    view = alice.room_view
    wait_until(lambda: view.text.tag_ranges("undelivered"), pump=tk_root.update, timeout=WAIT)
    struck = view.text.tag_ranges("undelivered")
    assert view.text.get(struck[0], struck[1]) == "first words"
    assert view.all_text().count("You are muted") == 1, "one refusal, one message"
    assert alice.frames.muted and alice.window.status_bar.flag("muted")


# -- 5. one refusal, one message --
def test_a_taken_nickname_at_start_is_said_once_in_the_dialog(server, open_window, make_client, tk_root):
    make_client(server, "alice", "general")
    window = open_window()
    window.start(*server.address, "Alice", "general")  # as chat-client --nick Alice does, no dialog yet
    wait_until(lambda: window.dialog is not None, pump=tk_root.update, timeout=WAIT)
    wait_until(lambda: "taken" in window.dialog.message.cget("text"), pump=tk_root.update, timeout=WAIT)
    tk_root.update()
    assert "taken" not in window.room_view.all_text()
    assert "taken" not in status(window)
    assert "Connect dialog" in status(window)


def test_a_taken_nickname_while_chatting_is_said_once_where_the_user_looks(server, open_window, make_client, tk_root):
    make_client(server, "bob", "general")
    alice = open_window(server, "alice", "general")
    alice.open_private("bob")
    type_line(alice, "/nick bob")
    view = alice.current_view()
    wait_until(lambda: "taken" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    tk_root.update()
    assert view.all_text().count("taken") == 1
    assert "taken" not in alice.room_view.all_text()
    assert "taken" not in status(alice) and alice.dialog is None


def test_a_session_taken_over_elsewhere_says_so_keeps_the_draft_and_does_not_come_back(
    server, open_window, tk_root, wire
):
    """Found by the fifteenth review: the person's other program taking the name read "removed from the chat"."""
    alice = open_window(server, "alice", "general")
    wait_status(alice, "as alice · in #general")
    alice.window.entry.set_text("half a sentence")
    other = wire(server, source="127.0.0.2")
    other.send(f"RESUME alice {alice.session.token}")  # her other program, with the token
    assert other.expect("nick")["nick"] == "alice"
    wait_until(lambda: alice.session.state == "removed", pump=tk_root.update, timeout=WAIT)
    tk_root.update()
    assert tk_root.title() == "ClassChat — alice — signed in elsewhere"
    assert "you are signed in as alice somewhere else now" in status(alice)
    banner = alice.room_view.text.tag_ranges("alert")
    shown = alice.room_view.text.get(banner[0], banner[-1])
    assert "You are signed in somewhere else" in shown and "from another computer (127.0.0.2)" in shown
    assert alice.window.entry.get_text() == "half a sentence"
