"""Links go into the pane as one run of text and one `tag add`, with the same text and tags as piece by piece (real Tk).

Found by a probe: 40 computers each sending 1,990-character messages of
short links ("www.a.io www.b.io ...") at their per-computer budget made a
window with a full pane fall behind, stop reading its socket, be cut off
as a slow reader and replay minutes-old messages.  Each link went to Tk's
insert as a (chars, tags) pair of its own, and Tk's insert costs per pair
with the pane's size (2.9 to 4.7 ms a message on a full pane, measured;
0.6 ms now).  How fast the window keeps up is measured, not asserted here
(docs/benchmarks.md); these tests check the way it is done and that it
changes nothing the user sees.
"""

from __future__ import annotations

import tkinter as tk

from chat_gui.window.message_view import MessageView
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
    insert_parts(at_once, "end-1c", parts)
    assert at_once.get("1.0", "end") == piece_by_piece.get("1.0", "end")
    assert tags_by_character(at_once) == tags_by_character(piece_by_piece)


def test_a_message_of_many_links_is_one_insert_pair_and_one_tag_add(tk_root: tk.Tk) -> None:
    view = MessageView(tk_root)
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
    finally:
        view.text.tk = real
    inserts = [args for args in calls if len(args) > 2 and args[1] == "insert"]
    link_adds = [args for args in calls if args[1:4] == ("tag", "add", "link")]
    assert len(inserts) == 1 and len(inserts[0]) <= 3 + 2 * 6, f"{len(inserts[0])} arguments for 40 links"
    assert len(link_adds) == 1 and len(link_adds[0]) == 4 + 2 * 40, "one tag add covers the 40 links"
    assert view.text.tag_ranges("link") and len(view.text.tag_ranges("link")) == 2 * 40
