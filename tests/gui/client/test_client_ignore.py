"""/ignore in the chat window: an ignored classmate's private messages never come, and his room messages that name
her are plain lines, not counted or notified as mentions, under his new name too.  Real server, real Tk under Xvfb."""

from __future__ import annotations

from chat_gui.window.notify import Notifier
from tests.gui.client.conftest import WAIT
from tests.support import wait_until


def test_an_ignored_classmate_neither_writes_privately_nor_alerts_by_naming_her(server, open_window, wire, tk_root):
    alice = open_window(server, "alice", "general")
    rung: list[bool] = []
    alice.mention_alerts._notifier = Notifier(lambda: rung.append(True), backend=None)  # no desktop here: the bell
    bob, cy = wire(server, "bob", "general"), wire(server, "cy", "general")
    view = alice.room_view
    assert alice.send_typed("/ignore bob")
    wait_until(lambda: "You ignore: bob." in view.all_text(), pump=tk_root.update, timeout=WAIT)
    alice.set_focused(False)
    bob.send("PM alice only you can read this")
    assert bob.expect("error")["code"] == "ignored"
    bob.send("SAY @alice @alice @alice")
    bob.send("NICK bobby")
    bob.send("SAY alice, new name, same me")
    cy.send("SAY alice, the homework is on page 12")
    wait_until(lambda: "page 12" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    text = view.all_text()
    assert "@alice @alice @alice" in text and "new name, same me" in text, "room messages still show"
    assert "only you can read this" not in text
    for words in ("@alice @alice", "new name, same me"):
        assert "mention" not in view.text.tag_names(view.text.search(words, "1.0", elide=True)), words
    assert "mention" in view.text.tag_names(view.text.search("the homework", "1.0", elide=True))
    assert alice.counts.mentions == 1 and rung == [True], "only cy's mention alerts"
    # bob's two lines are folded: nothing to read, so not counted (the fifteenth review); cy's is
    assert alice.root.title().startswith("(1, @1) "), alice.root.title()
    # undone: bob's mentions alert again
    assert alice.send_typed("/unignore bobby")
    wait_until(lambda: "You no longer ignore bob." in view.all_text(), pump=tk_root.update, timeout=WAIT)
    bob.send("SAY alice?")
    wait_until(lambda: alice.counts.mentions == 2, pump=tk_root.update, timeout=WAIT)
