"""A muted student looking for another way to put words in front of the class: topics, quit reasons, away texts.

A mute stops messages, private messages, files, nickname changes and an
away text; every other field the room sees from that user must be closed
too.  A real server on port 0, a teacher logged in to a teacher's account.
"""

from __future__ import annotations

import pytest

from shared.errors import ErrorCode
from tests.integration.identity_support import moderate, teacher
from tests.integration.wire import WireClient

pytestmark = pytest.mark.usefixtures("no_server_errors")

WORDS = "everyone go to room party now"


BOBS_COMPUTER = "127.0.0.2"  # mutes never name this computer's own address


@pytest.fixture
def muted_owner(server, wire):
    """bob made #den (so he owns it), the class is in it, and a teacher has muted him: (bob, classmate, teacher)."""
    bob = WireClient(server.address, source=BOBS_COMPUTER).register("bob", "den")
    carol = wire(server, "carol", "den")
    bob.expect(lambda frame: frame.get("event") == "join")
    lee = teacher(server, wire, room="den")
    assert moderate(lee, "MUTE bob")["action"] == "mute"
    bob.expect(lambda frame: frame.get("event") == "muted")
    yield bob, carol, lee
    bob.close()


@pytest.mark.parametrize("topic", [WORDS, "Announcement: class is cancelled", "x" * 120])
def test_a_muted_owner_cannot_speak_through_the_topic(server, muted_owner, topic):
    bob, carol, _ = muted_owner
    assert bob.error(f"TOPIC {topic}") == ErrorCode.MUTED
    carol.send("PING after")
    seen = carol.expect("pong")
    assert not [frame for frame in carol.received if frame.get("event") == "topic"], seen
    bob.send("TOPIC")  # removing a topic says nothing: allowed
    assert bob.expect(lambda frame: frame.get("event") == "topic" or frame["type"] == "error")["type"] == "system"


@pytest.mark.parametrize("how", ["QUIT", "/quit"])
def test_a_muted_user_leaves_without_a_reason_on_show(muted_owner, how):
    bob, carol, _ = muted_owner
    bob.send(f"{how} {WORDS}")
    bob.rest_until_closed()
    notice = carol.expect(lambda frame: frame.get("event") == "leave")
    assert WORDS not in notice["content"] and WORDS not in str(notice.get("reason", "")), notice


def test_a_muted_user_reconnecting_to_quit_with_words_is_silenced_too(server, muted_owner, wire):
    """The mute is kept by nickname and address: a new connection is muted as well, and comes back only as bob."""
    bob, carol, _ = muted_owner
    bob.close()
    carol.expect(lambda frame: frame.get("event") == "leave" and frame.get("user") == "bob")
    assert WireClient(server.address, source=BOBS_COMPUTER).error("NICK bob2") == ErrorCode.MUTED
    again = WireClient(server.address, source=BOBS_COMPUTER).register("bob", "den")
    again.send(f"QUIT {WORDS}")
    again.rest_until_closed()
    notice = carol.expect(lambda frame: frame.get("event") == "leave" and frame.get("user") == "bob")
    assert WORDS not in notice["content"], notice


def test_held_a_muted_user_cannot_go_away_with_words_or_whisper(muted_owner):
    bob, carol, _ = muted_owner
    assert bob.error(f"AWAY {WORDS}") == ErrorCode.MUTED
    assert bob.error(f"PM carol {WORDS}") == ErrorCode.MUTED
    assert bob.error(f"MSG carol:{WORDS}") == ErrorCode.MUTED
    assert bob.error("NICK teacher_bob") == ErrorCode.MUTED


@pytest.mark.parametrize("name", ["TEACHER_IS_AN_IDIOT_lol", "everyone_go_to_party", "x" * 30])
def test_a_muted_user_cannot_put_words_in_every_room_list_by_making_a_room(server, muted_owner, wire, name):
    """Found by a probe: a new room's name reaches every window's room list; a muted user makes none."""
    bob, carol, _ = muted_owner
    watcher = wire(server, "dave")
    assert bob.error(f"JOIN {name}") == ErrorCode.MUTED
    assert bob.error(f"JOIN {name} with-a-key") in (ErrorCode.MUTED, ErrorCode.BAD_ROOM)
    assert bob.error("JOIN lab") == ErrorCode.MUTED  # no #lab yet
    carol.send("JOIN lab")
    carol.expect("joined")
    bob.send("JOIN lab")  # ... but a room that exists is open to him
    assert bob.expect(lambda frame: frame["type"] in ("joined", "error"))["type"] == "joined"
    watcher.send("PING after")
    watcher.expect("pong")
    seen = [room["name"] for frame in watcher.received if frame["type"] == "rooms" for room in frame["rooms"]]
    assert name not in seen and name.lower() not in [room.lower() for room in seen]


@pytest.mark.parametrize("then", ["joins another room", "stays"])
def test_an_away_text_set_before_the_mute_is_not_shown_after_it(server, wire, then):
    """Found by a probe: the away text from before the mute went to every room the muted student joined."""
    bob = WireClient(server.address, source=BOBS_COMPUTER).register("bob", "den")
    carol = wire(server, "carol", "den")
    bob.send(f"AWAY {WORDS}")
    assert bob.expect("presence")["text"] == WORDS
    carol.expect(lambda frame: frame["type"] == "presence" and frame["text"] == WORDS)
    lee = teacher(server, wire, room="den")
    assert moderate(lee, "MUTE bob")["action"] == "mute"
    cleared = carol.expect("presence")  # the room sees him away, without the words
    assert (cleared["user"], cleared["status"], cleared["text"]) == ("bob", "away", "")
    if then == "joins another room":
        dave = wire(server, "dave", "lab")
        bob.send("JOIN lab")
        bob.expect("joined")
        seen = dave.expect(lambda frame: frame["type"] == "presence" and frame["user"] == "bob")
    else:
        bob.send("PING fence")
        bob.expect("pong")
        seen = cleared
    assert WORDS not in str(seen) and seen["status"] == "away"
    bob.close()
