"""Presence and typing on a real server (issue 16): AWAY, BACK, TYPING, `statuses`, who hears what, never stored."""

from __future__ import annotations

import threading
import time

import pytest

from chat_server.handlers.membership import MEMBERS_PER_FRAME
from chat_server.presence import MAX_AWAY_CHARS
from shared.frames import MAX_FRAME_BYTES, encode_frame
from tests.adversarial.crowd import add_crowd, long_nick, remove_crowd
from tests.integration.wire import TextClient, nothing_more

pytestmark = pytest.mark.usefixtures("no_server_errors")


def test_welcome_says_presence_is_switched_on(server, wire):
    assert "presence" in wire(server).received[0]["features"]


def test_away_and_back_reach_the_room_and_the_sender_only(server, wire):
    ann, bob = wire(server, "ann", "lab"), wire(server, "bob", "lab")
    elsewhere, roomless = wire(server, "cid", "hall"), wire(server, "dee")
    ann.expect(lambda frame: frame["type"] == "system" and frame["user"] == "bob")

    ann.send("AWAY at lunch")
    for client in (ann, bob):
        frame = client.expect("presence")
        assert (frame["user"], frame["status"], frame["text"]) == ("ann", "away", "at lunch")
        assert frame["content"] == 'ann is away: "at lunch"'
    ann.send("/back")
    for client in (ann, bob):
        frame = client.expect("presence")
        assert (frame["user"], frame["status"], frame["text"]) == ("ann", "online", "")
    assert nothing_more(elsewhere) == [] and nothing_more(roomless) == []

    # without a room, only the sender hears it; saying the same again is answered, not broadcast
    assert roomless.reply("AWAY")["status"] == "away"
    bob.send("AWAY")
    bob.expect("presence")
    ann.expect(lambda frame: frame["type"] == "presence" and frame["user"] == "bob")
    assert bob.reply("AWAY")["type"] == "presence"
    assert nothing_more(ann) == []


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("  two   spaces  ", "two spaces"),
        ("line one\nline two\r\n[12:00:00] * bob is back", "line one line two [12:00:00] * bob is back"),
        ("\u202eevil\u2066 \x1b[2J", "evil [2J"),
        ("x" * 5000, "x" * (MAX_AWAY_CHARS - 1) + "…"),
        ("😀" * 100, "😀" * (MAX_AWAY_CHARS - 1) + "…"),
        ("\u200b\ufeff", ""),
    ],
)
def test_away_text_is_one_clean_line_of_at_most_64_characters(server, wire, typed, shown):
    ann = wire(server, "ann", "lab")
    ann.send_raw(encode_frame({"type": "command", "content": f"AWAY {typed}"}))
    frame = ann.expect("presence")
    assert frame["text"] == shown and len(frame["text"]) <= MAX_AWAY_CHARS
    assert frame["content"].startswith("ann is away") and "\n" not in frame["content"]
    if shown:
        assert frame["content"] == f'ann is away: "{shown}"'


def test_an_away_text_cannot_start_a_line_of_its_own_in_text_mode(server, wire):
    ann = wire(server, "ann", "lab")
    reader = TextClient(server.address)
    try:
        reader.send_line("NICK reader")
        reader.send_line("JOIN lab")
        reader.expect("You joined")
        ann.send("AWAY \n[12:00:00] * Announcement: the test is cancelled")
        line = reader.expect("ann is away")
        assert line.startswith("[") and '"' in line and "\n" not in line.rstrip("\r")
        assert line.count("[") == 1 and '"(12:00:00] * Announcement' in line  # no stamp in anyone's words
        assert line.index("ann is away") < line.index("Announcement")
    finally:
        reader.close()


def test_a_muted_user_may_go_away_but_without_words(server, wire):
    ann, bob = wire(server, "ann", "lab"), wire(server, "bob", "lab")
    server.set_muted("ann", True)
    ann.expect(lambda frame: frame["type"] == "system" and frame["event"] == "muted")
    assert ann.error("AWAY come to my room instead") == "muted"
    assert ann.reply("AWAY")["status"] == "away"
    assert bob.expect("presence")["text"] == ""
    ann.send("TYPING")
    assert [frame["type"] for frame in nothing_more(bob)] == []


def test_joined_members_and_list_carry_statuses_for_the_users_they_name(server, wire):
    ann = wire(server, "ann", "lab")
    ann.send("AWAY")
    ann.expect("presence")
    bob = wire(server, "bob")
    bob.send("JOIN lab")
    joined = bob.expect("joined")
    assert joined["statuses"] == {"ann": "away", "bob": "online"}
    listed = bob.reply("LIST")
    assert listed["statuses"] == {"ann": "away", "bob": "online"}
    room_page = bob.reply("LIST lab")
    assert room_page["statuses"] == {"ann": "away", "bob": "online"}


def test_someone_away_who_joins_a_room_is_shown_away_there(server, wire):
    ann, bob = wire(server, "ann", "hall"), wire(server, "bob", "lab")
    ann.send("AWAY back at 3")
    ann.expect("presence")
    ann.send("JOIN lab")
    joined = bob.expect(lambda frame: frame["type"] == "system" and frame["event"] == "join")
    presence = bob.next()
    assert joined["user"] == "ann" and presence["type"] == "presence"
    assert (presence["user"], presence["status"], presence["text"]) == ("ann", "away", "back at 3")


def test_presence_resets_when_the_connection_ends(server, wire):
    ann, bob = wire(server, "ann", "lab"), wire(server, "bob", "lab")
    ann.send("AWAY")
    bob.expect("presence")
    ann.close()
    bob.expect(lambda frame: frame["type"] == "system" and frame["event"] == "leave")
    again = wire(server, "ann")
    again.send("JOIN lab")
    assert again.expect("joined")["statuses"]["ann"] == "online"
    bob.send("LIST lab")
    assert bob.expect("list")["statuses"] == {"ann": "online", "bob": "online"}


def test_resume_after_a_drop_starts_online_but_a_takeover_keeps_the_presence(server, wire):
    ann, bob = wire(server, "ann", "lab"), wire(server, "bob", "lab")
    token = ann.received[-1]["token"] if ann.received[-1]["type"] == "nick" else None
    token = token or next(frame["token"] for frame in ann.received if frame["type"] == "nick")
    ann.send("AWAY on the bus")
    bob.expect("presence")

    # the old connection still open: the new one takes its place, and the room heard nothing, so still away
    second = wire(server)
    second.send(f"RESUME ann {token}")
    nick = second.expect("nick")
    assert second.expect("joined")["statuses"]["ann"] == "away"
    bob.send("LIST lab")
    assert bob.expect("list")["statuses"]["ann"] == "away"

    # dropped: the room heard the leave, so the resumed session starts online
    second.close()
    bob.expect(lambda frame: frame["type"] == "system" and frame["event"] == "leave")
    third = wire(server)
    third.send(f"RESUME ann {nick['token']}")
    third.expect("nick")
    assert third.expect("joined")["statuses"]["ann"] == "online"


def test_typing_reaches_the_others_in_the_room_only_and_is_throttled(server, wire):
    ann, bob, cid = wire(server, "ann", "lab"), wire(server, "bob", "lab"), wire(server, "cid", "lab")
    elsewhere = wire(server, "dee", "hall")
    for _ in range(5):  # a burst: one is passed on, the rest dropped without an answer
        ann.send("TYPING")
    for client in (bob, cid):
        frame = client.expect("typing")
        assert (frame["room"], frame["user"]) == ("lab", "ann")
    assert {frame["type"] for frame in nothing_more(ann)} <= {"system"}  # bob's and cid's joins; no echo, no error
    assert [frame["type"] for frame in nothing_more(bob)] == []
    assert [frame["type"] for frame in nothing_more(elsewhere)] == []


def test_typing_is_passed_on_again_once_the_interval_is_over(start_server, wire):
    server = start_server(typing_interval=0.4)
    ann, bob = wire(server, "ann", "lab"), wire(server, "bob", "lab")
    started = time.monotonic()
    ann.send("TYPING")
    bob.expect("typing")
    ann.send("TYPING")
    assert nothing_more(bob) == []
    while time.monotonic() - started < 0.5:
        time.sleep(0.05)
    ann.send("TYPING")
    assert bob.expect("typing")["user"] == "ann"


def test_the_typing_interval_is_three_seconds_by_default(server):
    assert server.config.typing_interval == 3.0


@pytest.mark.parametrize("where", ["no room", "text mode reader"])
def test_typing_goes_nowhere_it_is_not_wanted(server, wire, where):
    if where == "no room":
        ann, bob = wire(server, "ann"), wire(server, "bob", "lab")
        ann.send("TYPING")
        assert nothing_more(ann) == [] and nothing_more(bob) == []
        return
    ann = wire(server, "ann", "lab")
    reader = TextClient(server.address)
    try:
        reader.send_line("NICK reader")
        reader.send_line("JOIN lab")
        reader.expect("You joined")
        ann.send("TYPING")
        ann.send("SAY after typing")
        assert "after typing" in reader.expect("<ann>")  # the message, with no typing line before it
    finally:
        reader.close()


def test_typing_and_presence_are_never_stored(server, wire):
    ann, bob = wire(server, "ann", "lab"), wire(server, "bob", "lab")
    ann.send("SAY one")
    bob.expect("message")
    for command in ("TYPING", "AWAY gone", "BACK"):
        ann.send(command)
    ann.send("SAY two")
    kinds = []
    while True:
        frame = bob.next()
        kinds.append(frame["type"])
        if frame["type"] == "message":
            break
    assert kinds == ["typing", "presence", "presence", "message"]
    kept = server.storage.messages.replay("lab", 50)
    assert [message.text for message in kept] == ["one", "two"]
    late = wire(server, "late", "lab")
    assert not [frame for frame in late.received if frame["type"] in ("typing", "presence")]


def test_statuses_never_push_a_frame_past_32_kib(start_server, wire):
    """Hundreds of the longest nicknames there are, some away: every page names each user's status once, under the cap."""
    server = start_server(rate_per_second=0, list_interval=0, max_clients=0)
    nicks = [long_nick(n) for n in range(MEMBERS_PER_FRAME * 4)]
    crowd = add_crowd(server, nicks, ["hall"] * len(nicks))
    try:
        with server.registry.lock:
            for session in crowd[::3]:
                session.away = "x"
        away = {session.nick for session in crowd[::3]}
        joiner = wire(server, "joiner")
        joiner.send("JOIN hall")
        frames = [joiner.expect("joined")]
        while frames[-1].get("more"):
            frames.append(joiner.expect("members"))
        pages = [joiner.reply("LIST")]
        pages += [joiner.reply(f"LIST {page}") for page in range(2, pages[0]["pages"] + 1)]
        room_pages = [joiner.reply("LIST hall")]
        room_pages += [joiner.reply(f"LIST hall {page}") for page in range(2, room_pages[0]["pages"] + 1)]
        for frame in frames + pages + room_pages:
            assert len(encode_frame(frame)) <= MAX_FRAME_BYTES
            assert set(frame["statuses"]) == set(frame["users"])
            assert {nick for nick, status in frame["statuses"].items() if status == "away"} == away & set(
                frame["users"]
            )
        assert sum(len(frame["users"]) for frame in frames) == len(nicks) + 1
    finally:
        remove_crowd(server, crowd)


def test_the_servers_typing_frames_stay_within_its_budget(start_server, wire):
    server = start_server(typing_frames_per_second=1)  # one relay to three people overdraws it by 2 (2 s to pay)
    typists = [wire(server, nick, "lab") for nick in ("ann", "bob", "cid")]
    listener = wire(server, "dee", "lab")
    for typist in typists:  # each relay goes to the three others
        typist.send("TYPING")
    first = listener.expect("typing")["user"]  # whichever the server carried out first
    for typist in typists:
        nothing_more(typist)  # each typist's TYPING has been carried out (and anything it sent is queued before)
    got = [frame["user"] for frame in nothing_more(listener) if frame["type"] == "typing"]
    assert got == [], f"{first}'s relay overdrew the budget; the other two are dropped, not queued"
    dropped = next(typist for typist, nick in zip(typists, ("ann", "bob", "cid"), strict=True) if nick != first)
    deadline = time.monotonic() + 10
    while True:  # the overdraft is paid back in 2 s; then a dropped typist is heard (the drop did not count)
        dropped.send("TYPING")
        if [frame for frame in nothing_more(listener) if frame["type"] == "typing"]:
            break
        assert time.monotonic() < deadline, "the budget never refilled"
        time.sleep(0.05)


def test_the_default_budget_is_160_typing_frames_a_second(server):
    assert server.config.typing_frames_per_second == 160.0


def test_a_typing_flood_in_one_room_does_not_silence_the_room_next_door(start_server, wire):
    """60 students typing in one room spent the whole server's budget; the two people next door never saw each other type."""
    server = start_server(typing_frames_per_second=20, typing_interval=0.01, rate_per_second=0)
    big = [wire(server, f"typist{n}", "hall") for n in range(12)]
    ann, bob = wire(server, "ann", "lab"), wire(server, "bob", "lab")
    ann.expect(lambda frame: frame["type"] == "system" and frame["user"] == "bob")
    flooding = threading.Event()

    def flood() -> None:
        while not flooding.is_set():
            for typist in big:
                typist.send("TYPING")  # each relay is 11 frames: the hall asks for thousands a second
            time.sleep(0.005)

    flooder = threading.Thread(target=flood, daemon=True)
    flooder.start()
    try:
        heard = 0
        for _ in range(8):
            time.sleep(0.15)  # ann's TYPING at no particular moment of the hall's flood
            ann.send("TYPING")
            nothing_more(ann)  # carried out: anything for bob is queued before his answer below
            heard += any(frame["type"] == "typing" and frame["user"] == "ann" for frame in nothing_more(bob))
        assert heard == 8, f"bob saw ann type {heard} times of 8 while the hall flooded"
    finally:
        flooding.set()
        flooder.join()
    hall_heard = [frame for frame in nothing_more(big[0]) if frame["type"] == "typing"]
    assert hall_heard, "the hall still hears typing, within what the lab leaves"
