"""Hebrew and Arabic names read right to left in the people list, the rooms list, the tabs and the conversation
(found by the thirteenth review's look probe: Tk 8.6 on X11 drew every right-to-left name back to front, so
דנה read as הנד).  Real server, Tk under Xvfb."""

from __future__ import annotations

from chat_gui.window.controller import ChatController
from tests.gui.client.conftest import WAIT
from tests.support import wait_until


def x_of(controller: ChatController, char: str, after: str) -> int:
    """Where Tk draws the first `char` after the text `after` in the room's pane."""
    text = controller.room_view.text
    index = text.search(char, text.search(after, "1.0"))
    text.see(index)
    controller.root.update()
    box = text.bbox(index)
    assert box, f"{char!r} not on screen"
    return int(box[0])


def test_a_hebrew_and_an_arabic_name_read_right_to_left_everywhere_they_are_shown(server, open_window, wire, tk_root):
    alice = open_window(server, "alice", "general")
    dana = wire(server, "דנה", "general")
    wire(server, "محمد_2", "general")
    dana.send("MSG hello everyone")
    wait_until(lambda: "hello everyone" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    users = alice.window.users
    users.draw_now()
    rows = [users.listbox.get(index) for index in range(users.listbox.size())]
    assert "הנד" in rows and "2_ﺪﻤﺤﻣ" in rows, rows  # stored in display order: ד is drawn rightmost, Arabic joined
    assert users._nick_at(rows.index("הנד")) == "דנה", "the row still stands for the name as it is"
    # in the pane the name's first letter, ד, is drawn to the right of its last, ה
    line = alice.room_view.all_text().split("\n")[-2]
    assert "הנד  hello everyone" in line, line
    assert x_of(alice, "ד", "הנד  hello") > x_of(alice, "ה", "הנד  hello")
    # the window's own notices name her the same way, in an English sentence still read left to right
    joined = [line for line in alice.room_view.all_text().split("\n") if "joined" in line and "הנד" in line]
    assert joined and all(line.index("הנד") < line.index("joined") for line in joined), joined
    # "דנה is typing…" and the away tooltip
    dana.send("TYPING")
    wait_until(
        lambda: str(alice.window.typing_line.cget("text")) == "הנד is typing…", pump=tk_root.update, timeout=WAIT
    )
    dana.send("AWAY lunch")
    wait_until(lambda: users.dots.away_text("דנה") == "lunch", pump=tk_root.update, timeout=WAIT)
    users.dots.show_tooltip("דנה", 10, 10)
    tk_root.update()
    assert users.dots.tooltip.text == 'הנד is away: "lunch"', users.dots.tooltip.text
    # a private tab and its row in the rooms list
    alice.open_private("דנה")
    tk_root.update()
    tabs = alice.window.tabs
    wait_until(lambda: tabs.overflow.fit() or True, pump=tk_root.update, timeout=WAIT)
    titles = [str(tabs.tab(tab, "text")) for tab in tabs.tabs()]
    assert "✉ הנד" in titles, titles
    alice.window.rooms.set_rooms(alice.window.rooms.rooms, alice.window.rooms.current)
    rooms = [alice.window.rooms.listbox.get(index) for index in range(alice.window.rooms.listbox.size())]
    assert any("✉ הנד" in row for row in rooms), rooms
    # English names and text are left as they are
    assert "alice (you)" in rows
