"""Rooms with owners, topics and keys that outlive their members; look-alike room names (PROTOCOL.md, Identity)."""

from __future__ import annotations

import pytest

from shared.errors import ErrorCode
from tests.integration.identity_support import add_account, login, teacher
from tests.integration.test_resume import token_of
from tests.integration.wire import WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")


def joined_frame(client: WireClient, command: str) -> dict:
    client.send(command)
    return client.expect(lambda frame: frame["type"] in ("joined", "error"))


def test_joined_names_the_owner_and_says_whether_the_room_is_locked(server, wire):
    alice = wire(server, "alice")
    first = joined_frame(alice, "JOIN group1")
    assert (first["owner"], first["topic"], first["locked"]) == ("alice", "", False)
    bob = wire(server, "bob")
    assert joined_frame(bob, "JOIN group1")["owner"] == "alice"


def test_room_key_required_wrong_and_right(server, wire):
    owner = wire(server, "alice", "group1")
    key = owner.reply("KEY blue whale", timeout=30)
    assert (key["event"], key["locked"], key["user"]) == ("key", True, "alice")
    bob = wire(server, "bob")
    missing = joined_frame(bob, "JOIN group1")
    assert missing["code"] == ErrorCode.BAD_ROOM_KEY and "/join group1 KEY" in missing["content"]
    assert joined_frame(bob, "JOIN group1 blue shark")["code"] == ErrorCode.BAD_ROOM_KEY
    assert joined_frame(bob, "JOIN group1 Blue Whale")["code"] == ErrorCode.BAD_ROOM_KEY  # case counts
    right = joined_frame(bob, "JOIN #group1 blue whale")
    assert (right["type"], right["locked"]) == ("joined", True)
    carol = wire(server, "carol")
    assert joined_frame(carol, "JOIN group1 ｂｌｕｅ ｗｈａｌｅ")["type"] == "joined"  # full width is the same key
    dave = wire(server, "dave")
    assert joined_frame(dave, "JOIN group1 blue   whale")["type"] == "joined"  # and so is a run of spaces


def test_a_key_set_with_two_spaces_by_a_slip_opens_with_one(server, wire):
    owner = wire(server, "alice", "group2")
    assert owner.reply("KEY  blue  whale ", timeout=30)["locked"] is True
    bob = wire(server, "bob")
    assert joined_frame(bob, "JOIN group2 blue whale")["type"] == "joined"


def test_wrong_room_keys_are_throttled_per_address(server, wire):
    owner = wire(server, "alice", "group1")
    owner.reply("KEY sesame", timeout=30)
    guesser = wire(server, "mallory")
    for attempt in range(5):
        assert joined_frame(guesser, f"JOIN group1 guess{attempt}")["code"] == ErrorCode.BAD_ROOM_KEY
    assert joined_frame(guesser, "JOIN group1 sesame")["code"] == ErrorCode.RATE_LIMITED  # not checked


def test_owner_and_teachers_enter_without_the_key_and_others_may_not_set_it(server, wire):
    add_account(server, "alice")
    alice = wire(server)
    login(alice, "alice")
    joined_frame(alice, "JOIN group1")
    alice.reply("KEY sesame", timeout=30)
    alice.reply("LEAVE")
    assert joined_frame(alice, "JOIN group1")["type"] == "joined"  # the owner needs no key
    lee = teacher(server, wire)
    assert joined_frame(lee, "JOIN group1")["type"] == "joined"  # nor does a teacher
    bob = wire(server, "bob")
    assert joined_frame(bob, "JOIN group1 sesame")["type"] == "joined"
    for command in ["KEY mine now", "KEY", "TOPIC taken over", "TOPIC"]:
        assert bob.error(command) == ErrorCode.NOT_ALLOWED, command
    assert wire(server, "nobody").error("TOPIC hello") == ErrorCode.NOT_IN_ROOM


def test_the_owner_removes_the_key_and_a_key_given_then_is_ignored(server, wire):
    owner = wire(server, "alice", "group1")
    owner.reply("KEY sesame", timeout=30)
    unlocked = owner.reply("KEY")
    assert (unlocked["event"], unlocked["locked"]) == ("key", False)
    assert "read what was said here" in unlocked["content"]  # what was said behind the key is open now: say so
    assert joined_frame(wire(server, "bob"), "JOIN group1 sesame")["type"] == "joined"  # a remembered key is harmless
    assert joined_frame(wire(server, "carol"), "JOIN newroom sesame")["code"] == ErrorCode.BAD_ROOM


def test_topics_are_one_line_capped_and_reach_joined_and_the_rooms_push(server, wire):
    owner = wire(server, "alice", "lab")
    watcher = WireClient(server.address, pushes=True)
    try:
        watcher.register("watcher")
        set_topic = owner.reply("TOPIC Titration\nat ten\u202e   today")
        assert set_topic["topic"] == "Titration at ten today"
        assert owner.error("TOPIC " + "x" * 121) == ErrorCode.TOO_LONG
        watcher.expect(
            lambda frame: (
                frame["type"] == "rooms"
                and {"name": "lab", "count": 1, "topic": "Titration at ten today", "locked": False} in frame["rooms"]
            )
        )
        owner.reply("KEY sesame", timeout=30)
        watcher.expect(lambda frame: frame["type"] == "rooms" and frame["rooms"][0]["locked"] is True)
    finally:
        watcher.close()
    bob = wire(server, "bob")
    assert joined_frame(bob, "JOIN lab sesame")["topic"] == "Titration at ten today"
    owner.send("TOPIC")
    assert owner.expect(lambda frame: frame.get("event") == "topic")["topic"] == ""


def test_owner_topic_and_key_outlive_the_last_member_and_a_restart(start_server, wire, tmp_path):
    data = str(tmp_path / "data")
    server = start_server(data_dir=data)
    owner = wire(server, "alice", "group1")
    owner.reply("TOPIC Project Mars")
    owner.reply("KEY sesame", timeout=30)
    owner.reply("LEAVE")
    wait_until(lambda: not server.rooms())
    bob = wire(server, "bob")
    assert joined_frame(bob, "JOIN group1")["code"] == ErrorCode.BAD_ROOM_KEY
    server.stop()
    restarted = start_server(data_dir=data)
    carol = wire(restarted, "carol")
    assert joined_frame(carol, "JOIN group1")["code"] == ErrorCode.BAD_ROOM_KEY
    inside = joined_frame(carol, "JOIN GROUP1 sesame")
    # alice was a guest: her session ended with the server, so the room is nobody's now (teachers manage it);
    # an account's room keeps its owner (tests/adversarial/test_room_takeover.py).
    assert (inside["room"], inside["owner"], inside["topic"], inside["locked"]) == (
        "group1",
        "",
        "Project Mars",
        True,
    )


def test_a_room_that_emptied_with_nothing_to_keep_is_forgotten(server, wire):
    alice = wire(server, "alice", "scratch")
    alice.reply("LEAVE")
    wait_until(lambda: not server.rooms())
    assert server.storage.rooms.get("scratch") is None
    assert joined_frame(wire(server, "bob"), "JOIN scratch")["owner"] == "bob"  # a new room, a new owner


@pytest.mark.parametrize("look_alike", ["Physıcs", "PHYSlCS", "Phуsics", "Physícs", "Ρhysics"])
def test_a_room_name_that_looks_like_one_in_use_or_kept_is_refused(server, wire, look_alike):
    owner = wire(server, "alice", "Physics")
    owner.reply("TOPIC kept")
    refused = joined_frame(wire(server, "bob"), f"JOIN {look_alike}")
    assert refused["code"] == ErrorCode.BAD_ROOM and "Physics" in refused["content"]
    assert joined_frame(wire(server, "carol"), "JOIN physics")["room"] == "Physics"  # another case: the same room


def test_unregistered_owner_rules_and_registered_owner_needs_the_account(server, wire):
    add_account(server, "alice")
    alice = wire(server)
    login(alice, "alice")
    joined_frame(alice, "JOIN group1")
    alice.reply("TOPIC ours")
    alice.send("QUIT")
    alice.rest_until_closed()
    wait_until(lambda: not server.rooms())
    impostor = wire(server)
    assert impostor.error("NICK alice") == ErrorCode.NICK_REGISTERED
    impostor.reply("NICK alice2")
    joined_frame(impostor, "JOIN group1")
    assert impostor.error("TOPIC stolen") == ErrorCode.NOT_ALLOWED


def test_a_locked_rooms_history_and_search_are_for_its_members_owner_and_teachers(server, wire):
    alice = wire(server, "alice", "group1")
    alice.reply("KEY blue whale", timeout=30)
    alice.send("SAY our plan is volcanoes")
    alice.expect("message")
    outsider = wire(server, "bob", "lab")
    for command in (
        "HISTORY #group1",
        "HISTORY #GROUP1 BEFORE 99",
        "HISTORY #ｇｒｏｕｐ１",
        "SEARCH #group1 volcano",
        "SEARCH #GROUP1 plan",
    ):
        refused = outsider.reply(command)
        assert (refused["type"], refused.get("code")) == ("error", ErrorCode.BAD_ROOM_KEY), command
    assert joined_frame(outsider, "JOIN group1 blue whale")["type"] == "joined"
    outsider.send("SEARCH #group1 volcano")
    assert outsider.expect("search")["results"]
    lee = teacher(server, wire)
    lee.send("HISTORY #group1")
    assert lee.expect("history")["count"] >= 1
    alice.send("LEAVE")
    alice.expect("left")
    alice.send("HISTORY #group1")  # the owner, outside the room
    assert alice.expect("history")["count"] >= 1


def test_an_open_rooms_history_is_for_anyone(server, wire):
    alice = wire(server, "alice", "lab")
    alice.send("SAY open to all")
    alice.expect("message")
    bob = wire(server, "bob", "art")
    bob.send("HISTORY #lab")
    assert bob.expect("history")["count"] >= 1


def test_a_restart_forgets_kept_rooms_with_nothing_left_but_keeps_claimed_ones(start_server, wire):
    """A room kept only for its messages is forgotten at the next start once they are gone (cleared here, as
    retention does over a term); one with a topic, a key or an account owner is not, nor a guest's who may
    RESUME across the restart."""
    server = start_server()
    add_account(server, "bob")
    for nick, room in [("alice", "quiz1"), ("carol", "notes"), ("dave", "keyed")]:
        member = wire(server, nick, room)
        member.send("SAY hello")
        member.expect("message")
        if room == "notes":
            member.reply("TOPIC Week 3")
        if room == "keyed":
            member.reply("KEY sesame", timeout=30)
        member.send("QUIT")
        member.rest_until_closed()
    bob = wire(server)
    login(bob, "bob")
    joined_frame(bob, "JOIN club")
    bob.send("SAY hello")
    bob.expect("message")
    bob.send("QUIT")
    bob.rest_until_closed()
    erin = wire(server, "erin", "lab2")  # still connected at the stop: parked, handed on to the next run
    erin.send("SAY hi")
    erin.expect("message")
    erin_token = token_of(erin)
    wait_until(lambda: [room.name for room in server.rooms()] == ["lab2"])
    for room in ["quiz1", "notes", "keyed", "club", "lab2"]:
        server.clear_history(room)
    kept_before = {record.name for record in server.storage.rooms.list_all()}
    assert kept_before == {"quiz1", "notes", "keyed", "club", "lab2"}
    folder = server.config.data_dir
    server.stop()

    again = start_server(data_dir=folder)
    assert {record.name for record in again.storage.rooms.list_all()} == {"notes", "keyed", "club", "lab2"}
    newcomer = wire(again, "frank")
    assert joined_frame(newcomer, "JOIN quizl")["owner"] == "frank"  # its look-alike is free again, and new
    assert joined_frame(newcomer, "JOIN Iab2")["code"] == ErrorCode.BAD_ROOM  # a look-alike of a kept room
    back = wire(again)
    assert back.reply(f"RESUME erin {erin_token}")["resumed"] is True
    assert back.expect("joined")["you_own"] is True
