"""Unit tests for shared/reserved_names.py: which nicknames could pass for the server or its staff."""

from __future__ import annotations

import time

import pytest

from shared.errors import ErrorCode, ProtocolError
from shared.names import normalise_nick
from shared.reserved_names import RESERVED_NICKS, check_not_reserved, passes_for_staff, reserved_lookalike

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
    ("Server\u0640", "Server"),  # a tatweel at the end is an underscore at the end
    ("Admin\u02d1", "Admin"),  # a modifier dot at the end
    ("\u02ccTeacher", "Teacher"),
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


# A teacher's name with role words around it (found by a probe: a guest took "Ms_Lee_teacher" beside the teacher
# Ms_Lee, and the class read the name as the teacher's).
PASS_FOR_MS_LEE = [
    "Ms_Lee_teacher",
    "Ms_Lee-teacher",
    "Ms_Lee_Teacher",
    "MsLee_teacher",
    "Ms_Lee_admin",
    "MsLeeTeacher",
    "msleeteacher",
    "Teacher_Ms_Lee",
    "the_real_MsLee",
    "Official-Ms-Lee",
    "Ms_Lee_staff2",
    "2Ms_Lee_2_mod",
    "Ms_Lee_Teache\u0280",  # small capital R
    "Ms_1ee_teacher",  # a 1 for the l
    "Lee_teacher",  # the name without its title, with a staff word
    "Mr_Lee_admin",
    "Teacher-Lee",
    "Ms_Lee2",  # the existing rule still holds
    "MsLee",
    "Ms_Lee\u0640",  # a tatweel (an underscore by its look) after the name
    "Ms_Lee\u02cd",  # the modifier low macron after it
    "Ms_Lee\u02d1",  # a modifier dot
    "Ms\u30fcLee",  # the long-vowel mark for a dash
    "Ms\u0640Lee\u0640teacher",
]

STILL_FREE_BESIDE_MS_LEE = [
    "Leela",  # a longer word that holds the name
    "Kaleel",
    "Ashlee_mod",
    "Ms_Leela_teacher",
    "leeds_admin",
    "Lee",  # the name without its title, alone or with only a title: a student may be called that
    "Mr_Lee",
    "TheLee",
    "Lee_the_great",
    "Teacher_Kim",
    "Mr_Teacher",
]


@pytest.mark.parametrize("nick", PASS_FOR_MS_LEE)
def test_a_teachers_name_with_role_words_around_it_passes_for_the_teacher(nick):
    assert passes_for_staff(normalise_nick(nick), "Ms_Lee")


@pytest.mark.parametrize("nick", STILL_FREE_BESIDE_MS_LEE)
def test_names_that_merely_hold_a_teachers_name_stay_free(nick):
    assert not passes_for_staff(normalise_nick(nick), "Ms_Lee")


@pytest.mark.parametrize(
    ("nick", "teacher", "passes"),
    [
        ("Leela", "Lee", False),
        ("Lee_teacher", "Lee", True),
        ("Sir-Lee", "Lee", True),
        ("Lee2mod", "Lee", True),
        ("Modesto_admin", "Modesto", True),
        ("Esto_admin", "Modesto", False),  # "Mod" in a teacher's name is no title to take off
        ("Smith_teacher", "MrSmith2", True),
        ("MrKhan", "Ms_Khan", False),  # another title alone: an ordinary name (test_moderation_evasion)
        ("Khan_Ms", "Ms_Khan", False),
        ("Teacher_X", "Ms_X", False),  # a one-letter name left without its title is not compared
    ],
)
def test_role_words_around_other_teachers_names(nick, teacher, passes):
    assert passes_for_staff(normalise_nick(nick), teacher) is passes


def test_a_nickname_full_of_role_words_is_judged_quickly():
    """The check runs under the registry lock for every teacher's account at every NICK."""
    started = time.perf_counter()
    for nick in ("msmsmsmsmsmsmsmsmsmsmsmx", "themodthemodthemodthemox", "mrsmrsmrsmrsmrsmrsmrsmr", "a" * 24):
        passes_for_staff(nick, "Ms_Lee")
    assert time.perf_counter() - started < 0.5
