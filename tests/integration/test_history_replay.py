"""Replay on join (PROTOCOL.md, History): after `joined` the room's last messages with their own ids and times, then `history`."""

from __future__ import annotations

import threading

import pytest

from shared.frames import Frame
from tests.integration.history_wire import answer, ids, join_with_replay, say_many
from tests.integration.wire import Collector, WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")


def test_a_rooms_messages_survive_a_restart_and_are_replayed_in_order_with_their_ids_and_times(
    start_server, wire, tmp_path
):
    data = str(tmp_path / "data")
    first = start_server(data_dir=data)
    alice = wire(first, "alice", "lab")
    sent = say_many(alice, 7)
    alice.send("PM alice a note to myself")  # private: never in a room's replay
    alice.expect("private")
    first.stop()

    second = start_server(data_dir=data)
    bob = wire(second, "bob", replays=True)
    joined, replayed, closing = join_with_replay(bob, "lab")
    assert joined["room"] == "lab"
    assert [(f["id"], f["sender"], f["room"], f["content"]) for f in replayed] == [
        (f["id"], "alice", "lab", f["content"]) for f in sent
    ]
    assert all(f["history"] is True for f in replayed)
    assert [(f["time"], f["timestamp"]) for f in replayed] == [(f["time"], f["timestamp"]) for f in sent]
    assert (closing["target"], closing["count"], closing["more"]) == ("#lab", 7, False)
    assert (closing["room"], closing["direction"], closing["first"], closing["last"]) == (
        "lab",
        "replay",
        sent[0]["id"],
        sent[-1]["id"],
    )
    bob.send("SAY after the restart")
    new = bob.expect("message")
    assert new["id"] > sent[-1]["id"] and not new.get("history")  # ids go on increasing


def test_the_replay_is_the_last_n_oldest_first_and_says_when_more_are_older(start_server, wire):
    server = start_server(replay=5)
    alice = wire(server, "alice", "lab")
    sent = say_many(alice, 12)
    bob = wire(server, "bob", replays=True)
    _, replayed, closing = join_with_replay(bob, "lab")
    assert ids(replayed) == ids(sent[-5:])
    assert (closing["count"], closing["more"]) == (5, True)
    assert f"/history before {sent[-5]['id']}" in closing["content"]
    carol = wire(server, "carol", replays=True)
    _, replayed, closing = join_with_replay(carol, "empty-room")
    assert (replayed, closing["count"], closing["more"], closing["target"]) == ([], 0, False, "#empty-room")
    assert "first" not in closing


def test_replay_zero_sends_nothing_after_joined(start_server, wire):
    server = start_server(replay=0)
    alice = wire(server, "alice", "lab")
    say_many(alice, 3)
    bob = wire(server, "bob", replays=True)
    bob.send("JOIN lab")
    bob.expect("joined")
    assert bob.reply("PING x")["type"] == "pong"  # nothing came between
    messages, closing = answer(bob, "HISTORY")  # HISTORY still works
    assert (len(messages), closing["count"]) == (3, 3)


def test_no_history_keeps_nothing_and_does_not_claim_the_feature(start_server, wire):
    server = start_server(history=False)
    welcome = WireClient(server.address, welcome=False).next()
    assert "history" not in welcome["features"]
    alice = wire(server, "alice", "lab")
    say_many(alice, 3)
    bob = wire(server, "bob", replays=True)
    bob.send("JOIN lab")
    bob.expect("joined")
    assert bob.reply("PING x")["type"] == "pong"
    messages, closing = answer(bob, "HISTORY")
    assert (messages, closing["count"], closing["more"]) == ([], 0, False)
    assert "no history" in closing["content"]
    search = bob.reply("SEARCH m1")
    assert (search["type"], search["results"]) == ("search", [])


def test_every_join_replays_even_the_same_room_again_and_resume_too(server, wire):
    alice = wire(server, "alice", "lab")
    sent = say_many(alice, 3)
    bob = wire(server, "bob", replays=True)
    for _ in range(2):
        _, replayed, _ = join_with_replay(bob, "lab")
        assert ids(replayed) == ids(sent)
    token = [f for f in bob.received if f["type"] == "nick"][-1]["token"]
    again = wire(server, replays=True)
    again.send(f"RESUME bob {token}")  # takes over the open connection
    again.expect("joined")
    replayed, closing = answer(again)
    assert ids(replayed) == ids(sent) and closing["direction"] == "replay"


def test_private_messages_are_never_in_a_rooms_replay(server, wire):
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    alice.send("PM bob secret plans")
    bob.expect("private")
    alice.send("SAY public words")
    alice.expect("message")  # its echo: kept before carol joins from another connection (no order between the two)
    carol = wire(server, "carol", replays=True)
    _, replayed, _ = join_with_replay(carol, "lab")
    assert [f["content"] for f in replayed] == ["public words"]
    assert all(f["type"] == "message" for f in replayed)


def _room_stream(frames: list[Frame], room: str) -> list[tuple[int, bool]]:
    return [(f["id"], bool(f.get("history"))) for f in frames if f["type"] == "message" and f["room"] == room]


IN_FLIGHT = 2000  # messages the flood may be ahead of the flooder's and the listener's readers (each under 1 MiB)


@pytest.mark.parametrize("first_read", ["from the disk", "from memory"])
def test_messages_said_while_someone_joins_reach_them_once_and_after_the_replay(
    start_server, wire, tmp_path, first_read
):
    """A flood goes on while people join: each joiner gets the replay, then every later message live, none twice.

    After a restart the first replay of the room reads the disk (the join
    waits for it off the lock); later joiners' replays come from memory.
    """
    data = str(tmp_path / "data")
    earlier: list[int] = []
    if first_read == "from the disk":
        before = start_server(data_dir=data, rate_per_second=0)
        earlier = ids(say_many(wire(before, "old", "lab"), 300))
        before.stop()
    server = start_server(data_dir=data, rate_per_second=0, replay=20)
    flooder = wire(server, "flooder", "lab")
    listener = wire(server, "listener", "lab")  # in the room before anything is said: sees every message live
    if first_read == "from memory":
        say_many(flooder, 30)
    stop = threading.Event()

    def flood() -> None:
        # As fast as the readers keep up, no faster: unread, the echoes would pass a collector's outbox cap on
        # a busy machine and the server would rightly cut it off as a slow reader ("the end" never came).
        number = 0
        while not stop.is_set():
            flooder.send(f"SAY live{number}")
            number += 1
            if number % 100 == 0:
                wait_until(
                    lambda sent=number: all(len(drain.of_type("message")) >= sent - IN_FLIGHT for drain in drains[:2]),
                    timeout=30,
                )

    drains = [Collector(flooder), Collector(listener)]  # nobody's outbox fills up while the flood goes on
    thread = threading.Thread(target=flood, daemon=True)
    thread.start()
    joiners = [wire(server, f"joiner{n}", replays=True) for n in range(8)]
    try:
        for joiner in joiners:
            if first_read == "from the disk":
                _forget_tail(server, "lab")
            joiner.send("JOIN lab")
            joiner.expect("joined")
            answer(joiner)
            drains.append(Collector(joiner))
    finally:
        stop.set()
        thread.join()
    flooder.send("SAY the end")
    for drain in drains:
        _wait_for_message(drain, "the end")
    # The room's whole stream: what was said before the restart, then what the listener got live. Not its replay:
    # after a restart that is the last 20 of `earlier` again, and a joiner whose replay reached back that far (a
    # flood slow to start on a loaded machine) was then expected to get those 20 twice.
    room = earlier + [message_id for message_id, history in _room_stream(listener.received, "lab") if not history]
    for joiner in joiners:
        stream = _room_stream(joiner.received, "lab")
        got = [message_id for message_id, _ in stream]
        assert [history for _, history in stream] == [True] * 20 + [False] * (len(stream) - 20)
        assert got == room[room.index(got[0]) :], "a message was lost, repeated or out of order for a joiner"


def _forget_tail(server, room: str) -> None:
    """As just after a start: the room's recent messages are not in memory, so the next replay reads the disk.

    (The flooder's own JOIN loaded them; without this only the first join
    after a start would take the disk path.)
    """
    store = server.storage.messages
    with store._recent.lock:
        store._recent._tails.pop(f"#{room}", None)
    assert store.recent(room, 20) is None


def _wait_for_message(drain: Collector, content: str) -> None:
    wait_until(
        lambda: any(f["type"] == "message" and f["content"] == content for f in drain.of_type("message")),
        timeout=30,
        message=f"{content!r} did not arrive",
    )
