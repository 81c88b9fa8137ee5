"""A teacher's MOVE in the chat window: the student's window follows to the room and says who sent them and why."""

from __future__ import annotations

from tests.gui.client.conftest import WAIT
from tests.gui.client.test_client_teacher_menu import teacher_window
from tests.integration.identity_support import teacher
from tests.support import wait_until


def test_a_moved_students_window_switches_to_the_room_and_says_who_and_why_then_comes_back(
    start_server, open_window, tk_root, wire
):
    server = start_server()
    window = open_window(server, "amy", "general")
    lee = teacher(server, wire, "Ms_Lee", "general")
    wire(server, "lia", "g1", source="127.0.0.10").send("SAY our plan")
    lee.send("MOVE g1 amy Group 1: fractions")
    wait_until(lambda: window.session.room == "g1", pump=tk_root.update, timeout=WAIT)
    view = window.window.tabs.view_for_room("g1")
    wait_until(lambda: "moved you to #g1" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    text = view.all_text()
    assert "Ms_Lee (teacher) moved you to #g1:" in text and "Group 1: fractions" in text
    assert "left #g1" not in text  # it was shown as a leave notice with its reason: " left #g1: “Group 1…”"
    assert "our plan" in text  # the room's recent messages, as after /join
    assert "lia" in window.window.users.users
    server.move("g2", "amy", "by the admin")  # the console's /move: no `by`
    wait_until(lambda: window.session.room == "g2", pump=tk_root.update, timeout=WAIT)
    wait_until(
        lambda: "An admin moved you to #g2:" in window.window.tabs.view_for_room("g2").all_text(),
        pump=tk_root.update,
        timeout=WAIT,
    )
    lee.send("MOVE general * time is up")
    wait_until(lambda: window.session.room == "general", pump=tk_root.update, timeout=WAIT)
    wait_until(
        lambda: "time is up" in window.window.tabs.view_for_room("general").all_text(),
        pump=tk_root.update,
        timeout=WAIT,
    )


def test_a_teacher_moves_students_by_typing_in_the_window(start_server, open_window, tk_root, wire):
    server, window = teacher_window(start_server, open_window, tk_root)
    amy = wire(server, "amy", "general", source="127.0.0.10")
    bo = wire(server, "bo", "general", source="127.0.0.11")
    window.send_typed("/move g2 amy,bo Group 2", False)
    for student in (amy, bo):
        assert student.expect(lambda frame: frame.get("event") == "moved")["reason"] == "Group 2"
    wait_until(lambda: "Moved 2 to #g2: amy, bo." in window.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    window.send_typed("/move g2 amy, bo", False)  # a space after the comma: refused before it goes
    wait_until(lambda: "commas, no spaces" in window.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
