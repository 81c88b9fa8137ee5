"""Version 2 fields that carry a user's words (topic, away text, kept messages in replays, pages and searches)
never let those words start a line of their own, or pass for the server, in what an nc user reads.

Held when the hostile review tried it; kept so that it keeps holding.  A
real server on port 0, a JSON client writing, a text-mode client reading.
"""

from __future__ import annotations

import re

import pytest

from shared.commands import COMMANDS
from tests.integration.identity_support import add_account, teacher
from tests.integration.wire import Closed, TextClient

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


def test_no_answer_to_any_command_quotes_a_users_controls_or_invisibles(start_server, wire):
    # The sweep the two findings above came from (seventh review): every command of the contract, from a student
    # and from a teacher, with bidi controls, zero-width and control characters in every argument position and
    # around names that exist.  No frame anyone receives may carry them, but `pong`, which by contract carries the
    # token as it came.
    server = start_server(rate_per_second=0, list_interval=0)
    ms_lee = teacher(server, wire, "Ms_Lee", "lab")
    alice = wire(server, "alice", "lab", source="127.0.0.2")
    odd = "\u202eX\u200b\u2066\x1b"
    shapes = [
        odd,
        f"{odd} {odd}",
        "\u202ealice\u200b",
        "\u202eMs_Lee\u2066",
        "\u202elab\u200b",
        "#\u202elab\u200b",
        f"\u202ealice\u200b {odd}",
        f"\u202eMs_Lee\u2066 {odd}",
        f"\u202elab\u200b {odd}",
    ]
    shapes += [f"#\u202elab\u200b {odd}", f"@\u202ealice\u200b {odd}", f"#lab {odd}", f"1 {odd}", f"{odd}:hi"]
    shapes += [f"10 {'a' * 64} #lab {odd}.txt", f"10 {'a' * 64} @\u202ealice\u200b {odd}.txt"]
    words = sorted(set(COMMANDS) - {"QUIT", "NICK", "LOGIN", "RESUME", "KICK", "BAN", "CLOSE", "REMOVE", "REGISTER"})
    # NICK, LOGIN and RESUME would rename, KICK, BAN, CLOSE and REMOVE take alice out: each gets a name that exists.
    lines = [f"{word} {shape}" for word in [*words, "FROB\u202e"] for shape in shapes]
    lines += [f"{word} \u202ealice\u200b {odd}" for word in ("KICK", "BAN", "REMOVE")]
    lines += [f"CLOSE \u202elab\u200b {odd}", "NICK \u202eMs_Lee\u200b", f"LOGIN \u202eMs_Lee\u200b {odd}"]
    for n, line in enumerate(lines):
        for client in (ms_lee, alice):
            if client.closed:
                continue
            try:
                client.send(line)
                client.send(f"PING sweep-{n}")
                client.expect(lambda frame, n=n: frame["type"] == "pong" and frame["token"] == f"sweep-{n}")
            except (Closed, OSError):  # the teacher's KICK (or BAN) of alice closed her connection
                assert client is alice and line.startswith(("KICK", "BAN")), line
                client.closed = True
    for client in (ms_lee, alice):
        for frame in client.received:
            if frame["type"] == "pong":
                continue
            for value in _strings(frame):
                assert not UNSHOWN.search(value), (frame, value)


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return [value] if isinstance(value, str) else []
