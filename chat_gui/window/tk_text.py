"""Python string offsets as Tk text and entry indices, emoji-safe (Tk thread).

Tcl 8.6 stores text as UTF-16, so an emoji outside the Basic Multilingual
Plane (😄, U+1F604) is two characters to Tk: in "a😄b" Python finds "b" at
offset 2, Tk at column 1.3 and Entry index 3.  Tcl 8.7 and 9 count code
points as Python does.  Which one this Tk does is asked once, from Tcl.

Use the converted offsets as "line.column" Text indices and as Entry
indices.  Never as "1.0+Nc": Tk 8.6.13 steps over an emoji as one character
there, older 8.6 releases as two.  Safest of all, and what split_ranges is
for: insert a styled line piece by piece with its tags, so no index is
computed at all.

shown_name(widget, name): a name in display order for this Tk (right-to-left
names on X11, chat_gui/text/bidi_display.py, Arabic letters joined,
chat_gui/text/arabic_shaping.py).
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk

from chat_gui.text.arabic_shaping import joined
from chat_gui.text.bidi_display import visual_line

_ASTRAL_PROBE = "\U0001f604"
_units_cache: dict[str, int] = {}
_x11_cache: dict[str, bool] = {}


def shown_name(widget: tk.Misc, name: str) -> str:
    """A name as it is to be drawn: right-to-left names in display order on X11, where Tk draws every
    character left to right as stored (chat_gui/text/bidi_display.py); as it is elsewhere."""
    return shown_text(widget, name)


def shown_notice(widget: tk.Misc, line: str) -> str:
    """One of the window's own lines, which may name people ("דנה joined #general"): read left to right,
    with the right-to-left names in it in display order on X11."""
    return visual_line(joined(line), base=0) if _is_x11(widget) else line


def shown_text(widget: tk.Misc, line: str) -> str:
    """A short line someone wrote, shown on one line (a search result, a quoted topic or reason): in display
    order in its own direction, Arabic letters joined, on X11.  Longer text: message_view.py breaks it in rows."""
    return visual_line(joined(line)) if _is_x11(widget) else line


def shows_rtl_itself(widget: tk.Misc) -> bool:
    """False on X11, where Tk draws every character left to right in stored order; True on Windows and macOS."""
    return not _is_x11(widget)


def _is_x11(widget: tk.Misc) -> bool:
    interpreter = str(widget.tk)
    if interpreter not in _x11_cache:
        _x11_cache[interpreter] = str(widget.tk.call("tk", "windowingsystem")) == "x11"
    return _x11_cache[interpreter]


def astral_width(widget: tk.Misc) -> int:
    """How many characters this Tk counts for one character outside the BMP: 2 on Tk 8.6, 1 on 8.7 and 9."""
    interpreter = str(widget.tk)
    if interpreter not in _units_cache:
        _units_cache[interpreter] = int(widget.tk.call("string", "length", _ASTRAL_PROBE))
    return _units_cache[interpreter]


def tk_length(text: str, width: int) -> int:
    """The length of `text` as Tk counts it, with `width` from astral_width()."""
    if width == 1 or text.isascii():
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def tk_offset(text: str, offset: int, width: int) -> int:
    """The Tk character offset of Python offset `offset` in `text`."""
    return tk_length(text[:offset], width)


def python_offset(text: str, tk_offset_: int, width: int) -> int:
    """The Python offset of Tk character offset `tk_offset_` in `text` (inside a surrogate pair: the emoji's start)."""
    if width == 1:
        return min(tk_offset_, len(text))
    counted = 0
    for index, ch in enumerate(text):
        step = 2 if ord(ch) > 0xFFFF else 1
        if counted + step > tk_offset_:
            return index
        counted += step
    return len(text)


def lines_on_screen(text: tk.Text) -> tuple[int, int] | None:
    """The first and last line numbers a text widget shows now, or None when it is going away."""
    try:
        first = int(text.index("@0,0").split(".")[0])
        last = int(text.index(f"@0,{max(text.winfo_height(), 1)}").split(".")[0])
    except tk.TclError:
        return None
    return first, last


def split_ranges(text: str, ranges: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """`text` cut into pieces, each marked whether it lies in one of `ranges` (sorted, not overlapping).

    Insert the pieces in order, with a tag on the marked ones, and the tag
    covers exactly the range on every Tk.
    """
    pieces: list[tuple[str, bool]] = []
    position = 0
    for start, end in ranges:
        if start > position:
            pieces.append((text[position:start], False))
        if end > start:
            pieces.append((text[start:end], True))
        position = max(position, end)
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces


def entry_cursor(entry: tk.Entry | ttk.Entry) -> int:
    """The Python offset of the entry's insertion cursor in entry.get()."""
    return python_offset(entry.get(), entry.index("insert"), astral_width(entry))


def tk_ranges(text: str, ranges: list[tuple[int, int]], width: int) -> list[tuple[int, int]]:
    """Python (start, end) ranges in `text` as Tk character ranges, e.g. for Text.tag_add("mention", ...)."""
    return [(tk_offset(text, start, width), tk_offset(text, end, width)) for start, end in ranges]


def insert_parts(
    text: tk.Text,
    index: str,
    parts: list[tuple[str, tuple[str, ...]]],
    ranged: frozenset[str] = frozenset(),
    spanned: frozenset[str] = frozenset(),
) -> None:
    """Insert (chars, tags) pieces at `index`; the tags in `ranged` and `spanned` are added afterwards.

    Tk's insert clears and sets the tags of every (chars, tags) pair it is
    given, at a cost that grows with the pane: a 400-character message of 44
    short links was 90 pairs and took 2.7 ms to insert into a full pane, 27
    times a plain line, and a flood of such messages outran the window (found
    by a probe).  Pieces whose other tags are the same go in as one pair.
    Each `ranged` tag covers its pieces exactly, by one `tag add`; each
    `spanned` tag covers one stretch, from the start of its first piece to
    the end of its last (what lies between included), so that it changes
    only twice in the line however many pieces carry it.  Indices are
    "line.column" in Tk's units.
    """
    width = astral_width(text)
    line, column = (int(number) for number in text.index(index).split("."))
    args: list[object] = []
    ranges: dict[str, list[str]] = {}
    stretches: dict[str, list[str]] = {}
    separate = ranged | spanned
    last: tuple[str, ...] | None = None
    for chunk, tags in parts:
        start = f"{line}.{column}"
        newlines = chunk.count("\n")
        if newlines:
            line += newlines
            column = tk_length(chunk[chunk.rfind("\n") + 1 :], width)
        else:
            column += tk_length(chunk, width)
        kept = tags
        if not separate.isdisjoint(tags):
            kept = tuple(tag for tag in tags if tag not in separate)
            for tag in ranged.intersection(tags):
                ranges.setdefault(tag, []).extend((start, f"{line}.{column}"))
            for tag in spanned.intersection(tags):
                stretches.setdefault(tag, [start, ""])[1] = f"{line}.{column}"
        if kept == last:
            args[-2] = f"{args[-2]}{chunk}"
        else:
            args += [chunk, kept]
            last = kept
    if args:
        text.insert(index, *args)  # type: ignore[arg-type]  # Tk takes (chars, tags) pairs
    for tag, spans in (*ranges.items(), *stretches.items()):
        text.tag_add(tag, *spans)
