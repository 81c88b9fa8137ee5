"""Never missing a message in the chat window: unread counts on the tabs, the rooms list and the title follow
deletions, folded lines and shared files; a pane scrolled up says what came below; a mention said while the
connection was down counts as one.  Real server, real Tk under Xvfb (found by the fifteenth review's probe)."""

from __future__ import annotations

from pathlib import Path

from chat_gui.window.notify import Notifier
from chat_server import ChatServer
from chat_server.config import ServerConfig
from tests.gui.client.conftest import WAIT
from tests.support import wait_until


def quiet(controller) -> list[str]:
    """No desktop here: mentions and private messages ring into a list instead of the bell."""
    rung: list[str] = []
    controller.mention_alerts._notifier = Notifier(lambda: rung.append("mention"), backend=None)
    controller.root.bell = lambda *args: rung.append("bell")
    return rung


def test_a_message_deleted_unseen_stops_counting_on_its_tab_and_in_the_rooms_list(start_server, open_window, wire,
                                                                                    tk_root):  # fmt: skip
    """Before: the title went back to "(1)" but the tab kept "✉ bob (2)" and "#general (2)" for good."""
    server = start_server(rate_per_second=0)
    alice = open_window(server, "alice", "general")
    quiet(alice)
    bob = wire(server, "bob", "general")
    tabs = alice.window.tabs
    alice.set_focused(False)
    bob.send("PM alice secret one")
    first_private = bob.expect(lambda frame: frame["type"] == "private")["id"]
    bob.send("PM alice secret two")
    wait_until(lambda: tabs.unread_private() == [("bob", 2)], pump=tk_root.update, timeout=WAIT)
    # alice reads in bob's tab; two room lines come meanwhile
    tabs.select(tabs.private["bob"].frame)
    tk_root.update()
    assert tabs.unread_private() == [("bob", 0)]
    bob.send("SAY room one")
    first_room = bob.expect(lambda frame: frame["type"] == "message")["id"]
    bob.send("SAY room two")
    wait_until(lambda: tabs.unread_rooms() == {"general": 2}, pump=tk_root.update, timeout=WAIT)
    bob.send(f"DELETE {first_private}")  # seen already: nothing to uncount
    bob.send(f"DELETE {first_room}")
    wait_until(lambda: tabs.unread_rooms() == {"general": 1}, pump=tk_root.update, timeout=WAIT)
    wait_until(lambda: str(tabs.tab(tabs.room_frame, "text")) == "#general (1)", pump=tk_root.update, timeout=WAIT)
    assert dict(alice.window.rooms.unread) == {"general": 1}, "the rooms list says 1 too"
    assert tabs.unread_private() == [("bob", 0)]
    # a private line unseen, then deleted by its sender
    tabs.select(alice.room_view)
    tk_root.update()
    bob.send("PM alice secret five")
    five = bob.expect(lambda frame: frame["type"] == "private" and frame["content"] == "secret five")["id"]
    wait_until(lambda: tabs.unread_private() == [("bob", 1)], pump=tk_root.update, timeout=WAIT)
    assert str(tabs.tab(tabs.private["bob"].frame, "text")) == "✉ bob (1)"
    bob.send(f"DELETE {five}")
    wait_until(lambda: tabs.unread_private() == [("bob", 0)], pump=tk_root.update, timeout=WAIT)
    wait_until(lambda: alice.window.rooms.private == [("bob", 0)], pump=tk_root.update, timeout=WAIT)
    assert str(tabs.tab(tabs.private["bob"].frame, "text")) == "✉ bob"


def test_folded_lines_from_someone_ignored_are_not_counted_anywhere(start_server, open_window, wire, tk_root):
    """Before: 5 lines of an ignored classmate made "(5)" in the title and on the tab, over one folded line."""
    server = start_server(rate_per_second=0)
    alice = open_window(server, "alice", "general")
    quiet(alice)
    bob, cy = wire(server, "bob", "general"), wire(server, "cy", "general")
    assert alice.send_typed("/ignore bob")
    wait_until(lambda: alice.ignored.ignores("bob"), pump=tk_root.update, timeout=WAIT)
    alice.open_private("cy")
    tk_root.update()
    alice.set_focused(False)
    for number in range(5):
        bob.send(f"SAY spam {number} alice")
    cy.send("SAY a real line")
    wait_until(lambda: "a real line" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert alice.room_view.hidden_count() == 5
    wait_until(lambda: alice.window.tabs.unread_rooms() == {"general": 1}, pump=tk_root.update, timeout=WAIT)
    assert alice.counts.unread == 1 and alice.root.title().startswith("(1) "), alice.root.title()


def test_a_file_shared_while_the_window_is_in_the_background_is_counted(start_server, open_window, tk_root, tmp_path):
    """Before: neither a room file nor a private one counted in the title, and a room file not on its tab."""
    server = start_server(rate_per_second=0)
    alice = open_window(server, "alice", "general")
    bob = open_window(server, "bob", "general")
    alice.open_private("carol")
    tk_root.update()
    alice.set_focused(False)
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "worksheet.pdf").write_bytes(b"%PDF-1.4 a worksheet")
    (folder / "notes.txt").write_bytes(b"for you only")
    bob.files.send_file(Path(folder / "worksheet.pdf"))
    bob.files.send_file(Path(folder / "notes.txt"), "alice")
    tabs = alice.window.tabs
    wait_until(lambda: "alice" in bob.window.tabs.private or "bob" in tabs.private, pump=tk_root.update, timeout=WAIT)
    wait_until(
        lambda: "bob" in tabs.private and "notes.txt" in tabs.private["bob"].view.all_text(),
        pump=tk_root.update,
        timeout=WAIT,
    )
    wait_until(lambda: "worksheet.pdf" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    wait_until(lambda: tabs.unread_rooms() == {"general": 1}, pump=tk_root.update, timeout=WAIT)
    assert ("bob", 1) in tabs.unread_private()
    assert alice.counts.unread == 2 and alice.root.title().startswith("(2) "), alice.root.title()
    assert bob.counts.unread == 0, "one's own files count for nobody"


def test_a_pane_scrolled_up_says_how_many_new_messages_came_below(start_server, open_window, wire, tk_root):
    """Before: with the window in front and the pane scrolled up, 40 new lines came below and nothing said so."""
    server = start_server(rate_per_second=0)
    alice = open_window(server, "alice", "general")
    bob = wire(server, "bob", "general")
    for number in range(80):
        bob.send(f"SAY old line {number}")
    view = alice.room_view
    wait_until(lambda: "old line 79" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    tk_root.update()
    assert not view.new_below.button.winfo_ismapped(), "no button while the pane follows"
    view.text.yview_moveto(0.0)
    tk_root.update()
    assert alice.send_typed("my own line")  # one's own line is no news
    wait_until(lambda: "alice  my own line" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    for number in range(40):
        bob.send(f"SAY new line {number}")
    wait_until(lambda: "new line 39" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    wait_until(view.new_below.button.winfo_ismapped, pump=tk_root.update, timeout=WAIT)
    assert str(view.new_below.button.cget("text")) == "↓ 40 new messages"
    assert view.text.yview()[0] == 0.0, "the reader stays where she was"
    view.new_below.button.invoke()  # the first new message at the top
    tk_root.update()
    assert "bob  new line 0" in view.text.get("@0,0 linestart", "@0,0 lineend")
    view.new_below.button.invoke()  # then the end
    wait_until(lambda: not view.new_below.button.winfo_ismapped(), pump=tk_root.update, timeout=WAIT)
    assert view.is_following() and view.new_below.count == 0
    bob.send("SAY while following")
    wait_until(lambda: "while following" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    tk_root.update()
    assert not view.new_below.button.winfo_ismapped() and view.new_below.count == 0


def test_a_mention_said_while_the_connection_was_down_counts_as_a_mention(start_server, open_window, wire, tk_root):
    """Before: caught up after the reconnect, 120 lines with 2 mentions made "(120)", no "@2", no notification."""
    first = start_server(rate_per_second=0)
    port = first.address[1]
    alice = open_window(first, "alice", "general")
    rung = quiet(alice)
    alice.set_focused(False)
    first.stop()
    wait_until(lambda: alice.session.state in ("reconnecting", "connecting"), pump=tk_root.update, timeout=WAIT)
    config = ServerConfig(host="127.0.0.1", port=port, data_dir=first.config.data_dir, rate_per_second=0)
    second = ChatServer(config).start()
    try:
        bob = wire(second, "bob", "general")
        for number in range(120):
            bob.send(f"SAY while away {number}" + (", alice?" if number in (5, 60) else ""))
        bob.expect(lambda frame: frame["type"] == "message" and frame["content"] == "while away 119")
        wait_until(lambda: "while away 119" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT * 2)
        wait_until(lambda: alice.root.title().startswith("(120, @2) "), pump=tk_root.update, timeout=WAIT)
        assert rung == ["mention"], "one notification (here the bell) for the two, not none"
        bob.close()
    finally:
        second.stop()
