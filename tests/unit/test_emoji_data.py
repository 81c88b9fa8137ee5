"""Shortcodes, completion, replacement, categories and search over the real `emoji` package data."""

from __future__ import annotations

import re

import emoji
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chat_gui.text import emoji_data
from chat_gui.text.emoji_data import CATEGORIES, catalogue, complete, emoji_in, replace_shortcodes, search
from chat_gui.text.emoji_groups import SKIN_TONES, ZWJ


def test_lookup_by_name_alias_any_case_apostrophe_and_without_accents():
    cat = catalogue()
    assert cat.lookup(":smile:") == "😄"
    assert cat.lookup(":grinning_face_with_smiling_eyes:") == "😄"
    assert cat.lookup(":SMILE:") == "😄"
    assert cat.lookup("thumbs_up") == "👍"
    assert cat.lookup(":+1:") == "👍"
    assert cat.lookup(":eight_o'clock:") == cat.lookup(":eight_o’clock:") == "🕗"
    assert cat.lookup(":piñata:") == cat.lookup(":pinata:") == "🪅"
    assert cat.lookup(":no_such_emoji:") is None
    assert cat.lookup("::") is None


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        (":smile:", "😄"),
        ("hi :smile:!", "hi 😄!"),
        (":smile::smile:", "😄😄"),
        ("(:smile:)", "(😄)"),
        ("line one\n:heart: line two", "line one\n❤️ line two"),
        (":thumbs_up: and :+1:", "👍 and 👍"),
        (":foo: :smile:", ":foo: 😄"),
        (":foo::smile:", ":foo:😄"),  # the unknown code's closing colon opens the next one
        ("a:smile:", "a:smile:"),  # glued to a word: not a code
        ("at 10:30:45 sharp", "at 10:30:45 sharp"),
        ("ratio 1:100:2", "ratio 1:100:2"),  # ":100:" is 💯, but not inside a ratio
        ("score :100:", "score 💯"),
        ("see https://example.org:8080/x", "see https://example.org:8080/x"),
        (": smile :", ": smile :"),
        (":smile", ":smile"),
        ("::", "::"),
        ("", ""),
        ("already 😄 here", "already 😄 here"),
        (":" + "a" * 200 + ":", ":" + "a" * 200 + ":"),
    ],
)
def test_replace_shortcodes(typed, sent):
    assert replace_shortcodes(typed) == sent


def test_replacement_agrees_with_the_emoji_package():
    """Names and aliases give what emoji.emojize(language="alias") gives.

    emojize takes seconds for all 5,000 codes, so this checks every code that
    is also another emoji's code, and every fourth of the rest.

    Two codes that differ only in case are one code here (":Japan:" the flag,
    ":japan:" the map); those are checked to resolve to one of the two.
    """
    by_key: dict[str, set[str]] = {}
    codes = []
    for char, info in emoji.EMOJI_DATA.items():
        if info["status"] != emoji_data.FULLY_QUALIFIED:
            continue
        for code in (info["en"], *info.get("alias", ())):
            codes.append(code)
            by_key.setdefault(emoji_data.code_key(code), set()).add(char)
    assert len(codes) > 4000
    shared = {key for key, owners in by_key.items() if len(owners) > 1}
    codes = [code for index, code in enumerate(codes) if index % 4 == 0 or emoji_data.code_key(code) in shared]
    mismatches = []
    # One call each way (emojize is slow per call); no emoji contains a space.
    ours_all = replace_shortcodes(" ".join(codes)).split(" ")
    theirs_all = emoji.emojize(" ".join(codes), language="alias").split(" ")
    for code, ours, theirs in zip(codes, ours_all, theirs_all, strict=True):
        same_code_in_another_case = by_key[emoji_data.code_key(code)]
        if ours != theirs and not (len(same_code_in_another_case) > 1 and ours in same_code_in_another_case):
            mismatches.append((code, ours, theirs))
    assert mismatches == []


def test_a_flag_alias_does_not_take_a_things_name():
    assert replace_shortcodes(":turkey: :tr: :japan: :jp:") == "🦃 🇹🇷 🗾 🇯🇵"


@given(st.text(alphabet=st.characters(blacklist_characters=":")))
def test_text_without_colons_is_untouched(text):
    assert replace_shortcodes(text) == text


@given(st.lists(st.sampled_from([":smile:", ":heart:", "10:30", " ", "qz", ":", "😄", ":nope:", "\n"]), max_size=12))
def test_replacement_keeps_every_character_that_is_not_a_known_code(parts):
    assert catalogue().lookup("qz") is None and catalogue().lookup("nope") is None
    text = "".join(parts)
    result = replace_shortcodes(text)
    assert result.count("qz") == text.count("qz")
    assert result.count("10") == text.count("10")
    assert result.count(":nope") >= text.count(":nope:")  # an unknown code is never eaten
    assert result.count("😄") == text.count("😄") + len(list(re.finditer(r"(?<![^\W_]):smile:", text)))


def test_completion_of_a_prefix():
    found = complete(":smi")
    codes = [candidate.shortcode for candidate in found]
    assert codes[0] == ":smile:" and found[0].char == "😄"
    assert ":smiley:" in codes and ":smirk:" in codes
    assert all(code.startswith(":smi") for code in codes[:5])
    assert len({candidate.char for candidate in found}) == len(found)  # one candidate per emoji
    assert [c.shortcode for c in complete(":SMI")] == codes


def test_completion_finds_later_words_after_whole_prefixes():
    codes = [candidate.shortcode for candidate in complete(":heart", limit=200)]
    assert codes[0] == ":heart:"
    assert ":red_heart:" not in codes or codes.index(":red_heart:") > codes.index(":heart_eyes:")
    later_word = [code for code in codes if not code.startswith(":heart")]
    assert later_word, "no code with 'heart' as a later word"
    first_later = codes.index(later_word[0])
    assert all(code.startswith(":heart") for code in codes[:first_later])


def test_completion_puts_skin_tones_after_plain_emoji():
    found = complete(":thumbs", limit=50)
    toned = [not SKIN_TONES.isdisjoint(c.char) for c in found]
    assert toned.index(True) > toned.index(False)
    assert toned[: toned.index(True)] == [False] * toned.index(True)


@pytest.mark.parametrize("fragment", ["smi", "", ":", ":sm ile", "::"])
def test_no_completion_for_what_is_not_a_code_fragment(fragment):
    assert complete(fragment) == []


def test_completion_limit():
    assert len(complete(":s", limit=7)) == 7
    assert complete(":s", limit=0) == []
    assert complete(":zzzzzzzz") == []


def test_every_picker_emoji_is_in_exactly_one_category_and_is_one_glyph():
    everything = [item for category in CATEGORIES for item in emoji_in(category)]
    assert len(everything) == len({item.char for item in everything}) > 1500
    for category in CATEGORIES:
        assert len(emoji_in(category)) > 50, category
    for item in everything:
        assert ZWJ not in item.char and SKIN_TONES.isdisjoint(item.char)
        assert emoji.EMOJI_DATA[item.char]["status"] == emoji_data.FULLY_QUALIFIED
    assert emoji_in("No such category") == ()


@pytest.mark.parametrize(
    ("char", "category"),
    [
        ("😀", "Smileys & Emotion"),
        ("❤️", "Smileys & Emotion"),
        ("😺", "Smileys & Emotion"),
        ("👍", "People & Body"),
        ("🧑", "People & Body"),
        ("🐈", "Animals & Nature"),
        ("🐶", "Animals & Nature"),
        ("🌻", "Animals & Nature"),
        ("🍕", "Food & Drink"),
        ("🌽", "Food & Drink"),
        ("🚗", "Travel & Places"),
        ("🌙", "Travel & Places"),
        ("⚽", "Activities"),
        ("♥️", "Activities"),
        ("💡", "Objects"),
        ("🎸", "Objects"),
        ("➡️", "Symbols"),
        ("#️⃣", "Symbols"),
        ("🇫🇷", "Flags"),
        ("🏴‍☠️", "Flags"),
    ],
)
def test_categories_where_unicode_puts_them(char, category):
    assert catalogue().emoji[char].category == category


def test_search_by_name_words():
    cats = search("cat")
    chars = [item.char for item in cats]
    assert "🐈" in chars and "😺" in chars and "🐱" in chars
    for item in cats:
        words = {w for code in item.shortcodes for w in emoji_data.code_key(code).replace("-", "_").split("_")}
        assert any(w.startswith("cat") for w in words), item
    assert "❤️" in [item.char for item in search("red hea")]
    assert search("   ") == []
    assert search("qqqqzzzz") == []
    assert all(item.in_picker for item in search("thumbs"))
