"""How long a ban lasts, as a teacher types it: minutes, a number with a unit, or the start of the reason."""

from __future__ import annotations

import pytest

from shared.ban_length import (
    MAX_BAN_MINUTES,
    parse_ban_answer,
    parse_ban_minutes,
    quote_reason,
    split_ban_command,
    split_ban_length,
)
from shared.errors import ErrorCode, ProtocolError


@pytest.mark.parametrize(
    ("word", "minutes"),
    [
        ("5", 5),
        ("527040", MAX_BAN_MINUTES),
        ("10m", 10),
        ("90mins", 90),
        ("15Minutes", 15),
        ("2h", 120),
        ("3hrs", 180),
        ("3D", 3 * 1440),
        ("2days", 2 * 1440),
        ("1w", 7 * 1440),
        ("52weeks", 52 * 7 * 1440),
        ("\u0661\u0662", 12),  # Arabic-Indic digits
        ("\uff11\uff12", 12),  # fullwidth digits, as a Japanese keyboard types them
    ],
)
def test_lengths(word: str, minutes: int) -> None:
    assert parse_ban_minutes(word) == minutes


@pytest.mark.parametrize(
    "word",
    ["-5", "+5", "\u22125", "1.5", ".5", "1e3", "10x", "5s", "0", "0m", "527041", "53w", "9" * 12, "1" * 10 + "m"],
)
def test_what_starts_like_a_number_but_is_no_length_is_refused(word: str) -> None:
    with pytest.raises(ProtocolError) as refused:
        parse_ban_minutes(word)
    assert refused.value.code == ErrorCode.BAD_ARGUMENT
    assert "10m, 2h, 3d" in refused.value.message


@pytest.mark.parametrize("word", ["spamming", "NaN", "h5", "m", "again", "x10"])
def test_a_word_that_is_no_number_starts_the_reason(word: str) -> None:
    assert parse_ban_minutes(word) is None


@pytest.mark.parametrize(
    ("rest", "split"),
    [
        ("", (None, "")),
        ("spamming the room", (None, "spamming the room")),
        ("10", (10, "")),
        ("10 spamming", (10, "spamming")),
        ("10m spamming", (10, "spamming")),
        ("2 hours spamming again", (120, "spamming again")),
        ("3 Days", (3 * 1440, "")),
        ("1 w", (10080, "")),
        ("10 minutes", (10, "")),
        ("5 more minutes", (5, "more minutes")),  # a unit must follow the number at once
        ("10m hours", (10, "hours")),  # one length only
        ("  7\tlate  ", (7, "late")),
    ],
)
def test_what_follows_the_nickname(rest: str, split: tuple[int | None, str]) -> None:
    assert split_ban_length(rest) == split


def test_a_slip_followed_by_a_unit_word_is_still_a_slip() -> None:
    with pytest.raises(ProtocolError):
        split_ban_length("-5 minutes")
    with pytest.raises(ProtocolError):
        split_ban_length("600000 hours")


@pytest.mark.parametrize(("answer", "minutes"), [("", None), ("  ", None), ("30", 30), (" 2h ", 120), ("2 hours", 120)])
def test_an_answer_to_how_long(answer: str, minutes: int | None) -> None:
    assert parse_ban_answer(answer) == minutes


@pytest.mark.parametrize("answer", ["ten", "2 hours please", "-5", "forever", "1.5"])
def test_an_answer_that_is_no_length_is_refused_not_taken_for_a_reason(answer: str) -> None:
    with pytest.raises(ProtocolError) as refused:
        parse_ban_answer(answer)
    assert "10m, 2h, 3d" in refused.value.message


@pytest.mark.parametrize(
    ("argument", "split"),
    [
        ("", ("", None, "")),
        ("   ", ("", None, "")),
        ("bob", ("bob", None, "")),
        ("bob spamming", ("bob", None, "spamming")),
        ("bob\t2 hours  spamming", ("bob", 120, "spamming")),
        ("192.168.1.23 30 lab laptop", ("192.168.1.23", 30, "lab laptop")),
    ],
)
def test_the_whole_argument_of_ban(argument: str, split: tuple[str, int | None, str]) -> None:
    assert split_ban_command(argument) == split


@pytest.mark.parametrize(
    ("rest", "split"),
    [
        ('"3 warnings ignored"', (None, "3 warnings ignored")),  # bare, it was a ban of 3 minutes
        ('"2 days of trolling"', (None, "2 days of trolling")),
        ('"1.5 hours late"', (None, "1.5 hours late")),  # bare, it was refused as a length
        ('5 "days of trolling"', (5, "days of trolling")),  # bare, 5 days
        ('2 hours "3 warnings"', (120, "3 warnings")),
        ('"said "hi" to everyone"', (None, 'said "hi" to everyone')),  # one pair only comes off
        ('"3 warnings', (None, '"3 warnings')),  # no closing quote: the reason as it stands
        ('10 "', (10, '"')),
        ('""', (None, "")),
        ('spamming "again"', (None, 'spamming "again"')),  # quotes inside a bare reason stay
    ],
)
def test_a_reason_in_double_quotes_is_the_reason_whole(rest: str, split: tuple[int | None, str]) -> None:
    assert split_ban_length(rest) == split


def test_a_quoted_reason_reads_back_whole_after_any_length() -> None:
    for reason in ("3 warnings ignored", 'a "quoted" word', '"', "x", "1e3 times"):
        for length in ("", "5 ", "2 hours "):
            minutes, read = split_ban_length(f"{length}{quote_reason(reason)}")
            assert read == reason and minutes == {"": None, "5 ": 5, "2 hours ": 120}[length]
