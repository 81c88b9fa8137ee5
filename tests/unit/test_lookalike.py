"""Unit tests for shared/lookalike.py: invisible characters, skeletons and the look-alike index."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared import lookalike
from shared.errors import ErrorCode
from shared.lookalike import (
    BIDI_CONTROLS,
    LookalikeIndex,
    is_default_ignorable,
    lookalike_keys,
    looks_alike,
    nick_lookalike_error,
    room_lookalike_error,
    skeleton,
    strip_invisible_from_name,
    strip_invisible_from_text,
)
from shared.names import is_nick_shaped, name_key, normalise_nick

REGISTERED = "Mr_Smith"

# Each one could pass for Mr_Smith in a user list.
MR_SMITH_VARIANTS = [
    "mr_smith",  # case
    "MR_SMITH",
    "mR_sMITH",
    "ＭＲ＿ＳＭＩＴＨ",  # full width
    "Ｍr_Ｓmith",
    "𝐌𝐫_𝐒𝐦𝐢𝐭𝐡",  # mathematical bold
    "\u041cr_Smith",  # Cyrillic capital EM
    "Mr_\u0405mith",  # Cyrillic capital DZE
    "Mr_Sm\u0456th",  # Cyrillic small Byelorussian-Ukrainian I
    "Mr_Smit\u04bb",  # Cyrillic small SHHA
    "\u039cr_Smith",  # Greek capital MU
    "\u041c\u0433_\u0405mith",  # Cyrillic EM, GHE (looks like r), DZE
    "Mr_Srnith",  # rn for m
    "\u1e43r_smith",  # m with dot below
    "Mr_Smíth",  # acute accent
    "Mr_Smi\u0308th",  # combining diaeresis
    "MR_SMlTH",  # lower-case L for capital I
    "Mr\u200b_Smith",  # zero-width space
    "Mr_Sm\u200dith",  # zero-width joiner
    "\u2060Mr_Smith",  # word joiner
    "Mr_Smith\ufeff",  # byte order mark
    "Mr_Sm\u00adith",  # soft hyphen
    "Mr_Smith\u3164",  # Hangul filler (a letter that shows nothing)
    "Mr_Smith\ufe0f",  # variation selector
    "\u202eMr_Smith",  # right-to-left override
    "Mr_\u2066Smith\u2069",  # left-to-right isolate
    "\u200fMr_Smith\u200e",  # RLM, LRM
    "Mr_\u061cSmith",  # Arabic letter mark
    "Mr_Smith\U000e0041",  # tag character
]

# Clearly different names that must not clash with Mr_Smith.
NOT_MR_SMITH = ["Mr_Smyth", "Ms_Smith", "Mr_Smith2", "Mr_Jones", "Mr-Smith", "MrSmith", "Mr_Smit", "Dr_Smith", "Smith"]


@pytest.mark.parametrize("variant", MR_SMITH_VARIANTS)
def test_every_variant_of_a_registered_nickname_clashes(variant):
    assert looks_alike(variant, REGISTERED)
    index = LookalikeIndex([REGISTERED])
    assert index.find(variant) == REGISTERED


@pytest.mark.parametrize("other", NOT_MR_SMITH)
def test_clearly_different_names_do_not_clash(other):
    assert not looks_alike(other, REGISTERED)
    assert LookalikeIndex([REGISTERED]).find(other) is None


def test_the_issue_example_cyrillic_em():
    index = LookalikeIndex(["Mr_Smith"])
    assert index.find("Мr_Smith") == "Mr_Smith"
    assert "Мr_Smith" != "Mr_Smith"  # the example really uses a Cyrillic letter
    assert unicodedata.name("Мr_Smith"[0]) == "CYRILLIC CAPITAL LETTER EM"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Alice", "\u0391lice"),  # Greek capital ALPHA
        ("Alice", "\u0410lice"),  # Cyrillic capital A
        ("alice", "\u0430lice"),  # Cyrillic small a
        ("paul", "\u0440aul"),  # Cyrillic er
        ("Paul", "\u03a1aul"),  # Greek RHO
        ("oscar", "\u0585scar"),  # Armenian oh
        ("Anna", "\u13aanna"),  # Cherokee A
        ("hello", "hel1o"),  # digit one for l
        ("general", "generaI"),  # capital I for l
        ("BOB", "B0B"),  # zero for O
        ("b0b", "Bob"),  # zero for o: without case, B0b shows as bob
        ("XII", "\u216b"),  # Roman numeral twelve
        ("straße", "STRASSE"),  # casefold makes ss
        ("カイ", "力イ"),  # Katakana KA and Han 'power'
        ("Zoë", "Zoe"),
        ("Đuc", "Duc"),
        ("Ms_Lee", "Ms\u0640Lee"),  # Arabic tatweel for the underscore
        ("Bob", "Bob\u02cc"),  # spacing modifier letters: a tick, a dot, an apostrophe after the name
        ("Bob", "Bob\u02d1"),
        ("Bob", "B\u02bcob"),
        ("Hawaii", "Hawai\u02bbi"),
        ("Bob", "Bob\ua78c"),  # the Latin saltillo: an apostrophe
        ("Bob", "Bob\ua78f"),  # the Latin sinological dot: a middle dot
        ("Ms-Lee", "Ms\u30fcLee"),  # the Katakana long-vowel mark between Latin letters
        ("Ms-Lee", "Ms\u4e00Lee"),  # Han "one"
    ],
)
def test_look_alike_pairs_from_other_scripts_and_shapes(first, second):
    assert looks_alike(first, second)
    assert looks_alike(second, first)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Ryan", "Ruan"),  # case and shape must not chain (u~υ~Υ~Y~y)
        ("李小龍", "李小龙"),  # traditional and simplified dragon: different characters
        ("अनु", "अन"),  # a Devanagari vowel sign is part of the name
        ("abc", "acb"),
        ("Mr_Smlth", "Mr_Smith"),  # l and i differ by the dot
        ("Eli", "Ely"),
        ("Ivan", "Iван"),  # mixed script, but it is not a look-alike of Ivan
        ("Bob", "Bo\u0640b"),  # a tatweel is an underscore, and Bo_b is not Bob
        ("ラーメン", "ラメン"),  # the long-vowel mark is a letter of the name
    ],
)
def test_names_that_do_not_look_alike(first, second):
    assert not looks_alike(first, second)


# Common first names: only pairs that really do look alike may clash.
COMMON_NAMES_TEXT = """
James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara Richard Susan Joseph Jessica
Thomas Sarah Charles Karen Christopher Nancy Daniel Lisa Matthew Betty Anthony Margaret Mark Sandra Donald Ashley
Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth Dorothy Kevin Carol Brian Amanda George Melissa
Edward Deborah Ronald Stephanie Timothy Rebecca Jason Sharon Jeffrey Laura Ryan Cynthia Jacob Kathleen Gary Amy
Nicholas Shirley Eric Angela Jonathan Helen Stephen Anna Larry Brenda Justin Pamela Scott Nicole Brandon Emma
Benjamin Samantha Samuel Katherine Gregory Christine Frank Debra Alexander Rachel Raymond Catherine Patrick Carolyn
Jack Janet Dennis Ruth Jerry Maria Tyler Heather Aaron Diane Jose Virginia Adam Julie Henry Joyce Nathan Victoria
Douglas Olivia Zachary Kelly Peter Christina Kyle Lauren Walter Joan Ethan Evelyn Jeremy Judith Harold Megan Keith
Cheryl Christian Andrea Roger Hannah Noah Martha Gerald Jacqueline Carl Frances Terry Gloria Sean Ann Austin Teresa
Arthur Kathryn Lawrence Sara Jesse Janice Dylan Jean Bryan Alice Joe Madison Jordan Doris Billy Abigail Bruce Julia
Albert Judy Willie Grace Gabriel Denise Logan Amber Alan Marilyn Juan Beverly Wayne Danielle Roy Theresa Ralph Sophia
Li Liu Lin Lim Kim Lee Ali Eli Ella Ellie Lia Liam Lily Lila Leila Layla Mia Mila Nia Nina Ana Anne Ami Emi Erin Erik
Iris Ivy Ida Ada Otto Omar Oscar Owen Ola Olga Igor Ivan Yuri Yuna Yun Yan Tim Tom Tam Kai Kay Jay Joy Zoe Max Mac
Sam Sami Amir Emir Timo Tina Lina Luna Leo Lea Levi Lev Ari Ira Ilia Ilya Elia Elin Ellen Eileen Colin Collin Cole
Chloe Cleo Rory Rob Bob Bill Will Jill Gill Lilly Milly Molly Holly Polly
Ian Lan Amie Arnie
"""
COMMON_NAMES = COMMON_NAMES_TEXT.split()
KNOWN_LOOK_ALIKES = {("Ian", "Lan"), ("Amie", "Arnie")}  # "Ian" shows as "lan"; "rn" passes for "m"


def test_common_first_names_clash_only_where_they_really_look_alike():
    index = LookalikeIndex()
    clashes = set()
    for name in COMMON_NAMES:
        found = index.find(name)
        if found is not None:
            clashes.add(tuple(sorted((found, name), key=COMMON_NAMES.index)))
        index.add(name)
    assert clashes == KNOWN_LOOK_ALIKES


# Homoglyph substitutes from other scripts, same case as the Latin letter they pass for.
SUBSTITUTES = {
    "a": "\u0430",
    "c": "\u0441",
    "e": "\u0435",
    "i": "\u0456",
    "j": "\u0458",
    "o": "\u043e\u03bf\u0585",
    "p": "\u0440\u03c1",
    "s": "\u0455",
    "x": "\u0445",
    "y": "\u0443",
    "A": "\u0410\u0391",
    "B": "\u0412\u0392",
    "C": "\u0421",
    "E": "\u0415\u0395",
    "H": "\u041d\u0397",
    "I": "\u0406\u0399",
    "K": "\u041a\u039a",
    "M": "\u041c\u039c",
    "N": "\u039d",
    "O": "\u041e\u039f",
    "P": "\u0420\u03a1",
    "S": "\u0405",
    "T": "\u0422\u03a4",
    "X": "\u0425\u03a7",
    "Y": "\u03a5",
    "Z": "\u0396",
}
INVISIBLES = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u3164", "\ufe0f", *sorted(BIDI_CONTROLS)]


@st.composite
def spoofed_names(draw):
    original = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", min_size=1))
    chars = []
    for ch in original:
        if ch in SUBSTITUTES and draw(st.booleans()):
            ch = draw(st.sampled_from(SUBSTITUTES[ch]))
        if draw(st.integers(0, 5)) == 0:
            ch = draw(st.sampled_from(INVISIBLES)) + ch
        chars.append(ch)
    spoof = "".join(chars)
    spoof = draw(st.sampled_from([spoof, spoof.upper(), spoof.lower(), spoof.casefold()]))
    if draw(st.booleans()):  # full width where there is one
        spoof = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in spoof)
    return original, spoof


@settings(max_examples=400, deadline=None, derandomize=True)
@given(spoofed_names())
def test_any_mix_of_homoglyphs_invisibles_case_and_width_clashes(pair):
    original, spoof = pair
    assert looks_alike(original, spoof)
    assert LookalikeIndex([original]).find(spoof) is not None


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=30))
def test_a_skeleton_is_stable_and_looks_alike_is_symmetric(text):
    once = skeleton(text)
    assert skeleton(once) == once
    assert looks_alike(text, text)
    assert looks_alike(text, once) == looks_alike(once, text)


NICK_CHARACTERS = st.characters(categories=("Lu", "Ll", "Lt", "Lm", "Lo", "Nd"))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(NICK_CHARACTERS, min_size=1, max_size=24))
def test_names_equal_apart_from_case_always_clash(text):
    if is_nick_shaped(text):
        nick = normalise_nick(text)
        for variant in (nick.upper(), nick.lower(), nick.casefold(), nick.swapcase(), nick.title()):
            if is_nick_shaped(variant) and name_key(variant) == name_key(nick):
                assert looks_alike(nick, variant)


# Emoji, CJK and other scripts


def test_emoji_and_cjk_are_handled_and_only_match_themselves():
    assert skeleton("😀") == "😀"
    assert looks_alike("😀", "😀")
    assert not looks_alike("😀", "😃")
    assert looks_alike("👩\u200d💻", "👩💻")  # a joiner is invisible in a name
    for name in ("李小龍", "さくら", "サクラ", "김민준", "Мария", "Ελένη", "محمد", "דוד", "राम"):
        assert looks_alike(name, name)
        assert LookalikeIndex([name]).find(name) == name
    assert not looks_alike("さくら", "サクラ")  # Hiragana and Katakana forms look different
    assert not looks_alike("Мария", "Maria")  # the Cyrillic "я" shows


def test_a_cjk_name_clashes_with_its_full_width_and_half_width_forms():
    assert looks_alike("ｻｸﾗ", "サクラ")  # half-width Katakana
    assert looks_alike("ＡＢＣ", "abc")


# Stripping invisible characters


@pytest.mark.parametrize(
    "code",
    [0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180E, 0x180F, 0x200B, 0x200F, 0x202A]
    + [0x202E, 0x2060, 0x2064, 0x2065, 0x2066, 0x206F, 0x3164, 0xFE00, 0xFE0F, 0xFEFF, 0xFFA0, 0xFFF0, 0xFFF8]
    + [0x1BCA0, 0x1BCA3, 0x1D173, 0x1D17A, 0xE0000, 0xE0001, 0xE0020, 0xE007F, 0xE0100, 0xE01EF, 0xE0FFF],
)
def test_every_default_ignorable_is_removed_from_names(code):
    ch = chr(code)
    assert is_default_ignorable(ch)
    assert strip_invisible_from_name(f"a{ch}b{ch}") == "ab"


@pytest.mark.parametrize("ch", ["a", " ", "_", "-", "\u00ac", "\u0300", "\u1161", "\u2028", "\ufff9", "\U000e1000"])
def test_ordinary_characters_are_not_default_ignorable(ch):
    assert not is_default_ignorable(ch)
    assert strip_invisible_from_name(f"x{ch}") == f"x{ch}"


def test_every_bidi_control_of_the_contract_goes_from_names_and_text():
    expected = {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]}
    assert expected == BIDI_CONTROLS
    for ch in expected:
        assert strip_invisible_from_name(f"ab{ch}c") == "abc"
        assert strip_invisible_from_text(f"ab{ch}c") == "abc"


def test_text_keeps_joiners_and_variation_selectors_but_loses_zero_width_spaces():
    family = "👩\u200d👩\u200d👧"
    heart = "❤\ufe0f"
    persian = "می\u200cخواهم"
    assert strip_invisible_from_text(family) == family
    assert strip_invisible_from_text(heart) == heart
    assert strip_invisible_from_text(persian) == persian
    assert strip_invisible_from_text("a\u200bb\u2060c\ufeffd") == "abcd"
    assert strip_invisible_from_text("evil\u202egnp.exe") == "evilgnp.exe"


def test_names_lose_joiners_and_fillers_too():
    assert strip_invisible_from_name("می\u200cخواهم") == "میخواهم"
    assert strip_invisible_from_name("\u3164\u3164") == ""
    assert strip_invisible_from_name("bob\u115f") == "bob"


def test_a_name_of_only_invisible_characters_becomes_empty_and_is_refused():
    stripped = strip_invisible_from_name("\u3164\u200b\ufe0f")
    assert stripped == ""
    assert not is_nick_shaped(stripped)


# The index


def test_the_index_finds_by_dict_lookups_whatever_its_size(monkeypatch):
    index = LookalikeIndex(f"student{i}" for i in range(2000))
    index.add("Mr_Smith")
    calls = []
    real = lookalike._visual_skeleton

    def counting(name: str) -> str:
        calls.append(name)
        return real(name)

    monkeypatch.setattr(lookalike, "_visual_skeleton", counting)
    assert index.find("Мr_Smith") == "Mr_Smith"
    assert index.find("nobody_like_this") is None
    assert len(calls) <= 2 * 4  # the asker's keys only, never one per name in the index


def test_ignore_skips_the_askers_own_names():
    index = LookalikeIndex(["Mr_Smith", "alice"])
    assert index.find("MR_SMITH") == "Mr_Smith"
    assert index.find("MR_SMITH", ignore=["mr_smith"]) is None  # renaming oneself to another case
    assert index.find("Мr_Smith", ignore=["Mr_Smith"]) is None  # by name key, in any case
    assert index.find("ALICE", ignore=["Mr_Smith"]) == "alice"


def test_a_name_added_twice_stays_until_discarded_twice():
    index = LookalikeIndex()
    index.add("Mr_Smith")  # registered
    index.add("mr_smith")  # and online, in another case
    assert len(index) == 1
    assert "MR_SMITH" in index
    index.discard("mr_smith")
    assert index.find("Мr_Smith") == "Mr_Smith"
    index.discard("Mr_Smith")
    assert index.find("Мr_Smith") is None
    assert len(index) == 0
    assert "Mr_Smith" not in index
    index.discard("Mr_Smith")  # discarding what is not there is harmless
    assert index._by_key == {}


def test_discarding_one_name_leaves_its_look_alike_neighbours():
    index = LookalikeIndex(["Amie", "Arnie"])  # both were allowed in (say, registered before the check)
    index.discard("Arnie")
    assert index.find("Amie") == "Amie"
    assert index.find("Arnie") == "Amie"


def test_room_names_use_the_same_index():
    rooms = LookalikeIndex(["general", "maths"])
    assert rooms.find("generaI") == "general"
    assert rooms.find("ＧＥＮＥＲＡＬ") == "general"
    assert rooms.find("rnaths") == "maths"
    assert rooms.find("physics") is None


def test_refusals_name_the_look_alike_with_the_contract_codes():
    nick = nick_lookalike_error("Мr_Smith", "Mr_Smith")
    assert nick.code == ErrorCode.NICK_TAKEN
    assert "'Mr_Smith'" in nick.message
    room = room_lookalike_error("generaI", "general")
    assert room.code == ErrorCode.BAD_ROOM
    assert "'general'" in room.message


def test_lookalike_keys_cover_case_forms():
    keys = lookalike_keys("Mr_Smith")
    assert skeleton("Mr_Smith") in keys
    assert skeleton("MR_SMITH") in keys
    assert skeleton("mr_smith") in keys


def test_preload_loads_the_data_once():
    lookalike.preload()
    assert lookalike._prototypes.cache_info().currsize == 1
    assert lookalike._prototypes()["\u041c"] == "M"
    assert lookalike._prototypes()["m"] == "rn"
