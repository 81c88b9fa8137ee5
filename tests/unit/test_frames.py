"""Unit tests for shared/frames.py: building, encoding and decoding one frame."""

from __future__ import annotations

import json
import re

import pytest

from shared.errors import ErrorCode, ProtocolError
from shared.frames import (
    MAX_FRAME_BYTES,
    command_frame,
    decode_frame,
    encode_frame,
    error_frame,
    server_frame,
    timestamp,
)


def test_server_frames_have_type_content_and_an_hh_mm_ss_timestamp():
    frame = server_frame("message", "hi", id=1, room="general", sender="alice")
    assert frame["type"] == "message" and frame["content"] == "hi"
    assert re.fullmatch(r"\d\d:\d\d:\d\d", frame["timestamp"])
    assert (frame["id"], frame["room"], frame["sender"]) == (1, "general", "alice")


def test_error_frames_carry_their_code():
    frame = error_frame(ErrorCode.NICK_TAKEN, "taken")
    assert (frame["type"], frame["code"], frame["content"]) == ("error", "nick_taken", "taken")


def test_encoding_is_one_line_even_when_the_text_holds_newlines():
    data = encode_frame(server_frame("message", "line one\nline two\r\n"))
    assert data.endswith(b"\n") and data.count(b"\n") == 1
    assert decode_frame(data[:-1])["content"] == "line one\nline two\r\n"


def test_encoding_keeps_non_ascii_as_utf8_and_round_trips():
    frame = command_frame("SAY héllo 😀 ＡＬＩＣＥ")
    data = encode_frame(frame)
    assert "😀".encode("utf-8") in data
    assert decode_frame(data.rstrip(b"\n")) == frame


def test_2000_emoji_fit_in_a_frame_both_with_and_without_ensure_ascii():
    text = "😀" * 2000
    plain = encode_frame(server_frame("message", text, id=10**9, room="r" * 32, sender="s" * 24))
    escaped = (json.dumps(command_frame("MSG " + text), ensure_ascii=True) + "\n").encode()
    assert "\\ud83d\\ude00" in escaped.decode()
    assert len(plain) <= MAX_FRAME_BYTES and len(escaped) <= MAX_FRAME_BYTES
    assert decode_frame(escaped.rstrip(b"\n"))["content"] == "MSG " + text


def test_escaped_and_raw_utf8_decode_to_the_same_frame():
    raw = '{"type": "command", "content": "SAY é😀"}'.encode("utf-8")
    escaped = b'{"type": "command", "content": "SAY \\u00e9\\ud83d\\ude00"}'
    assert decode_frame(raw) == decode_frame(escaped)


@pytest.mark.parametrize(
    "line",
    [
        b"\xff\xfe{}",  # not UTF-8
        b'{"type": "command", "content": "\xc3"}',  # truncated UTF-8 sequence inside the JSON
        b"hello",  # not JSON
        b'{"type": "command"',  # truncated JSON
        b"[1, 2, 3]",  # JSON, not an object
        b'"command"',
        b"42",
        b"null",
        b"{}",  # no type
        b'{"type": 7, "content": "x"}',  # type not a string
        b'{"type": null}',
        b"[" * 5000 + b"]" * 5000,  # deep nesting must be refused, not crash
        b'{"type": "command", "content": "SAY a\\ud800b"}',  # half a surrogate pair: not text
        b'{"type": "command", "content": "x", "extra": ["\\uDE00"]}',
    ],
)
def test_bad_lines_are_refused_as_bad_frame(line):
    with pytest.raises(ProtocolError) as raised:
        decode_frame(line)
    assert raised.value.code == ErrorCode.BAD_FRAME
    assert raised.value.message


def test_a_frame_with_a_string_type_is_accepted_whatever_the_other_fields():
    assert decode_frame(b'{"type": "anything", "n": [1]}') == {"type": "anything", "n": [1]}


def test_a_surrogate_pair_written_as_escapes_is_one_character():
    frame = decode_frame(b'{"type": "command", "content": "SAY \\ud83d\\ude00"}')
    assert frame["content"] == "SAY \U0001F600"


def test_encoding_never_fails_on_a_lone_surrogate():
    data = encode_frame(server_frame("system", "admin text \udcff"))
    assert decode_frame(data.rstrip(b"\n"))["content"] == "admin text ?"


def test_the_error_codes_are_exactly_the_contracts():
    assert set(ErrorCode.ALL) == {
        "bad_frame", "frame_too_large", "unknown_command", "bad_argument", "not_registered", "nick_taken",
        "bad_nick", "bad_room", "not_in_room", "no_such_user", "too_long", "rate_limited", "server_full",
    }
    assert len(ErrorCode.ALL) == 13


def test_timestamps_follow_the_clock_second_by_second_in_local_time():
    import time

    for moment in (0, 59.9, 60, 3600.5, 86399, time.time()):
        assert timestamp(moment) == time.strftime("%H:%M:%S", time.localtime(int(moment)))
    assert timestamp(10) != timestamp(11)
