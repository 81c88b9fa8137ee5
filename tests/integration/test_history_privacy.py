"""Private messages are shown only to their two people: never by replay, paging, search, delete or export."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from shared.errors import ErrorCode
from tests.integration.history_wire import answer, ids, join_with_replay
from tests.integration.wire import WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

SECRET = "zebracode"


@pytest.fixture
def talked(server, wire):
    """alice and bob in #lab: three private messages each way holding SECRET, and one public message."""
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    for n in range(3):
        alice.send(f"PM bob {SECRET} from alice {n}")
        bob.send(f"PM alice {SECRET} from bob {n}")
    privates = [bob.expect("private") for _ in range(6)]  # three in, three echoed
    assert [alice.expect("private")["id"] for _ in range(6)] == ids(privates)
    alice.send("SAY a public line")
    bob.expect("message")
    alice.expect("message")
    return alice, bob, privates


def search(client: WireClient, command: str) -> list[dict]:
    client.send(command)
    return client.expect("search")["results"]


def _no_secret(frames: list[dict]) -> None:
    assert not [f for f in frames if SECRET in f.get("content", "")], frames


def test_a_third_person_sees_none_of_it_by_replay_paging_or_search(server, wire, talked):
    carol = wire(server, "carol", replays=True)
    _, replayed, _ = join_with_replay(carol, "lab")
    _no_secret(replayed)
    for command in ("HISTORY", "HISTORY #lab 100", "HISTORY @alice", "HISTORY @bob", "HISTORY AFTER 0 100"):
        messages, closing = answer(carol, command)
        _no_secret(messages)
        assert all(f["type"] == "message" for f in messages)
    for command in (f"SEARCH {SECRET}", f"SEARCH #lab {SECRET}", "SEARCH from alice", "SEARCH bob"):
        results = search(carol, command)
        _no_secret(results)
        assert not [r for r in results if r["room"].startswith("@")]


def test_someone_who_takes_a_freed_nickname_gets_none_of_its_private_history(server, wire, talked):
    alice, bob, privates = talked
    own_public = alice.reply("SAY mine to delete")
    alice.send("QUIT")
    alice.rest_until_closed()
    wait_until(lambda: server.registry.find_nick("alice") is None)
    eve = wire(server, "alice", "lab")  # the nickname is free, so anyone may take it
    messages, closing = answer(eve, "HISTORY @bob")
    assert (messages, closing["count"]) == ([], 0)
    _no_secret(search(eve, f"SEARCH {SECRET}"))
    for private in privates:
        assert eve.error(f"DELETE {private['id']}") == ErrorCode.BAD_ARGUMENT  # as if it did not exist
    assert eve.error(f"DELETE {own_public['id']}") == ErrorCode.NOT_ALLOWED  # the old alice's, not hers
    messages, _ = answer(bob, "HISTORY @alice")  # with eve: the old alice's lines do not pass for hers
    assert messages == []
    assert {r["id"] for r in search(bob, f"SEARCH {SECRET}")} >= set(ids(privates))  # bob keeps his side of it
    eve.send("QUIT")
    eve.rest_until_closed()
    wait_until(lambda: server.registry.find_nick("alice") is None)
    messages, _ = answer(bob, "HISTORY @alice")  # and pages it again once nobody holds the name
    assert ids(messages) == ids(privates)


@pytest.mark.parametrize("gone", [True, False])
def test_resume_keeps_ones_own_private_history(server, wire, talked, gone):
    alice, bob, privates = talked
    token = [f for f in alice.received if f["type"] == "nick"][-1]["token"]
    if gone:
        alice.close()
        wait_until(lambda: server.registry.find_nick("alice") is None)
    else:
        alice.sock.shutdown(socket.SHUT_RD)
    again = wire(server)
    assert again.reply(f"RESUME alice {token}")["resumed"] is True
    messages, _ = answer(again, "HISTORY @bob")
    assert ids(messages) == ids(privates)
    results = search(again, f"SEARCH {SECRET}")
    assert sorted(r["id"] for r in results) == sorted(ids(privates))
    assert {r["room"] for r in results} == {"@bob"}


def test_each_side_finds_the_conversation_under_the_other_persons_name(server, wire, talked):
    alice, bob, privates = talked
    for me, other in ((alice, "bob"), (bob, "alice")):
        results = search(me, f"SEARCH {SECRET}")
        assert {r["room"] for r in results} == {f"@{other}"}
        assert [r["id"] for r in results] == sorted(ids(privates), reverse=True)  # newest first
        assert {r.get("to") for r in results} == {"alice", "bob"}


def test_a_transcript_never_holds_private_messages(server, wire, talked, tmp_path: Path):
    import datetime

    today = datetime.date.today()
    server.storage.flush()
    for name in ("lesson.txt", "lesson.csv", "lesson.html"):
        count = server.export_transcript("lab", today, today, tmp_path / name)
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert count == 1 and "public" in text
        assert SECRET not in text


@pytest.mark.parametrize("flushed", [False, True], ids=["in memory", "on disk"])
def test_a_private_conversation_follows_a_rename_on_either_side(server, wire, talked, flushed):
    """Noticed before: after bob renamed to robert, HISTORY @robert found nothing of what they had said."""
    alice, bob, privates = talked
    bob.send("NICK robert")
    bob.expect("nick")
    alice.send(f"PM robert {SECRET} after the rename")
    later = [bob.expect("private"), alice.expect("private")]
    assert later[0]["id"] == later[1]["id"]
    everything = ids(privates) + [later[0]["id"]]
    if flushed:
        server.storage.flush()
    messages, closing = answer(alice, "HISTORY @robert")
    assert ids(messages) == everything and closing["more"] is False
    messages, _ = answer(bob, "HISTORY @alice")
    assert ids(messages) == everything
    messages, _ = answer(alice, f"HISTORY @robert BEFORE {later[0]['id']} 2")
    assert ids(messages) == everything[-3:-1]
    messages, closing = answer(alice, f"HISTORY @robert BEFORE {privates[2]['id']} 100")
    assert ids(messages) == everything[:2] and closing["more"] is False
    alice.send("NICK alicia")
    alice.expect("nick")
    messages, _ = answer(bob, "HISTORY @alicia")
    assert ids(messages) == everything
    messages, _ = answer(alice, "HISTORY @robert")
    assert ids(messages) == everything
    results = search(alice, f"SEARCH {SECRET}")  # labelled by the other person, whatever alice is called now
    assert sorted(r["id"] for r in results) == everything
    assert {r["room"] for r in results} == {"@bob", "@robert"}, results


def test_following_a_rename_shows_nobody_else_the_conversation(server, wire, talked):
    alice, bob, privates = talked
    bob.send("NICK robert")
    bob.expect("nick")
    carol = wire(server, "carol", "lab")
    for command in ("HISTORY @robert", "HISTORY @alice", "HISTORY @bob"):
        messages, closing = answer(carol, command)
        assert (messages, closing["count"]) == ([], 0), command
    eve = wire(server, "bob", "lab")  # takes the freed nickname
    for command in ("HISTORY @alice", "HISTORY @robert"):
        messages, closing = answer(eve, command)
        assert (messages, closing["count"]) == ([], 0), command
    messages, closing = answer(alice, "HISTORY @bob")  # bob is eve now: none of the old bob's pass for hers
    assert (messages, closing["count"]) == ([], 0)
    messages, _ = answer(alice, "HISTORY @robert")  # the conversation follows the person who renamed
    assert ids(messages) == ids(privates)


@pytest.mark.parametrize("who_renames", ["recipient", "sender"])
def test_a_deleted_private_message_leaves_both_screens_after_a_rename(server, wire, talked, who_renames):
    """Found by a probe: after bob renamed to bob2, alice's deletion never reached him and the line stayed."""
    alice, bob, privates = talked
    renamer = bob if who_renames == "recipient" else alice
    renamer.send(f"NICK {'bob2' if renamer is bob else 'alice2'}")
    renamer.expect("nick")
    mine = next(frame["id"] for frame in privates if frame["sender"] == "alice")
    alice.send(f"DELETE {mine}")
    for client in (alice, bob):
        assert client.expect("deleted")["id"] == mine
