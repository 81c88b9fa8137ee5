"""MOVE (our addition): a teacher sends students into a room for group work and brings them back."""

from __future__ import annotations

import pytest

from shared.errors import ErrorCode
from tests.integration.identity_support import moderate, teacher
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")


def moved(client, room: str) -> tuple[dict, dict]:
    """The `moved` notice and the `joined` of `room` before it, that a moved student gets."""
    joined = client.expect("joined")
    assert joined["room"] == room, joined
    notice = client.expect(lambda frame: frame.get("event") == "moved")
    return notice, joined


def test_a_teacher_moves_named_students_into_a_new_room_told_who_and_why(server, wire):
    lee = teacher(server, wire, "Ms_Lee", "general")
    ann, bob, cem = (wire(server, nick, "general") for nick in ("ann", "bob", "cem"))
    done = moderate(lee, "MOVE g1 ann,bob Group 1: fractions")
    assert (done["action"], done["room"], done["users"], done["count"]) == ("move", "g1", ["ann", "bob"], 2)
    notice, joined = moved(ann, "g1")
    assert (notice["room"], notice["from"], notice["by"], notice["reason"]) == (
        "g1",
        "general",
        "Ms_Lee",
        "Group 1: fractions",
    )
    assert "Ms_Lee (teacher) moved you to #g1" in notice["content"]
    assert joined["owner"] == "Ms_Lee"  # not ann, the first one put in it: she cannot lock bob out
    moved(bob, "g1")
    leave = cem.expect(lambda frame: frame.get("event") == "leave" and frame["user"] == "ann")
    assert "moved to #g1 by Ms_Lee" in leave["content"]
    assert {c.nick: c.room for c in server.clients()} == {
        "Ms_Lee": "general",
        "ann": "g1",
        "bob": "g1",
        "cem": "general",
    }
    ann.send("KEY secret")
    assert ann.expect("error")["code"] == ErrorCode.NOT_ALLOWED


def test_move_star_brings_every_student_back_wherever_they_are_teachers_stay(server, wire):
    lee = teacher(server, wire, "Ms_Lee", "g1")
    other = teacher(server, wire, "Mr_Ode", "g2")
    students = [wire(server, f"s{i}", f"g{i % 3 + 1}") for i in range(6)]
    lonely = wire(server, "nomad")  # in no room at all
    done = moderate(lee, "MOVE general * time is up")
    assert done["count"] == 7 and sorted(done["users"]) == sorted([f"s{i}" for i in range(6)] + ["nomad"])
    for student in [*students, lonely]:
        notice, _ = moved(student, "general")
        assert notice["reason"] == "time is up"
    rooms = {c.nick: c.room for c in server.clients()}
    assert rooms.pop("Ms_Lee") == "g1" and rooms.pop("Mr_Ode") == "g2"
    assert set(rooms.values()) == {"general"}
    assert "there already" in moderate(lee, "MOVE general *")["content"]
    other.send("MOVE g2 Ms_Lee")
    assert other.expect("error")["code"] == ErrorCode.NOT_ALLOWED


def test_a_locked_room_does_not_stop_a_teachers_move(server, wire):
    lee = teacher(server, wire, "Ms_Lee")
    owner = wire(server, "olga", "den")
    assert owner.reply("KEY hidden-room")["event"] == "key"
    wire(server, "pia", "general")
    assert moderate(lee, "MOVE den pia")["count"] == 1
    assert {c.nick: c.room for c in server.clients()}["pia"] == "den"


@pytest.mark.parametrize(
    ("command", "code"),
    [
        ("MOVE g1 ann,nobody", ErrorCode.NO_SUCH_USER),
        ("MOVE g1", ErrorCode.BAD_ARGUMENT),
        ("MOVE gl ann", ErrorCode.BAD_ROOM),  # looks like #g1, which exists
        ("MOVE g1 Ms_Lee", ErrorCode.NOT_ALLOWED),
        ("MOVE g1 ,", ErrorCode.BAD_ARGUMENT),
        ("MOVE g1 ann, gus", ErrorCode.BAD_ARGUMENT),  # a space after the comma: gus would be the reason
    ],
)
def test_a_bad_move_is_refused_and_moves_nobody(server, wire, command, code):
    lee = teacher(server, wire, "Ms_Lee")
    wire(server, "ann", "general")
    wire(server, "gus", "g1")
    assert lee.error(command) == code
    assert {c.nick: c.room for c in server.clients()} == {"Ms_Lee": None, "ann": "general", "gus": "g1"}


def test_a_student_may_not_move_anyone(server, wire):
    wire(server, "ann", "general")
    rogue = wire(server, "rogue", "general")
    for command in ("MOVE g1 ann", "MOVE g1 *", "/move general rogue"):
        rogue.send(command)
        assert rogue.expect("error")["code"] == ErrorCode.NOT_ALLOWED
    assert {c.nick: c.room for c in server.clients()} == {"ann": "general", "rogue": "general"}


def test_a_moved_student_gets_the_rooms_replay(server, wire):
    lee = teacher(server, wire, "Ms_Lee")
    leader = wire(server, "lia", "g2")
    leader.send("MSG our plan")
    leader.expect("message")
    ann = wire(server, "ann", "general")
    moderate(lee, "MOVE g2 ann")
    moved(ann, "g2")
    assert [frame["content"] for frame in ann.replayed if frame["type"] == "message"] == ["our plan"]


def test_the_admin_console_moves_students_and_the_room_it_makes_is_nobodys(server, wire):
    from chat_server.console import AdminConsole

    console = AdminConsole(server)
    ann = wire(server, "ann", "general")
    bob = wire(server, "bob", "general")
    lee = teacher(server, wire, "Ms_Lee", "general")
    assert console.execute("/move g1 ann,bob Group 1") == "Moved 2 to #g1: ann, bob."
    notice, joined = moved(ann, "g1")
    assert "by" not in notice and notice["content"] == 'An admin moved you to #g1: "Group 1"'
    assert joined["owner"] == ""  # not ann's: only teachers set its topic and key
    moved(bob, "g1")
    assert console.execute("move general *").startswith("Moved 2 to #general")
    assert {c.nick: c.room for c in server.clients()} == {"ann": "general", "bob": "general", "Ms_Lee": "general"}
    assert console.execute("/move g1 nobody").startswith("Not done: Not online: nobody.")
    assert console.execute("/move g1").startswith("Usage: /move ROOM")
    lee.send("PING")
    lee.expect("pong")


def test_move_star_takes_a_student_whose_connection_just_dropped_where_the_class_goes(server, wire):
    lee = teacher(server, wire, "Ms_Lee", "general")
    ann = wire(server, "ann", "g1")
    token = [frame for frame in ann.received if frame["type"] == "nick"][-1]["token"]
    nomad = wire(server, "nomad")  # in no room yet
    ann.close()  # her Wi-Fi blips during group work: held for RESUME
    nomad.close()
    wait_until(lambda: len(server.registry.parked) == 2)
    lee.send("MOVE g2 bob")  # (bob is nowhere: refused, nothing changes)
    assert lee.expect("error")["code"] == ErrorCode.NO_SUCH_USER
    done = moderate(lee, "MOVE general * time is up")
    assert sorted(done["users"]) == ["ann", "nomad"] and "2 of them lost their connection" in done["content"]
    back = wire(server)
    assert back.reply(f"RESUME ann {token}")["resumed"] is True
    wait_until(lambda: {c.nick: c.room for c in server.clients()}.get("ann") == "general")


def test_move_star_with_nobody_to_move_makes_no_room(server, wire):
    lee = teacher(server, wire, "Ms_Lee", "general")
    assert "Nobody moved" in moderate(lee, "MOVE gruop1 *")["content"]  # a typo, before the class logged in
    sam = wire(server, "sam", "general")
    sam.send("JOIN gruop1")
    assert sam.expect("joined")["owner"] == "sam"  # an ordinary new room, not one the teacher keeps
