"""The conversation pane: bounded scrollback, following new lines, clickable links."""

from __future__ import annotations


def test_scrollback_is_bounded(server, open_window, tk_root):
    alice = open_window(server, "alice")
    view = alice.room_view
    view.max_lines = 200
    for number in range(1000):
        view.show_message("12:00:00", "bob", f"line {number}")
    assert view.line_count() <= 200
    assert view.all_text().endswith("line 999\n")


def test_the_pane_follows_new_lines_unless_scrolled_up(server, open_window, tk_root):
    alice = open_window(server, "alice")
    view = alice.room_view
    for number in range(200):
        view.show_message("12:00:00", "bob", f"line {number}")
    tk_root.update()
    assert view.is_following()
    view.text.yview_moveto(0.0)  # the reader scrolls up to read
    tk_root.update()
    view.show_message("12:00:01", "bob", "while reading")
    tk_root.update()
    assert view.text.yview()[0] == 0.0, "a new line does not pull a reader away"
    view.text.yview_moveto(1.0)
    tk_root.update()
    view.show_message("12:00:02", "bob", "back at the bottom")
    tk_root.update()
    assert view.is_following()


def test_clicking_a_link_opens_it_in_the_browser(server, open_window, tk_root, monkeypatch):
    opened: list[str] = []
    monkeypatch.setattr("chat_gui.window.message_view.webbrowser.open", lambda url, new=0: opened.append(url))
    alice = open_window(server, "alice")
    view = alice.room_view
    view.show_message("12:00:00", "bob", "notes at www.example.org/notes, see you")
    tk_root.update()
    start, _end = view.text.tag_ranges("link")[-2:]
    x, y, _width, height = view.text.bbox(f"{start} +2c")
    view.text.event_generate("<Motion>", x=x, y=y + height // 2)  # Tk finds the tag under the pointer on motion
    view.text.event_generate("<ButtonPress-1>", x=x, y=y + height // 2)
    view.text.event_generate("<ButtonRelease-1>", x=x, y=y + height // 2)
    tk_root.update()
    assert opened == ["https://www.example.org/notes"]
