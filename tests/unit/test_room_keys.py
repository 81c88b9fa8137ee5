"""Room keys as people type them: NFKC, one space between words, the old hashes still opening their rooms."""

from __future__ import annotations

import base64
import hashlib
import secrets

import pytest

from chat_server.identity.room_keys import ITERATIONS, clean_room_key, hash_room_key, room_key_matches
from shared.errors import ErrorCode, ProtocolError


@pytest.mark.parametrize(
    ("set_as", "typed"),
    [
        ("sesame", "sesame"),
        ("a  b", "a b"),  # two spaces by a slip when the key was set: students type one
        ("a b", "a   b"),
        ("  open  sesame ", "open sesame"),
        ("\uff2bey", "Key"),  # full-width K, NFKC
        ("a\u3000b", "a b"),  # an ideographic space, as a Japanese keyboard types it
        ("a\u00a0b", "a b"),  # a no-break space
    ],
)
def test_a_key_opens_its_room_however_its_spaces_were_typed(set_as: str, typed: str) -> None:
    stored = hash_room_key(clean_room_key(set_as))
    assert room_key_matches(typed, stored)


@pytest.mark.parametrize(("set_as", "typed"), [("sesame", "Sesame"), ("a b", "ab"), ("ab", "a b"), ("a b", "a_b")])
def test_other_keys_do_not(set_as: str, typed: str) -> None:
    assert not room_key_matches(typed, hash_room_key(clean_room_key(set_as)))


def test_a_key_hashed_with_its_double_space_before_this_change_still_opens_its_room() -> None:
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", b"a  b", salt, ITERATIONS)
    stored = f"pbkdf2-sha256${ITERATIONS}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"
    assert room_key_matches("a  b", stored)
    assert not room_key_matches("a b", stored)  # it was set with two: only that opens it, as before


@pytest.mark.parametrize("raw", ["", "   ", "a\u202eb", "x" * 65, "a\x00b"])
def test_keys_that_cannot_be_set(raw: str) -> None:
    with pytest.raises(ProtocolError) as refused:
        clean_room_key(raw)
    assert refused.value.code == ErrorCode.BAD_ARGUMENT
