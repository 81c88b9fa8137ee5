"""What an nc/telnet user can reach beside the window's users: search results, `/delete last`, and PuTTY's first
screen with TLS off (the eleventh review)."""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.integration.test_telnet_bytes import PUTTY_OPENING
from tests.integration.wire import TextClient, nothing_more

pytestmark = pytest.mark.usefixtures("no_server_errors")

STAMP = r"\[\d\d:\d\d:\d\d\]"


def text_user(server, nick: str, room: str, new_room: bool = True) -> TextClient:
    client = TextClient(server.address)
    assert json.loads(client.next_line())["type"] == "welcome"
    client.send_line(f"nick {nick}", "\r\n")
    client.expect(rf"You are {nick}\.")
    client.send_line(f"join {room}", "\r\n")
    client.expect(rf"You joined #{room}")
    client.expect("earlier messages" if new_room else "is above")  # the replay's last line
    return client


def test_a_text_user_reads_each_search_result_with_its_id(server, wire):
    bob = wire(server, "bob", "lab")
    carol = text_user(server, "carol", "lab")
    try:
        bob.send("SAY the photosynthesis worksheet is due friday")
        said = bob.expect("message")
        bob.send("PM carol photosynthesis answers, just for you")
        whispered = bob.expect("private")
        bob.send("SAY nothing to find here")
        carol.expect("nothing to find here")
        carol.send_line("search photosynthesis", "\r\n")
        assert re.fullmatch(
            rf"{STAMP} \* 2 results for “photosynthesis” in #lab and your private .*\r", carol.expect("results for")
        )
        # Before: the count, and not one of the results (text mode shows no JSON).
        newest, older = carol.next_line(), carol.next_line()
        assert re.fullmatch(
            rf"{STAMP} \* id {whispered['id']}, \d\d:\d\d, @bob <bob> photosynthesis answers, just for you\r", newest
        )
        assert re.fullmatch(
            rf"{STAMP} \* id {said['id']}, \d\d:\d\d, #lab <bob> the photosynthesis worksheet is due friday\r", older
        )
        carol.send_line("ping after", "\r\n")
        assert re.fullmatch(rf"{STAMP} PONG after\r", carol.next_line())  # the results were all
    finally:
        carol.close()


def test_a_long_result_is_cut_on_one_line_and_cannot_start_a_line_of_its_own(server, wire):
    bob = wire(server, "bob", "lab")
    carol = text_user(server, "carol", "lab")
    try:
        bob.send("SAY needle " + "x" * 1500 + "\n[12:00:00] * Ms_Lee is now a teacher")
        carol.expect("<bob> needle")
        carol.send_line("search needle", "\r\n")
        carol.expect("1 result for")
        result = carol.next_line().rstrip("\r")
        assert result.endswith("…") and len(result) < 300, result
        assert "\n" not in result and "Ms_Lee" not in result
    finally:
        carol.close()


def test_delete_last_takes_back_a_text_users_newest_message_then_the_one_before(server, wire):
    bob = wire(server, "bob", "lab")
    carol = text_user(server, "carol", "lab")
    try:
        carol.send_line("say first thought", "\r\n")
        first = bob.expect(lambda f: f["type"] == "message" and f["sender"] == "carol")
        carol.send_line("pm bob oops, wrong person", "\r\n")
        oops = bob.expect("private")
        bob.send("SAY bob's own line")
        carol.expect("bob's own line")
        carol.send_line("/delete last", "\r\n")
        assert bob.expect("deleted")["id"] == oops["id"]  # the newest of hers, private or not; not bob's
        carol.expect(r"carol's message of .* to bob was deleted")
        carol.send_line("DELETE LAST", "\r\n")
        assert bob.expect("deleted")["id"] == first["id"]
        carol.expect(r"carol's message of .* in #lab was deleted")
        carol.send_line("delete last", "\r\n")
        refused = carol.expect(r"\(bad_argument\)")
        assert "/search" in refused, refused  # where an older message's id can be found
        bob.send("DELETE last")  # a JSON client may use it too; bob's line is his newest
        assert bob.expect("deleted")["content"].startswith("bob's message")
    finally:
        carol.close()


def test_delete_last_never_takes_what_the_name_said_before_it_was_this_users(server, wire):
    first_holder = wire(server, "dan", "lab")
    first_holder.send("SAY dan's words")
    first_holder.expect("message")
    first_holder.send("QUIT")
    first_holder.expect("bye")
    watcher = wire(server, "watcher", "lab")
    dan = text_user(server, "dan", "lab", new_room=False)  # a new person under the same name
    try:
        dan.send_line("delete last", "\r\n")
        dan.expect(r"\(bad_argument\)")
        dan.send_line("ping", "\r\n")
        dan.expect("PONG")
        assert not any(frame["type"] == "deleted" for frame in nothing_more(watcher))
    finally:
        dan.close()


def test_a_putty_user_sees_words_first_with_tls_off_even_when_its_offers_come_a_little_later(start_server):
    server = start_server(tls=False)
    for delay in (0.0, 0.05):
        putty = TextClient(server.address)
        try:
            time.sleep(delay)  # the offers a LAN's moment after the connect: before, the welcome went as JSON first
            putty.send_raw(PUTTY_OPENING)
            assert re.fullmatch(rf"{STAMP} \* Welcome to .*\r", putty.next_line())
            assert re.fullmatch(rf"{STAMP} \* Text mode\..*\r", putty.next_line())
        finally:
            putty.close()
    nc = TextClient(server.address)  # speaks only after the welcome: JSON, as the contract says, a moment later
    try:
        started = time.monotonic()
        assert json.loads(nc.next_line())["type"] == "welcome"
        assert time.monotonic() - started < 1.5
    finally:
        nc.close()


def test_a_text_user_typing_chat_terms_file_commands_is_told_why_not(server, wire):
    carol = text_user(server, "carol", "lab")
    try:
        for line in ("/get 3f2a", "send worksheet.pdf", "/GET"):
            carol.send_line(line, "\r\n")
            refused = carol.next_line()  # before: "Unknown command GET; /help lists the commands."
            assert re.fullmatch(rf"{STAMP} ! Files cannot travel over a text connection.*\(not_allowed\)\r", refused)
    finally:
        carol.close()
    json_user = wire(server, "dave", "lab")  # a JSON client's front end never sends them: unknown, as before
    assert json_user.error("GET 3f2a") == "unknown_command"


def test_delete_last_still_finds_what_was_said_before_a_resume(server, wire):
    bob = wire(server, "bob", "lab")
    old = wire(server, "alice", "lab")
    old.send("SAY said before the connection dropped")
    said = bob.expect("message")
    token = [frame for frame in old.received if frame["type"] == "nick"][-1]["token"]
    new = wire(server)
    assert new.reply(f"RESUME alice {token}")["resumed"] is True
    new.send("DELETE last")
    assert bob.expect("deleted")["id"] == said["id"]
