"""A class trying odd numbers, typing and presence against a real server: what held in the second hostile review.

Ids near 2**63 and past it, negative, in other digits or notations, in
every command that takes a number; TYPING that names another room, from
outside a room, from a muted user; away texts with escapes, controls and
bidi overrides.  Each gets
a clear answer (or, for TYPING, silence) and the connection goes on.
"""

from __future__ import annotations

import pytest

from shared.errors import ErrorCode
from tests.integration.identity_support import moderate, teacher
from tests.integration.wire import nothing_more

pytestmark = pytest.mark.usefixtures("no_server_errors")

HASH = "0" * 64
NUMBERS = [
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551616",
    "-1",
    "1e5",
    "0x10",
    "١٢",
    "²",
    "1_000",
]


@pytest.mark.parametrize("number", NUMBERS)
@pytest.mark.parametrize(
    ("template", "codes"),
    [
        ("DELETE {}", {ErrorCode.BAD_ARGUMENT}),
        ("DOWNLOAD {}", {ErrorCode.NO_SUCH_FILE, ErrorCode.BAD_ARGUMENT}),
        ("CANCEL {}", {ErrorCode.NO_SUCH_FILE, ErrorCode.BAD_ARGUMENT}),
        ("HISTORY BEFORE {}", {ErrorCode.BAD_ARGUMENT}),
        ("HISTORY AFTER {} 5", {ErrorCode.BAD_ARGUMENT}),
        ("HISTORY {}", {ErrorCode.BAD_ARGUMENT}),
        ("LIST {}", {ErrorCode.BAD_ARGUMENT, ErrorCode.BAD_ROOM}),  # "-1", "1e5": room names nobody uses
        ("LIST lab {}", {ErrorCode.BAD_ARGUMENT}),
        ("UPLOAD {} " + HASH + " #lab a.txt", {ErrorCode.BAD_ARGUMENT, ErrorCode.FILE_TOO_LARGE}),
    ],
)
def test_numbers_out_of_range_or_not_written_as_ours_get_a_clear_error(server, wire, template, codes, number):
    alice = wire(server, "alice", "lab")
    error = alice.reply(template.format(number))
    if template.startswith("LIST") and number == "²":  # not a page number: read as a room's name
        assert error["type"] in ("error", "list"), error
    else:
        assert error["type"] == "error" and error["code"] in codes, error
    assert alice.reply("PING still-here")["type"] == "pong"


def test_typing_reaches_only_ones_own_room_whatever_it_names(server, wire):
    ann, lab, maths = wire(server, "ann", "lab"), wire(server, "bob", "lab"), wire(server, "cy", "maths")
    outsider = wire(server, "dee")
    nothing_more(ann)  # "bob joined #lab" and the like: before the attack
    for argument in ("#maths", "maths", "@cy", "cy", "#lab #maths"):
        ann.send(f"TYPING {argument}")
    outsider.send("TYPING #lab")
    # each sender's PING is answered after its TYPINGs were carried out (and their frames queued)
    assert [f for f in nothing_more(ann) if f["type"] == "typing"] == [] and nothing_more(outsider) == []
    assert [frame["type"] for frame in nothing_more(lab)] == ["typing"]  # one: the 3 s interval holds the rest
    assert nothing_more(maths) == []


def test_a_muted_student_types_to_nobody(server, wire):
    ms_lee = teacher(server, wire, "Ms_Lee", "lab")
    mallory, bob = wire(server, "mallory", "lab"), wire(server, "bob", "lab")
    assert moderate(ms_lee, "MUTE mallory")["type"] == "system"
    nothing_more(bob)
    mallory.send("TYPING")
    nothing_more(mallory)
    assert [frame for frame in nothing_more(bob) if frame["type"] == "typing"] == []


@pytest.mark.parametrize(
    "text",
    [
        "\x1b[2J\x1b]52;c;ZXZpbA==\x07cleared",
        "\u202egpj.exe",
        "a\x85b\u2028c\r\nd",
        "\x9b31mred",
        "x" * 5000,
        "😀" * 100,
    ],
)
def test_away_texts_reach_the_room_as_one_clean_line_of_at_most_64_characters(server, wire, text):
    ann, bob = wire(server, "ann", "lab"), wire(server, "bob", "lab")
    ann.send(f"AWAY {text}")
    ann.expect("presence")  # queued to the whole room at once: bob's is in his queue now
    seen = nothing_more(bob)
    presences = [frame for frame in seen if frame["type"] == "presence"]
    assert len(presences) == 1, seen
    presence = presences[0]
    shown = presence["text"]
    assert len(shown) <= 64 and shown.isprintable(), shown
    assert "\u202e" not in presence["content"] and "\x1b" not in presence["content"]
