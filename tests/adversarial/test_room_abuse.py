"""A student taking every room name the class would use: rooms made by the hundred from one address.

A room with a topic, a key or a message is kept for good (its owner, topic
and key outlive its members), and its name keeps look-alikes out, so an
unlimited JOIN of new names let one student squat "group1" to "group50",
lock them, and leave the class with nowhere to go.  A real server on port
0; the student is at 127.0.0.2 ("another computer"), the teacher's own
window at 127.0.0.1.
"""

from __future__ import annotations

import pytest

from chat_server.identity.service import NEW_ROOMS_PER_ADDRESS
from shared.errors import ErrorCode
from tests.integration.identity_support import login, teacher
from tests.integration.wire import WireClient

pytestmark = pytest.mark.usefixtures("no_server_errors")

STUDENT = "127.0.0.2"


def join(client: WireClient, room: str) -> dict:
    client.send(f"JOIN {room}")
    return client.expect(lambda frame: frame["type"] in ("joined", "error"))


def test_one_address_makes_a_bounded_number_of_rooms(server, wire):
    squatter = WireClient(server.address, source=STUDENT).register("squatter")
    for number in range(NEW_ROOMS_PER_ADDRESS):
        assert join(squatter, f"group{number}")["type"] == "joined"
        squatter.send(f"TOPIC mine {number}")
        squatter.expect(lambda frame: frame.get("event") == "topic")
    refused = join(squatter, "group99")
    assert refused.get("code") == ErrorCode.RATE_LIMITED and "/list" in refused["content"], refused
    # Rooms that exist are joined as ever, and going back to one's own is no new room.
    assert join(squatter, "group0")["type"] == "joined"
    wire(server, "classmate", "lab")
    assert join(squatter, "lab")["type"] == "joined"


def test_new_names_and_new_connections_bring_no_fresh_allowance(server):
    first = WireClient(server.address, source=STUDENT).register("maker")
    for number in range(NEW_ROOMS_PER_ADDRESS):
        assert join(first, f"r{number}")["type"] == "joined"
    first.send("NICK maker2")
    first.expect("nick")
    assert join(first, "another").get("code") == ErrorCode.RATE_LIMITED
    first.close()
    second = WireClient(server.address, source=STUDENT).register("maker3")
    assert join(second, "yet_another").get("code") == ErrorCode.RATE_LIMITED


def test_other_computers_teachers_and_the_teachers_own_window_are_not_held_back(start_server, wire):
    server = start_server(allow_plain_passwords=True)
    squatter = WireClient(server.address, source=STUDENT).register("squatter")
    for number in range(NEW_ROOMS_PER_ADDRESS):
        assert join(squatter, f"s{number}")["type"] == "joined"
    assert join(squatter, "one_more").get("code") == ErrorCode.RATE_LIMITED
    neighbour = WireClient(server.address, source="127.0.0.3").register("neighbour")
    assert join(neighbour, "neighbours_room")["type"] == "joined"
    lee = teacher(server, wire)  # this computer
    for number in range(NEW_ROOMS_PER_ADDRESS + 2):
        assert join(lee, f"lesson{number}")["type"] == "joined"
    teacher_on_laptop = WireClient(server.address, source=STUDENT)
    assert login(teacher_on_laptop, "Ms_Lee")["role"] == "teacher"
    assert join(teacher_on_laptop, "from_the_students_laptop")["type"] == "joined"


def test_wrong_keys_from_others_do_not_keep_out_a_member_who_came_in_with_the_key_before(server, wire):
    """Found by a probe: five wrong keys a minute locked a keyed room for everyone. A computer that came in
    with the right key before is not held by the room's count; one that never did still is."""
    owner = WireClient(server.address, source="127.0.5.1").register("owner", "club")
    owner.reply("KEY blue whale", timeout=30)
    member = WireClient(server.address, source="127.0.5.2").register("member")
    member.send("JOIN club blue whale")
    assert member.expect(lambda frame: frame["type"] in ("joined", "error"))["type"] == "joined"
    member.reply("LEAVE")
    for number in range(6):
        guesser = WireClient(server.address, source=f"127.0.6.{number + 1}").register(f"guesser{number}")
        assert guesser.error(f"JOIN club guess{number}") in (ErrorCode.BAD_ROOM_KEY, ErrorCode.RATE_LIMITED)
        guesser.close()
    stranger = WireClient(server.address, source="127.0.5.9").register("stranger")
    assert stranger.error("JOIN club blue whale") == ErrorCode.RATE_LIMITED
    member.send("JOIN club blue whale")
    assert member.expect(lambda frame: frame["type"] in ("joined", "error"))["type"] == "joined"
