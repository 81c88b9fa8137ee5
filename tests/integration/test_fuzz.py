"""Arbitrary command lines, in JSON and in text mode: the server answers and the connection stays usable.

The third test gives every command of the contract (version 2 too) arguments a student would try:
numbers of every kind, room and person targets, words of the commands, control and look-alike text.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from shared.commands import COMMANDS, parse_command_line
from tests.integration.wire import TextClient, WireClient

pytestmark = pytest.mark.usefixtures("no_server_errors")

WORDS = [
    "NICK",
    "JOIN",
    "MSG",
    "SAY",
    "PM",
    "LEAVE",
    "LIST",
    "HELP",
    "PING",
    "/nick",
    "/join",
    "msg",
    "/pm",
    "FROB",
    "",
]
TRICKY = 'ab:/ #\t\n\r\x00\x1b\u202e😀ＡＬＩＣＥ\u0301é-_1\ufb03\u00a0\u2028\x85"\\{}'

command_lines = st.builds(
    lambda word, rest: f"{word} {rest}",
    st.sampled_from(WORDS),
    st.text(alphabet=st.sampled_from(TRICKY), max_size=12) | st.text(max_size=12),
)


# Every command but QUIT and NICK (names have tests of their own), in the case mixes clients and people type.
V2_WORDS = sorted(
    {form for name in COMMANDS if name not in ("QUIT", "NICK") for form in (name, name.lower(), "/" + name.lower())}
)
ARGUMENTS = [
    *["0", "-1", "1", "100", "101", "2147483648", "99999999999999999999999", "1e3", "0x10", "1.5", "NaN", "-0"],
    *["\u0663", "\uff11\uff12", "\u00b2", "\u2167"],  # an Arabic-Indic three, fullwidth 12, a superscript, a Roman VIII
    *["#lab", "#", "#LAB", "#l\u0430b", "@bob", "@", "@alice", "@nobody", "@@bob", "#lab@bob", "lab", "bob"],
    *["before", "AFTER", "Before", "after", "BEFORE", "*", '"', "NEAR(a b)", "text:x", "^a", "OR", "-", "a*"],
    *["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "../../etc/passwd", "CON", "nul.txt"],
    *["password123", "x" * 129, "\u202eevil", "\x00", "\x1b[2J", "\ufeff", "\u200b", "😀" * 40, "é" * 65],
]
v2_command_lines = st.builds(
    lambda word, rest: " ".join([word, *rest]),
    st.sampled_from(V2_WORDS),
    st.lists(st.sampled_from(ARGUMENTS) | st.text(alphabet=st.sampled_from(TRICKY), max_size=8), max_size=4),
)


def test_any_json_command_line_is_answered_and_the_connection_stays_usable(start_server):
    server = start_server(rate_per_second=0)
    WireClient(server.address).register("bob", "lab")
    alice = WireClient(server.address).register("alice", "lab")
    counter = iter(range(10**9))

    @settings(max_examples=250, deadline=None, derandomize=True)
    @given(content=command_lines, ascii_only=st.booleans())
    def check(content: str, ascii_only: bool) -> None:
        n = next(counter)
        if parse_command_line(content).name == "QUIT":
            return
        frame = json.dumps({"type": "command", "content": content}, ensure_ascii=ascii_only)
        alice.send_raw(frame.encode("utf-8") + b"\n")
        alice.send(f"PING sentinel{n}")
        alice.expect(lambda f: f["type"] == "pong" and f["content"] == f"sentinel{n}")

    try:
        check()
    finally:
        alice.close()


def test_any_text_mode_line_is_answered_and_the_connection_stays_usable(start_server):
    server = start_server(rate_per_second=0)
    nc = TextClient(server.address, telnet=True)  # a line may be telnet's DO TIMING-MARK, which is answered
    nc.send_line("NICK zed")
    nc.send_line("JOIN lab")
    nc.expect("You joined")
    counter = iter(range(10**9))

    @settings(max_examples=250, deadline=None, derandomize=True)
    @given(line=st.binary(max_size=24) | (command_lines | v2_command_lines).map(lambda text: text.encode("utf-8")))
    def check(line: bytes) -> None:
        n = next(counter)
        if parse_command_line(line.decode("utf-8", "ignore")).name == "QUIT":
            return
        nc.send_raw(line.replace(b"\n", b" ") + f"\nPING sentinel{n}\n".encode())
        nc.expect(rf"PONG sentinel{n}\r$")

    try:
        check()
    finally:
        nc.close()


def test_every_command_of_the_contract_with_hostile_arguments_is_answered_and_harms_nobody(start_server):
    server = start_server(rate_per_second=0)
    bob = WireClient(server.address).register("bob", "lab")
    alice = WireClient(server.address).register("alice", "lab")
    alice.send("SAY first")  # something in the room's history to page, search and delete
    alice.expect(lambda f: f["type"] == "message" and f["content"] == "first")
    counter = iter(range(10**9))
    answers: Counter[str] = Counter()  # frame types and error codes alice got: the commands were really carried out

    def tally(frame: dict) -> None:
        answers[frame["type"] if frame["type"] != "error" else "error " + frame["code"]] += 1

    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(content=v2_command_lines)
    # Run first, whatever examples this Hypothesis makes (they differ from one run to another): the answers
    # the tally below looks for, each from one of these while alice is still in #lab.
    @example(content="HISTORY #lab 5")
    @example(content="HISTORY #lab before 99999999999999999999999 0x10")
    @example(content="SEARCH fir")
    @example(content="AWAY \u202eback soon")
    @example(content="SAY \x1b[2J")
    @example(content="KICK bob")
    @example(content="DELETE 1e3")
    @example(content="PM nobody hi")
    def check(content: str) -> None:
        n = next(counter)
        alice.send(content)
        alice.send(f"PING sentinel{n}")
        alice.expect(lambda f: tally(f) or (f["type"] == "pong" and f["content"] == f"sentinel{n}"))

    try:
        check()
        expected = {
            "history",
            "search",
            "presence",
            "message",
            "error not_allowed",
            "error bad_argument",
            "error no_such_user",
        }
        assert expected <= set(answers), f"missing {expected - set(answers)} in {answers}"
        # Nothing alice typed reached bob as anyone but alice, and both can still talk in the room.
        alice.send("JOIN lab")  # she may have joined or left rooms meanwhile (an error if she is there: fine)
        alice.send("PING back")
        alice.expect(lambda f: f["type"] == "pong" and f["content"] == "back")
        bob.send("PING still-here")
        seen = []
        bob.expect(lambda f: seen.append(f) or (f["type"] == "pong" and f["content"] == "still-here"))
        for frame in seen:
            if frame["type"] in ("message", "private", "file", "presence", "typing"):
                assert (frame.get("sender") or frame.get("user")) == "alice", frame
        bob.send("SAY after the storm")
        alice.expect(lambda f: f["type"] == "message" and f["content"] == "after the storm" and f["sender"] == "bob")
    finally:
        alice.close()
        bob.close()
