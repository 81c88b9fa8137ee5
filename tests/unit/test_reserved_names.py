"""Unit tests for shared/reserved_names.py: which nicknames could pass for the server or its staff."""

from __future__ import annotations

import pytest

from shared.errors import ErrorCode, ProtocolError
from shared.names import normalise_nick
from shared.reserved_names import RESERVED_NICKS, check_not_reserved, reserved_lookalike

# Each is refused, naming the reserved name it could pass for.
DISGUISES = [
    ("Server", "Server"),
    ("server", "Server"),
    ("SERVER", "Server"),
    ("sErVeR", "Server"),
    ("Server_", "Server"),
    ("_Server_", "Server"),
    ("-server-", "Server"),
    ("Server1", "Server"),
    ("Server2026", "Server"),
    ("007admin", "Admin"),
    ("ＡＤＭＩＮ", "Admin"),  # full width, as NFKC leaves it
    ("Adrnin", "Admin"),  # rn for m
    ("Teacher", "Teacher"),
    ("TEACHER_1", "Teacher"),
    ("teachér", "Teacher"),  # an accent is easy to miss
    ("Teache\u0280", "Teacher"),  # small capital R
    ("T\u0435acher", "Teacher"),  # Cyrillic e (refused as mixed script too, before this)
    ("teacher\u0663", "Teacher"),  # an Arabic-Indic digit at the end
    ("Moderator", "Moderator"),
    ("Administrator", "Administrator"),
    ("SYSTEM", "System"),
    ("Sy5tem", None),  # 5 is not S: an ordinary name
    ("Classchat", "ClassChat"),
    ("R00t", "Root"),  # zeros for o
    ("everyone", "Everyone"),
    ("Staff", "Staff"),
]

# Ordinary names that only contain a reserved word, or are near one: not refused.
ORDINARY = [
    "Mr_Teacher",
    "TheTeacher",
    "Teachers",
    "Servers",
    "Serverus",
    "Ada",
    "Administrata",
    "Sys",
    "Rooted",
    "_",
    "42",
]


@pytest.mark.parametrize(("nick", "reserved"), DISGUISES)
def test_a_disguise_is_found_with_the_name_it_passes_for(nick, reserved):
    assert reserved_lookalike(normalise_nick(nick)) == reserved


@pytest.mark.parametrize("nick", ORDINARY)
def test_an_ordinary_name_is_not_reserved(nick):
    assert reserved_lookalike(normalise_nick(nick)) is None
    check_not_reserved(normalise_nick(nick))


def test_the_refusal_is_bad_nick_and_says_why():
    with pytest.raises(ProtocolError) as refused:
        check_not_reserved("Teacher_")
    assert refused.value.code == ErrorCode.BAD_NICK
    assert str(refused.value) == (
        "The nickname Teacher_ could pass for Teacher, a name kept for the server and its staff; choose another."
    )
    with pytest.raises(ProtocolError) as refused:
        check_not_reserved("SERVER")
    assert str(refused.value) == "The nickname SERVER is kept for the server and its staff; choose another."


def test_every_reserved_name_is_itself_a_valid_nickname_that_is_reserved():
    """An admin can still make an account of each one (they are nicknames), and each is found."""
    for name in RESERVED_NICKS:
        assert normalise_nick(name) == name
        assert reserved_lookalike(name) == name
