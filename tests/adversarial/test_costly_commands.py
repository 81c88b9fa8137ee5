"""Students making the server work hard with commands that are allowed one by one (thirteenth review, branch costly)."""

from __future__ import annotations

import pytest

from chat_server.address_budget import SETTINGS_BURST
from shared.errors import ErrorCode
from tests.integration.identity_support import add_account, login
from tests.integration.wire import WireClient

pytestmark = pytest.mark.usefixtures("no_server_errors")


def student(server, number: int, nick: str, room: str | None = None) -> WireClient:
    return WireClient(server.address, source=f"127.0.1.{number}").register(nick, room)


def settings_heard(client: WireClient) -> list[dict]:
    return [frame for frame in client.received if frame.get("event") in ("topic", "key")]


def test_topics_and_keys_from_one_computer_are_held_past_its_budget(server, wire):
    """Found by a probe: fifty owners on five computers set a key or a topic 450 times a second (each a disk
    write, a key a slow hash too), every connection within its own rate: the class's messages took 334 ms."""
    owners = [student(server, 20, f"owner{number}", f"den{number}") for number in range(3)]
    neighbour = student(server, 21, "neighbour", "lab")
    for round_number in range(6):  # 36 changes, 12 a connection: within each one's own rate (bursts of 30)
        for owner in owners:
            owner.send(f"TOPIC round {round_number}")
            owner.send(f"KEY secret-{round_number}")
    refusals = []
    for owner in owners:
        owner.send("PING fence")
        owner.expect("pong", timeout=30)
        refusals += [frame for frame in owner.received if frame.get("code") == ErrorCode.RATE_LIMITED]
    changes = sum(len(settings_heard(owner)) for owner in owners)
    assert changes <= SETTINGS_BURST + 1, f"{changes} topic and key changes went through"  # +1: a token refilled
    assert changes >= SETTINGS_BURST - 1
    assert refusals, "nobody was told why their changes stopped"
    # Another computer's owner is not held by this one's budget.
    neighbour.send("TOPIC still mine to name")
    assert neighbour.expect(lambda frame: frame.get("event") == "topic" or frame["type"] == "error")["type"] == "system"
    neighbour.send("KEY neighbours-only")
    assert neighbour.expect(lambda frame: frame.get("event") == "key" or frame["type"] == "error")["type"] == "system"
    for owner in owners:
        owner.close()
    neighbour.close()


def test_a_teacher_on_a_classroom_computer_is_not_held_to_the_budget(server, wire):
    add_account(server, "Ms_Park", "teacher")
    ms_park = WireClient(server.address, source="127.0.1.22", tls=True)
    assert login(ms_park, "Ms_Park")["role"] == "teacher"
    ms_park.send("JOIN staffroom")
    ms_park.expect("joined")
    for number in range(SETTINGS_BURST + 5):
        ms_park.send(f"TOPIC lesson part {number}")
    ms_park.send("PING fence")
    ms_park.expect("pong", timeout=30)
    assert len(settings_heard(ms_park)) == SETTINGS_BURST + 5
    assert not [frame for frame in ms_park.received if frame["type"] == "error"]
    ms_park.close()
