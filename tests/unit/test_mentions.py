"""Mentions: whole word, any case, nicknames with _ and - and non-Latin letters, ranges to highlight."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chat_gui.text.mentions import _folded_with_origins, mention_ranges, mentions
from shared.names import name_key


@pytest.mark.parametrize(
    "text",
    [
        "ann",
        "hi ann",
        "Ann, are you there?",
        "ANN!",
        "@ann look",
        "(ann)",
        "ann's book",
        "ann: done",
        "thanks ann.",
        "ann\nnext line",
        "\tann\t",
        "😄ann😄",
        "ａｎｎ here",  # full-width letters fold to the same name, as the server compares names
        "«ann»",
        "ann…",
    ],
)
def test_named(text):
    assert mentions(text, "ann")


@pytest.mark.parametrize(
    "text",
    [
        "joanne",
        "annie",
        "banner",
        "ann_b",
        "ann-marie",
        "marie-ann",
        "_ann",
        "ann2",
        "2ann",
        "anń",  # n + combining acute: another letter
        "a nn",
        "",
        "an",
    ],
)
def test_not_named_inside_another_word(text):
    assert not mentions(text, "ann")


@pytest.mark.parametrize(
    ("nick", "text", "expected"),
    [
        ("ann_b", "hey ann_b!", True),
        ("ann_b", "hey ann!", False),
        ("ann_b", "hey ANN_B", True),
        ("ann_b", "hey ann_bob", False),
        ("x-ray", "ping X-Ray now", True),
        ("x-ray", "ping x-rays now", False),
        ("Zoë", "zoë?", True),
        ("Zoë", "zoe\u0308 here", True),  # the same name written with a combining diaeresis
        ("Zoë", "zoe here", False),
        ("Straße", "STRASSE ist da", True),  # casefolded as the server compares names
        ("Дима", "привет, дима!", True),
        ("Дима", "Димас пришёл", False),
        ("Σωκράτης", "ΣΩΚΡΆΤΗΣ είπε", True),
        ("محمد", "مرحبا محمد", True),
        ("小明", "你好小明同学", True),  # no spaces in Chinese: next to Han is a boundary
        ("小明", "hello 小明!", True),
        ("さくら", "こんにちはさくらさん", True),
        ("ann", "你好ann", True),
        ("ann", "", False),
    ],
)
def test_nicknames_in_other_scripts_and_with_name_characters(nick, text, expected):
    assert mentions(text, nick) is expected


def test_ranges_for_every_mention_in_order():
    text = "Ann and ann, not joanne, but ANN."
    ranges = mention_ranges(text, "ann")
    assert [text[start:end] for start, end in ranges] == ["Ann", "ann", "ANN"]
    assert ranges == sorted(ranges)


def test_ranges_are_offsets_into_the_original_text_after_emoji_and_folding():
    text = "😄😄 ａｎｎ and ANN"
    ranges = mention_ranges(text, "ann")
    assert [text[start:end] for start, end in ranges] == ["ａｎｎ", "ANN"]
    decomposed = "hi zoe\u0308!"
    [(start, end)] = mention_ranges(decomposed, "zoë")
    assert decomposed[start:end] == "zoe\u0308"


def test_a_folded_letter_is_never_split():
    # "ß" folds to "ss": a nick "s" must not match half of it, and "ss" matches the whole letter.
    assert not mentions("Straße", "s")
    assert mention_ranges("ß", "ss") == [(0, 1)]


def test_empty_or_blank_nick_names_nobody():
    assert mention_ranges("anything at all", "") == []
    assert mention_ranges("anything at all", "   ") == []


nick_chars = st.characters(whitelist_categories=("Ll", "Lu", "Nd"), whitelist_characters="_-")


@given(
    nick=st.text(nick_chars, min_size=1, max_size=12),
    before=st.sampled_from(["", " ", "hi ", "@", "(", "😄", "\n"]),
    after=st.sampled_from(["", " ", "!", ")", ": x", "😄", "'s"]),
)
def test_a_nick_standing_alone_is_always_found_where_it_stands(nick, before, after):
    text = before + nick + after
    ranges = mention_ranges(text, nick)
    assert (len(before), len(before) + len(nick)) in ranges


@given(nick=st.text(nick_chars, min_size=1, max_size=12), glue=st.sampled_from(["a", "Z", "7", "_", "-"]))
def test_a_nick_glued_to_more_name_characters_is_not_found_there(nick, glue):
    text = glue + nick + glue
    assert (1, 1 + len(nick)) not in mention_ranges(text, nick)


@pytest.mark.parametrize("nick", ["၀", "๑๒", "a၀"])
def test_digits_of_unspaced_scripts_glue_like_any_digit(nick):
    """Found by Hypothesis: a Myanmar digit next to a Latin letter is one word, not a boundary."""
    assert (1, 1 + len(nick)) not in mention_ranges("a" + nick + "a", nick)


def _folded_slowly(text: str) -> str:
    """The fold as it was before the ASCII shortcut: name_key of each base character with its marks."""
    pieces, index = [], 0
    while index < len(text):
        end = index + 1
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1
        pieces.append(name_key(text[index:end]))
        index = end
    return "".join(pieces)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F)), st.text(alphabet="aAbB_-1 \u0301ÄßＡ\u200b", max_size=8))
def test_the_ascii_shortcut_folds_as_name_key_does(ascii_text: str, other: str) -> None:
    # A probe's 2,000-character messages cost the window 6 ms each in name_key calls; ASCII now folds at once.
    for text in (ascii_text, ascii_text + other, other + ascii_text):
        folded, starts, ends = _folded_with_origins(text)
        assert folded == _folded_slowly(text)
        assert len(starts) == len(ends) == len(folded)
        if text.isascii():
            assert starts == list(range(len(text))) and ends == list(range(1, len(text) + 1))
