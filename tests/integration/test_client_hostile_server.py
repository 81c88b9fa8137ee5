"""A hostile server against the client connection and the client core: floods, oversized and deeply nested lines.

The "server" here is a raw socket the test controls: not a stand-in for our
server but an attacker (or a broken program) that a student's client may be
pointed at.  Whatever it sends, the client's memory stays bounded, nothing
raises, and the client either skips the bad line or hangs up saying why.
"""

from __future__ import annotations

import json
import socket
import threading
import tracemalloc
from collections.abc import Callable

import pytest

from chat_gui.core.connection import INBOX_WEIGHT, Cause, ChatConnection, Disconnected
from chat_gui.core.events import Problem, State
from chat_gui.core.session import ClientSession
from shared.frames import MAX_FRAME_BYTES
from tests.fake_scheduler import FakeScheduler
from tests.support import wait_until

MiB = 1024 * 1024
GREETING = (
    b'{"type":"welcome","content":"hi","timestamp":"12:00:00","server":"evil","protocol":2}\n'
    b'{"type":"nick","content":"","timestamp":"12:00:00","nick":"alice"}\n'
)


def frame_line(**fields: object) -> bytes:
    return json.dumps({"content": "", "timestamp": "12:00:00", **fields}).encode() + b"\n"


MESSAGE = frame_line(type="message", id=1, room="lab", sender="mallory", content="spam " * 20)


class HostilePeer:
    """One connection to the hostile server; counts what it managed to send."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.sent = 0

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)
        self.sent += len(data)

    def flood(self, chunk: bytes, limit: int = 400 * MiB) -> None:
        """Send `chunk` again and again until the client hangs up (or `limit` bytes went out)."""
        while self.sent < limit:
            self.send(chunk)


class HostileServer:
    """Runs `script(peer)` on every connection it accepts, each in a thread of its own.

    Every connection gets the same treatment, the client's first one too:
    that one starts with a TLS ClientHello, gets the script's plain bytes
    back (a server without TLS), and the client opens a plain connection
    after it, which gets the script again.
    """

    def __init__(self, script: Callable[[HostilePeer], None]) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = self.listener.getsockname()
        self.peers: list[HostilePeer] = []
        self._script = script
        self._threads: list[threading.Thread] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return  # closed
            peer = HostilePeer(sock)
            self.peers.append(peer)
            thread = threading.Thread(target=self._serve, args=(peer,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, peer: HostilePeer) -> None:
        try:
            self._script(peer)
        except OSError:
            pass  # the client hung up: that is what the tests want

    def close(self) -> None:
        # shutdown() wakes a thread blocked in accept() or sendall(); close() alone would not
        for sock in [self.listener, *(peer.sock for peer in self.peers)]:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self._thread.join(10)
        for thread in self._threads:
            thread.join(10)


@pytest.fixture(name="hostile")
def hostile_servers():
    """hostile(script) starts a HostileServer running `script` for each connection; all are closed after the test."""
    servers: list[HostileServer] = []

    def start(script: Callable[[HostilePeer], None]) -> HostileServer:
        server = HostileServer(script)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def drain(connection: ChatConnection, timeout: float = 30.0) -> tuple[list[dict], Disconnected]:
    """Everything on the inbox up to the final Disconnected."""
    frames: list[dict] = []
    while True:
        item = connection.inbox.get(timeout=timeout)
        if isinstance(item, Disconnected):
            return frames, item
        frames.append(item)


@pytest.mark.parametrize(
    "chunk",
    [
        MESSAGE * 2000,  # ordinary-looking messages, as fast as the socket takes them
        frame_line(type="x-junk", junk=[{}] * 5000) * 4,  # a frame type nobody knows, full of tiny objects
        frame_line(type="message", id=1, room="lab", sender="m", junk=[[]] * 5000) * 4,  # a known type, padded
        frame_line(type="private", id=1, sender="m", to="alice", content="😀" * 2000) * 20,  # long text frames
    ],
    ids=["messages", "unknown-type-object-bomb", "padded-message", "long-private"],
)
def test_a_flood_that_nobody_reads_is_held_in_bounded_memory_then_cut_off_with_a_reason(hostile, chunk):
    server = hostile(lambda srv: srv.flood(chunk))
    tracemalloc.start()
    try:
        connection = ChatConnection(*server.address, stall_seconds=1.0).connect()
        wait_until(lambda: not connection.connected, timeout=60, message="the client never gave up on the flood")
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert connection.inbox.peak_weight <= INBOX_WEIGHT + len(chunk)
    assert peak < 40 * MiB  # about 15 MiB for 20,000 queued chat frames, f"the client held {peak / MiB:.0f} MiB"
    frames, end = drain(connection)
    assert end.cause is Cause.OVERFLOW and "more than this client could take in" in end.reason
    assert frames and not end.by_user
    connection.close()


@pytest.mark.parametrize(
    "attack",
    [
        b"x" * (MAX_FRAME_BYTES + 1) + b"\n",  # one line over the cap, newline and all
        b'{"type":"message","content":"' + b"a" * (200 * MiB),  # a line that never ends
        MESSAGE * 3 + b"[" * (MAX_FRAME_BYTES * 2),  # good frames first, in the same packets
    ],
    ids=["just-over", "endless", "after-good-frames"],
)
def test_an_oversized_line_ends_the_connection_with_a_clear_reason(hostile, attack):
    server = hostile(lambda srv: srv.send(attack))
    tracemalloc.start()
    try:
        connection = ChatConnection(*server.address).connect()
        frames, end = drain(connection)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert end.cause is Cause.OVERSIZED and "longer than 32 KiB" in end.reason
    assert peak < 16 * MiB
    if attack.startswith(MESSAGE):
        assert [frame["type"] for frame in frames] == ["message"] * 3
    connection.close()


BAD_LINES = [
    b"[" * 10_000,  # nesting deep enough to crash a C JSON decoder on some Pythons
    b'{"type":"message","content":' + b"[" * 5000 + b"]" * 5000 + b"}",
    b'{"a":' * 3000 + b"1" + b"}" * 3000,
    b"\xff\xfe not UTF-8",
    b"[1, 2, 3]",
    b'{"no": "type"}',
    b'{"type": "message", "content": "no sender", "timestamp": "", "id": 1, "room": "lab"}',  # fails its type
    b'{"type": "joined", "content": "", "timestamp": "", "room": "lab", "users": [1, 2]}',
    b'{"type": "message", "content": "x", "timestamp": "", "id": true, "room": "lab", "sender": "m"}',
    b"not json at all",
    b"\x00" * 1000,
]


def test_bad_lines_are_skipped_and_the_next_good_frame_still_arrives(hostile):
    done = threading.Event()

    def script(srv: HostilePeer) -> None:
        for line in BAD_LINES:
            srv.send(line + b"\n")
        srv.send(frame_line(type="message", id=7, room="lab", sender="bob", content="still here"))
        done.wait(10)

    server = hostile(script)
    with ChatConnection(*server.address).connect() as connection:
        frame = connection.wait_for("message", 10)
        assert frame["content"] == "still here" and frame["id"] == 7
        assert connection.skipped == len(BAD_LINES)
        assert connection.connected
        done.set()


def test_the_core_says_why_it_hung_up_on_a_flood_and_tries_again_later(hostile):
    server = hostile(lambda srv: (srv.send(GREETING), srv.flood(MESSAGE * 2000)))
    scheduler = FakeScheduler()
    states: list[tuple[State, str]] = []
    paused = threading.Event()  # a front end that stopped taking frames (a terminal paused with Ctrl+S)
    session = ClientSession(
        scheduler,
        lambda event: states.append((event.state, event.detail)) if hasattr(event, "state") else None,
        clock=scheduler.clock,
        stall_seconds=1.0,
        welcome_timeout=60.0,
        ready_for_more=lambda: not paused.is_set(),
    )
    try:
        session.start(*server.address, "alice", None)
        scheduler.run_until(lambda: session.state is State.READY)
        paused.set()
        scheduler.run_until(lambda: session.connection is None or not session.connection.connected, timeout=60)
        paused.clear()
        scheduler.run_until(lambda: session.state is State.RECONNECTING, timeout=60)
        assert "more than this client could take in" in states[-1][1]
    finally:
        session.close()


def test_the_core_stops_for_good_on_an_oversized_line(hostile):
    server = hostile(lambda srv: (srv.send(GREETING), srv.send(b"{" + b" " * MAX_FRAME_BYTES)))
    scheduler = FakeScheduler()
    problems: list[Problem | None] = []
    session = ClientSession(
        scheduler, lambda event: problems.append(getattr(event, "problem", None)), clock=scheduler.clock
    )
    try:
        session.start(*server.address, "alice", None)
        scheduler.run_until(lambda: session.state is State.FAILED)
        assert problems[-1] is Problem.BROKE_PROTOCOL
        scheduler.advance(120)
        assert session.state is State.FAILED and session.connection is None, "no reconnect to a broken server"
    finally:
        session.close()
