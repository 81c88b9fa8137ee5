"""The fan-out's inline path (Outbox.put_each, WriterPool.schedule_all, ChatRegistry.deliver) against put() itself.

Real sockets (socket pairs) and a real writer thread: what each client
reads must be byte for byte what one put() per recipient sent before.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest

from chat_server.outbox import Outbox, WriterPool
from chat_server.rate_limit import TokenBucket
from chat_server.registry import ChatRegistry
from chat_server.session import Session
from shared.frame_text import render_text_line
from shared.frames import encode_frame, server_frame
from tests.socket_peer import Peer
from tests.support import wait_until


@pytest.fixture
def writer() -> Iterator[WriterPool]:
    pool = WriterPool()
    pool.start()
    yield pool
    pool.stop()


@pytest.fixture
def pairs() -> Iterator[Callable[[], tuple[socket.socket, Peer]]]:
    made: list[socket.socket] = []

    def make() -> tuple[socket.socket, Peer]:
        ours, theirs = socket.socketpair()
        made.extend((ours, theirs))
        return ours, Peer(theirs)

    yield make
    for sock in made:
        sock.close()


def outbox_and_peer(
    writer: WriterPool, pairs: Callable[[], tuple[socket.socket, Peer]], limit: int = 1 << 20
) -> tuple[Outbox, Peer, list[str]]:
    sock, peer = pairs()
    overflowed: list[str] = []
    return Outbox(sock, limit, lambda: overflowed.append("overflow"), writer), peer, overflowed


FRAMES = [
    encode_frame(server_frame("message", f"text {n} \u00e9\U0001f600", id=n, room="r", sender="b")) for n in range(50)
]


def test_put_each_sends_every_client_the_same_bytes_as_one_put_each(writer, pairs):
    fast = [outbox_and_peer(writer, pairs) for _ in range(5)]
    slow = [outbox_and_peer(writer, pairs) for _ in range(5)]
    for data in FRAMES:  # idle outboxes, then outboxes the writer already has, as a flood mixes them
        Outbox.put_each([outbox for outbox, _, _ in fast], data)
        for outbox, _, _ in slow:
            assert outbox.put(data)
    expected = b"".join(FRAMES)
    for _, peer, overflowed in fast + slow:
        wait_until(lambda peer=peer: len(peer.read()) >= len(expected), message="every frame read")
        assert peer.received == expected
        assert overflowed == []


def test_put_each_skips_a_closed_outbox_and_serves_the_rest(writer, pairs):
    closed, closed_peer, _ = outbox_and_peer(writer, pairs)
    open_one, open_peer, _ = outbox_and_peer(writer, pairs)
    closed.close()
    Outbox.put_each([closed, open_one], FRAMES[0])
    wait_until(lambda: open_peer.read() == FRAMES[0], message="the open outbox's frame")
    assert closed.put(FRAMES[1]) is False
    assert closed_peer.read() == b""


def test_put_each_cuts_off_an_outbox_past_its_limit_as_put_does(writer, pairs):
    small, _, small_overflowed = outbox_and_peer(writer, pairs, limit=len(FRAMES[0]) * 3)
    roomy, roomy_peer, roomy_overflowed = outbox_and_peer(writer, pairs)
    big = b"x" * 65536 + b"\n"
    Outbox.put_each([small], big)  # more than the limit at once: the same as put() would decide
    assert small_overflowed == ["overflow"]
    assert small.put(FRAMES[0]) is False  # dead: accepts nothing more
    Outbox.put_each([small, roomy], FRAMES[0])
    assert small_overflowed == ["overflow"]  # cut off once, not again
    wait_until(lambda: roomy_peer.read() == FRAMES[0], message="the other client still served")
    assert roomy_overflowed == []


def test_deliver_reaches_json_and_text_mode_clients_from_a_generator_too(writer, pairs):
    registry = ChatRegistry()
    sessions: list[tuple[Session, Peer]] = []
    for index in range(4):
        sock, peer = pairs()
        session = Session(sock, ("127.0.0.1", 50000 + index), 1 << 20, TokenBucket(0, 1), writer)
        session.text_mode = index % 2 == 1
        sessions.append((session, peer))
    frame = server_frame("message", "hello", id=1, room="r", sender="b")
    with registry.lock:
        registry.deliver((session for session, _ in sessions), frame)  # a one-pass iterable
        registry.deliver({session: None for session, _ in sessions}, frame)  # a room's members
    for session, peer in sessions:
        expected = (render_text_line(frame) if session.text_mode else encode_frame(frame)) * 2
        wait_until(lambda peer=peer, expected=expected: peer.read() == expected, message="both copies")
