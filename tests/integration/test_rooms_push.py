"""The `rooms` push (PROTOCOL.md, Version 2, Presence): room lists kept current without LIST.

Pushes come from the housekeeper thread at most once a second.  Where a
test needs the next tick now, it calls the real housekeeper's sweep itself
with a clock two seconds ahead, so it never waits for a guessed time.
"""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from tests.integration.wire import TextClient, WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")


def rooms_of(push: dict) -> dict[str, int]:
    return {room["name"]: room["count"] for room in push["rooms"]}


def tick_now(server) -> None:
    """One housekeeper sweep as if the push's second were up (the sweep is the server's own code)."""
    server.housekeeper.sweep(time.monotonic() + 2)


def test_a_client_gets_the_room_list_right_after_registering(server, wire):
    wire(server, "bob", "lab")
    wire(server, "carol", "lab")
    wire(server, "dave", "art")
    alice = WireClient(server.address, pushes=True)
    assert alice.reply("NICK alice")["type"] == "nick"
    push = alice.next()
    assert push["type"] == "rooms"
    assert rooms_of(push) == {"lab": 2, "art": 1} and push["total"] == 2
    assert all(room["topic"] == "" and room["locked"] is False for room in push["rooms"])
    assert [room["name"] for room in push["rooms"]] == ["lab", "art"]  # biggest first


def test_a_change_is_pushed_to_every_json_client_within_about_a_second(server, wire):
    alice = WireClient(server.address, pushes=True).register("alice")
    assert alice.next()["type"] == "rooms"
    wire(server, "bob", "lab")
    push = alice.expect("rooms", timeout=5)  # the housekeeper's own tick, not ours
    assert rooms_of(push) == {"lab": 1}
    wire(server, "carol", "lab")
    wait_until(lambda: rooms_of(alice.expect("rooms", timeout=5)) == {"lab": 2})


def test_pushes_come_at_most_once_a_second_however_fast_rooms_change(start_server, wire):
    server = start_server(rate_per_second=0)
    watcher = WireClient(server.address, pushes=True).register("watcher")
    hopper = wire(server, "hopper")
    sent_at: list[datetime] = []  # the server's own clock: when each push was made
    deadline = time.monotonic() + 3.5
    n = 0
    while time.monotonic() < deadline:
        hopper.send(f"JOIN room{n % 5}")  # every JOIN changes two rooms' counts
        hopper.expect("joined")
        n += 1
    hopper.send("JOIN final")
    hopper.expect("joined")
    while True:
        push = watcher.expect("rooms", timeout=5)
        sent_at.append(datetime.strptime(push["time"], "%Y-%m-%dT%H:%M:%S.%fZ"))
        if rooms_of(push) == {"final": 1}:
            break
    assert n > 20 and len(sent_at) <= 6, (n, len(sent_at))
    # the first push answered registering; the others are the housekeeper's, a second apart at least
    gaps = [(later - earlier).total_seconds() for earlier, later in zip(sent_at[1:-1], sent_at[2:], strict=True)]
    assert gaps and all(gap >= 0.99 for gap in gaps), gaps


def test_nothing_is_pushed_when_nothing_changed(server, wire):
    alice = WireClient(server.address, pushes=True).register("alice", "lab")
    bob = wire(server, "bob", "lab")
    tick_now(server)
    assert rooms_of(alice.expect("rooms")) == {"lab": 2}
    bob.send("SAY words are no change")
    bob.send("NICK robert")  # neither is a rename
    alice.expect("message")
    alice.expect("system")
    tick_now(server)
    assert alice.reply("PING probe")["type"] == "pong"  # a push would have been queued before the pong


def test_text_mode_clients_get_no_push(server, wire):
    text = TextClient(server.address)
    text.send_line("NICK carol")
    text.expect("carol")
    wire(server, "bob", "lab")
    tick_now(server)
    text.send_line("PING after-push")
    assert text.expect("PONG|rooms|\\{").endswith("PONG after-push\r")
    text.close()


def test_unregistered_connections_get_no_push(server, wire):
    newcomer = WireClient(server.address, pushes=True)
    wire(server, "bob", "lab")
    tick_now(server)
    assert newcomer.reply("PING x")["type"] == "pong"
