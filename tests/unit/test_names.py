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
    shaping = {"\u200c", "\u200d", "\u00ad"}  # joiners and the soft hyphen print as themselves, as do flag tags
    assert all(
        unicodedata.category(ch) != "Cf" or ch in shaping or "\U000e0020" <= ch <= "\U000e007f" for ch in harmless(text)
    )
    assert not any(ch in harmless(text) for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(max_size=30))
def test_a_normalised_nickname_is_stable(raw):
    if is_nick_shaped(raw):
        nick = normalise_nick(raw)
        assert normalise_nick(nick) == nick
        assert name_key(nick) == name_key(name_key(nick))


# -- invisible characters and one-line fields (PROTOCOL.md, Version 2, Identity, "Look-alike names") --
import unicodedata  # noqa: E402

from shared.names import BIDI_CONTROLS, DEFAULT_IGNORABLE, clean_text, one_line  # noqa: E402


def test_names_lose_every_default_ignorable_code_point():
    for cp in sorted(DEFAULT_IGNORABLE)[::7]:
        assert normalise_nick(f"al{chr(cp)}ice") == "alice", hex(cp)
    assert name_key("al\u200bice") == name_key("alice")


def test_the_default_ignorable_table_matches_the_unicode_data_python_has():
    # Every code point the table holds is a format, mark, filler or unassigned one (never a plain letter of a script).
    categories = {unicodedata.category(chr(cp)) for cp in DEFAULT_IGNORABLE}
    assert categories <= {"Cf", "Mn", "Lo", "Cn"}
    assert {0x200B, 0x200D, 0x202E, 0x3164, 0xFE0F, 0xE0001} <= DEFAULT_IGNORABLE


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("plain", "plain"),
        ("a\r\nb\rc\u2028d\u2029e\x85f\x0bg\x0ch", "a\nb\nc\nd\ne\nf\ng\nh"),
        ("no\x00nul\x07bell\x1b[2J", "nonulbell[2J"),
        ("bi\u202edi\u2066x\u2069\u200e\u200f\u061c", "bidix"),
        ("zw\u200bsp\u2060wj\ufeffbom", "zwspwjbom"),
        ("keep\u200cnon\u200djoiner\ufe0f", "keep\u200cnon\u200djoiner\ufe0f"),
        ("tab\tstays", "tab\tstays"),
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        ("off to lunch", "off to lunch"),
        ("  a\n\nb\r\nc\u2028d\te  ", "a b c d e"),
        ("x\u202e\u200by", "xy"),
        ("", ""),
        ("\n\t\u2029", ""),
    ],
)
def test_one_line(raw, line):
    assert one_line(raw) == line


def test_one_line_caps_with_an_ellipsis():
    assert one_line("w" * 300) == "w" * 199 + "…"
    assert one_line("word " * 100, 20) == "word word word word…"


@given(st.text(max_size=500))
@settings(max_examples=300)
def test_one_line_is_always_one_line_of_printable_text(raw):
    line = one_line(raw)
    assert len(line) <= 200
    assert not any(ch in line for ch in "\n\r\t\x0b\x0c\x85\u2028\u2029")
    assert not any(unicodedata.category(ch) == "Cc" or ord(ch) in BIDI_CONTROLS for ch in line)
