"""Garbage in: random bytes, generated bad frames and command lines, deep nesting, oversized lines.

Whatever a client sends, its handler thread survives: every bad frame gets
exactly one `bad_frame` error, the connection still answers PING, other
clients are not disturbed, and once the attackers hang up the server's
threads, open files and registry are back where they started.
"""

from __future__ import annotations

import json
import socket

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.frames import MAX_FRAME_BYTES
from tests.adversarial.conftest import reset_close, resources, wait_for_resources
from tests.integration.wire import TextClient

EXAMPLES = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _one_line(data: bytes) -> bytes:
    return data.replace(b"\n", b"")


not_utf8 = st.builds(
    lambda head, tail: _one_line(head + b"\xff" + tail), st.binary(max_size=40), st.binary(max_size=40)
)
not_an_object = json_values.filter(lambda value: not isinstance(value, dict)).map(lambda v: json.dumps(v).encode())
no_string_type = (
    st.dictionaries(st.text(max_size=8), json_values, max_size=4)
    .filter(lambda d: not isinstance(d.get("type"), str))
    .map(lambda d: json.dumps(d).encode())
)
not_a_command = st.builds(
    lambda kind, rest: json.dumps({"type": kind, **rest}).encode(),
    st.text(max_size=12).filter(lambda kind: kind != "command"),
    st.dictionaries(st.sampled_from(["content", "x"]), json_values, max_size=2),
)
command_without_text = st.builds(
    lambda content: json.dumps({"type": "command", "content": content}).encode(),
    json_values.filter(lambda value: not isinstance(value, str)),
)
truncated_json = st.builds(
    lambda text, cut: json.dumps({"type": "command", "content": text}).encode()[: max(1, cut)],
    st.text(max_size=20),
    st.integers(min_value=1, max_value=30),
).filter(lambda line: not line.endswith(b"}"))
bad_lines = st.one_of(not_utf8, not_an_object, no_string_type, not_a_command, command_without_text, truncated_json)


@pytest.fixture
def open_server(start_server):
    """Rate limiting off so that hypothesis can send as fast as it likes."""
    return start_server(rate_per_second=0)


def test_every_bad_frame_gets_one_bad_frame_error(open_server, wire):
    client = wire(open_server)
    client.send("PING json-mode")  # the first line decides the mode: JSON
    client.expect("pong")
    tokens = iter(range(10**9))

    @EXAMPLES
    @given(st.lists(bad_lines, min_size=1, max_size=8))
    def check(lines: list[bytes]) -> None:
        token = f"after-{next(tokens)}"
        client.send_raw(b"".join(line + b"\n" for line in lines))
        client.send(f"PING {token}")
        replies = []
        while True:
            frame = client.next()
            if frame["type"] == "pong" and frame.get("token") == token:
                break
            replies.append(frame)
        assert [(f["type"], f["code"]) for f in replies] == [("error", "bad_frame")] * len(lines), (lines, replies)

    check()
    assert next(tokens) > 50


def test_generated_command_lines_never_break_a_connection(open_server, wire):
    bystander = wire(open_server, "bystander", "lab")
    client = wire(open_server, "fuzzer", "lab")
    tokens = iter(range(10**9))

    @EXAMPLES
    @given(st.text(max_size=80).filter(lambda text: not text.strip().lstrip("/").upper().startswith("QUIT")))
    def check(content: str) -> None:
        token = f"alive-{next(tokens)}"
        client.send(content)
        client.send(f"PING {token}")
        # WireClient checks every frame on the way against the contract.
        client.expect(lambda frame: frame["type"] == "pong" and frame.get("token") == token)

    check()
    assert next(tokens) > 50
    client.send("JOIN lab")
    client.send("SAY still here")
    assert bystander.expect(lambda f: f["type"] == "message" and f["content"] == "still here")["sender"]


def test_generated_text_mode_lines_never_break_a_connection(open_server):
    text_client = TextClient(open_server.address)
    try:
        text_client.send_line("NICK texter")
        text_client.expect("texter")
        tokens = iter(range(10**9))

        @EXAMPLES
        @given(
            st.text(st.characters(blacklist_categories=("Cs",)), max_size=80).filter(
                lambda text: (
                    "\n" not in text and "\r" not in text and not text.strip().lstrip("/").upper().startswith("QUIT")
                )
            )
        )
        def check(line: str) -> None:
            token = f"alive{next(tokens)}"
            text_client.send_line(line)
            text_client.send_line(f"PING {token}")
            text_client.expect(token)

        check()
        assert next(tokens) > 50
    finally:
        text_client.close()


def test_random_bytes_leave_nothing_behind(open_server, wire):
    watcher = wire(open_server, "watcher", "lab")
    before = resources(open_server)
    count = iter(range(10**9))

    @settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.binary(min_size=1, max_size=3000), st.booleans())
    def attack(data: bytes, with_reset: bool) -> None:
        sock = socket.create_connection(open_server.address, timeout=10)
        sock.sendall(data)
        if with_reset:
            reset_close(sock)
        else:
            sock.close()
        if next(count) % 20 == 0:
            watcher.send("PING still")
            watcher.expect("pong")

    attack()
    assert next(count) > 50, "hypothesis ran too few examples to mean anything"
    wait_for_resources(open_server, before)
    watcher.send("PING at-the-end")
    assert watcher.expect("pong")["token"] == "at-the-end"


@pytest.mark.parametrize(
    "line",
    [
        b"[" * 16000,
        b'{"a":' * 6000,
        b'{"type":"command","content":"PING","x":' + b"[" * 16000,
        b'{"type":"command","content":"PING","x":' + b"[" * 5000 + b"]" * 5000 + b"}",
        b"[" * 10_000,  # the 10 KB line: it killed the whole server on Python 3.13.0
        b'[{"a":[' * 3000,
        b'{"type":"command","content":"' + b"[" * 100 + b'","x":' + b"{" * 40 + b"}" * 40 + b"}",
    ],
    ids=["arrays", "objects", "inside-a-command", "closed-nesting", "ten-kb", "mixed", "brackets-in-a-string-too"],
)
def test_deeply_nested_json_is_a_bad_frame_not_a_crash(open_server, wire, line):
    assert len(line) < MAX_FRAME_BYTES
    client = wire(open_server)
    client.send("PING first")
    client.expect("pong")
    before_threads = resources(open_server).threads
    client.send_raw(line + b"\n")
    error = client.next()
    assert (error["type"], error["code"]) == ("error", "bad_frame")
    assert "nests deeper than 32" in error["content"]  # refused before the JSON parser saw it
    client.send("PING after")
    assert client.expect("pong")["token"] == "after"
    assert resources(open_server).threads == before_threads


def test_a_line_over_the_cap_disconnects_its_sender_only(open_server, wire):
    listener = wire(open_server, "listener", "lab")
    speaker = wire(open_server, "speaker", "lab")
    before = resources(open_server)
    flooder = wire(open_server, "flooder", "lab")
    flooder.send_raw(b"x" * (MAX_FRAME_BYTES + 10))
    frames = flooder.rest_until_closed()
    assert [f["code"] for f in frames if f["type"] == "error"] == ["frame_too_large"]
    assert frames[-1]["type"] == "bye"
    left = listener.expect(lambda f: f["type"] == "system" and f["event"] == "leave")
    assert left["user"] == "flooder"
    speaker.send("SAY the rest of us carry on")
    assert listener.expect("message")["content"] == "the rest of us carry on"
    flooder.close()
    wait_for_resources(open_server, before)
