"""HISTORY (PROTOCOL.md, History): pages before and after an id, `more`, clear errors, and the catch-up after a reconnect."""

from __future__ import annotations

import socket
import threading

import pytest

from shared.errors import ErrorCode
from shared.frames import Frame
from tests.integration.history_wire import answer, ids, join_with_replay, say_many
from tests.integration.wire import WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")


def test_pages_go_back_to_the_first_message_and_stop_with_more_false(start_server, wire):
    server = start_server(rate_per_second=0)
    alice = wire(server, "alice", "lab")
    sent = ids(say_many(alice, 120))
    bob = wire(server, "bob", "lab")
    pages: list[list[int]] = []
    messages, closing = answer(bob, "HISTORY")
    assert (ids(messages), closing["count"], closing["more"], closing["direction"]) == (sent[-50:], 50, True, "newest")
    pages.append(ids(messages))
    while closing["more"]:
        messages, closing = answer(bob, f"HISTORY BEFORE {pages[-1][0]}")
        assert closing["count"] == len(messages) and closing["direction"] == "before"
        pages.append(ids(messages))
    assert [len(page) for page in pages] == [50, 50, 20]
    assert [i for page in reversed(pages) for i in page] == sent
    assert all(f["type"] == "message" and f["history"] and f["room"] == "lab" for f in messages)
    messages, closing = answer(bob, f"history before {sent[0]}")
    assert (messages, closing["more"]) == ([], False)
    messages, closing = answer(bob, f"HISTORY #lab AFTER {sent[9]} 30")  # a named room: no cap (see below)
    assert (ids(messages), closing["more"], closing["first"], closing["last"]) == (
        sent[10:40],
        True,
        sent[10],
        sent[39],
    )
    messages, closing = answer(bob, "HISTORY AFTER 0 7")
    assert ids(messages) == sent[:7] and closing["more"] is True


def test_a_named_room_works_from_outside_it_and_after_everyone_left(server, wire):
    alice = wire(server, "alice", "physics")
    sent = ids(say_many(alice, 5))
    alice.send("LEAVE")
    alice.expect("left")
    bob = wire(server, "bob")
    messages, closing = answer(bob, "HISTORY #physics 3")
    assert (ids(messages), closing["target"], closing["room"], closing["more"]) == (
        sent[-3:],
        "#physics",
        "physics",
        True,
    )
    messages, closing = answer(bob, "HISTORY #nobody-ever-here")
    assert (messages, closing["count"], closing["more"]) == ([], 0, False)


@pytest.mark.parametrize(
    ("command", "code"),
    [
        ("HISTORY 0", ErrorCode.BAD_ARGUMENT),
        ("HISTORY 101", ErrorCode.BAD_ARGUMENT),
        ("HISTORY -5", ErrorCode.BAD_ARGUMENT),
        ("HISTORY 99999999999", ErrorCode.BAD_ARGUMENT),
        ("HISTORY BEFORE", ErrorCode.BAD_ARGUMENT),
        ("HISTORY BEFORE abc", ErrorCode.BAD_ARGUMENT),
        ("HISTORY BEFORE -3", ErrorCode.BAD_ARGUMENT),
        ("HISTORY AFTER 1.5", ErrorCode.BAD_ARGUMENT),
        ("HISTORY AFTER 99999999999999999999", ErrorCode.BAD_ARGUMENT),
        ("HISTORY AFTER ١٢", ErrorCode.BAD_ARGUMENT),  # Arabic-Indic digits are not an id
        ("HISTORY BEFORE 5 AFTER 3", ErrorCode.BAD_ARGUMENT),
        ("HISTORY BEFORE 5 10 extra", ErrorCode.BAD_ARGUMENT),
        ("HISTORY lab", ErrorCode.BAD_ARGUMENT),  # a room is written with its #
        ("HISTORY #bad!room", ErrorCode.BAD_ROOM),
        ("HISTORY @", ErrorCode.BAD_ARGUMENT),
        ("HISTORY @bad!nick", ErrorCode.BAD_NICK),
        ("HISTORY #" + "r" * 40, ErrorCode.BAD_ROOM),
    ],
)
def test_bad_limits_ids_and_names_get_clear_errors(server, wire, command, code):
    alice = wire(server, "alice", "lab")
    error = alice.reply(command)
    assert (error["type"], error["code"]) == ("error", code), error
    assert "/history" in error["content"] or code != ErrorCode.BAD_ARGUMENT
    assert alice.reply("PING still-here")["type"] == "pong"


def test_before_and_after_together_are_named_as_the_mistake(server, wire):
    """The ninth review: "HISTORY BEFORE 5 AFTER 3" was told "The number of messages is 1 to 100"."""
    alice = wire(server, "alice", "lab")
    for command in ("HISTORY BEFORE 5 AFTER 3", "HISTORY #lab after 3 before 9 10", "HISTORY AFTER 3 AFTER 4"):
        error = alice.reply(command)
        assert error["code"] == ErrorCode.BAD_ARGUMENT
        assert "not both" in error["content"] and "number of messages" not in error["content"], error


def test_history_of_the_current_room_needs_a_room(server, wire):
    alice = wire(server, "alice")
    assert alice.error("HISTORY") == ErrorCode.NOT_IN_ROOM
    assert alice.error("HISTORY BEFORE 10") == ErrorCode.NOT_IN_ROOM
    nobody = wire(server)
    assert nobody.error("HISTORY #lab") == ErrorCode.NOT_REGISTERED


def test_private_history_is_ones_own_conversation_whether_or_not_the_other_is_online(server, wire):
    alice = wire(server, "alice")
    bob = wire(server, "bob")
    for n in range(4):
        alice.send(f"PM bob hello {n}")
        bob.send(f"PM alice answer {n}")
    bob.expect(lambda f: f["type"] == "private" and f["content"] == "answer 3" and f["sender"] == "bob")
    alice.expect(lambda f: f["type"] == "private" and f["content"] == "answer 3")
    # The two send at once, so alice's own "hello 3" may come back after bob's "answer 3": wait for all 8.
    while len([f for f in alice.received if f["type"] == "private"]) < 8:
        alice.expect("private")
    sent = [f for f in alice.received if f["type"] == "private"]
    bob.send("QUIT")
    bob.rest_until_closed()
    messages, closing = answer(alice, "HISTORY @bob")  # bob has gone
    assert [(f["type"], f["id"], f["sender"], f["to"], f["content"]) for f in messages] == [
        ("private", f["id"], f["sender"], f["to"], f["content"]) for f in sent
    ]
    assert (closing["target"], closing["peer"], closing["more"]) == ("@bob", "bob", False)
    messages, closing = answer(alice, "HISTORY @BOB 3")
    assert ids(messages) == ids(sent[-3:]) and closing["more"] is True


def _token(client: WireClient) -> str:
    return [frame for frame in client.received if frame["type"] == "nick"][-1]["token"]


def _room_ids(frames: list[Frame]) -> list[int]:
    return [f["id"] for f in frames if f["type"] == "message" and f["room"] == "lab"]


def _catch_up(client: WireClient, last_seen: int, have: set[int] | None = None) -> list[Frame]:
    """What a reconnecting client does: HISTORY #lab AFTER its last id, page after page until `more` is false or
    a page reaches what it has already (`have`: the replay after its join), taking nothing it has twice."""
    have = have or set()
    got: list[Frame] = []
    after = last_seen
    while True:
        messages, closing = answer(client, f"HISTORY #lab AFTER {after} 100")
        got += [message for message in messages if message["id"] not in have]
        if not closing["more"] or (have and closing["last"] >= min(have)):
            return got
        after = closing["last"]


@pytest.mark.parametrize("how", ["resume, old connection gone", "resume, old connection still open", "nick and join"])
def test_a_client_cut_off_while_200_messages_are_sent_gets_all_200_once_in_order(start_server, wire, how):
    server = start_server(rate_per_second=0, resume_seconds=600)
    bob = wire(server, "bob", "lab")
    alice = wire(server, "alice", "lab")
    token = _token(alice)
    bob.expect("system")  # alice joined
    before = ids(say_many(bob, 5, "before"))
    wait_until(lambda: _drain(alice) >= 5)
    seen = _room_ids(alice.received)
    assert seen == before

    def flood() -> None:
        for number in range(200):
            bob.send(f"SAY during{number}")

    cutter = threading.Thread(target=flood)
    cutter.start()  # alice is cut off while the 200 are being sent
    if how == "resume, old connection still open":
        alice.sock.shutdown(socket.SHUT_RD)  # alice reads no more; the server still thinks she is there
    else:
        alice.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        alice.close()
    cutter.join()
    echoes = [bob.expect(lambda f: f["type"] == "message" and f["content"].startswith("during")) for _ in range(200)]
    assert [f["content"] for f in echoes] == [f"during{n}" for n in range(200)]
    during = ids(echoes)
    if how != "resume, old connection still open":
        wait_until(lambda: server.registry.find_nick("alice") is None, message="the server did not notice")

    again = wire(server, replays=True)
    if how == "nick and join":
        again.register("alice2")
        _, replayed, _ = join_with_replay(again, "lab")
    else:
        assert again.reply(f"RESUME alice {token}")["resumed"] is True
        again.expect("joined")
        replayed, _ = answer(again)
    caught = _catch_up(again, seen[-1], set(ids(replayed)))
    new_ids = ids(replayed) + ids(caught)
    assert len(new_ids) == len(set(new_ids)), "the reconnected client was sent a message twice"
    assert sorted(new_ids) == during
    assert sorted(new_ids)[-len(replayed) :] == ids(replayed)  # the replay is the newest, the pages the rest
    bob.send("SAY live again")
    live = again.expect(lambda f: f["type"] == "message" and not f.get("history"))
    assert live["content"] == "live again" and live["id"] > during[-1]


def _drain(client: WireClient) -> int:
    """Read what has come (without waiting long); the number of room messages received so far."""
    try:
        while True:
            client.next(timeout=0.05)
    except TimeoutError:
        pass
    return len(_room_ids(client.received))


def test_after_pages_give_what_follows_even_what_this_connection_has_already(start_server, wire):
    """As the contract says, `more` is true while newer messages remain (found by a conformance probe: AFTER in
    one's own room stopped where the connection's copy began, with `more` false); a client drops what it has."""
    server = start_server(replay=10, rate_per_second=0)
    alice = wire(server, "alice", "lab")
    sent = ids(say_many(alice, 30))
    bob = wire(server, "bob", replays=True)
    _, replayed, _ = join_with_replay(bob, "lab")
    assert ids(replayed) == sent[-10:]
    messages, closing = answer(bob, "HISTORY AFTER 0 100")
    assert (ids(messages), closing["more"]) == (sent, False)
    messages, closing = answer(bob, "HISTORY AFTER 0 5")
    assert (ids(messages), closing["more"]) == (sent[:5], True)
    messages, closing = answer(bob, f"HISTORY AFTER {sent[-11]}")
    assert (ids(messages), closing["more"]) == (sent[-10:], False)
    messages, closing = answer(alice, f"HISTORY #lab AFTER {sent[9]} 5")  # the sender's own, live, copy too
    assert (ids(messages), closing["more"]) == (sent[10:15], True)
    messages, closing = answer(bob, f"HISTORY BEFORE {sent[-1] + 1} 5")
    assert ids(messages) == sent[-5:]


def test_a_page_of_huge_messages_is_cut_to_fit_and_nobody_is_dropped_for_reading_it(start_server, wire):
    server = start_server(rate_per_second=0, max_outbound_bytes=256 * 1024)
    alice = wire(server, "alice", "lab")
    big = "𝄞" * 2000  # 8 KB of UTF-8 each
    for n in range(100):
        alice.send(f"SAY {n} {big}"[:2000])
        alice.expect("message")
    bob = wire(server, "bob", "lab")
    pages = []
    for _ in range(6):  # asked at once, without reading: each answer waits until the client has read enough
        bob.send("HISTORY 100")
    for _ in range(6):
        messages, closing = answer(bob)
        assert closing["more"] is True and 0 < len(messages) < 100
        assert sum(len(f["content"].encode()) for f in messages) <= 64 * 1024
        pages.append(messages)
    assert bob.reply("PING still-connected")["type"] == "pong"


def test_a_rooms_replay_names_what_was_deleted_there_lately(start_server, wire):
    """Found by a probe: deleted while a classmate was away, with more than a replay's worth said since, the line
    stayed in her window for good; the replay's `history` frame now names the room's recent deletions."""
    server = start_server(replay=10, rate_per_second=0)
    alice = wire(server, "alice", "lab")
    rude = ids(say_many(alice, 1, "rude"))[0]
    alice.send(f"DELETE {rude}")
    alice.expect("deleted")
    say_many(alice, 60, "later")
    bob = wire(server, "bob", replays=True)
    _, replayed, closing = join_with_replay(bob, "lab")
    assert len(replayed) == 10 and rude not in ids(replayed)
    assert closing["deleted"] == [rude]
    elsewhere = wire(server, "carol", replays=True)
    _, _, other = join_with_replay(elsewhere, "hall")  # another room's replay names none of lab's
    assert "deleted" not in other
