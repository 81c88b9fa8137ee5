"""Links go into the pane as one run of text, and are styled only once on screen (real Tk).

Found by a probe: 40 computers each sending 1,990-character messages of
short links ("www.a.io www.b.io ...") at their per-computer budget made a
window with a full pane fall behind, stop reading its socket, be cut off
as a slow reader and replay minutes-old messages.  First each link went to
Tk's insert as a (chars, tags) pair of its own; then, with one pair and
one `tag add`, Tk's layout and drawing of 44 styled links a message was
still too slow.  Now a message's links wait under one invisible tag and
the pane's LinkPainter styles those on screen.  How fast the window keeps
up is measured, not asserted here (docs/benchmarks.md); these tests check
the way it is done and that every link the user can see is a link.
"""

from __future__ import annotations

import time
import tkinter as tk

from chat_gui.window.link_painter import PENDING, LinkPainter
from chat_gui.window.message_view import LINK, MessageView
from chat_gui.window.tk_text import insert_parts

LINKS = " ".join(f"www.{letter}.io" for letter in "abcdefghij" * 4)


def tags_by_character(text: tk.Text) -> list[tuple[str, tuple[str, ...]]]:
    content = text.get("1.0", "end-1c")
    out = []
    line, column = 1, 0
    for char in content:
        out.append((char, tuple(sorted(str(tag) for tag in text.tag_names(f"{line}.{column}")))))
        line, column = (line + 1, 0) if char == "\n" else (line, column + 1)
    return out


def test_insert_parts_gives_the_same_text_and_tags_as_one_pair_per_piece(tk_root: tk.Tk) -> None:
    parts = [
        ("12:00  ", ("time",)),
        ("see ", ("body",)),
        ("www.a.io", ("body", "link")),
        (" and ", ("body",)),
        ("www.b.io", ("body", "link")),
        ("\nnext line 😀 ", ("body", "under")),
        ("https://c.io/x", ("body", "under", "link")),
        ("\n", ("line",)),
    ]
    piece_by_piece, at_once = tk.Text(tk_root), tk.Text(tk_root)
    for text in (piece_by_piece, at_once):
        text.insert("end-1c", "an earlier line\n")
    args: list[object] = []
    for chunk, tags in parts:
        args += [chunk, tags]
    piece_by_piece.insert("end-1c", *args)  # type: ignore[arg-type]
    insert_parts(at_once, "end-1c", parts, ranged=frozenset(["link"]))
    assert at_once.get("1.0", "end") == piece_by_piece.get("1.0", "end")
    assert tags_by_character(at_once) == tags_by_character(piece_by_piece)


def test_a_spanned_tag_covers_one_stretch_from_its_first_piece_to_its_last(tk_root: tk.Tk) -> None:
    text = tk.Text(tk_root)
    text.insert("end-1c", "an earlier line\n")
    parts = [
        ("12:00  ", ("time",)),
        ("😀 ", ("body",)),
        ("www.a.io", ("body", "wait")),
        (" and ", ("body",)),
        ("www.b.io", ("body", "wait")),
        (" end", ("body",)),
    ]
    insert_parts(text, "end-1c", parts, spanned=frozenset(["wait"]))
    start, end = (str(index) for index in text.tag_ranges("wait"))
    assert text.get(start, end) == "www.a.io and www.b.io"
    assert len(text.tag_ranges("body")) == 2, "the pieces between went in as one run"


def shown_view(tk_root: tk.Tk, height: int = 20) -> MessageView:
    top = tk.Toplevel(tk_root)
    view = MessageView(top)
    view.text.configure(height=height)
    view.pack(fill="both", expand=True)
    deadline = time.monotonic() + 10
    while not view.text.winfo_ismapped() and time.monotonic() < deadline:
        tk_root.update()
    tk_root.update()
    return view


def linked(view: MessageView) -> list[str]:
    ranges = view.text.tag_ranges("link")
    return [view.text.get(ranges[i], ranges[i + 1]) for i in range(0, len(ranges), 2)]


def test_a_message_of_many_links_goes_in_with_two_tag_changes_and_is_painted_by_one_tag_add(tk_root: tk.Tk) -> None:
    view = shown_view(tk_root)
    calls: list[tuple[object, ...]] = []
    real = view.text.tk

    class Recorder:  # what the pane asks of Tk (tkinter passes a command as one tuple)
        def call(self, *args: object) -> object:
            calls.append(args[0] if len(args) == 1 and isinstance(args[0], tuple) else args)
            return real.call(*args)

        def __getattr__(self, name: str) -> object:
            return getattr(real, name)

    view.text.tk = Recorder()  # type: ignore[assignment]
    try:
        view.show_message("12:00:00", "mallory", LINKS)
        shown = list(calls)
        view.paint_links()
        painted = calls[len(shown) :]
    finally:
        view.text.tk = real
    inserts = [args for args in shown if len(args) > 2 and args[1] == "insert"]
    assert len(inserts) == 1 and len(inserts[0]) <= 3 + 2 * 6, f"{len(inserts[0])} arguments for 40 links"
    assert not [args for args in shown if args[1:4] == ("tag", "add", "link")], "no link styled while inserting"
    assert [len(args) for args in shown if args[1:4] == ("tag", "add", PENDING)] == [6], "one stretch waits"
    link_adds = [args for args in painted if args[1:4] == ("tag", "add", "link")]
    assert len(link_adds) == 1 and len(link_adds[0]) == 4 + 2 * 40, "one tag add covers the 40 links"
    assert linked(view) == LINKS.split()
    assert not view.text.tag_ranges(PENDING)
    view.winfo_toplevel().destroy()


def test_the_painted_links_are_the_links_of_the_text_and_never_the_nickname(tk_root: tk.Tk) -> None:
    view = shown_view(tk_root)
    body = "😀 see www.a.io/x, then https://b.io/😀y and (www.c.io).\nline two: http://d.io/z?q=1 ok"
    view.show_message("12:00:00", "www.nick.io", body)
    view.show_message("12:00:01", "bob", "no links here at all")
    view.paint_links()
    expected = [match.group() for line in body.split("\n") for match in LINK.finditer(line)]
    assert linked(view) == expected == ["www.a.io/x", "https://b.io/😀y", "www.c.io", "http://d.io/z?q=1"]
    view.winfo_toplevel().destroy()


def test_links_off_screen_wait_until_they_are_scrolled_into_view(tk_root: tk.Tk) -> None:
    view = shown_view(tk_root, height=5)
    for number in range(60):
        view.show_message("12:00:00", "mallory", f"message {number} www.m{number}.io")
    tk_root.update()
    view.paint_links()
    assert "www.m59.io" in linked(view) and "www.m0.io" not in linked(view)
    assert view.text.tag_ranges(PENDING), "the messages scrolled past still wait"
    view.text.see("1.0")
    tk_root.update()
    view.paint_links()
    assert "www.m0.io" in linked(view)


def test_a_long_message_that_began_above_the_screen_is_painted_where_it_shows(tk_root: tk.Tk, monkeypatch) -> None:
    monkeypatch.setattr(LinkPainter, "schedule", lambda self: None)  # paint only when the test says
    view = shown_view(tk_root, height=3)
    lines = [f"line {number} www.l{number}.io" for number in range(7)]
    view.show_message("12:00:00", "mallory", "\n".join(lines))
    view.show_message("12:00:01", "bob", "after")
    tk_root.update()
    start = view.text.search("line 4", "1.0")
    view.text.yview(f"{start} linestart")  # line 4 at the top: the message's start is above the screen
    tk_root.update()
    assert view.text.compare("@0,0", ">", view.text.search("line 0", "1.0"))
    assert linked(view) == []
    view.paint_links()
    assert linked(view) == [f"www.l{number}.io" for number in range(7)], "the whole message, found from its middle"


def test_the_painter_waits_a_tenth_of_a_second_between_paints_and_stops_with_the_pane(tk_root: tk.Tk) -> None:
    view = shown_view(tk_root)
    view.paint_links()
    view.show_message("12:00:00", "mallory", "first www.a.io")
    tk_root.update_idletasks()
    assert "www.a.io" not in linked(view), "a paint a moment ago: the next one waits"
    deadline = time.monotonic() + 5
    while "www.a.io" not in linked(view) and time.monotonic() < deadline:
        tk_root.update()
    assert "www.a.io" in linked(view)
    view.show_message("12:00:01", "mallory", "second www.b.io")
    view.winfo_toplevel().destroy()  # a paint still due must not run into a dead pane
    deadline = time.monotonic() + 0.3
    while time.monotonic() < deadline:
        tk_root.update()
