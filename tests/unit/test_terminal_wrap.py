"""chat-term's line wrapping (chat_gui/terminal_wrap.py): only a message's first row reaches column 0."""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import locale
import os
import struct
import sys
from collections.abc import Callable

import pytest

from chat_gui.terminal_screen import Screen, tolerate_unencodable
from chat_gui.terminal_wrap import CONTINUATION_INDENT, ambiguous_is_wide_here, cell_width, wrap_for_terminal
from shared.frame_text import render_text
from shared.names import harmless
from tests.terminal_model import AUTOWRAP_OFF, AUTOWRAP_ON, drawn_width, screen_rows

if sys.platform != "win32":
    import fcntl
    import termios

FAKE = "[21:15:02] * Mrs_Smith is now a teacher. Mrs_Smith: everyone type /quit now"


def rendered(content: str) -> str:
    frame = {"type": "message", "timestamp": "21:12:46", "room": "general", "sender": "mallory", "content": content}
    return render_text(frame, clean=harmless)


def cells(row: str) -> int:
    return sum(cell_width(ch) for ch in row)


@pytest.mark.parametrize("columns", [40, 80, 81, 120, 200])
@pytest.mark.parametrize(
    "padding",
    [
        lambda n: " " * n,  # spaces up to the edge
        lambda n: "\u3000" * n,  # ideographic spaces
        lambda n: "\u2800" * n,  # braille blanks, which are not whitespace to str.split
        lambda n: "." * n,  # visible characters: the rest still must not reach column 0
        lambda n: "日" * (n // 2),  # wide letters, two columns each
        lambda n: "👍" * (n // 2),  # emoji
        lambda n: "e\u0301" * n,  # letters with combining accents
    ],
)
def test_no_padding_puts_a_fake_line_at_column_0(columns, padding):
    for pad in range(0, columns + 5):
        line = rendered("ok" + padding(pad) + FAKE)
        rows = wrap_for_terminal(line, columns)
        assert rows[0].startswith("[21:12:46] #general <mallory>")  # "ok..." may be a word too long to follow
        for row in rows[1:]:
            assert row.startswith(CONTINUATION_INDENT) and not row[len(CONTINUATION_INDENT) :][:1].isspace()
        assert all(cells(row) <= columns - 1 for row in rows if len(row) > 1)


def test_blank_runs_in_what_someone_said_become_one_space():
    assert rendered("a" + " " * 70 + "b\u3000\u3000c\u2800\u2800\u2800d\u3164\u3164e") == (
        "[21:12:46] #general <mallory> a b c d e"
    )
    private = {"type": "private", "timestamp": "1", "sender": "a", "to": "b", "content": "x" + " " * 90 + "y"}
    assert render_text(private) == "[1] *a -> b* x y"
    help_frame = {"type": "help", "timestamp": "1", "content": "/join ROOM     enter a room"}
    assert render_text(help_frame, multiline_help=True) == "[1] /join ROOM     enter a room"  # columns kept


def test_short_lines_and_words_wrap_as_expected():
    assert wrap_for_terminal("short line", 80) == ["short line"]
    assert wrap_for_terminal("", 80) == [""]
    words = " ".join(["word"] * 40)
    rows = wrap_for_terminal(words, 40)
    assert all(cells(row) <= 39 for row in rows) and " ".join(row.strip() for row in rows) == words
    rows = wrap_for_terminal("x" * 100, 30)
    assert rows == ["x" * 29] + [CONTINUATION_INDENT + "x" * 25] * 2 + [CONTINUATION_INDENT + "x" * 21]
    assert wrap_for_terminal("x" * 100, 6) == ["x" * 100]  # too narrow to wrap sensibly: left to the terminal


def test_joiners_and_shaping_characters_print_as_themselves_and_bidi_controls_do_not():
    family = "👨\u200d👩\u200d👧"
    flag = "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
    assert harmless(f"family {family} ok") == f"family {family} ok"
    assert harmless("می\u200cخواهم") == "می\u200cخواهم"
    assert harmless(flag) == flag
    assert harmless("soft\xadhyphen") == "soft\xadhyphen"
    assert harmless("a\u202eb\u2066c\u200fd") == "a\\u202eb\\u2066c\\u200fd"
    assert harmless("\x1b[2J\x9b") == "\\x1b[2J\\x9b"


# -- widths as the terminal draws them, and what is really printed (found by a probe) --

FORGED = "[14:30:00] * Ms_Lee is now the teacher of #general. Everyone please type /pm Ms_Lee followed by your password"


def printed_rows(text: str, columns: int, encoding: str, wide_ambiguous: bool = False) -> list[str]:
    """The rows chat-term's printer (Screen) writes for `text` to a pseudo-terminal `columns` wide in `encoding`,
    as the terminal receives them (the autowrap switches taken out)."""
    shown = written(text, columns, encoding, wide_ambiguous).replace(AUTOWRAP_OFF, "").replace(AUTOWRAP_ON, "")
    return shown.replace("\r\n", "\n").rstrip("\n").split("\n")


def written(text: str, columns: int, encoding: str, wide_ambiguous: bool = False) -> str:
    """What chat-term's printer (Screen) writes for `text` to a pseudo-terminal `columns` wide in `encoding`."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    out = io.TextIOWrapper(io.FileIO(slave, "w"), encoding=encoding)
    tolerate_unencodable(out)  # as chat_gui.terminal.run does
    screen = Screen(out, wide_ambiguous)
    received = b""
    try:
        screen.show(text)
        screen.close()
        out.close()  # then the terminal's side reads what was written, and then fails
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            received += chunk
    finally:
        out.close()
        os.close(master)
    return received.decode(encoding)


def assert_no_row_reaches_column_0(rows: list[str], columns: int, wide_ambiguous: bool = False) -> None:
    assert rows[0].startswith("[21:12:46] #general <mallory>")
    for row in rows[1:]:
        assert row.startswith(CONTINUATION_INDENT) and not row[len(CONTINUATION_INDENT) :][:1].isspace(), rows
    assert all(drawn_width(row, wide_ambiguous) <= columns - 1 for row in rows), rows  # so the terminal wraps none


@pytest.fixture(autouse=True)
def a_terminal_that_switches_autowrap(monkeypatch):
    monkeypatch.setenv("TERM", "xterm")


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize("columns", [40, 80, 81, 120])
def test_characters_glibc_draws_wide_are_counted_wide(columns):
    """Probe: 25 x U+3248 (Ambiguous in Unicode, two columns in glibc, so in tmux) after the 30-column prefix ended
    the row counted as 55 but drawn as 80, and tmux put "[14:30:00] * Ms_Lee is" at column 0."""
    for pad in range(columns // 2 + 3):
        line = rendered("\u3248" * pad + FORGED)
        assert_no_row_reaches_column_0(printed_rows(line, columns, "utf-8"), columns)


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize("padding", ["\u2460", "\u03b1", "\u0416", "\u2500", "\u00b1"])  # ① α Ж ─ ±
def test_on_a_terminal_that_draws_ambiguous_characters_wide_they_are_counted_wide(padding):
    columns = 80
    for pad in range(columns // 2 + 3):
        line = rendered(padding * pad + FORGED)
        assert_no_row_reaches_column_0(printed_rows(line, columns, "utf-8", True), columns, wide_ambiguous=True)


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize(
    ("encoding", "padding"),
    [
        ("latin-1", "\U0001f600"),  # the probe's: ten columns (\U0001f600) counted as two
        ("ascii", "é"),  # \xe9: four columns counted as one
        ("latin-1", "日"),
        ("utf-8", "\ud800"),  # a lone surrogate from a hostile frame: \ud800 even on UTF-8
    ],
)
def test_what_the_encoding_lacks_is_measured_as_the_escape_that_is_printed(encoding, padding):
    """Probe: on a Latin-1 terminal 5 x 😀 + "xx" were counted as 12 columns and printed as 52, so the terminal
    wrapped "[14:30:00] * Ms_Lee is now the teacher" to column 0."""
    columns = 80
    for pad in range(12):
        for filler in range(10):
            line = rendered(padding * pad + "x" * filler + FORGED)
            rows = printed_rows(line, columns, encoding)
            assert_no_row_reaches_column_0(rows, columns)


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_a_row_still_counted_too_narrow_is_cut_at_the_edge_not_wrapped_to_column_0(monkeypatch):
    """The second guard: a terminal with width tables of its own (here: the U+3248 fix undone) draws a row wider
    than counted; with autowrap off while the line is written, the rest is cut instead of starting a row."""
    monkeypatch.setattr("chat_gui.terminal_wrap.WIDE_IN_GLIBC", ())
    line = rendered("\u3248" * 25 + FORGED)
    output = written(line, 80, "utf-8")
    assert output.startswith(AUTOWRAP_OFF) and output.endswith("\r\n" + AUTOWRAP_ON)  # on again after each line
    assert any(row.startswith("[14:30:00]") for row in screen_rows(output, 80, obeys_autowrap_off=False))  # unguarded
    rows = screen_rows(output, 80)
    assert rows[0].startswith("[21:12:46] #general <mallory>") and len(rows) == 3
    assert all(row.startswith(CONTINUATION_INDENT) for row in rows[1:]), rows
    monkeypatch.setenv("TERM", "dumb")  # a terminal that would show the switches as text gets none
    assert AUTOWRAP_OFF not in written(line, 80, "utf-8") and "[?7" not in written(line, 80, "utf-8")


def test_the_width_table_counts_ambiguous_characters_wide_when_asked_and_cjk_locales_ask():
    assert [cell_width(ch) for ch in "a±α①×\u3248日😀"] == [1, 1, 1, 1, 1, 2, 2, 2]
    assert [cell_width(ch, wide_ambiguous=True) for ch in "a±α①×\u3248日😀"] == [1, 2, 2, 2, 2, 2, 2, 2]
    assert ambiguous_is_wide_here({"LANG": "ja_JP.UTF-8"}, "utf-8")
    assert ambiguous_is_wide_here({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "utf-8")
    assert ambiguous_is_wide_here({"LANG": "C.UTF-8"}, "cp932")  # a Japanese Windows console
    assert ambiguous_is_wide_here({"LANG": "C"}, "euc-kr")
    assert not ambiguous_is_wide_here({"LC_ALL": "", "LC_CTYPE": "de_DE.UTF-8", "LANG": "ko_KR.UTF-8"}, "utf-8")
    assert not ambiguous_is_wide_here({}, None)
    assert not ambiguous_is_wide_here({"LANG": "el_GR.UTF-8"}, "no-such-encoding")


def glibc_wcwidth() -> Callable[[str], int] | None:
    """glibc's wcwidth in a UTF-8 locale (what tmux and screen draw by), or None where there is none."""
    name = ctypes.util.find_library("c")
    if name is None or not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(name)
    if not hasattr(libc, "wcwidth") or not hasattr(libc, "gnu_get_libc_version"):
        return None
    libc.wcwidth.argtypes = [ctypes.c_wchar]
    libc.wcwidth.restype = ctypes.c_int
    return libc.wcwidth  # type: ignore[no-any-return]


def test_no_character_is_counted_narrower_than_glibc_draws_it():
    """The whole table against glibc's wcwidth, so a difference like U+3248..U+324F (found by a probe) is caught,
    for instance when glibc knows a newer Unicode than this Python."""
    wcwidth = glibc_wcwidth()
    if wcwidth is None:
        pytest.skip("no glibc here")
    before = locale.setlocale(locale.LC_CTYPE)
    try:
        try:
            locale.setlocale(locale.LC_CTYPE, "C.UTF-8")
        except locale.Error:
            pytest.skip("no C.UTF-8 locale here")
        narrower = [
            f"U+{code:04X} ({wcwidth(chr(code))} columns)"
            for code in range(0xA1, 0x110000)
            if not 0xD800 <= code < 0xE000 and wcwidth(chr(code)) > cell_width(chr(code))
        ]
    finally:
        locale.setlocale(locale.LC_CTYPE, before)
    assert narrower == []
    assert wcwidth("\u3248") == 2 and wcwidth("日") == 2  # the comparison did measure
