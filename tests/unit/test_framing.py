"""Unit tests for shared/framing.py: lines and frames out of a byte stream, the 32 KiB cap."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.errors import ErrorCode, ProtocolError
from shared.frames import MAX_FRAME_BYTES, command_frame, encode_frame
from shared.framing import FrameDecoder, FrameTooLarge, LineDecoder


def test_a_frame_split_over_many_reads_comes_out_once_complete():
    decoder = FrameDecoder()
    data = encode_frame(command_frame("JOIN general"))
    for byte_index in range(len(data) - 1):
        assert decoder.feed(data[byte_index : byte_index + 1]) == []
    assert decoder.feed(data[-1:]) == [command_frame("JOIN general")]


def test_merged_frames_in_one_read_all_come_out_in_order():
    data = b"".join(encode_frame(command_frame(f"SAY {n}")) for n in range(5))
    assert FrameDecoder().feed(data) == [command_frame(f"SAY {n}") for n in range(5)]


def test_a_read_that_ends_inside_a_frame_keeps_the_rest_for_later():
    decoder = FrameDecoder()
    first, second = encode_frame(command_frame("a")), encode_frame(command_frame("b"))
    assert decoder.feed(first + second[:5]) == [command_frame("a")]
    assert decoder.feed(second[5:]) == [command_frame("b")]


def test_line_decoder_keeps_a_trailing_carriage_return_and_reports_what_it_buffers():
    decoder = LineDecoder()
    assert decoder.feed(b"nick al\r\njoin") == [b"nick al\r"]
    assert decoder.buffered == 4


def test_blank_lines_between_frames_are_ignored():
    data = b"\n  \n" + encode_frame(command_frame("PING")) + b"\r\n\n"
    assert FrameDecoder().feed(data) == [command_frame("PING")]


def line_of(total_bytes: int) -> bytes:
    """A line of exactly `total_bytes` bytes, newline included."""
    return b"x" * (total_bytes - 1) + b"\n"


@pytest.mark.parametrize("pieces", [1, 2, 7])
def test_a_line_of_exactly_32_kib_with_its_newline_is_accepted(pieces):
    data = line_of(MAX_FRAME_BYTES)
    decoder = LineDecoder()
    step = -(-len(data) // pieces)
    lines = []
    for start in range(0, len(data), step):
        lines += decoder.feed(data[start : start + step])
    assert lines == [b"x" * (MAX_FRAME_BYTES - 1)]


@pytest.mark.parametrize("pieces", [1, 2, 7])
def test_one_byte_more_than_32_kib_is_refused(pieces):
    data = line_of(MAX_FRAME_BYTES + 1)
    decoder = LineDecoder()
    step = -(-len(data) // pieces)
    with pytest.raises(FrameTooLarge) as raised:
        for start in range(0, len(data), step):
            decoder.feed(data[start : start + step])
    assert raised.value.code == ErrorCode.FRAME_TOO_LARGE


def test_the_cap_is_reached_without_a_newline_and_nothing_more_is_buffered():
    decoder = LineDecoder()
    decoder.feed(b"y" * (MAX_FRAME_BYTES - 1))
    assert decoder.buffered == MAX_FRAME_BYTES - 1
    with pytest.raises(FrameTooLarge):
        decoder.feed(b"y")
    assert decoder.buffered == 0


def test_an_oversized_line_after_good_ones_in_the_same_read_is_refused_and_hands_them_back():
    with pytest.raises(FrameTooLarge) as raised:
        LineDecoder().feed(b"one\ntwo\n" + line_of(MAX_FRAME_BYTES + 1) + b"three\n")
    assert raised.value.lines_before == [b"one", b"two"]


def test_an_unfinished_oversized_line_after_good_ones_hands_them_back():
    with pytest.raises(FrameTooLarge) as raised:
        LineDecoder().feed(b"one\n" + b"z" * MAX_FRAME_BYTES)
    assert raised.value.lines_before == [b"one"]


def test_a_bad_line_comes_back_as_an_error_in_its_place_and_the_next_line_is_read():
    data = b"not json\n" + b"[1, 2]\n" + b"\xff\xfe\n" + encode_frame(command_frame("PING"))
    results = FrameDecoder().feed(data)
    assert [type(item) for item in results[:3]] == [ProtocolError] * 3
    assert all(item.code == ErrorCode.BAD_FRAME for item in results[:3])
    assert results[3] == command_frame("PING")


def test_2000_emoji_escaped_by_ensure_ascii_still_fit_in_one_frame():
    frame = command_frame("SAY " + "\U0001f600" * 2000)
    data = (json.dumps(frame, ensure_ascii=True) + "\n").encode("ascii")
    assert len(data) <= MAX_FRAME_BYTES
    assert FrameDecoder().feed(data) == [frame]


frames_strategy = st.lists(st.builds(command_frame, st.text(max_size=60)), min_size=1, max_size=8)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(frames=frames_strategy, cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=12))
def test_any_chunking_of_a_stream_gives_the_same_frames(frames, cuts):
    stream = b"".join(encode_frame(frame) for frame in frames)
    points = sorted({cut % (len(stream) + 1) for cut in cuts})
    chunks = [stream[a:b] for a, b in zip([0, *points], [*points, len(stream)], strict=False)]
    decoder = FrameDecoder()
    decoded = []
    for chunk in chunks:
        decoded += decoder.feed(chunk)
    assert decoded == frames
    assert decoder.feed(b"") == []


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    lines=st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=10),
    cut=st.integers(min_value=1, max_value=17),
)
def test_line_decoder_gives_back_exactly_the_lines_sent_in_fixed_size_chunks(lines, cut):
    stream = b"".join(line + b"\n" for line in lines)
    decoder = LineDecoder()
    out = []
    for start in range(0, len(stream), cut):
        out += decoder.feed(stream[start : start + cut])
    assert out == lines
    assert decoder.buffered == 0
