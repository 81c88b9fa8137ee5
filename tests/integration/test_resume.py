"""RESUME (PROTOCOL.md, Version 2, Identity): a client takes its nickname and room back on a new connection."""

from __future__ import annotations

import pytest

from chat_server.resume_tokens import KEPT_PER_COMPUTER
from shared.errors import ErrorCode
from tests.integration.wire import WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")


def token_of(client: WireClient) -> str:
    """The RESUME token from the last `nick` frame the client received."""
    return [frame for frame in client.received if frame["type"] == "nick"][-1]["token"]


def test_the_nick_frame_carries_a_secret_token_that_differs_per_session(server, wire):
    alice, bob = wire(server, "alice"), wire(server, "bob")
    tokens = {token_of(alice), token_of(bob)}
    assert len(tokens) == 2 and all(isinstance(token, str) and len(token) >= 32 for token in tokens)
    assert alice.reply("NICK alicia")["token"] == token_of(alice)  # a rename keeps the session's token


def test_resume_takes_over_a_connection_that_is_still_open_and_the_room_hears_nothing(server, wire):
    bob = wire(server, "bob", "lab")
    old = wire(server, "alice", "lab")
    bob.expect("system")  # alice joined
    token = token_of(old)
    new = wire(server)
    answer = new.reply(f"RESUME alice {token}")
    assert (answer["type"], answer["nick"], answer["resumed"]) == ("nick", "alice", True)
    assert answer["token"] != token
    joined = new.expect("joined")
    assert (joined["room"], sorted(joined["users"])) == ("lab", ["alice", "bob"])
    old_frames = old.rest_until_closed()
    assert [(f["type"], f.get("reason")) for f in old_frames][-1] == ("bye", "resumed")
    new.send("SAY back again")
    assert bob.next()["content"] == "back again"  # no leave and no join came before it
    wait_until(lambda: len(server.clients()) == 2, message="the old connection was not forgotten")
    assert sorted(client.nick or "" for client in server.clients()) == ["alice", "bob"]


def test_a_wrong_token_gets_bad_login_and_changes_nothing(server, wire):
    alice = wire(server, "alice", "lab")
    intruder = wire(server)
    for wrong in ["x", token_of(alice)[:-1], token_of(alice) + "x", "é" * 32, token_of(alice).upper()]:
        assert intruder.error(f"RESUME alice {wrong}") == ErrorCode.BAD_LOGIN
    assert intruder.error(f"RESUME nobody {token_of(alice)}") == ErrorCode.BAD_LOGIN
    assert alice.reply("PING still-here")["type"] == "pong"


def test_resume_needs_both_words_and_a_new_connection(server, wire):
    alice = wire(server, "alice")
    assert alice.error(f"RESUME alice {token_of(alice)}") == ErrorCode.BAD_ARGUMENT  # already registered
    newcomer = wire(server)
    assert newcomer.error("RESUME alice") == ErrorCode.BAD_ARGUMENT
    assert newcomer.error("RESUME") == ErrorCode.BAD_ARGUMENT
    assert newcomer.error("RESUME bad!name token") == ErrorCode.BAD_NICK


def test_after_the_old_connection_dropped_resume_gives_the_name_and_room_back(server, wire):
    bob = wire(server, "bob", "lab")
    old = wire(server, "alice", "lab")
    bob.expect("system")
    token = token_of(old)
    old.close()  # the connection is lost (no QUIT)
    leave = bob.expect("system")
    assert (leave["event"], leave["user"]) == ("leave", "alice")
    new = wire(server)
    assert new.reply(f"RESUME alice {token}")["resumed"] is True
    assert new.expect("joined")["room"] == "lab"
    join = bob.expect("system")  # the room heard the leave, so it hears the join
    assert (join["event"], join["user"]) == ("join", "alice")


def test_a_token_works_once_and_the_fresh_one_works_next_time(server, wire):
    first = wire(server, "alice", "lab")
    old_token = token_of(first)
    second = wire(server)
    fresh = second.reply(f"RESUME alice {old_token}")["token"]
    third = wire(server)
    assert third.error(f"RESUME alice {old_token}") == ErrorCode.BAD_LOGIN
    assert third.reply(f"RESUME alice {fresh}")["resumed"] is True


def test_quit_forgets_the_token(server, wire):
    alice = wire(server, "alice", "lab")
    token = token_of(alice)
    alice.send("QUIT done for today")
    alice.rest_until_closed()
    wait_until(lambda: not server.clients())
    assert wire(server).error(f"RESUME alice {token}") == ErrorCode.BAD_LOGIN


def test_someone_who_took_the_name_meanwhile_keeps_it(server, wire):
    alice = wire(server, "alice", "lab")
    token = token_of(alice)
    alice.close()
    wait_until(lambda: not server.clients())
    usurper = wire(server, "ALICE")
    assert wire(server).error(f"RESUME alice {token}") == ErrorCode.NICK_TAKEN
    assert usurper.reply("PING mine")["type"] == "pong"


def test_a_resume_refused_because_the_name_is_taken_keeps_the_token_for_later(server, wire):
    """Found by a probe: someone holding a dropped guest's name for a moment used up her token for good."""
    alice = wire(server, "alice", "lab")
    token = token_of(alice)
    alice.close()
    wait_until(lambda: not server.clients())
    squatter = wire(server, "alice")
    for _ in range(3):
        assert wire(server).error(f"RESUME alice {token}") == ErrorCode.NICK_TAKEN
    squatter.send("QUIT")
    squatter.rest_until_closed()
    wait_until(lambda: server.registry.find_nick("alice") is None)
    back = wire(server)
    assert back.reply(f"RESUME alice {token}")["resumed"] is True
    assert back.expect("joined")["room"] == "lab"
    assert wire(server).error(f"RESUME alice {token}") == ErrorCode.BAD_LOGIN  # and then it is used up


def test_a_parked_token_expires(start_server, wire):
    server = start_server(resume_seconds=0.5)
    alice = wire(server, "alice", "lab")
    token = token_of(alice)
    alice.close()
    wait_until(lambda: len(server.registry.parked) == 1)
    wait_until(lambda: len(server.registry.parked) == 0, message="the housekeeper never forgot the token")
    assert wire(server).error(f"RESUME alice {token}") == ErrorCode.BAD_LOGIN


def test_a_muted_user_stays_muted_after_resuming(server, wire):
    bob = wire(server, "bob", "lab")
    alice = wire(server, "alice", "lab")
    bob.expect("system")  # alice joined
    server.set_muted("alice", True)
    token = token_of(alice)
    again = wire(server)
    again.reply(f"RESUME alice {token}")
    again.expect("joined")
    assert again.error("SAY let me talk") == ErrorCode.MUTED
    assert bob.reply("PING")["type"] == "pong"  # nothing from alice came before it


def test_resume_of_a_user_in_no_room_gives_the_name_only(server, wire):
    alice = wire(server, "alice")
    token = token_of(alice)
    again = wire(server)
    assert again.reply(f"RESUME alice {token}")["nick"] == "alice"
    assert again.reply("PING after")["type"] == "pong"  # no joined came first


def test_a_dropped_guests_name_is_kept_for_them_against_other_computers(server, wire):
    """Found by a probe: a classmate took bob's name the moment his Wi-Fi dropped and held it past the RESUME
    window, so bob lost his private history and his locked room, and PMs meant for him reached her."""
    alice = wire(server, "alice", "lab", source="127.0.0.2")
    bob = wire(server, "bob", "den", source="127.0.0.3")
    bob.reply("KEY sesame")
    alice.send("PM bob the code is 1234")
    alice.expect("private")  # her own copy
    bob.expect("private")
    token = token_of(bob)
    bob.close()
    wait_until(lambda: server.registry.find_nick("bob") is None)
    mallory = wire(server, source="127.0.0.4")
    for wanted in ["bob", "BOB", "b0b", "ｂｏｂ"]:
        refusal = mallory.reply(f"NICK {wanted}")
        assert (refusal["type"], refusal.get("code")) == ("error", ErrorCode.NICK_TAKEN), wanted
        assert "kept for bob" in refusal["content"] and "minutes" in refusal["content"], refusal
    mallory.register("mallory")
    assert mallory.error("NICK bob") == ErrorCode.NICK_TAKEN  # a rename too
    assert alice.error("PM bob are you there?") == ErrorCode.NO_SUCH_USER  # nobody else reads it
    back = wire(server, source="127.0.0.5")  # back on another network: the token proves it is bob
    assert back.reply(f"RESUME bob {token}")["resumed"] is True
    assert back.expect("joined")["room"] == "den"


def test_the_same_computer_may_take_its_dropped_name_at_once(server, wire):
    """A window that started again without its token comes from the same computer: most likely the owner."""
    bob = wire(server, "bob", "lab", source="127.0.0.3")
    bob.close()
    wait_until(lambda: server.registry.find_nick("bob") is None)
    again = wire(server, "bob", source="127.0.0.3")
    assert again.reply("PING mine")["type"] == "pong"


def test_a_kept_name_is_free_for_anyone_once_its_resume_window_ends(start_server, wire):
    server = start_server(resume_seconds=0.5)
    bob = wire(server, "bob", "lab", source="127.0.0.3")
    bob.close()
    wait_until(lambda: server.registry.find_nick("bob") is None)
    wait_until(lambda: len(server.registry.parked) == 0, message="the housekeeper never forgot the token")
    other = wire(server, "bob", source="127.0.0.4")
    assert other.reply("PING mine")["type"] == "pong"


def test_a_name_that_quit_is_free_for_anyone_at_once(server, wire):
    bob = wire(server, "bob", "lab", source="127.0.0.3")
    bob.send("QUIT bye")
    bob.rest_until_closed()
    wait_until(lambda: server.registry.find_nick("bob") is None)
    assert wire(server, "bob", source="127.0.0.4").reply("PING mine")["type"] == "pong"


def test_one_computer_cannot_hold_the_class_lists_names_by_dropping_connections(start_server):
    """A connection per name, dropped without QUIT: one computer held 48 class names (and their look-alikes) from
    everyone else for the 10 minutes a RESUME may come, again and again."""
    server = start_server()
    names = [f"pupil{number}" for number in range(10)]
    tokens = {}
    for name in names:
        squatter = WireClient(server.address, source="127.0.1.170")
        tokens[name] = squatter.reply(f"NICK {name}")["token"]
        squatter.close()  # no QUIT: held for RESUME
    wait_until(lambda: len(server.registry.parked) == len(names))
    classmate = WireClient(server.address, source="127.0.1.171")
    assert classmate.reply("NICK pupil0")["type"] == "nick"  # an old one of many: free for others
    kept = names[-KEPT_PER_COMPUTER:]
    assert classmate.reply(f"NICK {kept[0]}").get("code") == ErrorCode.NICK_TAKEN  # the computer's newest stay kept
    back = WireClient(server.address, source="127.0.1.170")
    assert back.reply(f"RESUME pupil1 {tokens['pupil1']}")["type"] == "nick"  # the token still brings one back
