"""The chat window's search bar with from:NAME: only what that person said, with a hint that says so."""

from __future__ import annotations

from chat_gui.text.history_lines import NICKNAME_ONLY_NOTE
from chat_gui.window.search_panel import HINT
from tests.gui.client.conftest import WAIT
from tests.support import wait_until


def test_from_in_the_search_bar_finds_only_what_that_person_said(start_server, wire, open_window, tk_root):
    """A student looks for what the teacher said about the homework among everyone's "homework" lines."""
    server = start_server(rate_per_second=0)
    teacher = wire(server, "ms_lee", "general")
    student = wire(server, "bob", "general")
    ids = []
    for who, text in ((teacher, "homework: page 12"), (student, "what homework?"), (teacher, "homework is due Friday")):
        who.send(f"SAY {text}")
        ids.append(who.expect(lambda frame, text=text: frame["type"] == "message" and frame["content"] == text)["id"])
    alice = open_window(server, "alice", "general")
    panel = alice.history.search_panel
    alice.history.open_search("from:ms_lee homework")
    assert "from:NAME" in HINT
    panel.submit()
    wait_until(lambda: len(panel.results) == 2, pump=tk_root.update, timeout=WAIT)
    assert [result["id"] for result in panel.results] == [ids[2], ids[0]]
    assert {result["sender"] for result in panel.results} == {"ms_lee"}
    assert NICKNAME_ONLY_NOTE not in str(panel.status.cget("text"))  # ms_lee is online: that person, by any name
    alice.history.open_search("from:bob")
    panel.submit()
    wait_until(lambda: [result["id"] for result in panel.results] == [ids[1]], pump=tk_root.update, timeout=WAIT)
    student.close()  # a guest who has gone: only the nickname is left to match, and the bar says so
    wait_until(lambda: server.registry.find_nick("bob") is None, timeout=WAIT)
    alice.history.open_search("from:bob")
    panel.submit()
    wait_until(lambda: NICKNAME_ONLY_NOTE in str(panel.status.cget("text")), pump=tk_root.update, timeout=WAIT)
    assert [result["id"] for result in panel.results] == [ids[1]]
