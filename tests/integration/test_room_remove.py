"""A room's owner looks after the room: REMOVE, the shortest key KEY takes, and who reads a locked room's topic.

Found by a probe (/tmp/probe-files repro_rooms.py, repro_keyguess.py,
repro_meta.py): someone who joined a locked room with a leaked key stayed in
after the owner set a new key (the owner's KICK got `not_allowed`), reading
new messages, HISTORY and files; `KEY 7` was accepted and fell to the 5
guesses a minute in about 2 minutes; a locked room's topic reached every
client in the `rooms` push.  "Another computer" is a client bound to
127.0.0.x.
"""

from __future__ import annotations

import logging
import time

import pytest

from chat_server.identity.room_keys import hash_room_key
from shared.errors import ErrorCode
from tests.integration.identity_support import teacher
from tests.integration.wire import WireClient, nothing_more
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

KEY_TIMEOUT = 30  # KEY and a keyed JOIN hash off the lock; a loaded machine may be slow


def joined_or_error(client: WireClient, command: str) -> dict:
    client.send(command)
    return client.expect(lambda frame: frame["type"] in ("joined", "error"))


def locked_room(server, wire, owner_nick: str = "olivia", room: str = "secret", key: str = "hunter22"):
    owner = wire(server, owner_nick, room, source="127.0.0.3")
    assert owner.reply(f"KEY {key}", timeout=KEY_TIMEOUT)["locked"] is True
    return owner


def test_the_owner_removes_someone_who_came_in_with_a_leaked_key_and_a_new_key_keeps_them_out(server, wire):
    owner = locked_room(server, wire)
    ivan = wire(server, "ivan", source="127.0.0.4")
    assert joined_or_error(ivan, "JOIN secret hunter22")["type"] == "joined"
    bea = wire(server, "bea", source="127.0.0.5")
    assert joined_or_error(bea, "JOIN secret hunter22")["type"] == "joined"
    owner.send("KEY brand-new-key-9")
    owner.expect(lambda frame: frame.get("event") == "key", timeout=KEY_TIMEOUT)
    ivan.expect(lambda frame: frame.get("event") == "key")
    bea.expect(lambda frame: frame.get("event") == "key")

    owner.send("REMOVE ivan came in with the leaked key")
    removed = ivan.expect("system")
    assert (removed["event"], removed["room"], removed["by"]) == ("removed", "secret", "olivia")
    assert removed["reason"] == "came in with the leaked key"
    assert removed["content"] == 'olivia removed you from #secret: "came in with the leaked key"'
    assert ivan.next()["type"] == "left"
    for member in (owner, bea):  # the room, the owner too (that is the confirmation), sees ivan go
        leave = member.expect(lambda frame: frame.get("event") == "leave")
        assert (leave["user"], leave["reason"]) == ("ivan", "came in with the leaked key")
        assert "removed by olivia" in leave["content"]

    owner.send("SAY the new secret: 42")
    bea.expect(lambda frame: frame["type"] == "message" and "42" in frame["content"])
    assert not [frame for frame in nothing_more(ivan) if frame["type"] in ("message", "file")]
    assert ivan.error("HISTORY #secret") == ErrorCode.BAD_ROOM_KEY
    assert joined_or_error(ivan, "JOIN secret hunter22")["code"] == ErrorCode.BAD_ROOM_KEY  # the old key is dead
    assert joined_or_error(ivan, "JOIN general")["type"] == "joined"  # still in the chat
    assert joined_or_error(ivan, "JOIN secret brand-new-key-9")["type"] == "joined"  # with the current key: in


def test_only_the_owner_or_a_teacher_removes_and_only_someone_in_the_room(server, wire):
    owner = locked_room(server, wire)
    bea = wire(server, "bea", source="127.0.0.5")
    assert joined_or_error(bea, "JOIN secret hunter22")["type"] == "joined"
    outsider = wire(server, "oscar", "general", source="127.0.0.6")
    lee = teacher(server, wire, "Ms_Lee", room="secret")
    for client in (owner, bea):
        nothing_more(client)  # the join notices: what comes next answers what they send

    assert bea.error("REMOVE olivia") == ErrorCode.NOT_ALLOWED  # a member, not the owner
    assert outsider.error("REMOVE bea") == ErrorCode.NOT_IN_ROOM  # oscar owns #general; bea is not there
    assert wire(server, "nobody").error("REMOVE bea") == ErrorCode.NOT_IN_ROOM  # no room of one's own at all
    owner.send("REMOVE Ms_Lee")
    refused = owner.expect("error")
    assert refused["code"] == ErrorCode.NOT_ALLOWED and "teacher" in refused["content"]
    owner.send("REMOVE oscar")
    elsewhere = owner.expect("error")
    assert elsewhere["code"] == ErrorCode.NOT_IN_ROOM and elsewhere["content"].startswith("oscar is not in #secret")
    assert owner.error("REMOVE ghost") == ErrorCode.NOT_IN_ROOM
    assert owner.error("REMOVE olivia") == ErrorCode.BAD_ARGUMENT  # oneself: /leave
    assert owner.error("REMOVE") == ErrorCode.BAD_ARGUMENT
    assert bea.reply("PING still-here")["type"] == "pong"  # nothing happened to anyone

    # A teacher in the room removes a student (even the owner), but not another teacher.
    lee.send("REMOVE bea")
    assert bea.expect("system")["event"] == "removed" and bea.next()["type"] == "left"
    teacher(server, wire, "Mr_Brown", room="secret")
    nothing_more(lee)
    assert lee.error("REMOVE Mr_Brown") == ErrorCode.NOT_ALLOWED
    lee.send("REMOVE olivia")
    assert owner.expect(lambda frame: frame.get("event") == "removed")["by"] == "Ms_Lee"
    assert owner.next()["type"] == "left"


def test_key_refuses_a_key_shorter_than_four_characters_and_join_still_takes_an_old_short_one(server, wire):
    owner = wire(server, "olivia", "secret", source="127.0.0.3")
    owner.send("KEY 7")
    refused = owner.expect("error")
    assert refused["code"] == ErrorCode.BAD_ARGUMENT and "at least 4 characters" in refused["content"]
    assert joined_or_error(wire(server, "bea", source="127.0.0.5"), "JOIN secret")["locked"] is False  # not locked
    nothing_more(owner)
    assert owner.error("KEY a b") == ErrorCode.BAD_ARGUMENT  # 3 characters with the space
    owner.send("KEY 4567")
    assert owner.expect(lambda frame: frame.get("event") == "key", timeout=KEY_TIMEOUT)["locked"] is True
    # A room locked with a short key before this rule (as the rooms table may hold one) still opens with it.
    wire(server, "pat", "old_room", source="127.0.0.7")
    with server.registry.lock:
        room = server.registry.find_room("old_room")
        assert room is not None
        room.key_hash = hash_room_key("7")
    assert joined_or_error(wire(server, "quinn", source="127.0.0.8"), "JOIN old_room 7")["type"] == "joined"


def next_push(server, client: WireClient, where) -> dict:
    """The first `rooms` push from now on that matches `where`; the housekeeper's sweep is run now (the server's
    own code, a clock 2 s ahead) rather than waited for."""
    server.housekeeper.sweep(time.monotonic() + 2)
    return client.expect(lambda frame: frame["type"] == "rooms" and where(frame))


def topics(push: dict) -> dict[str, str]:
    return {room["name"]: room["topic"] for room in push["rooms"]}


def test_a_locked_rooms_topic_goes_only_to_its_members(server, wire):
    owner = locked_room(server, wire)
    owner.reply("TOPIC plans for the surprise party for Mr Brown", timeout=KEY_TIMEOUT)
    wire(server, "tom", "lab", source="127.0.0.5").reply("TOPIC circuits, week 3", timeout=KEY_TIMEOUT)
    member = WireClient(server.address, pushes=True, source="127.0.0.4").register("bea")
    outsider = WireClient(server.address, pushes=True, source="127.0.0.6").register("oscar", "general")
    party = "plans for the surprise party for Mr Brown"
    try:
        assert joined_or_error(member, "JOIN secret hunter22")["topic"] == party
        inside = next_push(server, member, lambda push: "secret" in topics(push) and push["total"] == 3)
        assert topics(inside) == {"secret": party, "lab": "circuits, week 3", "general": ""}
        seen = next_push(server, outsider, lambda push: push["total"] == 3 and len(push["rooms"]) == 3)
        assert topics(seen)["lab"] == "circuits, week 3"  # an open room's topic is for everyone
        assert {room["name"]: room["locked"] for room in seen["rooms"]}["secret"] is True  # the lock still shows
        member.reply("LEAVE")  # gone out of the room, the member is an outsider again
        next_push(server, member, lambda push: "secret" in topics(push) and topics(push)["secret"] == "")
        owner.reply("TOPIC moved to Friday", timeout=KEY_TIMEOUT)
        server.housekeeper.sweep(time.monotonic() + 2)
        nothing_more(outsider)  # the push that carries the new topic, queued before the answer to this PING
        pushes = [frame for frame in outsider.received if frame["type"] == "rooms"]
        assert pushes and all(topics(push).get("secret", "") == "" for push in pushes), pushes
    finally:
        member.close()
        outsider.close()


def test_the_log_names_who_was_removed_not_the_owner_who_removed_them(server, wire, caplog):
    """The admin's log said "olivia left #den" when olivia removed ivan, and nothing of ivan (ninth review)."""
    caplog.set_level(logging.INFO, logger="chat_server")
    owner = wire(server, "olivia", "den", source="127.0.0.3")
    ivan = wire(server, "ivan", "den", source="127.0.0.4")
    owner.expect(lambda frame: frame.get("event") == "join")
    owner.send("REMOVE ivan")
    ivan.expect(lambda frame: frame["type"] == "left")
    owner.expect(lambda frame: frame.get("event") == "leave")
    owner.reply("PING logged")  # the log lines are written once the command is done

    def lines() -> list[str]:
        return [record.getMessage() for record in caplog.records if " #den" in record.getMessage()]

    wait_until(lambda: any(line.startswith("ivan left #den") for line in lines()), message=f"{lines()}")
    assert not any(line.startswith("olivia left") for line in lines()), lines()


def test_the_log_names_each_person_a_teachers_close_moves_out(server, wire, caplog):
    caplog.set_level(logging.INFO, logger="chat_server")
    ms_lee = teacher(server, wire, "Ms_Lee", room="lab")
    students = [wire(server, nick, "den", source=f"127.0.0.{5 + n}") for n, nick in enumerate(("ann", "ben"))]
    ms_lee.send("JOIN den")
    ms_lee.expect("joined")
    ms_lee.send("CLOSE den lesson over")
    for student in students:
        student.expect(lambda frame: frame["type"] == "left")

    def lines() -> list[str]:
        return [record.getMessage() for record in caplog.records if "left #den" in record.getMessage()]

    wait_until(lambda: {"ann", "ben"} <= {line.split()[0] for line in lines()}, message=f"{lines()}")
    assert [line.split()[0] for line in lines()].count("Ms_Lee") <= 1, lines()
