"""clean_telnet_line and BareReturns: a real telnet client's bytes made into what its user typed."""

from __future__ import annotations

import pytest

from chat_server.telnet_input import TelnetStream, clean_telnet_line


@pytest.mark.parametrize(
    ("line", "cleaned"),
    [
        (b"say hi", b"say hi"),
        (b"\xff\xfb\x1f\xff\xfd\x01nick alice", b"nick alice"),
        (b"say a\xff\xfa\x1f\x00\x50\x00\x0a\xff\xf0b", b"say ab"),  # a subnegotiation, a 10 in it
        (b"say a\xff\xfa\x1f\x00", b"say a"),  # an unfinished one runs to the end of the line
        (b"say \xff\xff", b"say \xff"),  # IAC IAC is a data byte (and not UTF-8: refused as before)
        (b"say helo\x7flo", b"say hello"),
        (b"say ab\x08\x08\x08\x08\x08\x08\x08\x08\x08x", b"x"),  # more erases than letters
        ("say caf\u00e9\x7fe".encode(), b"say cafe"),
        ("say \U0001f600\x08ok".encode(), b"say ok"),
        (b"say no\xff\xf7\xff\xf7yes", b"say yes"),  # IAC EC twice
        (b"say no\xff\xf8say yes", b"say yes"),  # IAC EL
        (b"say no\x15say yes", b"say no\x15say yes"),  # Ctrl+U is left alone (an SSL 2 hello holds one)
        (b"say oops\xff\xf4\xff\xfd\x06", b""),  # Ctrl+C
        (b"say x\xff\xf1\xff\xf2\xff\xf6", b"say x"),  # NOP, DM, AYT
        (b"say x\xff", b"say x\xff"),  # no command after it: latin-1's y-diaeresis, left to be refused
        (b"say \xffa", b"say \xffa"),
        (b"say x\xff\xfb", b"say x"),
        (b"say a\r\x00b", b"say a\rb"),
    ],
)
def test_clean_telnet_line(line: bytes, cleaned: bytes) -> None:
    assert clean_telnet_line(line) == cleaned


def test_cr_nul_and_a_lone_cr_end_lines_across_reads() -> None:
    stream = TelnetStream()
    assert stream.feed(b"say a\r") == (b"say a\r\n", b"")
    assert stream.feed(b"\x00say b\r\x00") == (b"say b\r\n", b"")  # the NUL of the CR before: dropped
    assert stream.feed(b"\x00") == (b"\x00", b"")  # a NUL not after a CR stays (removed later as a control character)
    assert stream.feed(b"say\r\nc") == (b"say\r\nc", b"")
    assert stream.feed(b"say d\rsay e\r") == (b"say d\r\nsay e\r\n", b"")
    assert stream.feed(b"\nsay f\r\n") == (b"say f\r\n", b"")  # the LF of the CR before: dropped
    assert stream.feed(b"\n") == (b"\n", b"")  # after a whole CR LF an LF is a blank line of its own


def test_do_timing_mark_is_answered_once_per_read() -> None:
    stream = TelnetStream()
    assert stream.feed(b"say x\xff\xf4\xff\xfd\x06") == (b"say x\xff\xf4\xff\xfd\x06", b"\xff\xfc\x06")
    assert stream.feed(b"\xff\xfd\x06" * 1000)[1] == b"\xff\xfc\x06"
    assert stream.feed(b"\xff\xfd\x01")[1] == b""  # DO ECHO: not answered
