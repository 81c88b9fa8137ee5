"""No answer amplifies (issue 9, item 6): every server frame stays within 32 KiB, however many users and rooms.

Thousands of users with the longest nicknames there are in bytes (24
four-byte letters) and rooms with the longest names, held by the real
registry (tests/adversarial/crowd.py).  LIST comes in pages, `joined` in a
huge room is followed by `members` pages, the `rooms` push is summarised;
walking through the pages gives every name exactly once.
"""

from __future__ import annotations

import math
import time

import pytest

from chat_server.handlers.listing import USERS_PER_PAGE
from shared.frames import MAX_FRAME_BYTES, encode_frame
from tests.adversarial.crowd import add_crowd, long_nick, long_room, remove_crowd
from tests.integration.test_text_mode import text_user
from tests.integration.wire import WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

USERS = 3000  # each a client as the server counts them, so the tests lift --max-clients (max_clients=0)
ROOMS = 300


def frame_bytes(frame: dict) -> int:
    """What the frame took on the wire (the server writes UTF-8 without escapes, as encode_frame does)."""
    return len(encode_frame(frame))


@pytest.fixture
def crowded(start_server):
    server = start_server(rate_per_second=0, list_interval=0, max_clients=0)
    nicks = [long_nick(n) for n in range(USERS)]
    rooms = [long_room(n % ROOMS) for n in range(USERS)]
    sessions = add_crowd(server, nicks, rooms)
    yield server, nicks, rooms
    remove_crowd(server, sessions)


def test_list_comes_in_pages_that_hold_everyone_exactly_once(crowded, wire):
    server, nicks, rooms = crowded
    asker = wire(server, "asker")
    first = asker.reply("LIST")
    pages = first["pages"]
    assert first["complete"] is False and pages == math.ceil((USERS + 1) / USERS_PER_PAGE)
    assert (first["total_users"], first["total_rooms"]) == (USERS + 1, ROOMS)
    users, seen_rooms, sizes = list(first["users"]), list(first["rooms"]), [frame_bytes(first)]
    for page in range(2, pages + 1):
        frame = asker.reply(f"LIST {page}")
        assert frame["page"] == page
        users += frame["users"]
        seen_rooms += frame["rooms"]
        sizes.append(frame_bytes(frame))
    assert sorted(users) == sorted([*nicks, "asker"]) and len(users) == len(set(users))
    assert {room["name"]: room["count"] for room in seen_rooms} == {long_room(n): USERS // ROOMS for n in range(ROOMS)}
    assert max(sizes) <= MAX_FRAME_BYTES, max(sizes)
    past = asker.reply(f"LIST {pages + 1}")
    assert (past["code"], past["content"]) == ("bad_argument", f"There are only {pages} pages.")


def test_a_rooms_members_come_in_pages_too(start_server, wire):
    server = start_server(rate_per_second=0, list_interval=0, max_clients=0)
    nicks = [long_nick(n) for n in range(USERS)]
    hall = long_room(1)
    add_crowd(server, nicks, [hall] * USERS)
    asker = wire(server, "asker")
    first = asker.reply(f"LIST {hall}")
    members = list(first["users"])
    assert first["rooms"][0]["count"] == USERS
    for page in range(2, first["pages"] + 1):
        frame = asker.reply(f"LIST #{hall} {page}")
        assert frame_bytes(frame) <= MAX_FRAME_BYTES
        members += frame["users"]
    assert sorted(members) == sorted(nicks)
    assert asker.error("LIST nosuchroom") == "bad_room"


def test_joining_a_huge_room_sends_every_member_in_frames_under_the_cap(start_server, wire):
    server = start_server(rate_per_second=0, max_clients=0)
    nicks = [long_nick(n) for n in range(USERS)]
    hall = long_room(7)
    add_crowd(server, nicks, [hall] * USERS)
    joiner = wire(server, "joiner")
    joiner.send(f"JOIN {hall}")
    joined = joiner.expect("joined")
    assert joined["count"] == USERS + 1 and joined["more"] is True and joined["users"][0] == "joiner"
    names, sizes = list(joined["users"]), [frame_bytes(joined)]
    while True:
        page = joiner.next()
        assert page["type"] == "members" and page["room"] == hall
        names += page["users"]
        sizes.append(frame_bytes(page))
        if not page["more"]:
            break
    assert sorted(names) == sorted([*nicks, "joiner"]) and len(names) == USERS + 1
    assert max(sizes) <= MAX_FRAME_BYTES


def test_the_rooms_push_is_summarised_under_the_cap(start_server, wire):
    server = start_server(rate_per_second=0, max_clients=0)
    nicks = [long_nick(n) for n in range(USERS)]
    rooms = [long_room(n) for n in range(USERS)]  # a room each: 3,000 rooms with the longest names
    add_crowd(server, nicks, rooms)
    watcher = WireClient(server.address, pushes=True)
    watcher.reply("NICK watcher")
    push = watcher.next()
    assert push["type"] == "rooms" and push["total"] == USERS
    assert 100 < len(push["rooms"]) < USERS and frame_bytes(push) <= MAX_FRAME_BYTES
    # the big rooms come first: make one and see it at the top of the next push
    joiners = [WireClient(server.address).register(f"j{n}", "popular") for n in range(3)]
    # pushes may come while the joiners arrive (popular, with 2, already tops rooms of 1): wait for all three
    push = watcher.expect(
        lambda f: f["type"] == "rooms" and f["rooms"][0]["name"] == "popular" and f["rooms"][0]["count"] == 3,
        timeout=10,
    )
    assert push["total"] == USERS + 1
    assert len(joiners) == 3


def test_a_text_user_gets_one_line_under_the_cap(crowded):
    server, _nicks, _rooms = crowded
    tia = text_user(server, "tia")
    tia.send_line("LIST")
    line = tia.expect("online")
    assert len(line.encode()) + 1 <= MAX_FRAME_BYTES and "page 1 of" in line
    tia.close()


def test_list_is_throttled_apart_from_other_commands(start_server, wire):
    """LIST asked 9 times a second: answered at most once per 2 s after a burst of 3; one error a second at most."""
    server = start_server(max_clients=0)
    add_crowd(server, [long_nick(n) for n in range(USERS)], [long_room(n % ROOMS) for n in range(USERS)])
    asker = wire(server, "asker")
    started = time.monotonic()
    while time.monotonic() - started < 3:
        asker.send("LIST")
        asker.send("PING keeps-working")  # other commands are not held back by LIST's limit
        asker.expect("pong")
        time.sleep(1 / 9)  # the attack's pace: nine LISTs a second
    elapsed = time.monotonic() - started
    asker.send("PING end")
    asker.expect(lambda f: f["type"] == "pong" and f["token"] == "end")
    answers = [f for f in asker.received if f["type"] == "list"]
    errors = [f for f in asker.received if f["type"] == "error"]
    assert 3 <= len(answers) <= 3 + math.ceil(elapsed / 2)
    assert all(f["code"] == "rate_limited" for f in errors) and len(errors) <= math.ceil(elapsed) + 1
    assert asker.bytes_received < (len(answers) + 1) * MAX_FRAME_BYTES + 20_000


def test_twenty_five_list_askers_cannot_make_the_server_shout(start_server):
    """The issue's amplifier: 25 connections asking LIST 9 times a second against thousands of long names."""
    server = start_server(max_clients=0)
    add_crowd(server, [long_nick(n) for n in range(USERS)], [long_room(n % ROOMS) for n in range(USERS)])
    askers = [WireClient(server.address, source=f"127.0.2.{n}").register(f"a{n}") for n in range(1, 26)]
    started = time.monotonic()
    sent = 0
    while time.monotonic() - started < 4:
        for asker in askers:
            asker.send("LIST")
        sent += len(askers)
        time.sleep(1 / 9)
    for asker in askers:
        asker.send("PING end")
        asker.expect(lambda f: f["type"] == "pong" and f["token"] == "end")
    elapsed = time.monotonic() - started
    received = sum(asker.bytes_received for asker in askers)
    # each connection: a burst of 3 answers, then one per 2 s, under 32 KiB each, plus a little talk
    bound = len(askers) * ((3 + math.ceil(elapsed / 2)) * MAX_FRAME_BYTES + 10_000)
    assert sent > 500 and received < bound, (sent, received, bound)
    wait_until(lambda: all(asker.reply("PING alive")["type"] == "pong" for asker in askers))
