"""Frames of the wire contract: building, encoding and decoding one JSON line (any thread).

A frame is a JSON object followed by one newline.  Clients send `command`
frames; every server frame has `type`, `content` and `timestamp`.
"""

from __future__ import annotations

import json
import json.encoder
import time
from array import array
from collections.abc import Callable
from itertools import accumulate
from typing import Any

from shared.errors import ErrorCode, ProtocolError

Frame = dict[str, Any]

PROTOCOL_VERSION = 2
DEFAULT_PORT = 55555
DEFAULT_HOST = "127.0.0.1"
MAX_FRAME_BYTES = 32 * 1024  # newline included
# No frame of the contract nests deeper than 3; a deeper line is refused before json.loads sees it,
# whose C recursion overflows a handler thread's stack on Python 3.13.0 (a 10 KB line of "[" crashed it).
MAX_NESTING = 32

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _one_shot_encoder() -> Callable[[Frame], str]:
    """`_encoder.encode`, minus the Python layers it goes through on every call.

    JSONEncoder.encode builds a new C encoder for every frame; building it
    once halves the cost of encoding a message frame (4.3 to 2.2 us,
    measured on the benchmark machine), which every delivery pays.  Frames
    are built by our own code and never refer to themselves, so the check
    for circular references (`markers`) is left out.
    """
    make = json.encoder.c_make_encoder  # type: ignore[attr-defined]  # CPython's _json, not in the stubs
    if make is None:  # a Python without the C accelerator
        return _encoder.encode
    chunks = make(
        None, _encoder.default, json.encoder.encode_basestring, None, ":", ",", False, False, _encoder.allow_nan
    )

    def encode(frame: Frame) -> str:
        return "".join(chunks(frame, 0))

    return encode


_encode = _one_shot_encoder()
# The scanner json.loads ends up in (C where available), and the whitespace JSON allows around a value.
_scan_value: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_JSON_SPACE = " \t\n\r"


def _json_value(text: str) -> Any:
    """json.loads(text) for a str, without its Python layers (2.4 to 0.9 us a command line); ValueError if not JSON."""
    try:
        value, end = _scan_value(text, len(text) - len(text.lstrip(_JSON_SPACE)))
    except StopIteration:
        raise ValueError("Expecting value") from None
    if end != len(text) and text[end:].strip(_JSON_SPACE):
        raise ValueError("Extra data")
    return value


# The texts of one whole second, (second, local "HH:MM:SS", UTC "YYYY-MM-DDTHH:MM:SS"): every frame
# needs both, so they are made once a second, not once per frame (strftime was about 7% of a flat-out
# server's time per message).  Replaced whole, so safe across threads.
_last_second: tuple[int, str, str] = (-1, "", "")
_MILLIS = tuple(f".{millis:03d}Z" for millis in range(1000))


def _second_texts(second: int) -> tuple[int, str, str]:
    global _last_second
    texts = _last_second
    if texts[0] != second:
        local = time.strftime("%H:%M:%S", time.localtime(second))
        texts = (second, local, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
        _last_second = texts
    return texts


def timestamp(now: float | None = None) -> str:
    """Server local time as HH:MM:SS (of the second `utc_time` shows: see _split)."""
    return _second_texts(_split(time.time() if now is None else now)[0])[1]


def utc_time(now: float | None = None) -> str:
    """UTC as ISO 8601 with milliseconds, e.g. 2026-11-30T17:25:03.123Z (the version 2 `time` field)."""
    second, millisecond = _split(time.time() if now is None else now)
    return _second_texts(second)[2] + _MILLIS[millisecond]


def _split(moment: float) -> tuple[int, int]:
    """(second, millisecond) of a moment, rounded to the millisecond the store keeps (round(now * 1000)).

    So a replayed message shows the very `time` it was sent with: taking the
    fraction of a float would sometimes give one ms less.
    """
    return divmod(round(moment * 1000), 1000)


def server_frame(frame_type: str, content: str = "", **fields: Any) -> Frame:
    """A server-to-client frame with the fields every one of them has: content, timestamp and time."""
    return server_frame_at(time.time(), frame_type, content, **fields)


def server_frame_at(now: float, frame_type: str, content: str = "", **fields: Any) -> Frame:
    """A server frame that tells of the moment `now` (seconds since the epoch), e.g. a kept message's.

    `timestamp` and `utc_time` inlined: one cache look-up instead of two calls
    (3.3 to 1.1 us a message frame, measured on the benchmark machine).
    """
    second, millisecond = divmod(round(now * 1000), 1000)  # _split, inlined
    texts = _last_second
    if texts[0] != second:
        texts = _second_texts(second)
    millis = _MILLIS[millisecond]
    # One dict display with the fields unpacked into it, not a dict then update(): 1.6 to 1.1 us.
    return {"type": frame_type, "content": content, "timestamp": texts[1], "time": texts[2] + millis, **fields}


def error_frame(code: str, content: str, **fields: object) -> Frame:
    return server_frame("error", content, code=code, **fields)


def command_frame(content: str) -> Frame:
    """The only client-to-server frame: one command line as a person types it."""
    return {"type": "command", "content": content}


def encode_frame(frame: Frame) -> bytes:
    """One frame as UTF-8 JSON plus newline; JSON escapes keep it on one line.

    A lone surrogate that slipped in (e.g. admin text read with
    surrogateescape) becomes "?" instead of failing the whole delivery.
    A room message (the frame of almost every delivery) is put together
    from its escaped strings: the same bytes, see _message_line.
    """
    if tuple(frame) == _MESSAGE_KEYS:
        line = _message_line(frame)
        if line is not None:
            return line
    return (_encode(frame) + "\n").encode("utf-8", "replace")


# A room message's fields in the order server_frame_at(now, "message", text, id=, room=, sender=) makes them.
_MESSAGE_KEYS = ("type", "content", "timestamp", "time", "id", "room", "sender")
_escape = json.encoder.encode_basestring  # what the C encoder escapes strings with (ensure_ascii off)


def _message_line(frame: Frame) -> bytes | None:
    """encode_frame's bytes for a room message, from an f-string: 2.8 to 0.7 us (measured beside the generic path).

    Every string goes through the encoder's own escaping and the id must be
    a plain int, so the line is byte for byte what the generic encoder makes
    (a test compares them); anything else returns None and takes that path.
    """
    message_id = frame["id"]
    if type(message_id) is not int:
        return None
    try:
        return (
            f'{{"type":{_escape(frame["type"])},"content":{_escape(frame["content"])},'
            f'"timestamp":{_escape(frame["timestamp"])},"time":{_escape(frame["time"])},"id":{message_id},'
            f'"room":{_escape(frame["room"])},"sender":{_escape(frame["sender"])}}}\n'
        ).encode("utf-8", "replace")
    except TypeError:  # a field that is not a string: the generic encoder decides what it becomes
        return None


def decode_frame(line: bytes) -> Frame:
    """Parse one line (without its newline) into a frame, or raise ProtocolError(bad_frame)."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(ErrorCode.BAD_FRAME, "That line is not valid UTF-8; send UTF-8 JSON.") from None
    if nesting_depth(line) > MAX_NESTING:
        raise ProtocolError(
            ErrorCode.BAD_FRAME, f"That line nests deeper than {MAX_NESTING} levels; no frame needs that."
        )
    try:
        frame = _json_value(text)
    except (ValueError, RecursionError):
        raise ProtocolError(
            ErrorCode.BAD_FRAME, "That line is not valid JSON; send one JSON object per line."
        ) from None
    if not isinstance(frame, dict):
        raise ProtocolError(ErrorCode.BAD_FRAME, 'A frame must be a JSON object, like {"type": "command", ...}.')
    if not isinstance(frame.get("type"), str):
        raise ProtocolError(ErrorCode.BAD_FRAME, 'A frame needs a string "type" field.')
    if b"\\u" in line and _has_lone_surrogate(frame):
        raise ProtocolError(
            ErrorCode.BAD_FRAME, "That line holds a \\ud800-\\udfff escape without its pair; it is not text."
        )
    return frame


def _has_lone_surrogate(frame: Frame) -> bool:
    """True if a string in the frame kept half of a surrogate pair (only a \\u escape can make one).

    Such a string cannot be encoded as UTF-8, so passing it on would break
    the encoding of every frame that repeats it.
    """
    try:
        _encoder.encode(frame).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_BRACKET_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")


def nesting_depth(line: bytes) -> int:
    """How deep the brackets of a JSON line nest, strings not counted; 0 when it cannot pass MAX_NESTING.

    Lines with few brackets (every real frame) cost two counts.  Otherwise
    everything runs at C speed: escaped backslashes and quotes are dropped,
    the quotes left split the line into outside and inside of strings, and
    a running sum of +1/-1 over the brackets outside gives the depth.  In
    JSON nothing outside a string holds a backslash, so up to the first
    syntax error this is exactly the depth the parser would reach.
    """
    if line.count(b"[") + line.count(b"{") <= MAX_NESTING:
        return 0
    unescaped = line.replace(b"\\\\", b"").replace(b'\\"', b"")
    outside = b"".join(unescaped.split(b'"')[0::2])
    steps = array("b", outside.translate(None, _NOT_BRACKETS).translate(_BRACKET_STEPS))
    return max(accumulate(steps), default=0)
