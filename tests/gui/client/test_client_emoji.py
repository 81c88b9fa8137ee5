"""Emoji in the entry box (issue 16): shortcodes completed with Tab and replaced on send, the right characters, a round trip."""

from __future__ import annotations

import pytest

from chat_gui.window.entry_box import EntryBox
from tests.gui.client.conftest import WAIT, map_window
from tests.gui.scaled_tk import set_display_scaling
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


def test_tab_completes_a_shortcode_to_its_emoji_and_cycles(entry):
    entry.text.insert("insert", "hello :smi")
    press(entry, "Tab")
    assert entry.get_text() == "hello \U0001f604"  # :smile:
    press(entry, "Tab")
    assert entry.get_text() == "hello \U0001f60f"  # :smirk:, the next match
    entry.text.insert("insert", " and :+1")
    press(entry, "Tab")
    assert entry.get_text() == "hello \U0001f60f and \U0001f44d"


def test_completion_lands_in_the_right_place_after_emoji_earlier_in_the_line(entry):
    """Tk 8.6 counts an emoji as two characters: the word before the cursor must still be the one replaced."""
    entry.text.insert("insert", "\U0001f600\U0001f600 hi :thumbsu")
    press(entry, "Tab")
    assert entry.get_text() == "\U0001f600\U0001f600 hi \U0001f44d"
    entry.text.insert("insert", " al")
    press(entry, "Tab")
    assert entry.get_text() == "\U0001f600\U0001f600 hi \U0001f44d Albert"  # sorted ignoring case


def test_an_unknown_code_rings_and_changes_nothing(entry):
    entry.text.insert("insert", "see :qqqqzz")
    press(entry, "Tab")
    assert entry.get_text() == "see :qqqqzz"


def test_shortcodes_are_replaced_on_send_but_times_and_unknown_codes_are_kept(entry):
    entry.text.insert("insert", ":smile: at 10:30:45, :cat: and :nosuchcode: and ratio 1:100:2")
    press(entry, "Return")
    assert entry.sent == ["\U0001f604 at 10:30:45, \U0001f431 and :nosuchcode: and ratio 1:100:2"]


def test_the_picker_inserts_at_the_cursor_replacing_a_selection(entry):
    entry.text.insert("insert", "one two")
    entry.text.tag_add("sel", "1.4", "1.7")
    entry.insert_text("\u2764\ufe0f")
    assert entry.get_text() == "one \u2764\ufe0f"
    entry.text.mark_set("insert", "1.0")
    entry.insert_text("\U0001f44b")
    assert entry.get_text() == "\U0001f44bone \u2764\ufe0f"


def test_emoji_round_trip_through_the_server_unchanged(server, open_window, make_client, tk_root):
    window = open_window(server, "alice", "general")
    bob = make_client(server, "bob", "general")
    family, flag, keycap = "\U0001f469\u200d\U0001f469\u200d\U0001f467", "\U0001f1eb\U0001f1f7", "1\ufe0f\u20e3"
    window.window.entry.text.insert("insert", f":wave: {family} {flag} {keycap} \u2764\ufe0f")
    window.window.entry.submit()
    expected = f"\U0001f44b {family} {flag} {keycap} \u2764\ufe0f"
    said = bob.wait_for(lambda frame: frame.get("type") == "message", timeout=WAIT)
    assert said["content"] == expected
    bob.send_command(f"SAY back at you {expected}")
    wait_until(lambda: f"back at you {expected}" in window.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert f"alice  {expected}" in window.room_view.all_text()


def test_ctrl_e_opens_the_picker_from_the_entry_box_and_the_pick_goes_where_the_cursor_was(open_window, tk_root):
    """The picker has a key of its own (Ctrl+E, as in Discord) and a Chat menu entry; the Text class's Ctrl+E
    (to the end of the line) must not move the cursor first."""
    controller = open_window()
    window = controller.window
    window.entry.set_text("one two")
    window.entry.text.mark_set("insert", "1.4")
    window.entry.text.focus_force()
    wait_until(lambda: tk_root.focus_get() == window.entry.text, pump=tk_root.update, message="entry never got focus")
    window.entry.text.event_generate("<Control-e>")
    tk_root.update()
    picker = controller.look.picker
    assert picker is not None and picker.winfo_exists(), "Ctrl+E opened no picker"
    wait_until(lambda: tk_root.focus_get() == picker.search_entry, pump=tk_root.update, message="search box unfocused")
    picker.search("pizza")
    tk_root.update()
    picker.search_entry.event_generate("<Return>")
    tk_root.update()
    assert window.entry.get_text() == "one \U0001f355two"
    menu = window.chat_menu
    labels = {
        menu.entrycget(index, "label"): index for index in range(menu.index("end") + 1) if menu.type(index) == "command"
    }
    assert menu.entrycget(labels["Emoji…"], "accelerator") == "Ctrl+E"


def text_height_and_room(box) -> tuple[int, int]:
    """(pixels the box's text needs, pixels the box shows it in)."""
    text = box.text
    counted = text.count("1.0", "end", "update", "ypixels")
    needed = int(counted[0] if isinstance(counted, tuple) else counted or 0)
    inside = 2 * sum(int(text.cget(option)) for option in ("pady", "borderwidth", "highlightthickness"))
    return needed, text.winfo_height() - inside


@pytest.mark.parametrize("percent", [100, 150])
def test_a_line_with_an_emoji_is_shown_whole_in_the_entry_box(open_window, tk_root, percent):
    """The screens probe of the tenth review: an emoji's font makes its line taller than the box's one line,
    and the box showed only the top of it: "typing 👍" with the words cut in half, at every scaling."""
    set_display_scaling(tk_root, percent)
    window = open_window().window
    box = window.entry
    wait_until(
        lambda: box.text.winfo_width() > 50, pump=tk_root.update, timeout=WAIT, message="the box was never laid out"
    )
    box.set_text("plain")
    wait_until(lambda: box.text.winfo_height() >= box.text.winfo_reqheight(), pump=tk_root.update, timeout=WAIT)
    plain, _room = text_height_and_room(box)
    for line in [
        "typing \U0001f44d",
        "\U0001f1ef\U0001f1f5 \U0001f468\u200d\U0001f469\u200d\U0001f467",
    ]:
        box.set_text(line)
        wait_until(lambda: box.text.winfo_height() >= box.text.winfo_reqheight(), pump=tk_root.update, timeout=WAIT)
        needed, room = text_height_and_room(box)
        if needed <= plain:
            pytest.skip(f"no emoji font taller than the text font here ({needed} px, plain {plain} px)")
        assert needed <= room, f"{line!r} needs {needed} px, the box shows {room}"
    box.set_text("plain")
    wait_until(lambda: box.text.winfo_height() >= box.text.winfo_reqheight(), pump=tk_root.update, timeout=WAIT)
    assert int(box.text.cget("height")) == 1, "without emoji the box is one line again"


@pytest.mark.parametrize("percent", [150, 200])
def test_the_picker_fits_on_a_small_screen_above_the_entry_box(open_window, tk_root, percent):
    """The screens probe of the tenth review: on a 1024x600 screen at 200% the picker was 604 px tall, its
    name line off the bottom of the screen, and at 150% it covered the box where the emoji goes."""
    set_display_scaling(tk_root, percent)
    controller = open_window()
    box = controller.window.entry.text
    wait_until(lambda: box.winfo_height() >= box.winfo_reqheight(), pump=tk_root.update, timeout=WAIT)
    picker = controller.look.open_picker()
    wait_until(lambda: picker.winfo_ismapped() and picker.winfo_height() > 1, pump=tk_root.update, timeout=WAIT)
    tk_root.update()
    screen_height = picker.winfo_screenheight()
    bottom = picker.winfo_rooty() + picker.winfo_height()
    assert picker.winfo_rooty() >= 0 and bottom <= screen_height, f"the picker ends at {bottom} of {screen_height}"
    assert picker.winfo_rootx() >= 0 and picker.winfo_rootx() + picker.winfo_width() <= picker.winfo_screenwidth()
    assert bottom <= box.winfo_rooty(), f"the picker (to {bottom}) covers the entry box (from {box.winfo_rooty()})"
    grid = picker.visible_grid
    assert grid.canvas.winfo_height() >= 3 * grid.cell, "at least three rows of emoji still show"
    assert picker.status.winfo_rooty() + picker.status.winfo_height() <= bottom, "the name line is in the picker"
