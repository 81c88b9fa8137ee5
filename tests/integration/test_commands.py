"""Every command of the contract against a real server, in every spelling (leading '/', any case)."""

from __future__ import annotations

import pytest

from shared.commands import COMMANDS

pytestmark = pytest.mark.usefixtures("no_server_errors")

SPELLINGS = [lambda word: word, lambda word: "/" + word, lambda word: word.lower(), lambda word: "/" + word.title()]


def test_every_command_word_in_every_spelling(start_server, wire):
    server = start_server(rate_per_second=0, list_interval=0)  # some forty commands in a row, LIST among them
    alice = wire(server)
    bob = wire(server, "bob")
    for n, spell in enumerate(SPELLINGS):
        assert alice.reply(f"{spell('NICK')} alice{n}")["nick"] == f"alice{n}"
        alice.send(f"{spell('JOIN')} room{n}")
        assert alice.expect("joined")["room"] == f"room{n}"
        assert alice.reply(f"{spell('MSG')} hello {n}")["type"] == "message"
        assert alice.reply(f"{spell('SAY')} hello {n}")["type"] == "message"
        assert alice.reply(f"{spell('PM')} bob hi {n}")["type"] == "private"
        assert alice.reply(f"{spell('LEAVE')}")["type"] == "left"
        assert alice.reply(f"{spell('LIST')}")["type"] == "list"
        assert alice.reply(f"{spell('HELP')}")["type"] == "help"
        assert alice.reply(f"{spell('PING')} {n}")["content"] == str(n)
        newcomer = wire(server)
        assert newcomer.reply(f"{spell('HELP')}")["type"] == "help"
        assert newcomer.reply(f"{spell('PING')}")["type"] == "pong"
        newcomer.send(f"{spell('QUIT')}")
        assert [f["type"] for f in newcomer.rest_until_closed()] == ["bye"]
    assert [bob.expect("private")["content"] for _ in SPELLINGS] == [f"hi {n}" for n in range(len(SPELLINGS))]


def test_welcome_names_the_server_and_the_protocol(server, wire):
    client = wire(server, welcome=False)
    welcome = client.next()
    assert welcome["type"] == "welcome"
    assert welcome["protocol"] == 2 and "ClassChat" in welcome["server"]
    assert set(welcome["features"]) <= {"history", "accounts", "tls", "files", "presence"}
    assert "history" in welcome["features"]  # on by default; --no-history takes it away (test_history_replay.py)
    assert "presence" in welcome["features"]  # always on
    assert "tls" in welcome["features"]  # on by default; --no-tls takes it away (test_tls_chat_server.py)
    assert "files" in welcome["features"]  # on by default; --max-file-mb 0 takes it away (test_files_server.py)


def test_nick_registers_and_changes_and_the_room_is_told(server, wire):
    alice = wire(server)
    frame = alice.reply("NICK alice")
    assert (frame["type"], frame["nick"]) == ("nick", "alice")
    alice.send("JOIN lab")
    alice.expect("joined")
    bob = wire(server, "bob", "lab")
    alice.expect(lambda f: f["type"] == "system" and f["event"] == "join" and f["user"] == "bob")
    frame = alice.reply("NICK alicia")
    assert (frame["type"], frame["nick"]) == ("nick", "alicia")
    notice = bob.expect("system")
    assert (notice["event"], notice["room"], notice["user"]) == ("nick", "lab", "alicia")
    assert wire(server).reply("NICK alice")["type"] == "nick"  # the old name is free again


def test_nick_may_change_only_its_own_case(server, wire):
    alice = wire(server, "alice")
    assert alice.reply("NICK ALICE")["nick"] == "ALICE"


def test_asking_for_the_nickname_you_have_tells_nobody_else(server, wire):
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    alice.expect("system")
    assert alice.reply("NICK alice")["nick"] == "alice"
    alice.send("SAY marker")
    assert bob.next()["type"] == "message"


def test_join_creates_a_room_lists_its_members_and_tells_the_others(server, wire):
    alice = wire(server, "alice")
    joined = alice.reply("JOIN #lab")
    assert (joined["type"], joined["room"], joined["users"]) == ("joined", "lab", ["alice"])
    bob = wire(server, "bob")
    joined = bob.reply("JOIN LAB")
    assert (joined["room"], joined["users"]) == ("lab", ["alice", "bob"])
    notice = alice.expect("system")
    assert (notice["event"], notice["room"], notice["user"]) == ("join", "lab", "bob")


@pytest.mark.parametrize("mark", ["\uff03", "\ufe5f", "\u200b#", "\u202e#", "\u2066\uff03"])
def test_a_rooms_mark_as_a_cjk_keyboard_or_a_paste_writes_it_names_the_room(start_server, wire, mark):
    """The ninth review: names lose invisibles and are NFKC-normalised, but the '#' before them was looked for first,
    so '/join ＃数学' (a Chinese or Japanese keyboard's #) and a pasted '\u200b#lab' got bad_room, HISTORY
    bad_argument, and SEARCH searched the current room for the words '＃lab hello'."""
    server = start_server()
    alice = wire(server, "alice", "lab")
    alice.reply("SAY hello there")
    bob = wire(server, "bob")
    joined = bob.reply(f"JOIN {mark}lab")
    assert (joined["type"], joined.get("room")) == ("joined", "lab"), joined
    assert bob.reply(f"LIST {mark}lab")["rooms"] == [{"name": "lab", "users": ["alice", "bob"], "count": 2}]
    bob.send(f"JOIN {mark}数学")
    assert bob.expect("joined")["room"] == "数学"
    page = bob.reply(f"HISTORY {mark}lab 5", timeout=15)
    while page["type"] != "history":
        page = bob.next()
    assert (page["target"], page["count"]) == ("#lab", 1), page
    found = bob.reply(f"SEARCH {mark}lab hello")
    assert (found["room"], [result["content"] for result in found["results"]]) == ("lab", ["hello there"]), found
    at = mark.replace("#", "@").replace("\uff03", "\uff20").replace("\ufe5f", "\ufe6b")
    page = bob.reply(f"HISTORY {at}alice", timeout=15)
    assert (page["type"], page["target"]) == ("history", "@alice"), page


def test_join_another_room_leaves_the_first(server, wire):
    alice = wire(server, "alice", "one")
    bob = wire(server, "bob", "one")
    alice.send("JOIN two")
    left = alice.expect(lambda f: f["type"] in ("left", "joined"))
    assert (left["type"], left["room"]) == ("left", "one")
    assert alice.expect("joined")["room"] == "two"
    notice = bob.expect("system")
    assert (notice["event"], notice["room"], notice["user"]) == ("leave", "one", "alice")
    rooms = bob.reply("LIST")["rooms"]
    assert rooms == [{"name": "one", "users": ["bob"], "count": 1}, {"name": "two", "users": ["alice"], "count": 1}]


def test_joining_the_room_you_are_in_only_answers_joined(server, wire):
    alice = wire(server, "alice", "lab")
    frame = alice.reply("JOIN #Lab")
    assert (frame["type"], frame["users"]) == ("joined", ["alice"])
    assert alice.reply("PING x")["type"] == "pong"


def test_msg_and_say_post_to_every_member_the_sender_included(server, wire):
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    alice.send("MSG meet at 10:30")
    alice.send("SAY bob: this stays public")
    alice.send("MSG see https://example.com/a:b")
    for client in (alice, bob):
        texts = [client.expect("message") for _ in range(3)]
        assert [(f["content"], f["room"], f["sender"]) for f in texts] == [
            ("meet at 10:30", "lab", "alice"),
            ("bob: this stays public", "lab", "alice"),
            ("see https://example.com/a:b", "lab", "alice"),
        ]


def test_msg_to_a_nickname_is_private_and_echoed_to_the_sender(server, wire):
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    carol = wire(server, "carol", "lab")
    alice.send("MSG BOB: just for you")
    to_bob, echo = bob.expect("private"), alice.expect("private")
    assert to_bob == echo
    assert (to_bob["sender"], to_bob["to"], to_bob["content"]) == ("alice", "bob", "just for you")
    carol.send("SAY marker")
    assert carol.expect(lambda f: f["type"] in ("private", "message"))["content"] == "marker"


@pytest.mark.parametrize("colon", ["\uff1a", "\ufe55", "\ufe13"])
def test_msg_with_a_cjk_keyboards_colon_is_private_never_said_to_the_room(server, wire, colon):
    """The ninth review: "/msg bob：secret" (U+FF1A, the colon a Chinese or Japanese keyboard types) was posted to the
    whole room; the rule compares names as names are compared (NFKC), and NFKC makes that colon ':'."""
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    carol = wire(server, "carol", "lab")
    alice.send(f"MSG bob{colon}the secret")
    to_bob, echo = bob.expect("private"), alice.expect("private")
    assert to_bob == echo and (to_bob["to"], to_bob["content"]) == ("bob", "the secret")
    assert alice.error(f"MSG dave{colon} also secret") == "no_such_user"  # as "dave: …" is: delivered to nobody
    alice.send(f"MSG see https{colon}//example.com")  # as "https://…": public
    assert carol.expect(lambda f: f["type"] in ("private", "message"))["content"] == f"see https{colon}//example.com"


def test_pm_is_private_needs_no_room_and_is_echoed(server, wire):
    alice = wire(server, "alice")
    bob = wire(server, "bob")
    alice.send("PM Bob hello   there")
    received, echo = bob.expect("private"), alice.expect("private")
    assert received == echo
    assert (received["sender"], received["to"], received["content"]) == ("alice", "bob", "hello   there")


def test_pm_to_yourself_arrives_once(server, wire):
    alice = wire(server, "alice")
    assert alice.reply("PM alice note to self")["content"] == "note to self"
    assert alice.reply("PING after")["type"] == "pong"


def test_leave_answers_left_tells_the_others_and_an_empty_room_disappears(server, wire):
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    alice.expect("system")
    frame = bob.reply("LEAVE")
    assert (frame["type"], frame["room"]) == ("left", "lab")
    notice = alice.expect("system")
    assert (notice["event"], notice["room"], notice["user"]) == ("leave", "lab", "bob")
    alice.send("LEAVE")
    alice.expect("left")
    assert bob.reply("LIST")["rooms"] == []


def test_list_shows_everyone_online_and_every_room_with_its_members(server, wire):
    wire(server, "carol")
    wire(server, "Bob", "lab")
    alice = wire(server, "alice", "lab")
    wire(server, "dave", "art")
    wire(server)  # not registered: not listed
    frame = alice.reply("LIST")
    assert frame["type"] == "list"
    assert frame["users"] == ["alice", "Bob", "carol", "dave"]
    assert frame["rooms"] == [
        {"name": "art", "users": ["dave"], "count": 1},
        {"name": "lab", "users": ["Bob", "alice"], "count": 2},
    ]
    assert (frame["complete"], frame["page"], frame["pages"]) == (True, 1, 1)
    assert (frame["total_users"], frame["total_rooms"]) == (4, 2)
    assert "alice" in frame["content"]


def test_help_lists_every_command_even_before_a_nickname(server, wire):
    frame = wire(server).reply("HELP")
    assert frame["type"] == "help"
    for name in COMMANDS:
        assert f"/{name.lower()}" in frame["content"]


def test_quit_says_bye_closes_and_tells_the_room(server, wire):
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    alice.expect("system")
    bob.send("QUIT off to lunch")
    assert [f["type"] for f in bob.rest_until_closed()] == ["bye"]
    notice = alice.expect("system")
    assert (notice["event"], notice["user"]) == ("leave", "bob")
    assert alice.reply("LIST")["users"] == ["alice"]


def test_quit_works_before_a_nickname(server, wire):
    client = wire(server)
    client.send("quit")
    assert [f["type"] for f in client.rest_until_closed()] == ["bye"]


def test_ping_answers_pong_with_the_same_token_even_before_a_nickname(server, wire):
    client = wire(server)
    frame = client.reply("PING tok-123")
    assert (frame["type"], frame["content"]) == ("pong", "tok-123")
    assert client.reply("PING")["type"] == "pong"


def test_commands_end_at_any_whitespace_and_blank_lines_are_ignored(server, wire):
    alice = wire(server)
    alice.send_raw(b"\n\r\n   \n")
    assert alice.reply("\tnick\talice ")["nick"] == "alice"


def test_every_frame_a_session_receives_obeys_the_contract(server, wire):
    """A busy session; WireClient checks each frame's fields and that ids increase."""
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    for n in range(5):
        alice.send(f"SAY public {n}")
        bob.send(f"PM alice private {n}")
        bob.send(f"MSG alice: also private {n}")
    bob.send("PING queued")
    bob.expect("pong")  # bob's frames to alice are queued before this pong, so before alice's below
    alice.send("HELP")
    alice.send("LIST")
    alice.send("PING done")
    alice.expect("pong")
    kinds = [f["type"] for f in alice.received]
    assert kinds.count("message") == 5 and kinds.count("private") == 10
    ids = [f["id"] for f in alice.received if f["type"] in ("message", "private")]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_nothing_after_quit_is_carried_out_even_in_the_same_write(server, wire):
    watcher = wire(server, "watcher", "lab")
    alice = wire(server, "alice", "lab")
    watcher.expect("system")
    alice.send_raw(
        b"".join(
            f'{{"type":"command","content":"{content}"}}\n'.encode() for content in ("SAY before", "QUIT", "SAY after")
        )
    )
    assert [f["type"] for f in alice.rest_until_closed()] == ["message", "bye"]
    assert watcher.expect("message")["content"] == "before"
    assert watcher.next()["event"] == "leave"
