"""The conversation pane: bounded scrollback, following new lines, clickable links."""

from __future__ import annotations

from tests.support import wait_until


def window_following_200_lines(server, open_window, tk_root, words: int = 0):
    """alice's window, its room pane showing 200 lines from bob (each with `words` more words) and following."""
    alice = open_window(server, "alice")
    view = alice.room_view
    for number in range(200):
        view.show_message("12:00:00", "bob", f"line {number}" + (" " + "word " * words if words else ""))
    tk_root.update()
    assert view.is_following()
    return alice, view


def test_scrollback_is_bounded(server, open_window, tk_root):
    alice = open_window(server, "alice")
    view = alice.room_view
    view.max_lines = 200
    for number in range(1000):
        view.show_message("12:00:00", "bob", f"line {number}")
    assert view.line_count() <= 200
    assert view.all_text().endswith("line 999\n")


def test_the_pane_follows_new_lines_unless_scrolled_up(server, open_window, tk_root):
    alice, view = window_following_200_lines(server, open_window, tk_root)
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
    view.paint_links()  # the painter's turn may be a tenth of a second away
    start, _end = view.text.tag_ranges("link")[-2:]
    x, y, _width, height = view.text.bbox(f"{start} +2c")
    view.text.event_generate("<Motion>", x=x, y=y + height // 2)  # Tk finds the tag under the pointer on motion
    view.text.event_generate("<ButtonPress-1>", x=x, y=y + height // 2)
    view.text.event_generate("<ButtonRelease-1>", x=x, y=y + height // 2)
    tk_root.update()
    assert opened == ["https://www.example.org/notes"]


def test_a_teachers_line_is_marked_teacher_and_a_look_alike_name_is_not(server, open_window, tk_root, wire):
    """The mark comes from the frame's `role`, which the server sets for a teacher's account: a student who
    calls herself Ms-Lee (or types "teacher" after her name) gets no mark."""
    from shared.names import name_key
    from tests.integration.identity_support import teacher

    alice = open_window(server, "alice")
    lee = teacher(server, wire, "Ms_Lee", room="general")
    fake = wire(server, "Ms-Lee", "general")
    lee.send("SAY homework is page 12")
    fake.send("SAY teacher: homework is cancelled")
    lee.send("PM alice see me after class")
    view = alice.room_view
    wait_until(lambda: "homework is cancelled" in view.all_text(), pump=tk_root.update, timeout=10)
    badges = view.text.tag_ranges("badge")
    marked = [view.text.get(badges[i], badges[i + 1]) for i in range(0, len(badges), 2)]
    assert marked == [" teacher"]
    lines = view.all_text().splitlines()
    assert any("Ms_Lee teacher  homework is page 12" in line for line in lines), lines
    assert any("Ms-Lee  teacher: homework is cancelled" in line for line in lines), lines
    tabs = alice.window.tabs
    wait_until(lambda: name_key("Ms_Lee") in tabs.private, pump=tk_root.update, timeout=10)
    private = tabs.private[name_key("Ms_Lee")].view
    wait_until(lambda: "see me after class" in private.all_text(), pump=tk_root.update, timeout=10)
    assert "Ms_Lee teacher  see me after class" in private.all_text()


def test_the_pane_keeps_no_colour_tag_for_names_scrolled_out(server, open_window, tk_root):
    """Each nickname's colour is a Tk tag; a lesson of renames and comers and goers (3,000 distinct names
    here) left one tag per name ever seen in every pane it spoke in, so each pane's tag table, and the time
    to show a message from a new name, grew with the lesson (0.4 ms a message at 5,000 names, 2.5 at 40,000)."""
    alice = open_window(server, "alice")
    view = alice.room_view
    view.max_lines = 200
    for number in range(3000):
        view.show_message("12:00:00", f"guest{number}", f"line {number}")
    tk_root.update()
    nick_tags = [tag for tag in view.text.tag_names() if tag.startswith("nick-") and tag != "nick-own"]
    assert len(nick_tags) <= 2 * 200 + 512, f"{len(nick_tags)} nickname tags for 200 lines"
    # the names still shown keep their colour, and a name that was swept comes back with its colour
    last = view.text.tag_names("end-2l linestart +10c")
    assert any(tag.startswith("nick-") and view.text.tag_cget(tag, "foreground") for tag in last)
    view.show_message("12:00:01", "guest5", "back again")
    tk_root.update()
    again = next(tag for tag in view.text.tag_names("end-2l linestart +10c") if tag.startswith("nick-"))
    assert view.text.tag_cget(again, "foreground")


def test_the_pane_keeps_following_when_a_long_paste_makes_the_entry_box_taller(server, open_window, tk_root):
    """A probe pasted 5,000 characters: the entry box grew to four lines, the pane got shorter, and it
    stopped following for good: new lines (and the "Nothing was sent" notice) went on below, out of sight."""
    alice, view = window_following_200_lines(server, open_window, tk_root)
    height = view.text.winfo_height()
    box = alice.window.entry.text
    box.focus_force()
    tk_root.clipboard_clear()
    tk_root.clipboard_append("abcdefghij " * 500)
    box.event_generate("<<Paste>>")
    wait_until(lambda: view.text.winfo_height() < height, pump=tk_root.update, message="the entry box never grew")
    view.show_message("12:00:01", "bob", "after the paste")
    tk_root.update()
    tk_root.update()
    assert view.is_following(), "the newest line is in sight"
    assert view.text.bbox("end-2c linestart") is not None


def test_the_pane_keeps_following_when_the_window_is_made_small(server, open_window, tk_root):
    alice, view = window_following_200_lines(server, open_window, tk_root, words=20)
    width = view.text.winfo_width()
    tk_root.geometry("640x480")
    wait_until(lambda: view.text.winfo_width() < width, pump=tk_root.update, message="the window never got smaller")
    view.show_message("12:00:01", "bob", "after the resize")
    tk_root.update()
    tk_root.update()
    assert view.is_following(), "the newest line is in sight"
