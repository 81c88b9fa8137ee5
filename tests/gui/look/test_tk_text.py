"""Python offsets as Tk indices in a real Text and Entry: emoji before a highlighted mention stay aligned."""

from __future__ import annotations

import tkinter as tk

from chat_gui.text.mentions import mention_ranges
from chat_gui.window.tk_text import (
    astral_width,
    entry_cursor,
    python_offset,
    split_ranges,
    tk_length,
    tk_offset,
    tk_ranges,
)


def test_the_astral_width_matches_what_this_tk_counts(tk_root):
    text = tk.Text(tk_root)
    text.insert("1.0", "a😄b")
    width = astral_width(tk_root)
    assert width in (1, 2)
    assert text.count("1.0", "end-1c", "chars")[0] == tk_length("a😄b", width) == 2 + width


def test_a_mention_after_emoji_is_tagged_on_the_nick_itself(tk_root):
    line = "😄🎉 👍 hello Ann, and 🐈 ANN!"
    text = tk.Text(tk_root)
    text.insert("1.0", line)
    width = astral_width(tk_root)
    tagged = []
    for start, end in tk_ranges(line, mention_ranges(line, "ann"), width):
        text.tag_add("mention", f"1.{start}", f"1.{end}")
        tagged.append(text.get(f"1.{start}", f"1.{end}"))
    assert tagged == ["Ann", "ANN"]
    assert tagged_pieces(text, "mention") == ["Ann", "ANN"]


def test_a_line_inserted_in_pieces_tags_exactly_the_mentions(tk_root):
    line = "🐈🐈🐈 ann? 😄 Ann ann_b ann"
    text = tk.Text(tk_root)
    text.insert("end", "earlier line 🎉\n")
    for piece, marked in split_ranges(line, mention_ranges(line, "ann")):
        text.insert("end", piece, ("mention",) if marked else ())
    assert text.get("2.0", "2.end") == line
    assert tagged_pieces(text, "mention") == ["ann", "Ann", "ann"]


def tagged_pieces(text: tk.Text, tag: str) -> list[str]:
    ranges = text.tag_ranges(tag)
    return [text.get(ranges[i], ranges[i + 1]) for i in range(0, len(ranges), 2)]


def test_an_entry_cursor_maps_back_to_the_python_offset(tk_root):
    line = "🙂🙂 :smi"
    entry = tk.Entry(tk_root)
    entry.insert(0, line)
    entry.icursor("end")
    width = astral_width(tk_root)
    cursor = entry.index("insert")
    assert entry_cursor(entry) == len(line)
    entry.icursor(tk_offset(line, 2, width))
    assert entry_cursor(entry) == 2 and line[:2] == "🙂🙂"
    entry.icursor("end")
    assert python_offset(line, cursor, width) == len(line)
    assert tk_offset(line, len(line), width) == cursor
    assert line[: python_offset(line, cursor, width)].rsplit(" ", 1)[-1] == ":smi"


def test_split_ranges_covers_the_text_once():
    assert split_ranges("abc", []) == [("abc", False)]
    assert split_ranges("abc", [(0, 3)]) == [("abc", True)]
    assert split_ranges("a😄bc", [(1, 2), (3, 4)]) == [("a", False), ("😄", True), ("b", False), ("c", True)]
    assert split_ranges("", []) == []


def test_offsets_inside_a_pair_and_past_the_end():
    line = "a😄b"
    assert python_offset(line, 0, 2) == 0
    assert python_offset(line, 1, 2) == 1
    assert python_offset(line, 2, 2) == 1  # inside the emoji: its start
    assert python_offset(line, 3, 2) == 2
    assert python_offset(line, 99, 2) == 3
    assert python_offset(line, 99, 1) == 3
    assert tk_offset(line, 3, 2) == 4 and tk_offset(line, 3, 1) == 3
