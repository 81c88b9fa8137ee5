"""Text mode: an nc/telnet user on a raw socket sends plain lines and reads human-readable lines."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest

from shared.commands import COMMANDS
from tests.integration.wire import TextClient

pytestmark = pytest.mark.usefixtures("no_server_errors")

STAMP = r"\[\d\d:\d\d:\d\d\]"


def text_user(server, nick: str | None = None, room: str | None = None) -> TextClient:
    client = TextClient(server.address)
    welcome = json.loads(client.next_line())  # sent on connect, before the mode is known
    assert welcome["type"] == "welcome"
    if nick is not None:
        client.send_line(f"NICK {nick}", "\r\n")
        client.expect(rf"You are {nick}\.")
    if room is not None:
        client.send_line(f"JOIN {room}", "\r\n")
        client.expect(rf"You joined #{room}")
    return client


def test_a_first_line_without_a_brace_switches_to_text_mode_with_crlf_or_lf(server):
    client = text_user(server)
    try:
        client.send_raw(b"\r\n\n   \r\nnick alice\r\n")
        assert re.fullmatch(rf"{STAMP} \* Text mode\..*\r", client.next_line())
        assert re.fullmatch(rf"{STAMP} \* You are alice\..*\r", client.next_line())
        client.send_raw(b"/JOIN #general\n\n\r\n")
        assert re.fullmatch(rf"{STAMP} \* You joined #general \(1 here\)\r", client.next_line())
        assert re.fullmatch(rf"{STAMP} \* #general has no earlier messages\.\r", client.next_line())  # the replay
        client.send_line("say hi")
        assert re.fullmatch(rf"{STAMP} #general <alice> hi\r", client.next_line())
    finally:
        client.close()


def test_text_and_json_users_talk_to_each_other(server, wire):
    bob = wire(server, "bob", "general")
    alice = text_user(server, "alice", "general")
    try:
        assert bob.expect("system")["user"] == "alice"
        alice.send_line("MSG hello bob")
        assert bob.expect("message")["content"] == "hello bob"
        bob.send("SAY hello alice")
        assert alice.expect("<bob>").rstrip("\r").endswith("#general <bob> hello alice")
        bob.send("PM alice just us")
        assert re.fullmatch(rf"{STAMP} \*bob -> alice\* just us\r", alice.expect(r"\*bob"))
        alice.send_line("MSG bob: back at you")
        assert bob.expect(lambda f: f["type"] == "private" and f["sender"] == "alice")["content"] == "back at you"
        assert re.fullmatch(rf"{STAMP} \*alice -> bob\* back at you\r", alice.expect(r"\*alice"))
    finally:
        alice.close()


def test_errors_are_readable_lines_with_their_code(server):
    client = text_user(server, "alice")
    try:
        client.send_line("FROB")
        assert re.fullmatch(rf"{STAMP} ! Unknown command FROB.* \(unknown_command\)\r", client.next_line())
        client.send_line("JOIN no room")
        assert client.next_line().rstrip("\r").endswith("(bad_room)")
        client.send_raw(b"SAY \xff\n")
        assert client.next_line().rstrip("\r").endswith("(bad_frame)")
        client.send_line('{"type": "command", "content": "PING"}')  # no JSON once in text mode
        refused = client.next_line().rstrip("\r")
        assert refused.endswith("(unknown_command)")
        # The ninth review: it read "Unknown command {"TYPE":; /help lists the commands." Now it says why.
        assert "text mode" in refused and "TYPE" not in refused, refused
        client.send_line("PING still here")
        assert re.fullmatch(rf"{STAMP} PONG still here\r", client.next_line())
    finally:
        client.close()


def test_help_comes_as_one_line_naming_every_command(server):
    client = text_user(server)
    try:
        client.send_line("help")
        lines = [client.next_line() for _ in range(2)]  # the text-mode greeting, then help
        assert "Commands" in lines[1]
        entries = lines[1].split(" | ")[1:]
        assert [entry.split()[0] for entry in entries] == [f"/{name.lower()}" for name in COMMANDS]
        client.send_line("ping after-help")
        assert re.fullmatch(rf"{STAMP} PONG after-help\r", client.next_line())
    finally:
        client.close()


def test_control_characters_never_reach_a_text_user(server, wire):
    bob = wire(server, "bob", "general")
    alice = text_user(server, "alice", "general")
    try:
        bob.send_raw(b'{"type":"command","content":"SAY one\\u001b[2Jtwo\\nthree\\r\\u0007four\\u009bfive"}\n')
        line = alice.expect("<bob>")
        assert line == line.rstrip("\r") + "\r"
        shown = line.rstrip("\r")
        # a lone CR is a line break, shown as " | "; "[" before a digit is "(" in anyone's words (no stamp at a row's edge)
        assert shown.endswith("<bob> one[2Jtwo | three | fourfive".replace("[", "("))
        assert all(unicodedata.category(ch) != "Cc" for ch in shown)
    finally:
        alice.close()


def test_quit_in_text_mode_says_goodbye_and_closes(server, wire):
    watcher = wire(server, "watcher", "general")
    alice = text_user(server, "alice", "general")
    try:
        alice.send_line("QUIT bye all")
        lines = alice.rest_until_closed()
        assert "Goodbye" in lines[-1]
        notice = watcher.expect(lambda f: f["type"] == "system" and f["event"] == "leave")
        assert notice["user"] == "alice"
    finally:
        alice.close()


def test_a_deleted_message_is_named_by_what_a_text_user_sees_of_it(server, wire):
    """Text mode shows no ids: "Message 7 was deleted." did not say which line had gone (the tenth review)."""
    bob = wire(server, "bob", "lab")
    alice = text_user(server, "alice", "lab")
    try:
        alice.expect("has no earlier messages")
        bob.send("SAY to be taken back")
        said = bob.expect("message")
        shown = alice.expect("<bob>").rstrip("\r")
        assert shown.endswith("#lab <bob> to be taken back")
        bob.send(f"DELETE {said['id']}")
        stamp = shown[1:9]
        notice = alice.expect("deleted").rstrip("\r")
        assert re.fullmatch(rf"{STAMP} \* bob's message of {stamp} in #lab was deleted \(id {said['id']}\)\.", notice)
        assert "taken back" not in notice
        bob.send("PM alice psst")
        whispered = bob.expect("private")
        stamp = alice.expect(r"\*bob -> alice\*")[1:9]
        bob.send(f"DELETE {whispered['id']}")
        notice = alice.expect("deleted").rstrip("\r")
        assert re.fullmatch(
            rf"{STAMP} \* bob's message of {stamp} to alice was deleted \(id {whispered['id']}\)\.", notice
        )
    finally:
        alice.close()


def test_search_shows_an_nc_user_the_messages_it_found_not_only_how_many(server, wire):
    # Found by the eleventh review (docs): `/search hello` over nc answered "1 result for “hello” in #general ...
    # (newest first)." and nothing else; the results were only in the JSON field nc users never see.
    bob = wire(server, "bob", "general")
    alice = text_user(server, "alice", "general")
    try:
        bob.send("SAY hello from the lab")
        said = bob.expect("message")
        bob.send("PM alice hello in private")
        whisper = bob.expect("private")
        alice.expect(r"\*bob -> alice\* hello in private")
        alice.send_line("SEARCH hello")
        line = alice.expect(r"for “hello”").rstrip("\r")
        assert re.fullmatch(rf"{STAMP} \* 2 results for “hello” in #general and your private messages .*", line)
        newest = alice.expect(r"\* id \d+, ").rstrip("\r")
        oldest = alice.expect(r"\* id \d+, ").rstrip("\r")
        assert re.fullmatch(rf"{STAMP} \* id {whisper['id']}, \d\d:\d\d, @bob <bob> hello in private", newest)
        assert re.fullmatch(rf"{STAMP} \* id {said['id']}, \d\d:\d\d, #general <bob> hello from the lab", oldest)
    finally:
        alice.close()
