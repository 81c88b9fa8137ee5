"""Arbitrary command lines, in JSON and in text mode: the server answers and the connection stays usable."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.commands import parse_command_line
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
    nc = TextClient(server.address)
    nc.send_line("NICK zed")
    nc.send_line("JOIN lab")
    nc.expect("You joined")
    counter = iter(range(10**9))

    @settings(max_examples=250, deadline=None, derandomize=True)
    @given(line=st.binary(max_size=24) | command_lines.map(lambda text: text.encode("utf-8")))
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
