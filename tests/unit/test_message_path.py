"""The message path's shortcuts (chat_server/request_handler.py's plain command line) agree with the general path."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chat_server.request_handler import _PLAIN_COMMAND, ChatRequestHandler
from shared.errors import ProtocolError
from shared.frames import decode_frame


class _JsonSession:
    text_mode = False


def _content(line: bytes) -> str | ProtocolError:
    handler = ChatRequestHandler.__new__(ChatRequestHandler)
    handler.session = _JsonSession()  # type: ignore[assignment]
    try:
        return handler.command_content(line)
    except ProtocolError as exc:
        return exc


def _general(line: bytes) -> str | ProtocolError:
    """What the line means to decode_frame, the path every other line takes."""
    try:
        frame = decode_frame(line)
    except ProtocolError as exc:
        return exc
    content = frame.get("content") if frame["type"] == "command" else None
    return content if isinstance(content, str) else ProtocolError("bad_frame", "")


def _same(a: str | ProtocolError, b: str | ProtocolError) -> bool:
    if isinstance(a, ProtocolError) or isinstance(b, ProtocolError):
        return isinstance(a, ProtocolError) and isinstance(b, ProtocolError) and a.code == b.code
    return a == b


@given(st.text())
def test_any_text_written_as_the_clients_write_it_means_what_decode_frame_reads(text):
    for ensure_ascii in (False, True):
        line = json.dumps({"type": "command", "content": text}, ensure_ascii=ensure_ascii, separators=(",", ":"))
        encoded = line.encode("utf-8", "surrogatepass")
        assert _same(_content(encoded), _general(encoded))


@given(st.binary(max_size=40))
def test_any_bytes_between_the_quotes_mean_what_decode_frame_reads(middle):
    # Raw control characters, quotes, backslashes, broken UTF-8, encoded surrogates: refused or read alike.
    line = b'{"type":"command","content":"' + middle + b'"}'
    assert _same(_content(line), _general(line))


@pytest.mark.parametrize(
    "line",
    [
        b'{"type":"command","content":"SAY hi"}',
        b'{"type":"command","content":"SAY \xc3\xa9t\xc3\xa9 \xf0\x9f\x91\x8d"}',
        b'{"type":"command","content":"SAY a\x7fb"}',
        b'{"type":"command","content":""}',
    ],
)
def test_plain_lines_take_the_shortcut_and_read_as_decode_frame_reads_them(line):
    assert _PLAIN_COMMAND.fullmatch(line) is not None
    assert _content(line) == decode_frame(line)["content"]


@pytest.mark.parametrize(
    "line",
    [
        b'{"type":"command","content":"SAY \\"quoted\\""}',  # escapes: the general path
        b'{"type":"command","content":"SAY \\ud800"}',  # a lone surrogate escape: refused there
        b'{"type":"command","content":"SAY \xed\xa0\x80"}',  # an encoded surrogate: not UTF-8
        b'{"type":"command","content":"SAY \xff"}',
        b'{"type":"command","content":"SAY a\tb"}',  # a raw tab is not JSON
        b'{"type":"command","content":"SAY x"} ',
        b'{"type":"command","content":"SAY x","content":"SAY y"}',
        b'{"content":"SAY x","type":"command"}',
        b'{"type": "command", "content": "SAY x"}',
        b'{"type":"message","content":"SAY x"}',
        b'{"type":"command","content":"SAY x"}}',
        b'[{"type":"command","content":"SAY x"}]',
    ],
)
def test_every_other_line_means_what_decode_frame_reads(line):
    assert _same(_content(line), _general(line))
