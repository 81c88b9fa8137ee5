"""Unit tests for chat_server/identity/join_code.py: codes nobody misreads, compared forgivingly and in constant time."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chat_server.identity.join_code import (
    ALPHABET,
    CODE_LENGTH,
    clean_chosen_code,
    comparison_form,
    format_join_code,
    join_code_matches,
    new_join_code,
)

LOOK_ALIKE_GROUPS = ["0OQD", "1IL", "2Z", "5S", "8B", "6G", "UV", "VY"]


def test_the_alphabet_has_no_two_characters_of_one_look_alike_group():
    for group in LOOK_ALIKE_GROUPS:
        assert sum(ch in ALPHABET for ch in group) <= 1, group
    for excluded in "0OQD1IL2Z5SBGV":
        assert excluded not in ALPHABET
    assert ALPHABET.upper() == ALPHABET
    assert len(set(ALPHABET)) == len(ALPHABET) == 22


def test_folding_never_merges_two_characters_of_the_alphabet():
    assert [comparison_form(ch) for ch in ALPHABET] == list(ALPHABET)


def test_new_codes_are_six_characters_of_the_alphabet_and_vary():
    codes = [new_join_code() for _ in range(2000)]
    assert all(len(code) == CODE_LENGTH and set(code) <= set(ALPHABET) for code in codes)
    assert len(set(codes)) >= 1990
    used = set("".join(codes))
    assert used == set(ALPHABET)  # every character turns up


def test_a_code_is_shown_in_two_halves():
    assert format_join_code("k7mxr4") == "K7M-XR4"
    assert format_join_code("K7M XR4") == "K7M-XR4"
    assert format_join_code("ABCD") == "ABCD"
    assert format_join_code("ABCDEFG") == "ABCD-EFG"


@pytest.mark.parametrize(
    "typed",
    [
        "K7MXR4",
        "k7mxr4",
        "K7M-XR4",
        " k7m xr4 ",
        "K.7.M.X.R.4",
        "K7M_XR4",
        "Ｋ７ＭＸＲ４",  # full width
        "k7m\txr4",
    ],
)
def test_the_made_code_matches_however_it_is_typed(typed):
    assert join_code_matches("K7MXR4", typed)


def test_look_alikes_of_kept_characters_are_forgiven():
    assert join_code_matches("8HJ6UA", "BHJGVA")
    assert join_code_matches("8HJ6UA", "bhjgva")


@pytest.mark.parametrize("typed", ["ROOM10", "r00m1o", "RO OM-IO", "rqomlo", "ROOMIO"])
def test_an_admin_code_with_look_alikes_matches_either_way(typed):
    assert join_code_matches(clean_chosen_code("room-10"), typed)


@pytest.mark.parametrize(
    "typed", ["", "K7MXR", "K7MXR44", "K7MXR5", "47MXR4", "K7MXR4K7MXR4", "K7M XR", "K7МXR4", "x" * 100_000]
)
def test_other_codes_do_not_match(typed):
    assert not join_code_matches("K7MXR4", typed)


def test_an_empty_code_matches_nothing():
    assert not join_code_matches("", "")
    assert not join_code_matches("", "anything")
    assert not join_code_matches("--", "  ")


@pytest.mark.parametrize(("raw", "kept"), [("Bio-101", "BIO101"), ("ＡＢＣＤ", "ABCD"), ("lesson 7a", "LESSON7A")])
def test_an_admin_may_choose_a_code(raw, kept):
    assert clean_chosen_code(raw) == kept


@pytest.mark.parametrize("raw", ["", "abc", "x" * 33, "café1", "a!b@c#", "Кодик", "    "])
def test_an_admin_code_must_be_4_to_32_ascii_letters_and_digits(raw):
    with pytest.raises(ValueError, match="4 to 32"):
        clean_chosen_code(raw)


FORGIVEN = {"8": "8B", "6": "6G", "U": "UV"}


@st.composite
def mistyped(draw):
    code = "".join(draw(st.lists(st.sampled_from(ALPHABET), min_size=CODE_LENGTH, max_size=CODE_LENGTH)))
    typed = []
    for ch in code:
        ch = draw(st.sampled_from(FORGIVEN.get(ch, ch)))
        if draw(st.booleans()):
            ch = ch.lower()
        typed.append(ch + draw(st.sampled_from(["", "", " ", "-"])))
    return code, "".join(typed)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(mistyped())
def test_any_forgivable_typing_of_a_made_code_matches(pair):
    code, typed = pair
    assert join_code_matches(code, typed)
    assert join_code_matches(code, format_join_code(code))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(ALPHABET, min_size=CODE_LENGTH, max_size=CODE_LENGTH), st.integers(0, CODE_LENGTH - 1), st.data())
def test_a_code_with_one_character_changed_never_matches(code, position, data):
    other = data.draw(st.sampled_from(ALPHABET.replace(code[position], "")))
    assert not join_code_matches(code, code[:position] + other + code[position + 1 :])
