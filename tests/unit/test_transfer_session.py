"""Unit tests for shared/transfer_session.py (receiving, resuming, the send plan, progress) and the sender rate."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chat_server.files.limits import SenderRateLimit
from shared.errors import ErrorCode
from shared.file_transfer import EMPTY_SHA256, FileError, FileErrorCode
from shared.transfer_session import ReceiveSession, TransferProgress, send_ranges
from tests.support import FakeClock

DATA = os.urandom(100_000)
DIGEST = hashlib.sha256(DATA).hexdigest()


def test_bytes_fed_in_pieces_complete_and_verify():
    session = ReceiveSession(len(DATA), DIGEST)
    for start in range(0, len(DATA), 7_777):
        assert not session.complete
        session.feed(memoryview(DATA)[start : start + 7_777])
    assert session.complete and session.remaining == 0
    session.verify()
    assert session.verified


def test_an_empty_file_is_complete_at_once():
    session = ReceiveSession(0, EMPTY_SHA256)
    assert session.complete
    session.verify()


def test_one_byte_more_than_declared_is_refused_and_ends_the_session():
    session = ReceiveSession(len(DATA), DIGEST)
    session.feed(DATA[:-1])
    with pytest.raises(FileError) as refused:
        session.feed(DATA[-1:] + b"!")
    assert refused.value.code == ErrorCode.FILE_TOO_LARGE and session.failed
    assert session.offset == len(DATA) - 1  # nothing of the refused piece was taken
    with pytest.raises(ValueError):
        session.feed(b"")


@pytest.mark.parametrize("damage", ["flip", "truncate-then-pad"])
def test_wrong_bytes_fail_verification(damage):
    bad = bytearray(DATA)
    if damage == "flip":
        bad[50_000] ^= 0x01
    else:
        bad[-10:] = b"\0" * 10
    session = ReceiveSession(len(DATA), DIGEST)
    session.feed(bytes(bad))
    with pytest.raises(FileError) as refused:
        session.verify()
    assert refused.value.code == FileErrorCode.BAD_HASH and session.failed and not session.verified


def test_verifying_before_the_end_is_an_error_not_a_pass():
    session = ReceiveSession(len(DATA), DIGEST)
    session.feed(DATA[:10])
    with pytest.raises(FileError):
        session.verify()


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=len(DATA)), st.integers(min_value=1, max_value=40_000))
def test_a_session_resumed_from_any_partial_file_ends_with_the_same_hash(cut, piece):
    session = ReceiveSession.resume(io.BytesIO(DATA[:cut]), len(DATA), DIGEST)
    assert session.offset == cut
    for start in range(cut, len(DATA), piece):
        session.feed(DATA[start : start + piece])
    session.verify()


def test_a_partial_file_longer_than_declared_cannot_be_resumed():
    with pytest.raises(FileError) as refused:
        ReceiveSession.resume(io.BytesIO(DATA + b"x"), len(DATA), DIGEST)
    assert refused.value.code == ErrorCode.FILE_TOO_LARGE


def test_a_session_past_zero_needs_the_hash_of_what_came_before():
    with pytest.raises(ValueError):
        ReceiveSession(10, DIGEST, offset=5)
    with pytest.raises(ValueError):
        ReceiveSession(10, DIGEST, offset=11, hasher=hashlib.sha256())


@pytest.mark.parametrize(
    ("size", "offset", "chunk", "expected"),
    [
        (10, 0, 4, [(0, 4), (4, 4), (8, 2)]),
        (10, 3, 4, [(3, 4), (7, 3)]),
        (10, 10, 4, []),
        (0, 0, 4, []),
        (8, 0, 4, [(0, 4), (4, 4)]),
    ],
)
def test_the_send_plan_covers_offset_to_the_end(size, offset, chunk, expected):
    assert list(send_ranges(size, offset, chunk)) == expected


@pytest.mark.parametrize(("size", "offset", "chunk"), [(10, 11, 4), (10, -1, 4), (10, 0, 0)])
def test_an_impossible_send_plan_is_refused(size, offset, chunk):
    with pytest.raises(ValueError):
        list(send_ranges(size, offset, chunk))


def test_progress_reports_speed_over_the_last_seconds_and_the_time_left():
    clock = FakeClock()
    progress = TransferProgress(100 * 1_000_000, clock=clock)
    assert progress.report().seconds_left is None
    for _ in range(10):  # 10 MB/s for a second
        clock.now += 0.1
        progress.advance(1_000_000)
    report = progress.report()
    assert report.bytes_per_second == pytest.approx(10_000_000)
    assert report.seconds_left == pytest.approx(9.0)
    assert report.fraction == pytest.approx(0.1)
    for _ in range(40):  # then 1 MB/s for four seconds: the old speed has left the 3-second window
        clock.now += 0.1
        progress.advance(100_000)
    assert progress.report().bytes_per_second == pytest.approx(1_000_000, rel=0.05)
    assert progress.report().text() == "13.4 MB of 95.4 MB, 976.6 KB/s, 1 min 26 s left"


def test_a_resumed_transfer_counts_only_new_bytes_for_its_speed():
    clock = FakeClock()
    progress = TransferProgress(1000, done=600, clock=clock)
    clock.now += 1
    progress.advance(100)
    report = progress.report()
    assert report.done == 700 and report.bytes_per_second == pytest.approx(100)
    assert TransferProgress(0).report().fraction == 1.0


def test_at_most_ten_files_in_five_minutes_per_sender():
    clock = FakeClock()
    rate = SenderRateLimit(10, 300, clock)
    assert [rate.acquire("alice") for _ in range(10)] == [0.0] * 10
    wait = rate.acquire("alice")
    assert 299 <= wait <= 300
    assert rate.acquire("bob") == 0.0  # others are not affected
    clock.now += 150
    assert rate.acquire("alice") == pytest.approx(150)
    clock.now += 150
    assert rate.acquire("alice") == 0.0  # the first ones have left the window
    rate.forget_idle()
    assert SenderRateLimit(0, 300, clock).acquire("x") == 0.0
