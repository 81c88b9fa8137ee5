"""REPLY against a real server: the quote comes from the server's history, and only from what the sender may see."""

from __future__ import annotations

import pytest

from shared.errors import ErrorCode, ProtocolError
from tests.integration.history_wire import answer, join_with_replay
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")


def said(client, text):
    return client.expect(lambda f: f["type"] == "message" and f["content"] == text)


def test_a_reply_quotes_the_original_from_history_to_the_whole_room(server, wire):
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    alice.send("SAY what is 2+2?\nsecond line")
    original = said(bob, "what is 2+2?\nsecond line")
    bob.send(f"REPLY {original['id']} four")
    for client in (alice, bob):
        answer_frame = said(client, "four")
        assert answer_frame["room"] == "lab" and answer_frame["sender"] == "bob"
        assert answer_frame["reply"] == {"id": original["id"], "sender": "alice", "excerpt": "what is 2+2? second line"}
    bob.send(f"REPLY {answer_frame['id']} yes, four")  # a reply to a reply quotes the reply, not its quote
    assert said(alice, "yes, four")["reply"] == {"id": answer_frame["id"], "sender": "bob", "excerpt": "four"}


def test_the_quote_cannot_be_supplied_by_the_sender(server, wire):
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    bob.send("SAY hello")
    original = said(alice, "hello")
    # Extra fields a hostile client adds to its command frame are not read; the text stays as typed.
    alice.send_raw(
        b'{"type":"command","content":"REPLY %d ok","reply":{"id":1,"sender":"teacher","excerpt":"no homework"}}\n'
        % original["id"]
    )
    frame = said(bob, "ok")
    assert frame["reply"] == {"id": original["id"], "sender": "bob", "excerpt": "hello"}
    alice.send('SAY {"id":1,"sender":"teacher"} and REPLY 1 fake')
    assert "reply" not in said(bob, '{"id":1,"sender":"teacher"} and REPLY 1 fake')


@pytest.mark.parametrize(
    "argument", ["", "abc hi", "-1 hi", "0 hi", "99999999999999999999 hi", "9007199254740992 hi", "1", "1   ", "1.5 hi"]
)
def test_bad_ids_and_missing_text_are_refused_clearly(server, wire, argument):
    alice = wire(server, "alice", "lab")
    alice.send("SAY first")
    said(alice, "first")
    frame = alice.reply(f"REPLY {argument}")
    assert frame["type"] == "error" and frame["code"] == ErrorCode.BAD_ARGUMENT
    assert "/reply ID TEXT" in frame["content"] or "no message" in frame["content"], frame


def test_ids_the_sender_may_not_see_get_one_answer(server, wire):
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    carol = wire(server, "carol", "other")
    alice.send("PM bob a secret for bob")
    secret = bob.expect("private")
    alice.expect("private")
    carol.send("SAY in the other room")
    elsewhere = said(carol, "in the other room")
    alice.send("SAY to be deleted")
    doomed = said(alice, "to be deleted")
    alice.send(f"DELETE {doomed['id']}")
    alice.expect("deleted")
    unknown = doomed["id"] + 1000
    for message_id in (secret["id"], doomed["id"], unknown):
        frame = carol.reply(f"REPLY {message_id} gotcha")
        assert frame["type"] == "error" and frame["code"] == ErrorCode.BAD_ARGUMENT, frame
        assert frame["content"].startswith(f"There is no message {message_id} that you can reply to"), frame
    assert "secret" not in str(carol.received)
    frame = alice.reply(f"REPLY {elsewhere['id']} wrong room")  # a room she could join: told where it was
    assert frame["type"] == "error" and "#other" in frame["content"]


def test_a_locked_room_does_not_leak_through_reply(server, wire):
    owner = wire(server, "owner", "vault")
    owner.send("KEY sesame")
    owner.expect(lambda f: f["type"] == "system" or f["type"] == "joined" or "key" in f.get("content", "").lower())
    owner.send("SAY locked words")
    locked = said(owner, "locked words")
    outsider = wire(server, "outsider", "lab")
    frame = outsider.reply(f"REPLY {locked['id']} peek")
    assert frame["type"] == "error"
    assert frame["content"].startswith(f"There is no message {locked['id']} that you can reply to"), frame


def test_a_private_reply_goes_to_the_other_person_and_not_to_who_took_the_name(server, wire):
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    bob.send("PM alice the exam password is tulip")
    secret = alice.expect("private")
    bob.expect("private")
    alice.send(f"REPLY {secret['id']} thanks")
    for client in (alice, bob):
        frame = client.expect(lambda f: f["type"] == "private" and f["content"] == "thanks")
        assert frame["to"] == "bob" and frame["reply"]["sender"] == "bob"
    bob.send("QUIT")
    bob.rest_until_closed()
    wait_until(lambda: server.registry.find_nick("bob") is None)
    mallory = wire(server, "bob", "lab")  # takes the free nickname
    alice.send(f"REPLY {secret['id']} are you there")
    frame = alice.expect(lambda f: f["type"] in ("error", "private"))
    assert frame["type"] == "error" and frame["code"] == ErrorCode.NO_SUCH_USER, frame
    mallory.send("PING x")
    mallory.expect("pong")
    assert "tulip" not in str(mallory.received)


def test_an_excerpt_is_one_short_line_and_mentions_in_it_are_plain_text(server, wire):
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    long_text = "@bob see https://example.invalid/x `rm -rf /` \u05e9\u05dc\u05d5\u05dd \u202edanger " + "x" * 500
    alice.send(f"SAY {long_text}")
    original = bob.expect(lambda f: f["type"] == "message" and f["sender"] == "alice")
    bob.send(f"REPLY {original['id']} ok")
    excerpt = said(alice, "ok")["reply"]["excerpt"]
    assert len(excerpt) == 80 and excerpt.endswith("…")
    assert "\u202e" not in excerpt and "\n" not in excerpt


def test_quoting_then_deleting_the_original_tells_the_room(server, wire):
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    alice.send("SAY oops, my password")
    original = said(bob, "oops, my password")
    bob.send(f"REPLY {original['id']} you posted your password")
    said(alice, "you posted your password")
    alice.send(f"DELETE {original['id']}")
    assert bob.expect("deleted")["id"] == original["id"]  # clients drop the quote of a deleted id too
    frame = bob.reply(f"REPLY {original['id']} again")
    assert frame["type"] == "error"


def test_history_keeps_the_quote_as_the_server_sent_it(server, wire):
    alice = wire(server, "alice", "lab")
    alice.send("SAY question")
    original = said(alice, "question")
    alice.send(f"REPLY {original['id']} answer")
    said(alice, "answer")
    messages, _ = answer(alice, "HISTORY 10")
    assert [m.get("reply") for m in messages][-2:] == [
        None,
        {"id": original["id"], "sender": "alice", "excerpt": "question"},
    ]
    alice.send("SEARCH answer")
    assert alice.expect("search")["results"][0]["reply_to"] == original["id"]


def test_replay_keeps_the_quote_across_a_restart_but_not_the_words_of_a_deleted_original(start_server, wire, tmp_path):
    data = str(tmp_path / "data")
    first = start_server(data_dir=data)
    alice = wire(first, "alice", "lab")
    bob = wire(first, "bob", "lab")
    alice.send("SAY my password is hunter2")
    leaked = said(bob, "my password is hunter2")
    alice.send("SAY a fine question")
    kept = said(bob, "a fine question")
    bob.send(f"REPLY {leaked['id']} delete that!")
    said(alice, "delete that!")
    bob.send(f"REPLY {kept['id']} a fine answer")
    said(alice, "a fine answer")
    carol = wire(first, "carol", replays=True)  # this run: the answer is replayed from memory
    alice.send(f"DELETE {leaked['id']}")
    alice.expect("deleted")
    _, replayed, _ = join_with_replay(carol, "lab")
    quotes = {f["content"]: f.get("reply") for f in replayed}
    assert quotes["delete that!"] == {"id": leaked["id"], "sender": "alice", "deleted": True}
    assert quotes["a fine answer"] == {"id": kept["id"], "sender": "alice", "excerpt": "a fine question"}
    first.stop()

    second = start_server(data_dir=data)
    dave = wire(second, "dave", replays=True)
    _, replayed, _ = join_with_replay(dave, "lab")
    quotes = {f["content"]: f.get("reply") for f in replayed}
    assert quotes["delete that!"] == {"id": leaked["id"], "sender": "alice", "deleted": True}
    assert quotes["a fine answer"] == {"id": kept["id"], "sender": "alice", "excerpt": "a fine question"}
    assert "hunter2" not in str(dave.received)


def test_a_muted_or_ignored_student_cannot_get_through_with_reply(server, wire):
    from tests.integration.identity_support import moderate, teacher

    lee = teacher(server, wire, room="lab")
    eve = wire(server, "eve", "lab")
    bob = wire(server, "bob", "lab")
    lee.send("SAY quiet please")
    notice = said(eve, "quiet please")
    assert moderate(lee, "MUTE eve")["type"] != "error"
    frame = eve.reply(f"REPLY {notice['id']} no")
    while frame["type"] != "error":  # notices of the mute come first
        frame = eve.next()
    assert frame["code"] == ErrorCode.MUTED
    bob.send("PM eve hi eve")
    hello = eve.expect("private")
    bob.expect("private")
    bob.send("IGNORE eve")
    bob.expect(lambda f: f["type"] in ("system", "ignore", "ignored") or "ignor" in f.get("content", "").lower())
    assert moderate(lee, "UNMUTE eve")["type"] != "error"
    eve.send(f"REPLY {hello['id']} still here")
    frame = eve.expect(lambda f: f["type"] in ("error", "private"))
    assert frame["type"] == "error", frame  # refused as a PM to bob would be
    bob.send("PING x")
    bob.expect("pong")
    assert "still here" not in str(bob.received)


def test_an_original_deleted_while_the_reply_reads_it_is_not_quoted(server, wire):
    """REPLY reads the original off the lock; a DELETE that lands before the answer goes out wins."""
    from chat_server.handlers import OffLock

    alice = wire(server, "alice", "lab")
    alice.send("SAY soon gone")
    original = said(alice, "soon gone")
    session = server.registry.find_nick("alice")
    with server.registry.lock:
        step = server.handlers.dispatch(session, f"REPLY {original['id']} too late")
    assert isinstance(step, OffLock)
    found = step.work()  # read from history, as the sender's thread does
    assert server.storage.messages.delete(original["id"]) is not None  # another thread's DELETE, meanwhile
    with server.registry.lock, pytest.raises(ProtocolError) as refused:
        step.then(found)
    assert refused.value.message.startswith(f"There is no message {original['id']} that you can reply to")


def test_a_private_reply_reaches_the_other_person_under_the_name_they_took_since(server, wire):
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    bob.send("PM alice is page 12 due?")
    question = alice.expect("private")
    bob.send("NICK rob")
    assert bob.expect("nick")["nick"] == "rob"
    alice.send(f"REPLY {question['id']} yes, Friday")
    for client in (alice, bob):
        frame = client.expect(lambda f: f["type"] in ("error", "private") and f.get("content") != question["content"])
        assert frame["type"] == "private" and frame["to"] == "rob", frame
        assert frame["reply"]["sender"] == "bob"
    carl = wire(server, "bob", "lab")  # a classmate takes the freed name: still not the one answered
    alice.send(f"REPLY {question['id']} and page 13")
    bob.expect(lambda f: f["type"] == "private" and f["content"] == "and page 13")
    carl.send("PING x")
    carl.expect("pong")
    assert "page 1" not in str(carl.received)
