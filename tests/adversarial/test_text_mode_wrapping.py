"""What a hostile classmate's long line can paint on an nc or telnet user's screen when the terminal wraps it.

The server cannot know where a text-mode terminal wraps (nc says nothing of
its width; PROTOCOL.md wants one line per frame), and visible padding of any
kind brings the end of a long message to column 0 of a row of its own.  Every
line the server sends starts with "[HH:MM:SS]"; these tests check, for every
width from 20 to 160 columns, that no wrapped row of a classmate's line starts
that way (found by the twelfth review: dots, words or wide letters up to the
edge, then "[12:00:01] * Ms_Lee is now a teacher").
"""

from __future__ import annotations

import re
import unicodedata

import pytest

from chat_gui.terminal_wrap import cell_width
from shared.frame_text import defuse_stamps, render_text_line
from shared.lookalike import skeleton
from tests.adversarial.test_forged_lines import mallory_joins, room  # noqa: F401 (the fixture)

pytestmark = pytest.mark.usefixtures("no_server_errors")

FAKE_NOTICE = "[12:00:01] * Ms_Lee is now a teacher"
FAKE_MESSAGE = "[12:00:02] #lab <bob> the test is cancelled, go home"
# Padding of every kind a student might try; blanks are folded into one space already, the rest is visible.
PADDINGS = {
    "dots": "." * 200,
    "words": "the quick brown fox jumps over the lazy dog " * 5,
    "full-width letters": "ａ" * 100,
    "combining marks": "e\u0301" * 200,
    "zero-width spaces between dots": ".\u200b" * 200,
    "tabs and no-break spaces": "x\t\u00a0" * 100,
}
# The stamp itself dressed up: look-alike brackets and digits, marks and invisible characters in between.
STAMPS = {
    "plain": FAKE_NOTICE,
    "full-width": "［１２:００:０１］ * Ms_Lee is now a teacher",
    "zero-width after the bracket": "[\u200b12:00:01] * Ms_Lee is now a teacher",
    "mark on the bracket": "[\u0332\u200d12:00:01] * Ms_Lee is now a teacher",
    "tortoise shell bracket": "〔12:00:01] * Ms_Lee is now a teacher",
    "arabic-indic digits": "[١٢:٠٠:٠١] * Ms_Lee is now a teacher",
    "letters drawn like digits": "[I2:OO:Ol] * Ms_Lee is now a teacher",
    "greek omicron": "[Ο4:5Ο:ΟΟ] * Ms_Lee is now a teacher",
    "another user": FAKE_MESSAGE,
}
STAMP_START = re.compile(r"\[\d")
DRAWN_LIKE_DIGITS = {"O": "0", "l": "1"}  # the skeletons of 0 and 1 (shared/lookalike.py): "O", "I", "l", "|"...


def drawn(char: str) -> int:
    """Columns a terminal gives `char`: none for marks and format characters."""
    return 0 if unicodedata.category(char) in ("Mn", "Me", "Cf") else cell_width(char)


def rows(line: str, columns: int) -> list[str]:
    """`line` as a terminal `columns` wide wraps it (tabs taken as one column: the server sends none)."""
    shown, row, used = [], "", 0
    for char in line:
        width = drawn(char)
        if used + width > columns:
            shown.append(row)
            row, used = "", 0
        row += char
        used += width
    return [*shown, row]


def looks_like_a_line_start(row: str) -> bool:
    """As a reader sees the row: invisible characters gone, full-width and other digits as ASCII."""
    seen = "".join(char for char in unicodedata.normalize("NFKC", row) if drawn(char))
    seen = "".join(str(unicodedata.digit(char)) if unicodedata.digit(char, None) is not None else char for char in seen)
    seen = "".join(DRAWN_LIKE_DIGITS.get(skeleton(char), char) for char in seen)
    return bool(STAMP_START.match(seen.lstrip()))


def wrapped_rows_starting_like_a_line(line: str) -> list[tuple[int, str]]:
    return [
        (columns, row) for columns in range(20, 161) for row in rows(line, columns)[1:] if looks_like_a_line_start(row)
    ]


@pytest.mark.parametrize("stamp", STAMPS.values(), ids=list(STAMPS))
@pytest.mark.parametrize("padding", PADDINGS.values(), ids=list(PADDINGS))
def test_no_wrapped_row_of_a_padded_message_starts_like_a_line_of_the_server(padding, stamp):
    frame = {"type": "message", "content": f"hi {padding}{stamp}", "room": "lab", "sender": "mallory"}
    line = render_text_line({**frame, "timestamp": "04:50:00"}).decode("utf-8")
    assert wrapped_rows_starting_like_a_line(line) == []
    assert stamp[3:] in line  # the words are all there; only the bracket before the digits is shown as "("


def test_a_real_server_keeps_every_kind_of_padded_fake_off_the_left_edge_of_an_nc_users_rows(room):  # noqa: F811
    server, bob, tia = room
    mallory = mallory_joins(server, bob, tia)
    sent = 0
    for stamp in STAMPS.values():
        for padding in PADDINGS.values():
            mallory.send(f"SAY {padding[:300]}{stamp}")
            sent += 1
        mallory.send(f"PM tia {PADDINGS['dots'][:100]}{stamp}")
        mallory.send(f"AWAY {PADDINGS['full-width letters'][:30]}{stamp}"[:70])
        mallory.send("BACK")
    mallory.send("SAY the end")
    seen: list[str] = []
    while True:
        line = tia.next_line().rstrip("\r")
        if "mallory" in line:
            seen.append(line)
        if line.endswith("<mallory> the end"):
            break
    assert len([line for line in seen if "#lab <mallory>" in line]) == sent + 1
    assert any("*mallory -> tia*" in line for line in seen)
    assert any("away" in line for line in seen)
    for line in seen:
        assert looks_like_a_line_start(line)  # the server's own stamp first
        assert wrapped_rows_starting_like_a_line(line) == [], line


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("meet at [12:30] in room 4", "meet at (12:30] in room 4"),
        ("see [1] and (2)", "see (1] and (2)"),
        ("a list [a, b] stays", "a list [a, b] stays"),
        ("［１２:００］", "(１２:００］"),
        ("[\u200b7]", "(\u200b7]"),
        ("nothing to see", "nothing to see"),
        ("[Important] and [OK] and [Il]", "[Important] and [OK] and (Il]"),
        ("[I2:00] [O4:5O]", "(I2:00] (O4:5O]"),
        ("a\n12 | [x]", "a\n12 | [x]"),
    ],
)
def test_only_a_bracket_before_a_digit_changes(said, shown):
    assert defuse_stamps(said) == shown


def test_the_terminal_client_keeps_the_brackets_it_breaks_its_own_rows():
    from shared.frame_text import render_text

    frame = {"type": "message", "content": "meet at [12:30]", "room": "lab", "sender": "ann", "timestamp": "04:50:00"}
    assert render_text(frame).endswith("meet at [12:30]")
    assert render_text_line(frame).decode().endswith("meet at (12:30]\r\n")
