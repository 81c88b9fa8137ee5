"""A locked room belongs to the person who made it, not to whoever takes their nickname after them.

Found by a hostile probe: a guest made a room, locked it and talked there;
once she had gone, anyone who took her nickname (in any case) entered
without the key, read its history, searched it, and took the key off. The
owner is now who made the room (an account, or one guest's session, which
only RESUME hands on), as private messages already were. A real server on
port 0; the takers connect from 127.0.0.2 and up, standing for other computers.
"""

from __future__ import annotations

import pytest

from shared.errors import ErrorCode
from tests.integration.identity_support import add_account, login, teacher
from tests.integration.wire import WireClient, nothing_more
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")


def joined_frame(client: WireClient, command: str) -> dict:
    client.send(command)
    return client.expect(lambda frame: frame["type"] in ("joined", "error"))


def lock_and_talk(owner: WireClient, room: str) -> None:
    owner.reply(f"KEY sekrit {room}", timeout=30)
    owner.reply("TOPIC ours")
    owner.send(f"SAY papaya secret of {room}")
    owner.expect("message")


def assert_locked_out(taker: WireClient, room: str) -> None:
    """Nothing of the room for the taker: no entry without the key, no history, no search, no key or topic."""
    assert joined_frame(taker, f"JOIN {room}")["code"] == ErrorCode.BAD_ROOM_KEY
    assert taker.error(f"HISTORY #{room}") == ErrorCode.BAD_ROOM_KEY
    assert taker.error(f"SEARCH #{room} papaya") == ErrorCode.BAD_ROOM_KEY
    taker.send("SEARCH papaya")
    assert taker.expect("search")["results"] == []
    assert taker.error("KEY") == ErrorCode.NOT_IN_ROOM


def went_away(server, nick: str) -> None:
    wait_until(lambda: all(nick != info.nick for info in server.clients()))


@pytest.mark.parametrize("taken_as", ["alice", "Alice", "ALICE", "ａｌｉｃｅ"])
def test_taking_a_departed_guests_nickname_opens_none_of_her_rooms(server, wire, taken_as):
    alice = wire(server, "alice", "club")
    lock_and_talk(alice, "club")
    alice.reply("LEAVE")
    alice.send("QUIT")  # gone for good: a dropped name is kept for its owner against other computers meanwhile
    alice.rest_until_closed()
    went_away(server, "alice")
    taker = wire(server, taken_as, source="127.0.0.2")
    assert_locked_out(taker, "club")
    member = wire(server, "dave", source="127.0.0.3")
    inside = joined_frame(member, "JOIN club sekrit club")
    assert (inside["type"], inside["owner"], inside["topic"]) == ("joined", "", "ours")  # nobody owns it now
    lee = teacher(server, wire, room="club")  # teachers manage a room nobody owns
    lee.reply("TOPIC kept by the teacher")


def test_a_renamed_owner_keeps_her_room_and_the_next_holder_of_her_old_name_gets_nothing(server, wire):
    bea = wire(server, "bea", "den")
    lock_and_talk(bea, "den")
    bea.reply("NICK bea2")
    bea.reply("LEAVE")
    taker = wire(server, "bea", source="127.0.0.2")
    assert_locked_out(taker, "den")
    inside = joined_frame(bea, "JOIN den")  # the owner needs no key, under any name
    assert (inside["type"], inside["owner"]) == ("joined", "bea2")
    bea.reply("TOPIC still mine")


def test_after_a_restart_a_guests_room_is_nobodys_and_an_accounts_is_still_its_own(start_server, wire, tmp_path):
    data = str(tmp_path / "data")
    server = start_server(data_dir=data)
    olga = wire(server, "olga", "vault")
    lock_and_talk(olga, "vault")
    add_account(server, "Ms_Park")
    park = wire(server)
    login(park, "Ms_Park")
    park.send("JOIN study")
    park.expect("joined")
    lock_and_talk(park, "study")
    server.stop()
    # No RESUME window after this restart (a kill -9, or olga's token ran out): her name is free to anyone.
    again = start_server(data_dir=data, resume_seconds=0)
    assert_locked_out(wire(again, "OLGA", source="127.0.0.2"), "vault")
    park = wire(again)
    login(park, "Ms_Park")
    inside = joined_frame(park, "JOIN study")
    assert (inside["type"], inside["owner"]) == ("joined", "Ms_Park")
    park.reply("KEY")  # the owner may take the key off


def test_resume_hands_the_room_on_to_the_same_person(server, wire):
    carol = wire(server, "carol", "attic")
    lock_and_talk(carol, "attic")
    token = [frame for frame in carol.received if frame["type"] == "nick"][-1]["token"]
    carol.close()
    back = wire(server, source="127.0.0.2")
    assert back.reply(f"RESUME carol {token}")["resumed"] is True
    back.expect("joined")
    back.reply("TOPIC still carol's")
    back.reply("LEAVE")
    assert joined_frame(back, "JOIN attic")["type"] == "joined"


@pytest.mark.parametrize("key_when_he_left", [None, "first-key"])
def test_resume_does_not_walk_past_a_key_set_while_away(server, wire, key_when_he_left):
    """Found by a probe: xavier dropped, the owner locked the room and talked; xavier's RESUME put him back in
    the locked room without the key and replayed what was said behind it."""
    carol = wire(server, "carol", "den")
    if key_when_he_left:
        carol.reply(f"KEY {key_when_he_left}", timeout=30)
    xavier = wire(server)
    xavier.send("NICK xavier")
    xavier.expect("nick")
    xavier.send(f"JOIN den {key_when_he_left}" if key_when_he_left else "JOIN den")
    xavier.expect("joined")
    token = [frame for frame in xavier.received if frame["type"] == "nick"][-1]["token"]
    xavier.close()
    carol.expect(lambda frame: frame.get("event") == "leave")
    carol.reply("KEY second-key", timeout=30)
    carol.reply("SAY behind the new key")
    back = wire(server, replays=True)
    assert back.reply(f"RESUME xavier {token}")["resumed"] is True
    notice = back.expect(lambda frame: frame["type"] in ("joined", "system") and frame.get("event") != "join")
    assert notice.get("event") == "room_locked" and notice["room"] == "den", notice
    assert not [frame for frame in nothing_more(back) if "behind the new key" in frame.get("content", "")]
    assert back.error("JOIN den") == ErrorCode.BAD_ROOM_KEY
    back.send("JOIN den second-key")
    assert back.expect("joined")["room"] == "den"


def test_resume_with_the_key_unchanged_goes_back_in(server, wire):
    carol = wire(server, "carol", "den")
    carol.reply("KEY same-key", timeout=30)
    xavier = wire(server)
    xavier.send("NICK xavier")
    xavier.expect("nick")
    xavier.send("JOIN den same-key")
    xavier.expect("joined")
    token = [frame for frame in xavier.received if frame["type"] == "nick"][-1]["token"]
    xavier.close()
    carol.expect(lambda frame: frame.get("event") == "leave")
    back = wire(server)
    assert back.reply(f"RESUME xavier {token}")["resumed"] is True
    assert back.expect("joined")["room"] == "den"
