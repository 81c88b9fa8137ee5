"""Frames of the wire contract: building, encoding and decoding one JSON line (any thread).

A frame is a JSON object followed by one newline.  Clients send `command`
frames; every server frame has `type`, `content` and `timestamp`.
"""

from __future__ import annotations

import json
import time
from array import array
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


_last_stamp: tuple[int, str] = (-1, "")  # (whole second, its text): replaced whole, so safe across threads


def timestamp(now: float | None = None) -> str:
    """Server local time as HH:MM:SS.

    Every frame needs one, so the text is made once per second, not once per
    frame (strftime was about 7% of a flat-out server's time per message).
    """
    global _last_stamp
    second = round((time.time() if now is None else now) * 1000) // 1000  # the second `utc_time` shows
    cached_second, text = _last_stamp
    if second != cached_second:
        text = time.strftime("%H:%M:%S", time.localtime(second))
        _last_stamp = (second, text)
    return text


_last_utc: tuple[int, str] = (-1, "")  # (whole second, "YYYY-MM-DDTHH:MM:SS"): replaced whole


def utc_time(now: float | None = None) -> str:
    """UTC as ISO 8601 with milliseconds, e.g. 2026-11-30T17:25:03.123Z (the version 2 `time` field).

    Like `timestamp`, the part up to the second is made once a second.
    """
    global _last_utc
    moment = time.time() if now is None else now
    # Rounded to the millisecond the store keeps (round(now * 1000)), so a replayed message shows the
    # very `time` it was sent with: taking the fraction of a float would sometimes give one ms less.
    second, millisecond = divmod(round(moment * 1000), 1000)
    cached_second, text = _last_utc
    if second != cached_second:
        text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        _last_utc = (second, text)
    return f"{text}.{millisecond:03d}Z"


def server_frame(frame_type: str, content: str = "", **fields: Any) -> Frame:
    """A server-to-client frame with the fields every one of them has: content, timestamp and time."""
    return server_frame_at(time.time(), frame_type, content, **fields)


def server_frame_at(now: float, frame_type: str, content: str = "", **fields: Any) -> Frame:
    """A server frame that tells of the moment `now` (seconds since the epoch), e.g. a kept message's."""
    frame: Frame = {"type": frame_type, "content": content, "timestamp": timestamp(now), "time": utc_time(now)}
    frame.update(fields)
    return frame


def error_frame(code: str, content: str) -> Frame:
    return server_frame("error", content, code=code)


def command_frame(content: str) -> Frame:
    """The only client-to-server frame: one command line as a person types it."""
    return {"type": "command", "content": content}


def encode_frame(frame: Frame) -> bytes:
    """One frame as UTF-8 JSON plus newline; JSON escapes keep it on one line.

    A lone surrogate that slipped in (e.g. admin text read with
    surrogateescape) becomes "?" instead of failing the whole delivery.
    """
    return (_encoder.encode(frame) + "\n").encode("utf-8", "replace")


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
        frame = json.loads(text)
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
