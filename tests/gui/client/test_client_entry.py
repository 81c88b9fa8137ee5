"""The entry box with real key events: Enter, Shift+Enter, history, Tab completion, emoji editing."""

from __future__ import annotations

import pytest

from chat_gui.window.entry_box import EntryBox
from tests.gui.client.conftest import map_window
from tests.support import wait_until


@pytest.fixture
def entry(tk_root):
    sent: list[str] = []
    box = EntryBox(tk_root, on_submit=sent.append, nicknames=lambda: ["alice", "Albert", "bob"])
    box.pack(fill="x")
    box.sent = sent
    map_window(tk_root, tk_root)
    box.text.focus_force()
    wait_until(lambda: tk_root.focus_get() == box.text, pump=tk_root.update, message="entry never got focus")
    return box


def press(box: EntryBox, keysym: str) -> None:
    box.text.event_generate(f"<{keysym}>")
    box.update()


def test_enter_sends_and_clears_shift_enter_breaks_the_line(entry):
    entry.text.insert("insert", "first line")
    entry.text.event_generate("<Shift-Return>")
    entry.text.insert("insert", "second line")
    assert entry.get_text() == "first line\nsecond line"
    press(entry, "Return")
    assert entry.sent == ["first line\nsecond line"]
    assert entry.get_text() == ""
    press(entry, "Return")
    assert entry.sent == ["first line\nsecond line"], "an empty line is not sent"


def test_up_and_down_recall_earlier_lines_and_keep_the_draft(entry):
    for line in ("one", "two"):
        entry.text.insert("insert", line)
        press(entry, "Return")
    entry.text.insert("insert", "draft")
    press(entry, "Up")
    assert entry.get_text() == "two"
    press(entry, "Up")
    assert entry.get_text() == "one"
    press(entry, "Down")
    assert entry.get_text() == "two"
    press(entry, "Down")
    assert entry.get_text() == "draft"


def test_tab_completes_nicknames_and_cycles_through_matches(entry):
    entry.text.insert("insert", "bo")
    press(entry, "Tab")
    assert entry.get_text() == "bob: "
    entry.set_text("hi al")
    press(entry, "Tab")
    first = entry.get_text()
    press(entry, "Tab")
    second = entry.get_text()
    assert {first, second} == {"hi alice", "hi Albert"}


def test_cursor_moves_over_an_emoji_and_backspace_deletes_it_whole(entry):
    entry.text.insert("insert", "a😀b")
    press(entry, "Left")  # now between 😀 and b
    press(entry, "BackSpace")
    assert entry.get_text() == "ab"
    entry.set_text("x🎉👍y")
    press(entry, "Left")
    press(entry, "Left")  # between 🎉 and 👍
    entry.text.insert("insert", "-")
    assert entry.get_text() == "x🎉-👍y"
    press(entry, "BackSpace")
    press(entry, "BackSpace")
    assert entry.get_text() == "x👍y"
    press(entry, "Return")
    assert entry.sent == ["x👍y"]


def test_the_box_grows_with_its_lines_up_to_a_limit(entry):
    assert int(entry.text.cget("height")) == 1
    entry.text.insert("insert", "1\n2\n3")
    wait_until(lambda: int(entry.text.cget("height")) == 3, pump=entry.update)
    entry.text.insert("insert", "\n4\n5\n6\n7")
    wait_until(lambda: int(entry.text.cget("height")) == 4, pump=entry.update)
