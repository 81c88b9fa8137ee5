"""Unit tests for shared/names.py: nicknames, rooms, message text, control characters."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.errors import ErrorCode, ProtocolError
from shared.names import (
    MAX_NICK_CHARS,
    MAX_ROOM_CHARS,
    MAX_TEXT_CHARS,
    clean_message_text,
    harmless,
    is_nick_shaped,
    name_key,
    normalise_nick,
    normalise_room,
    strip_control,
)


def code_of(call, *args) -> str:
    with pytest.raises(ProtocolError) as raised:
        call(*args)
    return raised.value.code


def test_alice_in_any_case_and_full_width_is_one_nickname():
    keys = {name_key(normalise_nick(nick)) for nick in ("Alice", "ALICE", "alice", "ＡＬＩＣＥ")}
    assert len(keys) == 1


def test_full_width_letters_are_shown_in_their_nfkc_form():
    assert normalise_nick("ＡＬＩＣＥ") == "ALICE"
    assert normalise_nick("  bob  ") == "bob"


def test_casefold_is_used_not_lower():
    assert name_key("STRASSE") == name_key("straße")


@pytest.mark.parametrize("nick", ["a", "Zoë", "李小龍", "r2-d2", "snake_case", "١٢٣", "x" * MAX_NICK_CHARS])
def test_good_nicknames(nick):
    assert normalise_nick(nick) == nick
    assert is_nick_shaped(nick)


@pytest.mark.parametrize(
    "nick",
    [
        "",
        "   ",
        "x" * (MAX_NICK_CHARS + 1),
        "two words",
        "bob!",
        "a.b",
        "#room",
        "😀",
        "tab\tbed",
        "bell\x07",
        "\u3164",  # a Hangul filler: invisible, and dropped from names
        "\u200b\u200d\u202e",
    ],
)
def test_bad_nicknames(nick):
    assert code_of(normalise_nick, nick) == ErrorCode.BAD_NICK
    assert not is_nick_shaped(nick)


def test_the_nickname_length_counts_after_nfkc():
    # U+FB03 (the "ffi" ligature) is one character that NFKC makes three.
    assert normalise_nick("\ufb03" * 8) == "ffi" * 8
    assert code_of(normalise_nick, "\ufb03" * 9) == ErrorCode.BAD_NICK


def test_room_names_drop_one_leading_hash_and_compare_like_nicknames():
    assert normalise_room("#general") == "general"
    assert normalise_room("general") == "general"
    assert name_key(normalise_room("#General")) == name_key(normalise_room("ＧＥＮＥＲＡＬ"))


@pytest.mark.parametrize(
    "room", ["#", "", "##general", "two words", "x" * (MAX_ROOM_CHARS + 1), "#" + "x" * (MAX_ROOM_CHARS + 1), "a/b"]
)
def test_bad_room_names(room):
    assert code_of(normalise_room, room) == ErrorCode.BAD_ROOM


def test_room_names_of_the_longest_length_are_accepted():
    assert normalise_room("#" + "r" * MAX_ROOM_CHARS) == "r" * MAX_ROOM_CHARS


def test_message_text_is_trimmed_and_its_control_characters_removed():
    assert clean_message_text("  hi\x1b[2J there\x00\r\n") == "hi[2J there"
    assert clean_message_text("a\tb\nc") == "a\tb\nc"


def test_message_text_limits():
    assert clean_message_text("x" * MAX_TEXT_CHARS) == "x" * MAX_TEXT_CHARS
    assert clean_message_text("😀" * MAX_TEXT_CHARS) == "😀" * MAX_TEXT_CHARS
    assert code_of(clean_message_text, "x" * (MAX_TEXT_CHARS + 1)) == ErrorCode.TOO_LONG
    assert code_of(clean_message_text, "   ") == ErrorCode.BAD_ARGUMENT
    assert code_of(clean_message_text, "\x1b\x07") == ErrorCode.BAD_ARGUMENT
    assert code_of(clean_message_text, "abc", 2) == ErrorCode.TOO_LONG


def test_strip_control_keeps_newline_tab_and_ordinary_unicode():
    assert strip_control("a\x00b\x7fc\x9bd\ne\tf 😀") == "abcd\ne\tf 😀"


def test_harmless_turns_an_escape_sequence_into_visible_text():
    shown = harmless("before\x1b[2Jafter")
    assert "\x1b" not in shown
    assert shown == "before\\x1b[2Jafter"


def test_harmless_escapes_c1_and_format_characters_but_keeps_newline_tab_and_emoji():
    shown = harmless("\x9b2J \u202eevil\t😀\n\x07")
    assert shown == "\\x9b2J \\u202eevil\t😀\n\\x07"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text())
def test_no_control_character_survives_strip_control_or_harmless(text):
    import unicodedata

    for cleaned in (strip_control(text), harmless(text)):
        assert all(ch in "\n\t" or unicodedata.category(ch) != "Cc" for ch in cleaned)
    assert all(unicodedata.category(ch) != "Cf" for ch in harmless(text))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(max_size=30))
def test_a_normalised_nickname_is_stable(raw):
    if is_nick_shaped(raw):
        nick = normalise_nick(raw)
        assert normalise_nick(nick) == nick
        assert name_key(nick) == name_key(name_key(nick))
