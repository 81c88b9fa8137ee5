"""Unit tests for shared/file_transfer.py: the UPLOAD/DOWNLOAD/CANCEL arguments, the frames, the hello, who may fetch."""

from __future__ import annotations

import hashlib
import json

import pytest

from shared.errors import ErrorCode, ProtocolError
from shared.file_transfer import (
    EMPTY_SHA256,
    MIB,
    FileError,
    FileErrorCode,
    Target,
    check_transfer_ready,
    download_frame,
    file_frame,
    format_size,
    is_file_id,
    may_fetch,
    new_file_id,
    new_token,
    parse_id_argument,
    parse_target,
    parse_transfer_hello,
    parse_upload_argument,
    token_digest,
    transfer_hello,
    transfer_ready_frame,
    upload_command,
    upload_frame,
)
from shared.frames import decode_frame, encode_frame

DIGEST = hashlib.sha256(b"worksheet").hexdigest()
LIMIT = 25 * MIB


def test_an_upload_command_round_trips_through_the_parser():
    line = upload_command(1234, DIGEST, Target(room="general"), "Work sheet 1.pdf")
    assert line == f"UPLOAD 1234 {DIGEST} #general Work sheet 1.pdf"
    request = parse_upload_argument(line.split(None, 1)[1], LIMIT)
    assert (request.size, request.sha256, request.target, request.name) == (
        1234,
        DIGEST,
        Target(room="general"),
        "Work sheet 1.pdf",
    )


def test_the_name_is_cleaned_on_both_sides_and_a_person_is_a_target():
    request = parse_upload_argument(f"10 {DIGEST.upper()} @Bob ../../etc/passwd", LIMIT)
    assert request.name == "passwd" and request.target == Target(to="Bob") and request.sha256 == DIGEST
    assert upload_command(10, DIGEST, Target(to="bob"), "a\nb/c\x00d").endswith("@bob cd")
    assert "\n" not in upload_command(10, DIGEST, Target(to="bob"), "evil\nQUIT")


@pytest.mark.parametrize(
    ("argument", "code"),
    [
        ("", ErrorCode.BAD_ARGUMENT),
        (f"10 {DIGEST} #general", ErrorCode.BAD_ARGUMENT),
        (f"-1 {DIGEST} #general a.txt", ErrorCode.BAD_ARGUMENT),
        (f"1e3 {DIGEST} #general a.txt", ErrorCode.BAD_ARGUMENT),
        (f"١٢ {DIGEST} #general a.txt", ErrorCode.BAD_ARGUMENT),  # Arabic-Indic digits are digits, but not ours
        (f"{'9' * 16} {DIGEST} #general a.txt", ErrorCode.BAD_ARGUMENT),
        ("10 abc #general a.txt", ErrorCode.BAD_ARGUMENT),
        (f"10 {DIGEST[:-1]}g #general a.txt", ErrorCode.BAD_ARGUMENT),
        (f"10 {DIGEST} general a.txt", ErrorCode.BAD_ARGUMENT),
        (f"10 {DIGEST} #bad/room a.txt", ErrorCode.BAD_ROOM),
        (f"10 {DIGEST} @no/body a.txt", ErrorCode.BAD_NICK),
    ],
)
def test_malformed_upload_arguments_are_refused(argument, code):
    with pytest.raises(ProtocolError) as refused:
        parse_upload_argument(argument, LIMIT)
    assert refused.value.code == code


def test_the_limit_is_exact_and_its_error_names_it():
    assert parse_upload_argument(f"{LIMIT} {DIGEST} #general big.bin", LIMIT).size == LIMIT
    with pytest.raises(FileError) as refused:
        parse_upload_argument(f"{LIMIT + 1} {DIGEST} #general big.bin", LIMIT)
    assert refused.value.code == ErrorCode.FILE_TOO_LARGE
    assert "25.0 MB (26,214,400 bytes)" in refused.value.message


def test_a_file_too_large_is_said_in_the_units_of_the_limit():
    """Found by the fifteenth review: "That file has 2,000,000 bytes; the limit ... is 1.0 MB" asked a student to
    compare bytes with megabytes."""
    with pytest.raises(FileError) as refused:
        parse_upload_argument(f"2000000 {DIGEST} #general big.bin", 1024 * 1024)
    assert refused.value.message == (
        "That file is 1.9 MB (2,000,000 bytes); the limit on this server is 1.0 MB (1,048,576 bytes)."
    )


def test_a_limit_of_zero_turns_sharing_off():
    with pytest.raises(FileError) as refused:
        parse_upload_argument(f"1 {DIGEST} #general a.txt", 0)
    assert refused.value.code == ErrorCode.NOT_ALLOWED


def test_an_empty_file_must_carry_the_hash_of_nothing():
    assert parse_upload_argument(f"0 {EMPTY_SHA256} #general empty.txt", LIMIT).size == 0
    with pytest.raises(FileError) as refused:
        parse_upload_argument(f"0 {DIGEST} #general empty.txt", LIMIT)
    assert refused.value.code == FileErrorCode.BAD_HASH


@pytest.mark.parametrize("text", ["", "   ", "../x", "a" * 21, "a" * 23, "a" * 21 + "/", "a" * 21 + "é"])
def test_ids_that_are_not_ours_are_refused_before_any_lookup(text):
    with pytest.raises((FileError, ProtocolError)):
        parse_id_argument(text, "DOWNLOAD <file-id>")


def test_ids_and_tokens_are_random_and_well_formed():
    ids = {new_file_id() for _ in range(200)}
    tokens = {new_token() for _ in range(200)}
    assert len(ids) == 200 and all(is_file_id(file_id) for file_id in ids)
    assert len(tokens) == 200 and all(len(token) == 43 for token in tokens)
    token = new_token()
    assert token_digest(token) != token and len(token_digest(token)) == 64
    assert parse_id_argument(f" {next(iter(ids))} ", "x") in ids


def test_targets():
    assert parse_target("#General") == Target(room="General")
    assert parse_target("@ＡＬＩＣＥ") == Target(to="ALICE")
    # The ninth review: a CJK keyboard's full-width marks, and an invisible pasted before them, were bad_argument.
    assert parse_target("＃数学") == Target(room="数学") and parse_target("\u200b#General") == Target(room="General")
    assert parse_target("＠bob") == Target(to="bob") and parse_target("\u202e@bob") == Target(to="bob")
    assert Target(room="general").fields() == {"room": "general"} and Target(to="bob").fields() == {"to": "bob"}


def test_the_hello_round_trips_and_bad_ones_are_refused():
    token = new_token()
    hello = parse_transfer_hello(decode_frame(encode_frame(transfer_hello(token, 1000))[:-1]))
    assert (hello.token, hello.offset) == (token, 1000)
    assert parse_transfer_hello(transfer_hello(token)).offset == 0
    for bad in ({"token": "x"}, {"token": 5}, {}, {"token": token + "A"}, {"token": token[:-1] + "!"}):
        with pytest.raises(FileError) as refused:
            parse_transfer_hello({"type": "transfer", **bad})
        assert refused.value.code == FileErrorCode.BAD_TOKEN
    for offset in (-1, "0", 1.5, True, None):
        with pytest.raises(FileError) as refused:
            parse_transfer_hello({"type": "transfer", "token": token, "offset": offset})
        assert refused.value.code == ErrorCode.BAD_ARGUMENT


def test_server_frames_carry_the_common_fields_and_fit_in_one_line():
    request = parse_upload_argument(f"{LIMIT} {DIGEST} @bob " + "ü" * 300 + ".pdf", LIMIT)
    frames = [
        upload_frame(new_file_id(), new_token(), request),
        download_frame(new_file_id(), new_token(), request.name, request.size, request.sha256),
        file_frame(7, new_file_id(), request.name, request.size, request.sha256, "alice", request.target),
        transfer_ready_frame(0, LIMIT, DIGEST),
    ]
    for frame in frames:
        data = encode_frame(frame)
        assert data.count(b"\n") == 1 and len(data) < 4096
        assert {"type", "content", "timestamp", "time"} <= set(json.loads(data))
    assert frames[0]["to"] == "bob" and "room" not in frames[0]
    assert frames[2]["id"] == 7 and frames[2]["sender"] == "alice"


def test_a_transfer_ready_frame_with_impossible_numbers_is_a_bad_frame():
    check_transfer_ready(transfer_ready_frame(5, 10, DIGEST))
    for frame in (transfer_ready_frame(11, 10, DIGEST), transfer_ready_frame(-1, 10, DIGEST), {"type": "x"}):
        with pytest.raises(ProtocolError):
            check_transfer_ready(frame)


def test_a_private_file_is_for_its_two_people_and_a_room_file_for_its_readers():
    private = Target(to="Bob")
    assert may_fetch("alice", private, "ALICE", set()) and may_fetch("alice", private, "bob", set())
    assert not may_fetch("alice", private, "carol", {"general"})
    room = Target(room="General")
    assert may_fetch("alice", room, "carol", {"general"})
    assert not may_fetch("alice", room, "dave", {"maths"})
    assert may_fetch("alice", room, "Alice", set())  # the sender, even after leaving the room


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (1023, "1023 bytes"),
        (1536, "1.5 KB"),
        (25 * MIB, "25.0 MB"),
        (3 * 1024 * MIB, "3.0 GB"),
        (2 * 1024 * 1024 * MIB, "2.0 TB"),
        (-5, "unknown size"),
    ],
)
def test_sizes_for_people(size, text):
    assert format_size(size) == text
