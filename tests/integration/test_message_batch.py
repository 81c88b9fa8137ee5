"""Room messages gathered per lock hold (chat_server/message_batch.py) keep every recipient's order.

A flat-out client's read carries many lines; the server queues the room
messages among them together. Whatever else the same read holds (a refusal,
LEAVE, JOIN, NICK, a private message, QUIT), each member, text-mode ones
too, must read exactly what one delivery per message gave, in that order.
"""

from __future__ import annotations

import pytest

from shared.frames import command_frame, encode_frame
from tests.integration.wire import TextClient, WireClient

pytestmark = pytest.mark.usefixtures("no_server_errors")


def one_read(client: WireClient, *contents: str) -> None:
    """All the lines in one send, so the server reads them together (one lock hold for the lot)."""
    client.send_raw(b"".join(encode_frame(command_frame(content)) for content in contents))


def summary(frames: list[dict]) -> list[str]:
    shown = []
    for frame in frames:
        if frame["type"] == "message":
            shown.append(f"{frame['room']}:{frame['content']}")
        elif frame["type"] == "system":
            shown.append(f"system:{frame.get('event')}:{frame.get('room')}")
        elif frame["type"] in ("error", "private", "left", "joined", "nick", "pong", "bye"):
            shown.append(f"{frame['type']}:{frame.get('content') if frame['type'] != 'joined' else frame['room']}")
    return shown


def frames_until(client: WireClient, last: str) -> list[dict]:
    frames = []
    while True:
        frame = client.next()
        frames.append(frame)
        if frame["type"] == "message" and frame["content"] == last:
            return frames


def test_messages_around_refusals_leaving_joining_and_renaming_arrive_in_the_order_sent(start_server, wire):
    server = start_server(rate_per_second=0)
    alice = wire(server, "alice", "lab")
    lab = wire(server, "watcher", "lab")
    hall = wire(server, "hallwatch", "hall")
    bob = wire(server, "bob", "hall")
    texter = TextClient(server.address)
    texter.send_line("/nick tex")
    texter.send_line("/join lab")
    texter.expect(r"joined|#lab")
    lab.expect("system")  # tex joined
    one_read(
        alice,
        "SAY a1",
        "SAY   ",  # refused (empty): the error comes between a1 and a2 for alice
        "say a2",
        "/say a3",
        "MSG bob: just for you",
        "SAY a4",
        "LEAVE",
        "SAY nowhere",  # refused: not in a room
        "JOIN hall",
        "SAY b1",
        "/SAY b2",
        "NICK alice2",
        "SAY b3",
        "PING end",
    )
    mine = summary(frames_until(alice, "b3") + [alice.next()])
    mine = mine[mine.index("lab:a1") :]  # after the notices of the others joining
    assert [entry for entry in mine if not entry.startswith(("joined", "system:join"))] == [
        "lab:a1",
        "error:The message is empty; type some text after the command.",
        "lab:a2",
        "lab:a3",
        "private:just for you",
        "lab:a4",
        "left:You left #lab",
        "error:You are not in a room; join one first, e.g. /join general.",
        "hall:b1",
        "hall:b2",
        "nick:You are now alice2.",
        "hall:b3",
        "pong:end",
    ], mine
    assert summary(frames_until(lab, "a4"))[-4:] == ["lab:a1", "lab:a2", "lab:a3", "lab:a4"]
    assert summary([lab.next()]) == ["system:leave:lab"]
    seen_in_hall = summary(frames_until(hall, "b3"))
    assert seen_in_hall[-5:] == ["system:join:hall", "hall:b1", "hall:b2", "system:nick:hall", "hall:b3"]
    assert "private:just for you" in summary(frames_until(bob, "b3"))
    # The text-mode member of lab reads the same four messages, then the leave, as lines.
    lines = [texter.expect(r"alice") for _ in range(5)]
    assert [line.rstrip().endswith(f"<alice> a{n}") for n, line in enumerate(lines[:4], 1)] == [True] * 4, lines
    assert "left" in lines[4] and "a4" not in lines[4], lines
    texter.close()


def test_a_quit_among_messages_ends_them_there_for_everyone(start_server, wire):
    server = start_server(rate_per_second=0)
    alice = wire(server, "alice", "lab")
    lab = wire(server, "watcher", "lab")
    one_read(alice, "SAY x1", "SAY x2", "QUIT off I go", "SAY x3")
    rest = [entry for entry in summary(alice.rest_until_closed()) if not entry.startswith("system:join")]
    assert rest[:2] == ["lab:x1", "lab:x2"] and rest[-1].startswith("bye:"), rest
    assert "lab:x3" not in rest
    seen = summary(frames_until(lab, "x2") + [lab.next()])
    assert seen[-3:] == ["lab:x1", "lab:x2", "system:leave:lab"], seen
    lab.send("PING after")
    assert lab.expect("pong")["token"] == "after"  # and no x3 came before the pong
    assert all(frame.get("content") != "x3" for frame in lab.received)


def test_many_messages_in_one_read_reach_every_member_whole_and_in_order(start_server, wire):
    server = start_server(rate_per_second=0)
    members = [wire(server, f"user{n}", "lab") for n in range(5)]
    sent = [f"line {k} " + "x" * (k % 50 + 1) for k in range(200)]
    for start in range(0, len(sent), 50):
        one_read(members[0], *(f"SAY {text}" for text in sent[start : start + 50]))
    for member in members:
        got = [member.expect("message")["content"] for _ in sent]
        assert got == sent
    ids = [frame["id"] for frame in members[1].received if frame["type"] == "message"]
    assert ids == sorted(ids) and len(set(ids)) == len(sent)
