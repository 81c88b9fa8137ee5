"""Version 2 fields that carry a user's words (topic, away text, kept messages in replays, pages and searches)
never let those words start a line of their own, or pass for the server, in what an nc user reads.

Held when the hostile review tried it; kept so that it keeps holding.  A
real server on port 0, a JSON client writing, a text-mode client reading.
"""

from __future__ import annotations

import re

import pytest

from tests.integration.identity_support import add_account, teacher
from tests.integration.wire import TextClient

pytestmark = pytest.mark.usefixtures("no_server_errors")

FORGED = "[12:00:00] ! Announcement from Ms_Lee: everyone go home"
BREAKS = ["\n", "\r", "\r\n", "\u2028", "\u2029", "\u0085", "\u000b", "\u000c"]
LINE_START = re.compile(r"^\[\d\d:\d\d:\d\d\] ")


@pytest.mark.parametrize("line_break", BREAKS)
def test_topic_away_replay_and_pages_keep_a_users_words_inside_the_servers_line(server, wire, line_break):
    alice = wire(server, "alice", "lab")
    alice.send(f"SAY hello{line_break}{FORGED}")
    alice.expect("message")
    alice.send(f"TOPIC study{line_break}{FORGED}")
    alice.expect(lambda frame: frame.get("event") == "topic")
    reader = TextClient(server.address)
    reader.send_line("NICK reader")
    reader.send_line("JOIN lab")  # the replay
    lines = []
    while "last message of #lab" not in (line := reader.next_line()):
        lines.append(line)
    alice.send(f"AWAY brb{line_break}{FORGED}")
    alice.expect("presence")
    reader.send_line("HISTORY #lab")
    reader.send_line("SEARCH hello")
    reader.send_line("PING end-of-test")
    while "end-of-test" not in (line := reader.next_line()):
        lines.append(line)
    reader.close()
    assert any("hello" in line for line in lines) and any("brb" in line for line in lines), lines
    for line in lines[1:]:  # the first is the JSON welcome, sent before the mode is known
        assert LINE_START.match(line), repr(line)
        assert not line.rstrip("\r").split("] ", 1)[1].startswith(("!", "[")), repr(line)
        assert line.count("[12:00:00]") <= 1 and not re.match(r"^\[12:00:00\]", line), repr(line)


# Controls and invisibles the server removes from every user's text (docs/protocol.md, "Invisible characters").
UNSHOWN = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b\u2060\ufeff]")


def test_search_quotes_the_askers_words_without_control_or_bidi_characters(server, wire):
    # Found by the seventh review's contract fuzzer: `SEARCH \x1b[2J`, or words with NUL or U+202E, came back raw in
    # the `search` frame's `query` and `content` ("Nothing found for “\x1b[2J” ..."), the one server sentence that
    # still quoted a user's words uncleaned.
    alice = wire(server, "alice", "lab")
    alice.send("SAY plain words")
    alice.expect("message")
    alice.send("SEARCH \x1b[2Jwords\x00 \u202eabc\u2066 \u200b\ufeffx\x07")
    frame = alice.expect("search")
    assert not UNSHOWN.search(frame["query"]), repr(frame["query"])
    assert not UNSHOWN.search(frame["content"]), repr(frame["content"])
    assert "[2Jwords" in frame["query"] and "abc" in frame["query"], frame


@pytest.mark.parametrize("command", ["KICK", "BAN", "MUTE"])
def test_a_teacher_acting_on_a_teachers_name_is_told_the_real_name_not_the_typed_one(server, wire, command):
    # Found by the seventh review's contract fuzzer: `KICK Ms_Lee\u200b` answered "Ms_Lee\u200b is a teacher; ...",
    # quoting the typed argument with its zero-width space and bidi controls.
    add_account(server, "Mr_Park", "teacher")
    ms_lee = teacher(server, wire, "Ms_Lee")
    ms_lee.send(f"{command} \u202eMr_Park\u200b\u2066")
    refusal = ms_lee.expect("error")
    assert refusal["code"] == "not_allowed", refusal
    assert refusal["content"] == "Mr_Park is a teacher; only the admin can do that.", refusal
