"""SEARCH from:NAME (an extension): what one person said, by who they are, not the nickname, within a search's rules."""

from __future__ import annotations

import pytest

from shared.errors import ErrorCode
from tests.integration.identity_support import add_account, login
from tests.integration.test_history_search import said, search

pytestmark = pytest.mark.usefixtures("no_server_errors")


def say_many(client, nick: str, count: int) -> list[dict]:
    """`count` short messages from `nick`; their echoes (others' messages in between are passed over)."""
    for number in range(count):
        client.send(f"SAY ok {number}")
    return [client.expect(lambda f: f["type"] == "message" and f["sender"] == nick) for _ in range(count)]


def found(frame: dict) -> list[int]:
    return [result["id"] for result in frame["results"]]


def test_from_finds_what_a_person_said_under_every_name_and_not_what_others_said_of_them(start_server, wire):
    """Before: `SEARCH bob` found alice's "bob said…" and not one of bob's messages; `from:bob` found nothing."""
    server = start_server(rate_per_second=0)
    bob = wire(server, "bob", "lab")
    alice = wire(server, "alice", "lab")
    first = said(bob, "the homework is page 12")
    said(alice, "bob said the homework is page 12?")
    bob.send("PM alice the answer is 42")
    secret = alice.expect("private")
    bob.send("NICK rob")
    bob.expect("nick")
    later = said(bob, "homework again, renamed")
    # Another student takes the old nickname: what they say is not rob's, nor is rob's theirs.
    impostor = wire(server, "bob", "lab")
    fake = said(impostor, "homework is cancelled")
    frame = search(alice, "SEARCH from:rob")
    assert found(frame) == [later["id"], secret["id"], first["id"]]
    assert frame["from"] == "rob" and frame["query"] == "from:rob" and frame["from_match"] == "person"
    assert "From: rob, under any name they used." in frame["content"]
    assert [r["sender"] for r in frame["results"]] == ["rob", "bob", "bob"]  # each as it was sent
    assert found(search(alice, "SEARCH FROM:Rob homework")) == [later["id"], first["id"]]
    assert found(search(alice, "SEARCH from:@rob page")) == [first["id"]]
    assert search(alice, "SEARCH from:rob from:ROB")["from"] == "rob"  # the same person twice: the first spelling
    assert found(search(alice, "SEARCH from:bob")) == [fake["id"]]  # the one holding "bob" now
    # A private message only to its two people: not to a third student, not to a teacher.
    carol = wire(server, "carol", "lab")
    assert found(search(carol, "SEARCH from:rob")) == [later["id"], first["id"]]
    add_account(server, "Ms_Lee", "teacher")
    teacher = wire(server)
    login(teacher, "Ms_Lee")
    assert found(search(teacher, "SEARCH #lab from:rob")) == [later["id"], first["id"]]
    # Deleted: gone from a search by sender too.
    bob.send(f"DELETE {later['id']}")
    bob.expect("deleted")
    assert found(search(carol, "SEARCH from:rob")) == [first["id"]]


def test_from_an_account_after_it_logged_out_and_a_gone_guest_by_nickname(start_server, wire):
    server = start_server(rate_per_second=0)
    add_account(server, "dana", "student")
    dana = wire(server)
    login(dana, "dana")
    dana.send("JOIN lab")
    dana.expect("joined")
    kept = said(dana, "my essay is late")
    dana.send("NICK dana_2")  # a rename leaves the account: what follows is a guest's, not the account's
    dana.expect("nick")
    renamed = said(dana, "sorry, ok")
    dana.close()
    guest = wire(server, "eve", "lab")
    gone = said(guest, "eve was here")
    guest.close()
    reader = wire(server, "finn", "lab")
    frame = search(reader, "SEARCH from:dana")
    assert found(frame) == [kept["id"]]
    assert "From: dana's account, under any name." in frame["content"]
    assert found(search(reader, "SEARCH from:dana_2")) == [renamed["id"]]
    frame = search(reader, "SEARCH from:EVE")
    assert found(frame) == [gone["id"]]
    assert "nobody holds it now" in frame["content"] and frame["from_match"] == "nickname"
    assert search(reader, "SEARCH from:nobody_at_all")["results"] == []


def test_from_pages_with_searchbefore_and_its_hint_repeats_the_sender(start_server, wire):
    server = start_server(rate_per_second=0)
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    mine = say_many(bob, "bob", 60)  # short words: no trigram, so the sender alone narrows
    server.storage.flush()
    say_many(alice, "alice", 30)
    more = say_many(bob, "bob", 10)
    expected = sorted((e["id"] for e in mine + more), reverse=True)
    frame = search(alice, "SEARCH #lab from:bob")
    assert frame["more"] is True and len(frame["results"]) == 50
    last = frame["results"][-1]["id"]
    assert f"/searchbefore {last} #lab from:bob" in frame["content"]
    older = search(alice, f"SEARCHBEFORE {last} #lab from:bob")
    assert older["before"] == last and "more" not in older
    assert found(frame) + found(older) == expected
    assert found(search(alice, f"SEARCHBEFORE {last} #lab from:bob ok")) == expected[50:]


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("SEARCH from:", "from:"),  # not a name: a word, as SEARCH always took it
        ("SEARCH from:http://x.y", "from:http://x.y"),
        ("SEARCH from:a b", None),
    ],
)
def test_what_is_not_a_sender_stays_a_word(server, wire, command, words):
    alice = wire(server, "alice", "lab")
    link = said(alice, "see from:http://x.y and from: there")
    frame = search(alice, command)
    if words is not None:
        assert found(frame) == [link["id"]] and "from" not in frame
    else:
        assert frame["from"] == "a" and frame["results"] == []


@pytest.mark.parametrize(
    ("command", "code"),
    [
        ("SEARCH from:bob from:carol", ErrorCode.BAD_ARGUMENT),
        ("SEARCH #lab from:bob from:alice words", ErrorCode.BAD_ARGUMENT),
        ("SEARCHBEFORE 10 from:bob from:x", ErrorCode.BAD_ARGUMENT),
    ],
)
def test_one_sender_per_search(server, wire, command, code):
    alice = wire(server, "alice", "lab")
    assert alice.error(command) == code


def test_from_honours_a_locked_room(start_server, wire):
    server = start_server(rate_per_second=0)
    owner = wire(server, "olga", "secret")
    owner.send("KEY s3cret-key")
    owner.expect(lambda f: f["type"] in ("system", "topic", "room") and "key" in f.get("content", "").lower())
    said(owner, "only for members")
    outsider = wire(server, "paul", "hall")
    assert outsider.error("SEARCH #secret from:olga") == ErrorCode.BAD_ROOM_KEY


def test_a_teacher_finds_what_a_student_said_in_every_room_and_a_student_may_not(start_server, wire):
    """After a complaint: every message one student sent, in any room (a locked one too), after a rename too."""
    server = start_server(rate_per_second=0)
    bob = wire(server, "bob", "lab")
    alice = wire(server, "alice", "lab")
    in_lab = said(bob, "you are all idiots")
    said(alice, "bob is rude")
    bob.send("JOIN hideout")
    bob.expect("joined")
    bob.send("KEY hush-hush-1")
    bob.expect(lambda f: f["type"] != "message" and "key" in f.get("content", "").lower())
    hidden = said(bob, "nobody sees this")
    bob.send("PM alice stop telling")
    alice.expect("private")
    bob.send("NICK b0b")
    bob.expect("nick")
    renamed = said(bob, "not me")
    add_account(server, "Ms_Lee", "teacher")
    teacher = wire(server)
    login(teacher, "Ms_Lee")
    frame = search(teacher, "SEARCH #* from:b0b")
    assert found(frame) == [renamed["id"], hidden["id"], in_lab["id"]]  # never the private message
    assert frame["every_room"] is True and frame["private"] is False
    assert "in every room" in frame["content"]
    assert [r["room"] for r in frame["results"]] == ["hideout", "hideout", "lab"]
    assert found(search(teacher, "SEARCH ＃* from:b0b idiots")) == [in_lab["id"]]
    assert found(search(teacher, f"SEARCHBEFORE {hidden['id']} #* from:b0b")) == [in_lab["id"]]
    assert teacher.error("SEARCH #* idiots") == ErrorCode.BAD_ARGUMENT  # every room: one person's only
    assert alice.error("SEARCH #* from:b0b") == ErrorCode.NOT_ALLOWED
    assert alice.error("SEARCHBEFORE 99 #* from:b0b") == ErrorCode.NOT_ALLOWED


def test_every_room_pages_back_with_the_hint(start_server, wire):
    server = start_server(rate_per_second=0)
    bob = wire(server, "bob", "lab")
    mine = say_many(bob, "bob", 30)
    server.storage.flush()
    bob.send("JOIN hall")
    bob.expect("joined")
    mine += say_many(bob, "bob", 30)
    add_account(server, "Ms_Lee", "teacher")
    teacher = wire(server)
    login(teacher, "Ms_Lee")
    frame = search(teacher, "SEARCH #* from:bob")
    last = frame["results"][-1]["id"]
    assert frame["more"] is True and f"/searchbefore {last} #* from:bob" in frame["content"]
    older = search(teacher, f"SEARCHBEFORE {last} #* from:bob")
    assert found(frame) + found(older) == sorted((e["id"] for e in mine), reverse=True)


def test_searchbefore_pages_the_same_person_after_a_rename_and_a_classmate_took_the_name(start_server, wire):
    server = start_server(rate_per_second=0)
    bob = wire(server, "bob", "lab")
    mine = say_many(bob, "bob", 70)
    add_account(server, "Ms_Lee", "teacher")
    teacher = wire(server)
    login(teacher, "Ms_Lee")
    first = search(teacher, "SEARCH #* from:bob")
    assert len(first["results"]) == 50 and first["more"] is True
    bob.send("NICK rob")  # between the teacher's pages...
    bob.expect("nick")
    mallory = wire(server, "bob", "lab")  # ...and a classmate takes the name
    said(mallory, "nothing to see here")
    older = search(teacher, f"SEARCHBEFORE {first['results'][-1]['id']} #* from:bob")
    assert found(first) + found(older) == sorted((e["id"] for e in mine), reverse=True)
    assert "may be someone else now" in older["content"]
    again = search(teacher, "SEARCH #* from:bob")  # a new search means whoever holds the name now
    assert [r["content"] for r in again["results"]] == ["nothing to see here"]
