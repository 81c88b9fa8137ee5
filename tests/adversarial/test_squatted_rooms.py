"""A room a student made before the lesson, locked and worded like the teacher's, seen and freed from the console.

Found by a probe (the fifteenth review): a student made #homework before
the lesson, set the topic "[server] homework moved to #hw2" and a key, and
left.  The headless console's /rooms said "No rooms yet." (it listed rooms
with people in them), and its only tool, `/owner homework none`, left the
key on, so the class got `bad_room_key` until the teacher opened a chat
window.  Now /rooms names such rooms and `/free ROOM` takes the key, the
topic and the owner off in one step.  A real server on port 0 with a real
SQLite file in a temporary data folder; the student connects from
127.0.8.2, standing for another computer.
"""

from __future__ import annotations

import pytest

from chat_server.console import AdminConsole
from chat_server.kept_rooms_text import KEPT_ROOMS_SHOWN
from chat_server.storage import RoomRecord
from shared.errors import ErrorCode
from shared.names import name_key
from tests.integration.identity_support import add_account, login
from tests.integration.wire import WireClient

pytestmark = pytest.mark.usefixtures("no_server_errors")

KEY = "squatkey-77"
TOPIC = "[server] homework moved to #hw2"


def _squatter(server, account: bool) -> WireClient:
    squatter = WireClient(server.address, source="127.0.8.2")
    if account:
        add_account(server, "squat")
        login(squatter, "squat")
    else:
        squatter.register("squat")
    squatter.send("JOIN homework")
    assert squatter.expect("joined")["owner"] == "squat"
    squatter.send(f"TOPIC {TOPIC}")
    squatter.expect(lambda frame: frame.get("event") == "topic")
    squatter.send(f"KEY {KEY}")
    squatter.expect(lambda frame: frame.get("event") == "key", timeout=30)
    return squatter


@pytest.mark.parametrize("account", [True, False], ids=["account", "guest"])
def test_rooms_names_a_locked_room_nobody_is_in_and_free_opens_it_for_the_class(start_server, tmp_path, account):
    data = str(tmp_path / "data")
    server = start_server(allow_plain_passwords=True, data_dir=data)
    squatter = _squatter(server, account)
    squatter.send("SAY the answers are in here")  # a kept message: the room is kept, its history with it
    squatter.expect("message")
    squatter.send("LEAVE")
    squatter.expect("left")
    console = AdminConsole(server)
    listed = console.execute("/rooms")
    # a guest's room is the session's: named while that session is online
    assert '#homework: locked, owner squat, topic "[server] homework moved to #hw2"' in listed, listed
    assert console.execute("/free #homework") == (
        "Took the key, the topic and the owner off #homework: anyone may join it, and nobody owns it."
    )
    assert "#homework" not in console.execute("/rooms")
    pupil = WireClient(server.address, source="127.0.8.9")
    pupil.register("pupil")
    pupil.send("JOIN homework")
    joined = pupil.expect(lambda frame: frame["type"] in ("joined", "error"))
    assert joined["type"] == "joined" and (joined["owner"], joined["topic"], joined["locked"]) == ("", "", False)
    squatter.send("JOIN homework")
    assert squatter.expect("joined")["you_own"] is False
    assert squatter.error(f"KEY {KEY}") == ErrorCode.NOT_ALLOWED
    assert squatter.error(f"TOPIC {TOPIC}") == ErrorCode.NOT_ALLOWED
    server.stop()
    restarted = start_server(allow_plain_passwords=True, data_dir=data)
    again = WireClient(restarted.address, source="127.0.8.2")
    if account:
        login(again, "squat")
    else:
        again.register("squat")
    again.send("JOIN homework")
    joined = again.expect(lambda frame: frame["type"] in ("joined", "error"))
    assert joined["type"] == "joined" and (joined["owner"], joined["locked"]) == ("", False), joined
    assert again.error(f"KEY {KEY}") == ErrorCode.NOT_ALLOWED


@pytest.mark.parametrize("name", ["homework", "hοmework", "h0mework", "HomeWork"])
def test_free_forgets_a_squatted_room_nothing_was_said_in_so_the_teachers_name_is_free(start_server, name):
    """A squatter's look-alike (Greek ο, a zero) kept the teacher's #homework out and sent the class to it."""
    server = start_server(allow_plain_passwords=True)
    squatter = WireClient(server.address, source="127.0.8.2")
    squatter.register("squat", name)
    squatter.send(f"KEY {KEY}")
    squatter.expect(lambda frame: frame.get("event") == "key", timeout=30)
    squatter.send("LEAVE")
    squatter.expect("left")
    add_account(server, "Ms_Lee", "teacher")
    teacher = WireClient(server.address)
    login(teacher, "Ms_Lee")
    if name_key(name) != "homework":  # a look-alike keeps the teacher's name out (the same name she walks into)
        teacher.send("JOIN homework")
        assert teacher.expect(lambda frame: frame["type"] in ("joined", "error")).get("code") == ErrorCode.BAD_ROOM
    assert AdminConsole(server).execute(f"/free {name}") == (
        f"Forgot #{name} (the key and the owner): nothing was said in it, so its name, and the names that look "
        "like it, are free for a new room."
    )
    teacher.send("JOIN homework")
    joined = teacher.expect(lambda frame: frame["type"] in ("joined", "error"))
    assert joined["type"] == "joined" and joined["room"] == "homework" and joined["owner"] == "Ms_Lee", joined
    assert joined["locked"] is False
    assert AdminConsole(server).execute("/free homework").startswith("Took the owner off #homework")  # hers now


def test_free_on_a_room_with_people_in_it_tells_them_each_change(start_server):
    server = start_server(allow_plain_passwords=True)
    squatter = _squatter(server, account=True)
    member = WireClient(server.address, source="127.0.8.3")
    member.register("member")
    member.send(f"JOIN homework {KEY}")
    member.expect("joined")
    answer = AdminConsole(server).execute("/free homework")
    assert answer == "Took the key, the topic and the owner off #homework: anyone may join it, and nobody owns it."
    for client in (squatter, member):
        key = client.expect(lambda frame: frame.get("event") == "key")
        assert key["locked"] is False and key["room"] == "homework", key
        assert client.expect(lambda frame: frame.get("event") == "topic")["topic"] == ""
        assert client.expect(lambda frame: frame.get("event") == "owner")["owner"] == ""
    assert squatter.error(f"KEY {KEY}") == ErrorCode.NOT_ALLOWED
    outsider = WireClient(server.address, source="127.0.8.4")
    outsider.register("outsider")
    outsider.send("JOIN homework")
    assert outsider.expect(lambda frame: frame["type"] in ("joined", "error"))["type"] == "joined"


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/free nowhere", "Not done: There is no room #nowhere, live or kept."),
        ("/free", "Usage: /free ROOM"),
        ("/free homework now", "Usage: /free ROOM"),
        ("/free lobby", "#lobby had no key, topic or owner: anyone may join it already."),
    ],
)
def test_free_says_why_when_there_is_nothing_to_free(start_server, command, answer):
    server = start_server()
    guest = WireClient(server.address, source="127.0.8.5")
    guest.register("guest", "lobby")
    console = AdminConsole(server)
    console.execute("/owner lobby none")
    assert console.execute(command).startswith(answer), console.execute(command)


def test_rooms_shows_at_most_a_screenful_of_kept_rooms_locked_first(start_server):
    server = start_server()
    rooms = server.who.rooms.storage.rooms  # a term of rooms made and left, as the rooms table keeps them
    for number in range(KEPT_ROOMS_SHOWN + 5):
        rooms.put(RoomRecord(f"room{number:02d}", topic=f"topic {number}"))
    rooms.put(RoomRecord("zz_locked", key_hash="not checked here"))
    rooms.put(RoomRecord("plain"))  # nothing of its own: not listed
    guest = WireClient(server.address, source="127.0.8.5")
    guest.register("guest", "room03")  # a room with people in it is listed above, not as kept
    lines = AdminConsole(server).execute("/rooms").splitlines()
    assert lines[:2] == ["1 room:", "  #room03 (1): guest; 0 messages"], lines[:2]
    assert lines[2].startswith(f"Kept with nobody in them ({KEPT_ROOMS_SHOWN + 5};"), lines[2]
    assert lines[3] == "  #zz_locked: locked, no owner", lines[3]
    assert lines[4] == '  #room00: open, no owner, topic "topic 0"', lines[4]
    assert "#room03:" not in "\n".join(lines[2:]) and "#plain" not in "\n".join(lines)
    assert len(lines) == 3 + KEPT_ROOMS_SHOWN + 1 and lines[-1] == "  … and 5 more", lines[-3:]


@pytest.mark.parametrize(
    ("teachers_command", "heard"),
    [
        ("KEY", "Ms_Lee removed the key of #homework"),
        ("TOPIC Homework: chapter 3", 'Ms_Lee set the topic of #homework: "Homework: chapter 3"'),
        ("TOPIC", "Ms_Lee removed the topic"),
    ],
)
def test_a_teachers_unlocking_or_topic_is_not_undone_by_the_squatter(start_server, teachers_command, heard):
    """The teacher took the squatter's key off, or wrote her own topic, from a chat window: the squatter locked the
    room again the next moment, or wrote "TEACHER: homework cancelled" over her topic (found by a probe)."""
    server = start_server(allow_plain_passwords=True)
    squatter = _squatter(server, account=True)
    add_account(server, "Ms_Lee", "teacher")
    teacher = WireClient(server.address)
    login(teacher, "Ms_Lee")
    teacher.send("JOIN homework")
    assert teacher.expect("joined")["owner"] == "squat"
    notice = teacher.reply(teachers_command, timeout=30)
    assert notice["content"].startswith(heard), notice
    for client in (teacher, squatter):  # the topic bars and the squatter's window learn it at once
        taken = client.expect(lambda frame: frame.get("event") == "owner")
        assert taken["owner"] == "" and taken["content"] == (
            "Ms_Lee took #homework from its owner: nobody owns it now (teachers set its topic and key)"
        ), taken
    for command in (f"KEY {KEY}", "KEY", "TOPIC TEACHER: homework cancelled", "TOPIC"):
        squatter.send(command)
        refused = squatter.expect(lambda frame: frame["type"] == "error" or frame.get("user") == "squat")
        assert refused.get("code") == ErrorCode.NOT_ALLOWED, (command, refused)


def test_a_teachers_setting_that_changes_nothing_leaves_the_owner_her_room(start_server):
    """Only a change the owner could undo takes the room: a teacher's KEY on an open room, or the same topic again,
    leaves a group's room with its leader."""
    server = start_server(allow_plain_passwords=True)
    leader = WireClient(server.address, source="127.0.8.6")
    leader.register("leader", "group3")
    leader.send("TOPIC fractions")
    leader.expect(lambda frame: frame.get("event") == "topic")
    add_account(server, "Ms_Lee", "teacher")
    teacher = WireClient(server.address)
    login(teacher, "Ms_Lee")
    teacher.send("JOIN group3")
    teacher.expect("joined")
    assert teacher.reply("KEY", timeout=30)["content"].endswith("read what was said here")
    assert teacher.reply("TOPIC fractions")["content"] == 'Ms_Lee set the topic of #group3: "fractions"'
    assert teacher.reply("TOPIC fractions")["event"] == "topic"  # no `owner` event came between
    leader.send(f"KEY {KEY}")
    assert leader.expect(lambda frame: frame.get("event") == "key" and frame.get("user") == "leader", 30)["locked"]
