"""SEARCH and DELETE (PROTOCOL.md, History): any part of a word, any script, newest first, under 32 KiB; deleted is gone."""

from __future__ import annotations

import pytest

from shared.errors import ErrorCode
from shared.frames import MAX_FRAME_BYTES, encode_frame
from tests.integration.history_wire import answer, ids, join_with_replay, say_many
from tests.integration.wire import WireClient

pytestmark = pytest.mark.usefixtures("no_server_errors")


def search(client: WireClient, command: str) -> dict:
    client.send(command)
    return client.expect("search")


def said(client: WireClient, text: str) -> dict:
    client.send(f"SAY {text}")
    return client.expect(lambda f: f["type"] == "message" and f["content"] == text)


def test_search_finds_the_middle_of_a_word_any_case_and_a_cjk_phrase_newest_first(server, wire):
    alice = wire(server, "alice", "biology")
    first = said(alice, "Photosynthesis needs light")
    said(alice, "nothing to see here")
    cjk = said(alice, "今天我们学习光合作用的过程")
    last = said(alice, "more PHOTOSYNTHESIS tomorrow")
    frame = search(alice, "SEARCH synth")
    assert [r["id"] for r in frame["results"]] == [last["id"], first["id"]]
    assert frame["results"][0] == {
        "id": last["id"],
        "room": "biology",
        "sender": "alice",
        "time": last["time"],
        "content": "more PHOTOSYNTHESIS tomorrow",
    }
    assert (frame["query"], frame["room"], frame["private"]) == ("synth", "biology", True)
    assert "2 results" in frame["content"]
    assert [r["id"] for r in search(alice, "SEARCH 光合作用")["results"]] == [cjk["id"]]
    assert [r["id"] for r in search(alice, "SEARCH 合作")["results"]] == [cjk["id"]]  # two characters: scanned
    assert [r["id"] for r in search(alice, "SEARCH light PHOTO")["results"]] == [first["id"]]  # every word
    assert search(alice, "SEARCH zzzzqqq")["results"] == []


def test_search_of_a_named_room_from_elsewhere_and_only_that_room(server, wire):
    alice = wire(server, "alice", "lab")
    in_lab = said(alice, "titration results")
    alice.send("JOIN hall")
    alice.expect("joined")
    said(alice, "titration later")
    bob = wire(server, "bob")
    frame = search(bob, "SEARCH #lab titration")
    assert ([r["id"] for r in frame["results"]], frame["room"], frame["private"]) == ([in_lab["id"]], "lab", False)
    assert search(bob, "SEARCH titration")["results"] == []  # no room, no private messages of his


@pytest.mark.parametrize(
    ("command", "code"),
    [
        ("SEARCH", ErrorCode.BAD_ARGUMENT),
        ("SEARCH    ", ErrorCode.BAD_ARGUMENT),
        ("SEARCH #lab", ErrorCode.BAD_ARGUMENT),
        ("SEARCH #bad!room words", ErrorCode.BAD_ROOM),
    ],
)
def test_search_errors(server, wire, command, code):
    alice = wire(server, "alice", "lab")
    assert alice.error(command) == code


def test_fifty_results_of_the_longest_messages_fit_in_one_frame_cut_around_the_match(start_server, wire):
    server = start_server(rate_per_second=0)
    alice = wire(server, "alice", "lab")
    for n in range(60):
        text = ("𝄞" * 900 + f" needle{n} " + "語" * 1000)[:2000]
        alice.send(f"SAY {text}")
        alice.expect("message")
    frame = search(alice, "SEARCH NEEDLE")
    assert len(encode_frame(frame)) <= MAX_FRAME_BYTES  # the wire client's decoder refuses more anyway
    results = frame["results"]
    assert len(results) == 50
    assert [int(r["content"].split("needle")[1].split()[0]) for r in results] == list(range(59, 9, -1))
    assert all(r["cut"] is True and r["content"].startswith("…") and r["content"].endswith("…") for r in results)
    short = said(alice, "a short needle")
    frame = search(alice, "SEARCH needle")
    assert frame["results"][0] == {
        "id": short["id"],
        "room": "lab",
        "sender": "alice",
        "time": short["time"],
        "content": "a short needle",
    }


def test_search_is_rate_limited_apart_from_other_commands(server, wire):
    alice = wire(server, "alice", "lab")
    codes = []
    for _ in range(8):
        frame = alice.reply("SEARCH anything")
        codes.append(frame.get("code") if frame["type"] == "error" else frame["type"])
        if frame["type"] == "error":
            break
    assert codes[:5] == ["search"] * 5 and codes[-1] == ErrorCode.RATE_LIMITED
    assert alice.reply("PING fine")["type"] == "pong"


def test_the_sender_deletes_a_message_and_it_is_gone_from_replay_paging_and_search(server, wire):
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    sent = say_many(alice, 3, "quokka")
    for _ in range(3):
        bob.expect("message")
    victim = sent[1]
    alice.send(f"DELETE {victim['id']}")
    for client in (alice, bob):
        deleted = client.expect("deleted")
        assert (deleted["id"], deleted["room"]) == (victim["id"], "lab")
    carol = wire(server, "carol", replays=True)
    _, replayed, _ = join_with_replay(carol, "lab")
    assert ids(replayed) == [sent[0]["id"], sent[2]["id"]]
    messages, _ = answer(carol, "HISTORY")
    assert victim["id"] not in ids(messages)
    assert victim["id"] not in [r["id"] for r in search(carol, "SEARCH quokka")["results"]]
    alice.send(f"DELETE {victim['id']}")
    assert alice.expect("error")["code"] == ErrorCode.BAD_ARGUMENT  # already gone
    server.storage.flush()
    messages, _ = answer(carol, "HISTORY")  # and once written to the disk
    assert victim["id"] not in ids(messages)


def test_only_the_sender_deletes_and_bad_ids_get_clear_errors(server, wire):
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    mine = said(alice, "alice's words")
    bob.expect("message")
    assert bob.error(f"DELETE {mine['id']}") == ErrorCode.NOT_ALLOWED
    for bad in ("", "abc", "-1", "0", "1.5", "99999999999999999999", "1 2"):
        assert bob.error(f"DELETE {bad}") == ErrorCode.BAD_ARGUMENT
    assert bob.error("DELETE 123456") == ErrorCode.BAD_ARGUMENT  # no such message
    alice.send("LEAVE")  # the sender may delete from outside the room; the room still hears
    alice.expect("left")
    alice.send(f"DELETE {mine['id']}")
    assert alice.expect("deleted")["id"] == mine["id"]
    assert bob.expect("deleted")["id"] == mine["id"]


def test_a_deleted_private_message_is_gone_for_both(server, wire):
    alice = wire(server, "alice")
    bob = wire(server, "bob")
    alice.send("PM bob oops wrong person")
    note = bob.expect("private")
    alice.expect("private")
    carol = wire(server, "carol")
    assert carol.error(f"DELETE {note['id']}") == ErrorCode.BAD_ARGUMENT  # not even hers to know about
    assert bob.error(f"DELETE {note['id']}") == ErrorCode.NOT_ALLOWED  # the recipient is not the sender
    alice.send(f"DELETE {note['id']}")
    assert alice.expect("deleted")["id"] == note["id"] and bob.expect("deleted")["id"] == note["id"]
    messages, closing = answer(bob, "HISTORY @alice")
    assert (messages, closing["count"]) == ([], 0)
    assert search(bob, "SEARCH oops")["results"] == []


def test_a_search_that_takes_too_long_stops_with_the_newest_matches_and_says_so(start_server, wire, monkeypatch):
    # The attack: one short word over long CJK messages makes the server check every message one by one.
    server = start_server(rate_per_second=0)
    alice = wire(server, "alice", "lab")
    said_ids = []
    for n in range(300):
        alice.send(f"SAY {n} " + "今天学习" * 400)
        said_ids.append(alice.expect("message")["id"])
    server.storage.flush()  # on disk, where the clock watches the reading
    monkeypatch.setattr("chat_server.storage.search_clock.SEARCH_SECONDS", 0.0)  # stands for a far bigger room
    frame = search(alice, "SEARCH 学习")  # two characters: too short for the index, so a scan
    assert frame["stopped_early"] is True
    assert "stopped" in frame["content"] and "older messages were not searched" in frame["content"]
    found = [r["id"] for r in frame["results"]]
    newest = sorted(said_ids, reverse=True)
    assert found == newest[: len(found)]  # the newest matches, in order, and nothing else
    bob = wire(server, "bob", "lab")  # the server goes on answering everyone
    assert said(bob, "still here")["sender"] == "bob"
    monkeypatch.setattr("chat_server.storage.search_clock.SEARCH_SECONDS", 60.0)
    frame = search(alice, "SEARCH #lab 学习")
    assert "stopped_early" not in frame and len(frame["results"]) == 50


def test_a_search_with_more_matches_than_it_sends_says_older_ones_match_too(start_server, wire):
    """A word said in every message (review 15): the newest 50 came back as '50 results', as if that were all."""
    server = start_server(rate_per_second=0)
    alice = wire(server, "alice", "lab")
    echoes = say_many(alice, 51, prefix="homework ")
    frame = search(alice, "SEARCH homework")
    assert [r["id"] for r in frame["results"]] == [e["id"] for e in reversed(echoes[1:])]
    assert frame["more"] is True
    assert "older messages match too" in frame["content"]
    alice.send(f"DELETE {echoes[0]['id']}")
    alice.expect("deleted")
    frame = search(alice, "SEARCH homework")  # exactly 50 left: all of them, nothing more
    assert len(frame["results"]) == 50
    assert "more" not in frame
    assert "older" not in frame["content"]


def test_searchbefore_pages_a_search_back_to_its_oldest_match_and_keeps_private_results_the_askers(start_server, wire):
    """Review 15: `more` said older matches existed, but nothing reached them; SEARCHBEFORE pages back to the oldest."""
    server = start_server(rate_per_second=0)
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    carol = wire(server, "carol", "hall")
    old = say_many(alice, 70, prefix="homework ")
    server.storage.flush()  # these on disk (the index's side), the rest in memory or above the index's mark
    bob.send("PM alice homework from bob")
    to_alice = bob.expect(lambda f: f["type"] == "private" and f.get("sender") == "bob")
    carol.send("PM bob homework from carol")  # bob's and carol's: never in alice's pages
    carol.expect(lambda f: f["type"] == "private" and f.get("sender") == "carol")
    new = say_many(alice, 60, prefix="homework ")
    said(alice, "nothing to see")
    expected = sorted([e["id"] for e in old + new] + [to_alice["id"]], reverse=True)
    frame = search(alice, "SEARCH homework")
    pages = [frame]
    while frame.get("more"):
        last = frame["results"][-1]["id"]
        assert f"/searchbefore {last} homework" in frame["content"]
        frame = search(alice, f"SEARCHBEFORE {last} homework")
        assert frame["before"] == last and "older results" in frame["content"]
        pages.append(frame)
    found = [r["id"] for page in pages for r in page["results"]]
    assert found == expected  # every match once, newest first, the private one among them
    assert [len(page["results"]) for page in pages] == [50, 50, 31]
    assert all("carol" not in r["content"] for page in pages for r in page["results"])
    # With #room, that room only, paged the same way.
    frame = search(carol, f"SEARCHBEFORE {new[0]['id']} #lab homework")
    assert [r["id"] for r in frame["results"]] == [e["id"] for e in reversed(old[-50:])]
    assert frame["more"] is True and frame["private"] is False
    assert f"/searchbefore {old[20]['id']} #lab homework" in frame["content"]


def test_search_keeps_its_words_and_searchbefore_refuses_what_it_cannot_read(start_server, wire):
    server = start_server(rate_per_second=0)
    alice = wire(server, "alice", "lab")
    note = said(alice, "meet before 5 today")
    said(alice, "before lunch")
    assert [r["id"] for r in search(alice, "SEARCH before 5")["results"]] == [note["id"]]  # two words, as ever
    for bad in ("SEARCHBEFORE", "SEARCHBEFORE 12", "SEARCHBEFORE homework", "SEARCHBEFORE 0 x", "SEARCHBEFORE -3 x"):
        alice.send(bad)
        assert alice.expect("error")["code"] == ErrorCode.BAD_ARGUMENT, bad
    alice.send("KEY sesame")
    alice.expect(lambda f: f["type"] == "system")
    mallory = wire(server, "mallory", "hall")
    mallory.send(f"SEARCHBEFORE {note['id'] + 1} #lab before")
    assert mallory.expect("error")["code"] == ErrorCode.BAD_ROOM_KEY


def test_searchbefore_shares_searchs_rate(start_server, wire):
    server = start_server()
    alice = wire(server, "alice", "lab")
    said(alice, "homework")
    codes = []
    for _ in range(8):
        alice.send("SEARCHBEFORE 999 homework")
    for _ in range(6):
        frame = alice.expect(lambda f: f["type"] in ("search", "error"))
        codes.append(frame["type"] if frame["type"] == "search" else frame["code"])
    assert codes[:5] == ["search"] * 5 and codes[5] == ErrorCode.RATE_LIMITED
