"""Every error code of the contract, from a real server; the connection stays open unless the contract says not."""

from __future__ import annotations

import json
import re

import pytest

from shared.errors import ErrorCode
from shared.frames import MAX_FRAME_BYTES
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")


def padded_ping(total_bytes: int) -> bytes:
    """A `PING padded` command frame of exactly `total_bytes` bytes, newline included."""
    head = b'{"type":"command","content":"PING padded","pad":"'
    tail = b'"}\n'
    return head + b"p" * (total_bytes - len(head) - len(tail)) + tail


BAD_LINES = [
    b"\xff\xfe garbage\n",  # not UTF-8 (the connection is already in JSON mode)
    b"[1, 2]\n",
    b'"just a string"\n',
    b"{not json}\n",
    b'{"content": "PING"}\n',
    b'{"type": 1, "content": "PING"}\n',
    b'{"type": "command"}\n',
    b'{"type": "command", "content": 5}\n',
    b'{"type": "chat", "content": "PING"}\n',
    b'{"type": "command", "content": "PING \xff"}\n',
    b"[" * 20000 + b"\n",
    b'{"type": "command", "content": "PING \\ud800"}\n',  # half a surrogate pair cannot be sent on as UTF-8
]


def test_bad_frames_are_refused_and_the_next_line_is_read(server, wire):
    client = wire(server)
    client.send_raw(b'{"type": "command", "content": "PING first"}\n')  # JSON mode
    assert client.next()["type"] == "pong"
    for line in BAD_LINES:
        client.send_raw(line)
        frame = client.next()
        assert (frame["type"], frame["code"]) == ("error", ErrorCode.BAD_FRAME), line[:40]
        assert client.reply("PING still here")["content"] == "still here"


def test_escaped_and_unescaped_json_are_both_accepted(server, wire):
    client = wire(server)
    client.send_raw(json.dumps({"type": "command", "content": "PING é😀"}, ensure_ascii=True).encode() + b"\n")
    client.send_raw(json.dumps({"type": "command", "content": "PING é😀"}, ensure_ascii=False).encode() + b"\n")
    assert [client.next()["content"], client.next()["content"]] == ["é😀", "é😀"]


def test_a_frame_of_exactly_32_kib_is_accepted(server, wire):
    client = wire(server)
    data = padded_ping(MAX_FRAME_BYTES)
    assert len(data) == MAX_FRAME_BYTES
    client.send_raw(data)
    assert client.next()["content"] == "padded"
    assert client.reply("PING again")["content"] == "again"


def test_a_ping_token_longer_than_a_message_is_too_long_so_the_pong_fits_in_a_frame(server, wire):
    client = wire(server)
    assert client.reply("PING " + "😀" * 2000)["type"] == "pong"
    assert client.error("PING " + "t" * 2001) == ErrorCode.TOO_LONG


def test_one_byte_more_gets_frame_too_large_and_the_connection_is_closed(server, wire):
    client = wire(server, "alice")
    client.send_raw(padded_ping(MAX_FRAME_BYTES + 1))
    frames = client.rest_until_closed()
    assert [(f["type"], f.get("code")) for f in frames] == [("error", ErrorCode.FRAME_TOO_LARGE), ("bye", None)]
    assert wire(server).reply("NICK alice")["type"] == "nick"  # the nickname was freed


def test_lines_sent_before_an_oversized_one_are_still_carried_out(server, wire):
    client = wire(server)
    client.send_raw(b'{"type":"command","content":"NICK alice"}\n' + padded_ping(MAX_FRAME_BYTES + 1))
    frames = client.rest_until_closed()
    assert [(f["type"], f.get("code")) for f in frames] == [
        ("nick", None),
        ("error", ErrorCode.FRAME_TOO_LARGE),
        ("bye", None),
    ]


def test_a_quit_before_an_oversized_line_is_the_last_word(server, wire):
    client = wire(server)
    client.send_raw(b'{"type":"command","content":"QUIT"}\n' + padded_ping(MAX_FRAME_BYTES + 1))
    assert [f["type"] for f in client.rest_until_closed()] == ["bye"]


def test_a_huge_line_without_a_newline_is_cut_off(server, wire):
    client = wire(server)
    client.send_raw(b"{" + b"x" * (4 * MAX_FRAME_BYTES))
    frames = client.rest_until_closed()
    assert [(f["type"], f.get("code")) for f in frames] == [("error", ErrorCode.FRAME_TOO_LARGE), ("bye", None)]


def test_2000_emoji_escaped_as_surrogate_pairs_are_one_accepted_message(server, wire):
    alice = wire(server, "alice", "lab")
    line = json.dumps({"type": "command", "content": "SAY " + "😀" * 2000}, ensure_ascii=True).encode() + b"\n"
    assert len(line) <= MAX_FRAME_BYTES
    alice.send_raw(line)
    frame = alice.next()
    assert frame["type"] == "message" and frame["content"] == "😀" * 2000


def test_unknown_command(server, wire):
    client = wire(server, "alice")
    for content in ["FROB", "/", "", "JOINgeneral", "\u00a0NICKS alice", "☃ snow", "PRIVMSG #x :hi"]:
        assert client.error(content) == ErrorCode.UNKNOWN_COMMAND, content


def test_bad_argument(server, wire):
    wire(server, "bob")
    client = wire(server, "alice", "lab")
    for content in [
        "NICK",
        "NICK   ",
        "JOIN",
        "/join ",
        "PM",
        "PM bob",
        "PM bob    ",
        "SAY",
        "SAY \x07\x1b",
        "MSG",
        "MSG bob:",
    ]:
        assert client.error(content) == ErrorCode.BAD_ARGUMENT, content


def test_not_registered(server, wire):
    wire(server, "bob", "lab")
    client = wire(server)
    for content in ["JOIN lab", "MSG hi", "SAY hi", "PM bob hi", "LEAVE", "LIST", "MSG bob: hi", "/list"]:
        assert client.error(content) == ErrorCode.NOT_REGISTERED, content
    assert client.error("NICK bad nick") == ErrorCode.BAD_NICK
    assert client.error("JOIN lab") == ErrorCode.NOT_REGISTERED  # a refused NICK does not register


def test_nick_taken_compares_after_nfkc_and_casefold(server, wire):
    wire(server, "Alice")
    client = wire(server)
    for claim in ["alice", "ALICE", "Alice", "ＡＬＩＣＥ", " alice "]:
        assert client.error(f"NICK {claim}") == ErrorCode.NICK_TAKEN, claim
    bob = wire(server, "bob")
    assert bob.error("NICK ａｌｉｃｅ") == ErrorCode.NICK_TAKEN
    assert bob.reply("LIST")["users"] == ["Alice", "bob"]  # a refused change keeps the old name


def test_bad_nick(server, wire):
    client = wire(server)
    for nick in ["two words", "x" * 25, "bob!", "😀", "#room", "a\x1bb", "\u200b"]:
        assert client.error(f"NICK {nick}") == ErrorCode.BAD_NICK, nick
    assert client.reply("NICK " + "y" * 24)["type"] == "nick"


def test_bad_room(server, wire):
    client = wire(server, "alice")
    for room in ["#", "##lab", "lab room", "x" * 33, "a.b", "#😀"]:
        assert client.error(f"JOIN {room}") == ErrorCode.BAD_ROOM, room


def test_a_room_name_of_32_characters_with_a_hash_is_fine(server, wire):
    assert wire(server, "alice").reply("JOIN #" + "r" * 32)["room"] == "r" * 32


def test_not_in_room(server, wire):
    client = wire(server, "alice")
    for content in ["SAY hi", "MSG hi", "LEAVE", "MSG meet at 10:30"]:
        assert client.error(content) == ErrorCode.NOT_IN_ROOM, content
    client.send("JOIN lab")
    client.expect("joined")
    client.send("LEAVE")
    client.expect("left")
    assert client.error("SAY gone") == ErrorCode.NOT_IN_ROOM


def test_private_messages_need_no_room(server, wire):
    wire(server, "bob")
    alice = wire(server, "alice")
    assert alice.reply("MSG bob: hi")["type"] == "private"


def test_no_such_user_and_the_text_reaches_nobody(server, wire):
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    eve = wire(server, "eve")  # online, in no room
    alice.expect("system")
    for n, content in enumerate(
        ["PM carol hi", "MSG carol: secret plan", "MSG Carol:no space", "PM ＣＡＲＯＬ hi", "MSG carol : spaced"]
    ):
        assert alice.error(content) == ErrorCode.NO_SUCH_USER, content
        alice.send(f"SAY marker {n}")
        alice.send(f"PM eve marker {n}")
        for client in (alice, bob, eve):
            frame = client.expect(lambda f: f["type"] in ("message", "private"))
            assert frame["content"] == f"marker {n}", f"{content!r} was delivered: {frame}"
        assert alice.expect("private")["content"] == f"marker {n}"


def test_a_user_who_left_is_no_longer_reachable(server, wire):
    bob = wire(server, "bob")
    alice = wire(server, "alice")
    bob.send("QUIT")
    bob.rest_until_closed()
    assert alice.error("MSG bob: are you there?") == ErrorCode.NO_SUCH_USER


def test_too_long(server, wire):
    wire(server, "bob")
    client = wire(server, "alice", "lab")
    for content in ["SAY " + "x" * 2001, "MSG " + "😀" * 2001, "PM bob " + "y" * 2001, "MSG bob: " + "z" * 2001]:
        assert client.error(content) == ErrorCode.TOO_LONG, content[:12]


def test_2000_characters_after_trimming_are_fine(server, wire):
    alice = wire(server, "alice", "lab")
    assert alice.reply("SAY    " + "x" * 2000 + "   ")["content"] == "x" * 2000


def test_control_characters_are_removed_from_messages(server, wire):
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    alice.send("SAY a\x1b[2Jb\x00c\x07\td\\ne")
    frame = bob.expect("message")
    assert frame["content"] == "a[2Jbc\td\\ne"
    alice.send_raw(b'{"type": "command", "content": "SAY line one\\nline two\\r\\u001b[31m"}\n')
    assert bob.expect("message")["content"] == "line one\nline two\n[31m"  # a lone CR is a line break


def test_rate_limited_commands_are_not_carried_out(start_server, wire):
    server = start_server(rate_per_second=1, rate_burst=4)
    alice = wire(server, "alice", "lab")  # NICK and JOIN use two of the four tokens
    bob = wire(server, "bob", "lab")
    alice.expect("system")
    alice.send_raw(b"".join(f'{{"type":"command","content":"SAY burst {n}"}}\n'.encode() for n in range(8)))
    replies = [alice.next()]
    while replies[-1]["type"] != "error":
        replies.append(alice.next())
    sent = [f["content"] for f in replies if f["type"] == "message"]
    assert replies[-1]["code"] == ErrorCode.RATE_LIMITED
    assert 2 <= len(sent) <= 4 and sent == [f"burst {n}" for n in range(len(sent))]  # a token a second comes back

    def marker_echoed() -> bool:
        """Once a token is back, the connection works again (a SAY without one is dropped unanswered)."""
        alice.send("SAY marker")
        try:
            alice.expect(lambda f: f["type"] == "message", timeout=1.5)
        except TimeoutError:
            return False
        return True

    wait_until(marker_echoed, timeout=15)
    # one error answered the whole refused burst; bob got exactly what was echoed to alice
    assert [f["type"] for f in alice.received].count("error") <= 1 + len(alice.received) - len(replies)
    received = []
    while not received or received[-1] != "marker":
        received.append(bob.expect("message")["content"])
    assert received == [*sent, "marker"]


def test_server_full_refuses_then_closes_and_frees_up_when_someone_leaves(start_server, wire):
    server = start_server(max_clients=2)
    wire(server, "alice")
    bob = wire(server, "bob")
    refused = wire(server, welcome=False)
    frames = refused.rest_until_closed()
    assert [(f["type"], f.get("code")) for f in frames] == [("error", ErrorCode.SERVER_FULL), ("bye", None)]
    bob.send("QUIT")
    bob.rest_until_closed()
    wait_until(lambda: len(server.clients()) == 1, timeout=15)
    assert wire(server).reply("NICK carol")["type"] == "nick"


def test_half_a_surrogate_pair_is_refused_and_nothing_is_delivered(server, wire):
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    alice.expect("system")
    alice.send_raw(b'{"type": "command", "content": "SAY a\\ud800b"}\n')
    assert alice.next()["code"] == ErrorCode.BAD_FRAME
    alice.send_raw(b'{"type": "command", "content": "SAY \\ud83d\\ude00 fine"}\n')
    assert bob.expect("message")["content"] == "\U0001f600 fine"


def test_replies_keep_the_order_of_the_lines_in_one_write(server, wire):
    alice = wire(server, "alice", "lab")
    alice.send_raw(
        b'{"type":"command","content":"SAY one"}\n{broken\n{"type":"command","content":"FROB"}\n'
        b'{"type":"command","content":"SAY two"}\n'
    )
    replies = [alice.next() for _ in range(4)]
    assert [f.get("code") or f["content"] for f in replies] == [
        "one",
        ErrorCode.BAD_FRAME,
        ErrorCode.UNKNOWN_COMMAND,
        "two",
    ]


def test_hints_name_commands_the_way_every_client_takes_them(server, wire):
    """`/join general`, `/nick NAME`: with the slash, which works in the window, chat-term and nc alike."""
    newcomer = wire(server, welcome=False)
    assert "/nick NAME" in newcomer.next()["content"]
    assert "/nick NAME" in newcomer.reply("SAY hi")["content"]
    assert "/nick NAME" in newcomer.reply("NICK")["content"]
    named = newcomer.reply("NICK hinted")
    assert "/join general" in named["content"]
    assert "/join general" in newcomer.reply("SAY hi")["content"]
    assert "/help" in newcomer.reply("FROB")["content"]
    for frame in newcomer.received:
        assert not re.search(r"\b(NICK <name>|JOIN general|type HELP)\b", frame["content"]), frame
