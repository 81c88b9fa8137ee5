"""A real telnet client's bytes in text mode: negotiation, Ctrl+C, backspaces, character mode, CR NUL (the tenth review).

PuTTY in telnet mode opens with IAC offers before its user types; the
first /nick of every PuTTY user was refused as "not valid UTF-8", and any
line after a Ctrl+C (IAC IP) too.  Windows telnet and PuTTY in character
mode send each key as it is pressed, backspace and DEL included; busybox
telnet ends a line with CR NUL.  The server the tests run has TLS on, so
the first-byte sniff sees IAC first, as it does in a classroom.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from chat_server.telnet_input import WONT_TIMING_MARK
from tests.integration.wire import DEADLINE, TextClient, nothing_more, receive_before

pytestmark = pytest.mark.usefixtures("no_server_errors")

STAMP = r"\[\d\d:\d\d:\d\d\]"
IAC, WILL, DO, SB, SE, IP, EC, EL = 0xFF, 0xFB, 0xFD, 0xFA, 0xF0, 0xF4, 0xF7, 0xF8
# What PuTTY sends on connect in telnet mode: WILL NAWS, TSPEED, TTYPE, NEW-ENVIRON; DO ECHO; WILL SGA; DO SGA.
PUTTY_OPENING = bytes(
    [IAC, WILL, 31, IAC, WILL, 32, IAC, WILL, 24, IAC, WILL, 39, IAC, DO, 1, IAC, WILL, 3, IAC, DO, 3]
)
CTRL_C = bytes([IAC, IP, IAC, DO, 6])  # interrupt process, then DO TIMING-MARK


def typed(client: TextClient, keys: bytes) -> None:
    """Send each byte in a packet of its own, as a telnet client in character mode does."""
    for key in keys:
        client.send_raw(bytes([key]))


def telnet_user(server, nick: str, room: str, opening: bytes = PUTTY_OPENING, enter: bytes = b"\r\n") -> TextClient:
    client = TextClient(server.address)
    client.send_raw(opening)
    if opening:  # telnet's IAC first: text mode from the start, the welcome a line of text
        assert re.fullmatch(rf"{STAMP} \* Welcome to .*\r", client.next_line())
        assert re.fullmatch(rf"{STAMP} \* Text mode\..*\r", client.next_line())
    else:
        assert json.loads(client.next_line())["type"] == "welcome"
    typed(client, b"nick " + nick.encode() + enter)
    if not opening:
        assert re.fullmatch(rf"{STAMP} \* Text mode\..*\r", client.next_line())
    assert re.fullmatch(rf"{STAMP} \* You are {nick}\..*\r", client.next_line())  # nothing refused before it
    typed(client, b"join " + room.encode() + enter)
    client.expect(rf"^{STAMP} \* You joined #{room}")
    client.expect(rf"^{STAMP} \* #{room} has no earlier messages\.")  # the replay (each test's room is new)
    return client


def test_a_putty_telnet_user_registers_at_the_first_try_and_talks(server, wire):
    bob = wire(server, "bob", "lab")
    alice = telnet_user(server, "alice", "lab")  # the opening offers and the /nick are one line
    try:
        assert bob.expect("system")["user"] == "alice"
        alice.send_raw(
            b"say mid" + bytes([IAC, WILL, 31]) + b"dle" + bytes([IAC, SB, 31, 0, 80, 0, 24, IAC, SE]) + b"!\r\n"
        )
        assert bob.expect("message")["content"] == "middle!"
        assert re.fullmatch(rf"{STAMP} #lab <alice> middle!\r", alice.expect("<alice>"))
    finally:
        alice.close()


def test_backspace_del_and_telnet_erases_take_back_what_they_follow(server, wire):
    bob = wire(server, "bob", "lab")
    alice = telnet_user(server, "alice", "lab")
    try:
        typed(alice, b"say helo\x7flo wrld\x08\x08\x08orld\r\n")  # DEL (PuTTY) and BS (Windows telnet)
        assert bob.expect("message")["content"] == "hello world"
        typed(alice, "say caf\u00e9\x7f\u00e8s\r\n".encode())  # a backspace takes a whole letter, not one byte
        assert bob.expect("message")["content"] == "caf\u00e8s"
        alice.send_raw(b"say wrong words" + bytes([IAC, EL]) + b"say right" + bytes([IAC, EC]) + b"t\r\n")
        assert bob.expect("message")["content"] == "right"
    finally:
        alice.close()


def raw_until(client: TextClient, wanted: bytes) -> bytes:
    """Everything the client receives up to and including `wanted` (bytes that are not text, too)."""
    deadline = time.monotonic() + DEADLINE
    while wanted not in client._buffer:
        client._buffer += receive_before(client.sock, deadline, f"{wanted!r} (have {client._buffer!r})")
    received, client._buffer = client._buffer.split(wanted, 1)
    return received + wanted


def test_ctrl_c_cancels_the_line_typed_so_far_and_is_answered(server, wire):
    """netkit telnet shows nothing after Ctrl+C until its DO TIMING-MARK is answered: it gets WONT at once."""
    bob = wire(server, "bob", "lab")
    alice = telnet_user(server, "alice", "lab")
    try:
        assert bob.expect("system")["user"] == "alice"
        typed(alice, b"say I did not mean to send this" + CTRL_C)
        assert raw_until(alice, WONT_TIMING_MARK) == WONT_TIMING_MARK  # before Enter, and nothing else with it
        typed(alice, b"\r\n")
        typed(alice, CTRL_C + b"say after")
        assert raw_until(alice, WONT_TIMING_MARK) == WONT_TIMING_MARK
        typed(alice, b"\r\n")
        assert bob.expect("message")["content"] == "after"
        assert nothing_more(bob) == []
        assert re.fullmatch(rf"{STAMP} #lab <alice> after\r", alice.next_line())  # no error line before it
    finally:
        alice.close()


def test_cr_nul_ends_a_line_even_split_across_packets(server, wire):
    bob = wire(server, "bob", "lab")
    carol = telnet_user(server, "carol", "lab", opening=b"", enter=b"\r\x00")  # busybox telnet, no offers
    try:
        typed(carol, b"say one\r\x00")
        carol.send_raw(b"say two\r\x00say three\r\x00")
        assert [bob.expect("message")["content"] for _ in range(3)] == ["one", "two", "three"]
    finally:
        carol.close()


def test_a_lone_cr_ends_a_line(server, wire):
    """PuTTY in telnet mode with "Return key sends Telnet New Line" off, and scripts, end lines with CR alone."""
    bob = wire(server, "bob", "lab")
    dave = telnet_user(server, "dave", "lab", enter=b"\r")
    try:
        dave.send_raw(b"say one\rsay two\r")
        typed(dave, b"say three\r\n")  # CR and LF in two packets: one line end, not a blank line after it
        assert [bob.expect("message")["content"] for _ in range(3)] == ["one", "two", "three"]
        assert nothing_more(bob) == []
    finally:
        dave.close()


def test_a_json_client_is_not_touched(server, wire):
    """The cleaning is for text mode: a JSON line with a raw DEL in its text keeps it (JSON allows it)."""
    bob = wire(server, "bob", "lab")
    alice = wire(server, "alice", "lab")
    alice.sock.sendall(b'{"type":"command","content":"SAY ab\x7fc"}\n')
    assert bob.expect("message")["content"] == "abc"  # the server's own control-character rule, not a backspace
