"""Palettes and nickname colours: WCAG 2.x contrast for every text colour, own name kept apart."""

from __future__ import annotations

import random
import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from shared.names import name_key
from shared.palette import (
    AA_GRAPHICS,
    AA_TEXT,
    DARK,
    LIGHT,
    PALETTES,
    contrast_ratio,
    nick_colour,
    nick_hue,
    parse_hex,
    relative_luminance,
)

PALETTE_LIST = [LIGHT, DARK]


def test_contrast_ratio_known_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#3a7", "#3a7") == pytest.approx(1.0)
    # Grey #777777 on white is the textbook near miss: 4.48:1, just under AA.
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#767676", "#ffffff") >= AA_TEXT
    assert relative_luminance("#ffffff") == pytest.approx(1.0)
    assert relative_luminance("#000") == 0.0


@pytest.mark.parametrize("bad", ["", "#12345", "red", "#1234567"])
def test_parse_hex_refuses_what_is_not_a_colour(bad):
    with pytest.raises(ValueError):
        parse_hex(bad)


@pytest.mark.parametrize("palette", PALETTE_LIST, ids=lambda p: p.name)
def test_every_text_colour_reaches_aa_on_its_background(palette):
    failures = [
        (what, fg, bg, round(contrast_ratio(fg, bg), 2))
        for what, fg, bg in palette.text_pairs()
        if contrast_ratio(fg, bg) < AA_TEXT
    ]
    assert failures == []
    assert len(palette.text_pairs()) >= 15


@pytest.mark.parametrize("palette", PALETTE_LIST, ids=lambda p: p.name)
def test_status_dots_reach_the_graphics_contrast(palette):
    assert all(contrast_ratio(fg, bg) >= AA_GRAPHICS for _what, fg, bg in palette.graphic_pairs())


def test_palettes_are_light_and_dark():
    assert relative_luminance(LIGHT.background) > 0.8 > 0.05 > relative_luminance(DARK.background)
    assert set(PALETTES) == {"light", "dark"}


def random_nicks(count: int, seed: int = 16) -> list[str]:
    chooser = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + "_-" + "äöüßéДимаΣωκράτης小明さくら"
    return ["".join(chooser.choices(alphabet, k=chooser.randint(1, 24))) for _ in range(count)]


@pytest.mark.parametrize("palette", PALETTE_LIST, ids=lambda p: p.name)
def test_thousands_of_nick_colours_reach_aa_and_never_look_like_mine(palette):
    own_hue = palette.own_hue
    for nick in random_nicks(3000):
        colour = nick_colour(nick, palette, me="someone_else")
        assert contrast_ratio(colour, palette.background) >= AA_TEXT, (nick, colour)
        assert contrast_ratio(colour, palette.mention_background) >= AA_TEXT, (nick, colour)
        assert colour != palette.own_name
        distance = abs((nick_hue(colour) - own_hue + 180) % 360 - 180)
        assert distance >= 25, (nick, colour, distance)


@pytest.mark.parametrize("palette", PALETTE_LIST, ids=lambda p: p.name)
def test_nick_colours_vary(palette):
    colours = {nick_colour(nick, palette) for nick in random_nicks(300, seed=3)}
    assert len(colours) >= 100


@given(nick=st.text(st.characters(whitelist_categories=("Ll", "Lu", "Lo", "Nd")), min_size=1, max_size=24))
def test_a_nick_has_one_colour_however_it_is_written(nick):
    assume(name_key(nick.upper()) == name_key(nick) == name_key(nick.lower()))  # "ı".upper() is another name
    for palette in PALETTE_LIST:
        assert nick_colour(nick, palette) == nick_colour(nick.upper(), palette) == nick_colour(nick.lower(), palette)


def test_my_own_name_gets_the_own_colour_in_any_case():
    for palette in PALETTE_LIST:
        assert nick_colour("Ann", palette, me="ann") == palette.own_name
        assert nick_colour("ａｎｎ", palette, me="Ann") == palette.own_name
        assert nick_colour("ann", palette, me="bob") != palette.own_name
        assert nick_colour("ann", palette) == nick_colour("ann", palette, me="bob")
