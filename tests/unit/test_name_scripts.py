"""Unit tests for shared/name_scripts.py: which scripts a name uses, and refusing mixed-script nicknames."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.errors import ErrorCode, ProtocolError
from shared.name_scripts import check_single_script, is_mixed_script, mixed_script_reason, script_of, scripts_of


@pytest.mark.parametrize(
    "nick",
    [
        "Mr_Smith",
        "r2-d2",
        "snake_case",
        "Zoë",
        "Zoe\u0308",  # decomposed: the diaeresis is Inherited
        "François",
        "Łukasz",
        "Мария",
        "Иван_2",
        "Ελένη",
        "李小龍",
        "さくら",
        "さくら_サクラ",
        "田中さん",
        "Taro_田中",  # Latin with Japanese
        "Li_小龍",
        "Wang_ㄅㄆ",  # Latin, Bopomofo
        "김민준",
        "Kim_김민준",  # Latin with Hangul
        "محمد",
        "١٢٣",  # Arabic-Indic digits alone
        "דוד",
        "राम",
        "अनु",
        "12345",
        "_-_",
    ],
)
def test_names_of_one_script_are_fine(nick):
    assert mixed_script_reason(nick) is None
    assert not is_mixed_script(nick)
    check_single_script(nick)


@pytest.mark.parametrize(
    ("nick", "odd_one"),
    [
        ("\u041cr_Smith", "\u041c"),  # Cyrillic EM among Latin
        ("Mr_Sm\u0456th", "\u0456"),  # Cyrillic i
        ("\u0391lice", "\u0391"),  # Greek ALPHA
        ("p\u03b1ul", "\u03b1"),  # Greek alpha
        ("\u0406\u0432\u0430\u0399", "\u0399"),  # Cyrillic with a Greek IOTA
        ("\u0585scar", "\u0585"),  # Armenian oh
        ("\u13aanna", "\u13aa"),  # Cherokee A
        ("Ali_\u0639\u0644\u06cc", "A"),  # Latin and Arabic, three each
        ("abc\u0661", "\u0661"),  # an Arabic-Indic digit in a Latin name
        ("さくらIvan\u0418", "\u0418"),  # Japanese and Latin are fine together, Cyrillic is not
    ],
)
def test_mixed_script_nicknames_are_refused_naming_the_odd_character(nick, odd_one):
    reason = mixed_script_reason(nick)
    assert reason is not None
    assert repr(odd_one) in reason
    with pytest.raises(ProtocolError) as raised:
        check_single_script(nick)
    assert raised.value.code == ErrorCode.BAD_NICK
    assert "one alphabet" in raised.value.message


def test_the_reason_names_the_scripts():
    assert mixed_script_reason("\u041cr_Smith") == "It mixes Latin letters with Cyrillic ones ('М' is Cyrillic)."


def test_digits_of_two_number_systems_are_refused():
    assert mixed_script_reason("\u0661\u0662\u0033") is not None  # Arabic-Indic 1, 2 with ASCII 3
    assert mixed_script_reason("\u0967\u0968") is None  # Devanagari digits alone
    assert mixed_script_reason("राम\u0967") is None
    assert mixed_script_reason("राम1\u0967") is not None
    # A full-width digit is a system of its own until NFKC (which nicknames get first) makes it ASCII.
    assert mixed_script_reason("abc1\uff12") is not None
    assert mixed_script_reason(unicodedata.normalize("NFKC", "abc1\uff12")) is None


def test_scripts_of_leaves_out_common_and_inherited():
    assert scripts_of("a_1-\u0301") == {"LATIN"}
    assert scripts_of("12_-") == set()
    assert scripts_of("\u041cr") == {"CYRILLIC", "LATIN"}
    assert script_of("Ж") == "CYRILLIC"
    assert script_of("λ") == "GREEK"
    assert script_of("_") == "COMMON"
    assert script_of("\u0301") == "INHERITED"


LATIN = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
CYRILLIC = st.characters(min_codepoint=0x0410, max_codepoint=0x044F)
GREEK = st.characters(min_codepoint=0x03B1, max_codepoint=0x03C9)
SHARED = st.sampled_from("0123456789_-")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.one_of(LATIN, SHARED), min_size=1), st.lists(st.one_of(CYRILLIC, GREEK), min_size=1), st.randoms())
def test_any_latin_name_with_any_cyrillic_or_greek_letter_is_refused(latin, foreign, random):
    chars = latin + foreign
    random.shuffle(chars)
    nick = "".join(chars)
    if any(ch.isalpha() for ch in latin):
        assert is_mixed_script(nick)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.one_of(CYRILLIC, SHARED), min_size=1), st.lists(st.one_of(GREEK, SHARED), min_size=1))
def test_one_script_with_digits_and_marks_is_always_fine(cyrillic, greek):
    assert not is_mixed_script("".join(cyrillic))
    assert not is_mixed_script("".join(greek))
