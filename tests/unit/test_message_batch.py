"""RoomMessageBatch (chat_server/message_batch.py) with real sessions on socket pairs and a real writer thread."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest

from chat_server.message_batch import FLUSH_BYTES, RoomMessageBatch
from chat_server.outbox import WriterPool
from chat_server.rate_limit import TokenBucket
from chat_server.session import Session
from shared.frame_text import render_text_line
from shared.frames import encode_frame, server_frame
from tests.socket_peer import Peer
from tests.support import wait_until


@pytest.fixture
def member() -> Iterator[Callable[..., tuple[Session, Peer]]]:
    writer = WriterPool()
    writer.start()
    made: list[socket.socket] = []

    def make(text_mode: bool = False) -> tuple[Session, Peer]:
        ours, theirs = socket.socketpair()
        made.extend((ours, theirs))
        session = Session(ours, ("127.0.0.1", 40000 + len(made)), 1 << 20, TokenBucket(0, 1), writer)
        session.text_mode = text_mode
        return session, Peer(theirs)

    yield make
    for sock in made:
        sock.close()
    writer.stop()


def message(n: int, size: int = 10) -> dict:
    return server_frame("message", f"{n} " + "é" * size, id=n, room="lab", sender="alice")


def test_held_messages_reach_every_member_at_flush_in_order_and_text_mode_members_at_once(member):
    json_members = [member() for _ in range(3)]
    texter, text_peer = member(text_mode=True)
    room = {session: None for session, _ in json_members} | {texter: None}
    batch = RoomMessageBatch()
    frames = [message(n) for n in range(20)]
    for frame in frames:
        batch.add(room, frame)
    assert batch.open
    assert all(session.outbox.unsent == 0 for session, _ in json_members)  # held back until the flush
    wanted_text = b"".join(render_text_line(frame) for frame in frames)
    wait_until(lambda: text_peer.read() == wanted_text, message="the text-mode member's lines, as they came")
    batch.flush()
    assert not batch.open
    wanted = b"".join(encode_frame(frame) for frame in frames)
    for _, peer in json_members:
        wait_until(lambda peer=peer: len(peer.read()) >= len(wanted), message="every held message")
        assert peer.received == wanted


def test_another_room_flushes_the_first_one_s_messages_first(member):
    (a, peer_a), (b, peer_b) = member(), member()
    batch = RoomMessageBatch()
    first, second = message(1), message(2)
    batch.add({a: None}, first)
    batch.add({a: None, b: None}, second)  # a different members dict: the first batch is queued now
    wait_until(lambda: peer_a.read() == encode_frame(first), message="the first room's message")
    batch.flush()
    wait_until(lambda: peer_b.read() == encode_frame(second), message="the second room's message")
    wait_until(lambda: peer_a.read() == encode_frame(first) + encode_frame(second), message="both, in order")


def test_a_batch_holds_back_no_more_than_flush_bytes(member):
    session, peer = member()
    room = {session: None}
    batch = RoomMessageBatch()
    frames = [message(n, size=1000) for n in range(200)]  # about 2 KB each, 400 KB in all
    for frame in frames:
        batch.add(room, frame)
    wanted = b"".join(encode_frame(frame) for frame in frames)
    # Before any flush, all but the last FLUSH_BYTES at most were queued (and so reach the member).
    wait_until(lambda: len(peer.read()) > len(wanted) - FLUSH_BYTES, message="all but the last part queued")
    assert peer.received == wanted[: len(peer.received)]
    batch.flush()
    wait_until(lambda: len(peer.read()) >= len(wanted), message="all of it")
    assert peer.received == wanted
