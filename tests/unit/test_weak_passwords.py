"""Passwords too easy to guess (chat_server/identity/weak_passwords.py), and the spray watch (spray_watch.py)."""

from __future__ import annotations

import pytest

from chat_server.identity.spray_watch import SprayWatch
from chat_server.identity.weak_passwords import COMMON_PASSWORDS, check_not_weak, weakness
from shared.errors import ErrorCode, ProtocolError


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Sara_K12", "your nickname"),
        ("SARA_K12", "your nickname"),
        ("aaaaaaaa", "repeated"),
        ("abababab", "repeated"),
        ("123123123", "repeated"),
        ("abcabcab", "repeated"),
        ("12345678", "run"),
        ("abcdefgh", "run"),
        ("87654321", "run"),
        ("ABCDEFGHIJ", "run"),
        ("qwertyui", "keyboard"),
        ("asdfghjkl", "keyboard"),
        ("password", "common"),
        ("Password1!", "common"),
        ("iloveyou", "common"),
        ("football2024", "common"),
    ],
)
def test_what_a_guesser_tries_first_is_refused(password, why):
    found = weakness(password, "Sara_K12")
    assert found is not None and why in found, (password, found)


@pytest.mark.parametrize(
    "password", ["correct horse battery", "blackboard-42", "my-own-name-7", "s3cret-words", "Sara_K123", "abcdefgx"]
)
def test_ordinary_passwords_pass(password):
    assert weakness(password, "Sara_K12") is None


def test_the_refusal_is_bad_argument_and_never_repeats_the_password():
    with pytest.raises(ProtocolError) as refused:
        check_not_weak("iloveyou", "ann")
    assert refused.value.code == ErrorCode.BAD_ARGUMENT
    assert "iloveyou" not in refused.value.message


def test_the_common_list_is_short_and_lower_case():
    assert 50 <= len(COMMON_PASSWORDS) <= 120
    assert all(entry == entry.casefold() for entry in COMMON_PASSWORDS)


def test_the_spray_watch_warns_once_at_the_third_account_from_one_address():
    watch = SprayWatch()
    assert watch.failed("10.0.0.9", "pupil0", 0.0) is None
    assert watch.failed("10.0.0.9", "pupil0", 1.0) is None  # the same account again is no spray
    assert watch.failed("10.0.0.8", "pupil1", 2.0) is None  # another address counts apart
    assert watch.failed("10.0.0.9", "pupil1", 3.0) is None
    assert watch.failed("10.0.0.9", "pupil2", 4.0) == ["pupil0", "pupil1", "pupil2"]
    assert watch.failed("10.0.0.9", "pupil3", 5.0) is None  # told once a window
    assert watch.failed("10.0.0.9", "pupil4", 700.0) is None  # the old ones expired
    assert watch.failed("10.0.0.9", "pupil5", 701.0) is None
    assert watch.failed("10.0.0.9", "pupil6", 702.0) == ["pupil4", "pupil5", "pupil6"]  # a new window, a new warning


def test_the_spray_watch_forgets_failures_older_than_its_window():
    watch = SprayWatch(window=60.0)
    watch.failed("10.0.0.9", "a", 0.0)
    watch.failed("10.0.0.9", "b", 30.0)
    assert watch.failed("10.0.0.9", "c", 61.0) is None
