"""Unit tests for shared/frames.py: building, encoding and decoding one frame."""

from __future__ import annotations

import json
import re

import pytest

from shared.errors import ErrorCode, ProtocolError
from shared.frame_types import check_server_frame
from shared.frames import (
    MAX_FRAME_BYTES,
    command_frame,
    decode_frame,
    encode_frame,
    error_frame,
    server_frame,
    server_frame_at,
    timestamp,
    utc_time,
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
    assert "😀".encode() in data
    assert decode_frame(data.rstrip(b"\n")) == frame


def test_2000_emoji_fit_in_a_frame_both_with_and_without_ensure_ascii():
    text = "😀" * 2000
    plain = encode_frame(server_frame("message", text, id=10**9, room="r" * 32, sender="s" * 24))
    escaped = (json.dumps(command_frame("MSG " + text), ensure_ascii=True) + "\n").encode()
    assert "\\ud83d\\ude00" in escaped.decode()
    assert len(plain) <= MAX_FRAME_BYTES and len(escaped) <= MAX_FRAME_BYTES
    assert decode_frame(escaped.rstrip(b"\n"))["content"] == "MSG " + text


def test_escaped_and_raw_utf8_decode_to_the_same_frame():
    raw = '{"type": "command", "content": "SAY é😀"}'.encode()
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
    assert frame["content"] == "SAY \U0001f600"


def test_encoding_never_fails_on_a_lone_surrogate():
    data = encode_frame(server_frame("system", "admin text \udcff"))
    assert decode_frame(data.rstrip(b"\n"))["content"] == "admin text ?"


def test_the_error_codes_are_exactly_the_contracts():
    assert {code.value for code in ErrorCode} == {
        # version 1
        "bad_frame", "frame_too_large", "unknown_command", "bad_argument", "not_registered", "nick_taken",
        "bad_nick", "bad_room", "not_in_room", "no_such_user", "too_long", "rate_limited", "server_full",
        # version 2
        "code_required", "bad_code", "nick_registered", "bad_login", "not_allowed", "banned", "bad_room_key",
        "tls_required", "file_too_large", "muted",
        # added by files (docs/files.md)
        "bad_hash", "bad_token", "no_such_file", "storage_full",
        # ours: IGNORE (docs/protocol.md, "Ignoring someone")
        "ignored",
    }  # fmt: skip


def test_an_error_code_is_its_string_in_json_and_text():
    frame = error_frame(ErrorCode.NICK_TAKEN, "taken")
    assert decode_frame(encode_frame(frame).rstrip(b"\n"))["code"] == "nick_taken"
    assert f"{ErrorCode.MUTED}" == str(ErrorCode.MUTED) == "muted"
    assert ErrorCode.MUTED == "muted"


def test_timestamps_follow_the_clock_second_by_second_in_local_time():
    import time

    for moment in (0, 59.9, 60, 3600.5, 86399, time.time()):
        assert timestamp(moment) == time.strftime("%H:%M:%S", time.localtime(int(moment)))
    assert timestamp(10) != timestamp(11)


def test_utc_time_is_iso_8601_with_milliseconds_in_utc():
    assert utc_time(0) == "1970-01-01T00:00:00.000Z"
    assert utc_time(1796059503.1231) == "2026-11-30T17:25:03.123Z"
    assert timestamp(1796059503.9996) == timestamp(1796059504)  # the second utc_time shows, after rounding
    assert utc_time(1796059503.999) == "2026-11-30T17:25:03.999Z"
    assert utc_time(1796059504.0) == "2026-11-30T17:25:04.000Z"
    # Rounded to the nearest millisecond, the one the history store keeps (round(now * 1000)), so a
    # replayed message shows the very `time` it was sent with.
    assert utc_time(1796059503.1239) == "2026-11-30T17:25:03.124Z"
    assert utc_time(1796059503.9996) == "2026-11-30T17:25:04.000Z"
    for kept_ms in range(1796059503000, 1796059505000, 7):
        assert utc_time(kept_ms / 1000).endswith(f"{kept_ms // 1000 % 60:02d}.{kept_ms % 1000:03d}Z")


def test_every_server_frame_carries_time_and_fits_its_type():
    frame = server_frame("message", "hi", id=1, room="general", sender="alice")
    assert check_server_frame(frame) is frame
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", frame["time"])


def test_a_server_frame_s_fields_come_in_the_order_they_always_came_on_the_wire():
    frame = server_frame_at(1796059503.1234, "message", "hi", id=7, room="general", sender="alice")
    assert list(frame) == ["type", "content", "timestamp", "time", "id", "room", "sender"]
    stamp = timestamp(1796059503.1234)
    expected = (
        f'{{"type":"message","content":"hi","timestamp":"{stamp}","time":"2026-11-30T17:25:03.123Z",'
        '"id":7,"room":"general","sender":"alice"}\n'
    )
    assert encode_frame(frame) == expected.encode()


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "message", "content": "x", "timestamp": "12:00:00", "room": "r", "sender": "s"},  # no id
        {"type": "message", "content": "x", "timestamp": "12:00:00", "id": True, "room": "r", "sender": "s"},
        {"type": "joined", "content": "", "timestamp": "12:00:00", "room": "r", "users": ["a", 3]},
        {"type": "error", "content": "", "timestamp": "12:00:00"},
        {"type": "nick", "timestamp": "12:00:00", "nick": "a"},  # no content
    ],
)
def test_a_frame_missing_or_mistyping_a_required_field_is_a_bad_frame(frame):
    with pytest.raises(ProtocolError) as caught:
        check_server_frame(frame)
    assert caught.value.code is ErrorCode.BAD_FRAME


_BASE = {"content": "", "timestamp": "12:00:00"}


@pytest.mark.parametrize(
    ("frame", "named"),
    [
        ({"type": "system", "event": "nick", "user": "bob", "old": ["x"]}, "old"),
        ({"type": "system", "event": "join", "room": "r", "user": 7}, "user"),
        ({"type": "joined", "room": "r", "users": ["a"], "statuses": {"a": 1}}, "statuses"),
        ({"type": "joined", "room": "r", "users": ["a"], "roles": ["a"]}, "roles"),
        ({"type": "message", "id": 1, "room": "r", "sender": "s", "history": "yes"}, "history"),
        ({"type": "search", "results": [{"id": 1, "room": "r", "sender": ["s"], "time": "", "content": ""}]}, "sender"),
        (
            {"type": "search", "results": [{"id": 1, "room": "r", "sender": "s", "time": "", "content": "", "cut": 1}]},
            "cut",
        ),
        ({"type": "search", "results": ["not an object"]}, "results"),
        ({"type": "rooms", "rooms": [{"name": "r", "count": "many"}]}, "count"),
        ({"type": "list", "users": [], "rooms": [{"name": "r", "users": [None]}]}, "users"),
    ],
)
def test_a_frame_mistyping_an_optional_or_nested_field_is_a_bad_frame_naming_it(frame, named):
    """A hostile server's wrong-typed extra field must not reach code that expects text (it used to crash chat-term)."""
    with pytest.raises(ProtocolError) as caught:
        check_server_frame({**_BASE, **frame})
    assert caught.value.code is ErrorCode.BAD_FRAME
    assert named in str(caught.value)


def test_optional_fields_of_the_right_type_and_unknown_extra_fields_pass():
    frame = {
        **_BASE,
        "type": "search",
        "results": [{"id": 1, "room": "@bob", "sender": "s", "time": "t", "content": "c", "to": "bob", "cut": True}],
        "from_a_newer_server": [1, {"x": None}],
    }
    assert check_server_frame(frame) is frame


def test_a_frame_type_the_client_does_not_know_passes_unchecked():
    frame = {"type": "from_the_future", "content": "", "timestamp": "12:00:00"}
    assert check_server_frame(frame) is frame


@pytest.mark.parametrize(
    "stamp",
    ["21:15:02  * Mrs_Smith is now a teacher", "", "9:15:02", "12:00", "25:00:00", "12:00:00\n", "１２:００:００"],
)
def test_a_timestamp_that_is_not_a_time_is_replaced_by_the_clock_and_the_message_kept(stamp):
    """A hostile server's text in the time column would read as a line of its own (sixth review, left low then)."""
    frame = {"type": "message", "content": "hi", "timestamp": stamp, "id": 1, "room": "r", "sender": "s"}
    checked = check_server_frame(frame)
    assert re.fullmatch(r"[0-2]\d:[0-5]\d:[0-5]\d", checked["timestamp"])
    assert checked["content"] == "hi"


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "file", "id": 1, "file": "f", "name": "n", "size": -5, "sha256": "0" * 64, "sender": "s"},
        {"type": "rooms", "rooms": [{"name": "r", "count": -1, "topic": "", "locked": False}]},
    ],
)
def test_a_negative_size_or_count_is_a_bad_frame(frame):
    with pytest.raises(ProtocolError) as caught:
        check_server_frame({**_BASE, **frame})
    assert caught.value.code is ErrorCode.BAD_FRAME
    assert "not below 0" in str(caught.value)


# -- nesting, refused before json.loads sees it --
from shared.frames import MAX_NESTING, nesting_depth  # noqa: E402


@pytest.mark.parametrize(
    "line",
    [
        b"[" * 10_000,
        b"{" + b'"a":{' * 40 + b"1" + b"}" * 41,
        b"[" * 33 + b"]" * 33,
        b'{"type":"command","content":"x","extra":' + b"[" * 100 + b"]" * 100 + b"}",
        b"[" * 16_000 + b'"' + b"x" * 10,  # an unterminated string after the brackets
        b'["\\\\"' + b",[" * 40,  # an escaped backslash before the closing quote
    ],
)
def test_lines_nested_deeper_than_the_limit_are_bad_frames(line):
    with pytest.raises(ProtocolError) as refused:
        decode_frame(line)
    assert refused.value.code == ErrorCode.BAD_FRAME and "nests deeper" in refused.value.message


@pytest.mark.parametrize(
    "line",
    [
        json.dumps({"type": "command", "content": "[" * 5000 + "{" * 5000}).encode(),  # brackets in a string
        json.dumps({"type": "command", "content": '\\"[[[[' * 500}).encode(),  # escaped quotes in a string
        b'{"type":"command","content":"x","extra":' + b"[" * 31 + b"]" * 31 + b"}",  # 32 deep in all
    ],
)
def test_brackets_inside_strings_and_nesting_up_to_the_limit_are_fine(line):
    assert decode_frame(line)["type"] == "command"


def test_nesting_depth_counts_like_the_json_parser():
    for depth in (0, 1, 5, MAX_NESTING, MAX_NESTING + 1, 200):
        value: object = 1
        for level in range(depth):
            value = [value] if level % 2 else {"k": value}
        line = json.dumps({"type": "x", "v": value, "pad": "[" * 40}).encode()  # the pad makes it scan
        assert nesting_depth(line) == depth + 1


def test_a_few_brackets_are_not_even_scanned():
    assert nesting_depth(b"[" * MAX_NESTING) == 0  # cheaper than scanning; it cannot pass the limit anyway


# -- the fast paths (a C encoder made once, the scanner without json.loads' layers) agree with json --
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(st.text(max_size=10), _json_values, max_size=6), st.text())
def test_encoding_is_exactly_what_json_writes(fields, content):
    frame = {**fields, "type": "message", "content": content}
    written = json.dumps(frame, ensure_ascii=False, separators=(",", ":")) + "\n"
    assert encode_frame(frame) == written.encode("utf-8", "replace")


_message_field = st.text() | _json_values


@given(
    st.fixed_dictionaries(
        {
            "type": st.just("message") | _message_field,
            "content": st.text(),
            "timestamp": st.just("12:00:00") | _message_field,
            "time": st.just("2026-12-01T06:00:00.123Z") | _message_field,
            "id": st.integers() | st.booleans() | _json_values,
            "room": st.text(),
            "sender": _message_field,
        }
    )
)
def test_a_room_message_s_own_encoding_is_exactly_what_json_writes(frame):
    # The message frame's f-string path (shared/frames.py, _message_line): same keys in the same order,
    # any values, lone surrogates included; anything it cannot write the same falls back.
    written = json.dumps(frame, ensure_ascii=False, separators=(",", ":")) + "\n"
    assert encode_frame(frame) == written.encode("utf-8", "replace")


def test_a_real_room_message_takes_the_message_path_and_escapes_what_json_escapes():
    from shared.frames import _message_line

    frame = server_frame("message", 'a "quote" \\ \x01 \u2028 \ud800 ünï 👍🏽\n', id=7, room='r"1', sender="bob")
    line = _message_line(frame)
    assert line is not None and line == encode_frame(frame)
    assert line == (json.dumps(frame, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8", "replace")
    assert line.count(b"\n") == 1 and json.loads(line.replace(b"?", b"")) is not None


_json_tokens = ["{", "}", "[", "]", '"type"', '"x"', ":", ",", " ", "\t", "\n", "\r", "\x0b", "1", "-", ".", "e"]
_json_tokens += ["true", "null", "NaN", '"\\u00e9"', '"\\', "\ufeff", "x"]


_around = st.lists(st.sampled_from([" ", "\t", "\n", "\r", "\x0b", "\ufeff", "x", "{}"]), max_size=3).map("".join)
_framed = st.builds(
    lambda before, fields, kind, after: before + json.dumps({**fields, "type": kind}) + after,
    _around,
    st.dictionaries(st.text(max_size=6), _json_values, max_size=3),
    st.text(max_size=6) | st.integers(),
    _around,
)


@given(st.lists(st.sampled_from(_json_tokens), max_size=16).map("".join) | _framed)
def test_decoding_accepts_and_refuses_exactly_what_json_loads_does(text):
    try:
        expected = json.loads(text)
    except (ValueError, RecursionError):
        expected = None
    line = text.encode()
    if isinstance(expected, dict) and isinstance(expected.get("type"), str):
        assert decode_frame(line) == expected
    else:
        with pytest.raises(ProtocolError):
            decode_frame(line)


@pytest.mark.parametrize(
    "line",
    [b' \r\n{"type":"x"}', b'{"type":"x"} \t\n\r ', b'{"type":"x"}\x0b', b'\x0c{"type":"x"}', "\ufeff{}".encode()],
)
def test_whitespace_around_the_object_is_json_s_and_nothing_else(line):
    text = line.decode()
    try:
        expected = json.loads(text)
    except ValueError:
        with pytest.raises(ProtocolError):
            decode_frame(line)
    else:
        assert decode_frame(line) == expected


def test_a_frame_that_cannot_be_json_is_refused_as_json_refuses_it():
    with pytest.raises(TypeError):
        encode_frame({"type": "message", "content": "x", "when": object()})


@pytest.mark.parametrize("moment", [0.0, 1796059503.1239, 1796059503.9996, 1796059503.0004, 1764540000.5005])
def test_a_frame_s_time_and_timestamp_are_those_utc_time_and_timestamp_give(moment):
    frame = server_frame_at(moment, "pong", "")
    assert (frame["time"], frame["timestamp"]) == (utc_time(moment), timestamp(moment))
