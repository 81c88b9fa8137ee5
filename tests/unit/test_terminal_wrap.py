"""chat-term's line wrapping (chat_gui/terminal_wrap.py): only a message's first row reaches column 0."""

from __future__ import annotations

import pytest

from chat_gui.terminal_wrap import CONTINUATION_INDENT, cell_width, wrap_for_terminal
from shared.frame_text import render_text
from shared.names import harmless

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
