"""The colours of both windows, light and dark, with WCAG contrast checks and a stable colour per nickname (any thread).

No Tk here: shared_tk.theme applies a palette to a window; the admin window
can use the same palettes.  Every colour that text is drawn in is listed
with the background it is drawn on (Palette.text_pairs), and the tests hold
each pair to WCAG 2.x AA: a contrast ratio of at least 4.5:1.  Status dots
are graphics, held to 3:1 (WCAG 1.4.11).

Nickname colours: a hash of the nickname's key (as the server compares
names) picks a hue; the lightness is then solved so the colour reaches
4.5:1 on the pane and on a highlighted line, in light and dark alike.  A
band of hues around your own name's colour is left out, so nobody else's
name looks like yours.
"""

from __future__ import annotations

import colorsys
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from shared.names import name_key

T = TypeVar("T")

AA_TEXT = 4.5
AA_GRAPHICS = 3.0


def _channel(value: int) -> float:
    srgb = value / 255
    return srgb / 12.92 if srgb <= 0.04045 else ((srgb + 0.055) / 1.055) ** 2.4


def parse_hex(colour: str) -> tuple[int, int, int]:
    """'#1f6feb' -> (31, 111, 235); '#abc' is '#aabbcc'."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    if len(digits) != 6:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def to_hex(red: float, green: float, blue: float) -> str:
    """Channels from 0 to 1 as '#rrggbb'."""
    return "#" + "".join(f"{max(0, min(255, round(channel * 255))):02x}" for channel in (red, green, blue))


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour, from 0 (black) to 1 (white)."""
    red, green, blue = parse_hex(colour)
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.x contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class Palette:
    name: str  # "light" or "dark"
    window: str  # ttk widgets' background (the sv-ttk theme's)
    background: str  # text panes, lists, the entry
    text: str
    muted: str  # times, system lines, hints
    accent: str  # focus, unread counts, links in the ttk widgets
    own_name: str  # your own nickname; no other nickname gets this colour
    link: str
    error: str
    private: str  # private messages
    pending_text: str  # lines typed while offline, not yet sent
    pending_background: str
    mention_text: str  # a line that names you
    mention_background: str
    selection_text: str
    selection_background: str
    online: str  # status dots (graphics, 3:1)
    away: str
    own_hue: float  # degrees; the hue band other nicknames never get

    def text_pairs(self) -> list[tuple[str, str, str]]:
        """(what, text colour, background) for every text colour and the backgrounds it is drawn on."""
        pairs = []
        for what in ("text", "muted", "own_name", "link", "error", "private"):
            colour = getattr(self, what)
            pairs.append((what, colour, self.background))
            pairs.append((f"{what} on a mention", colour, self.mention_background))
        pairs += [
            ("window text", self.text, self.window),
            ("window muted", self.muted, self.window),
            ("accent on window", self.accent, self.window),
            ("pending", self.pending_text, self.pending_background),
            ("mention", self.mention_text, self.mention_background),
            ("selection", self.selection_text, self.selection_background),
        ]
        return pairs

    def graphic_pairs(self) -> list[tuple[str, str, str]]:
        return [("online dot", self.online, self.background), ("away dot", self.away, self.background)]


LIGHT = Palette(
    name="light",
    window="#fafafa",
    background="#ffffff",
    text="#1c1c1c",
    muted="#5e5e5e",
    accent="#005fb8",
    own_name="#0b57d0",
    link="#0a58ca",
    error="#b3261e",
    private="#6a1b9a",
    pending_text="#5c4400",
    pending_background="#fff4ce",
    mention_text="#1c1c1c",
    mention_background="#fff1b8",
    selection_text="#ffffff",
    selection_background="#2f60d8",
    online="#2e7d32",
    away="#b26a00",
    own_hue=218.0,
)

DARK = Palette(
    name="dark",
    window="#1c1c1c",
    background="#202020",
    text="#f0f0f0",
    muted="#a6a6a6",
    accent="#57c8ff",
    own_name="#7cacf8",
    link="#8ab4f8",
    error="#ff8a80",
    private="#d7aefb",
    pending_text="#ffe08a",
    pending_background="#3a3000",
    mention_text="#f8f8f8",
    mention_background="#3d3417",
    selection_text="#ffffff",
    selection_background="#2f60d8",
    online="#5cb85c",
    away="#f0a030",
    own_hue=218.0,
)

PALETTES = {"light": LIGHT, "dark": DARK}
THEME_CHOICES = ("system", "light", "dark")  # what a window's Theme menu offers; "system": as the desktop is


def for_palette(palette: Palette, table: Mapping[str, T]) -> T:
    """A window's own {"light": ..., "dark": ...} colours for `palette`: by its name, else by how light it is."""
    if palette.name in table:
        return table[palette.name]
    return table["light" if relative_luminance(palette.background) > 0.5 else "dark"]


_OWN_BAND = 30.0  # degrees either side of own_hue that other nicknames never get
_NICK_SATURATION = 0.7
_LIGHTNESS_STEPS = 400


def _lightness_for_contrast(hue: float, backgrounds: tuple[str, ...], dark_text: bool) -> str:
    """The colour of this hue nearest to mid-lightness that reaches AA_TEXT on every background.

    For a fixed hue and saturation, luminance grows with lightness, so the
    colours that pass form one run of lightness values (the darker ones on a
    light pane, the lighter ones on a dark pane); a binary search finds its
    edge, which is the most colourful colour that still reads.
    """

    def colour_at(step: int) -> str:
        return to_hex(*colorsys.hls_to_rgb(hue / 360, step / _LIGHTNESS_STEPS, _NICK_SATURATION))

    def passes(step: int) -> bool:
        colour = colour_at(step)
        luminance = relative_luminance(colour)
        on_the_right_side = all(
            (luminance < relative_luminance(bg)) if dark_text else (luminance > relative_luminance(bg))
            for bg in backgrounds
        )
        return on_the_right_side and all(contrast_ratio(colour, bg) >= AA_TEXT for bg in backgrounds)

    low, high = 0, _LIGHTNESS_STEPS
    if dark_text:  # passes() is true from black up to some step: find the last one
        if not passes(low):
            return "#000000"
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if passes(middle) else (low, middle - 1)
        return colour_at(low)
    if not passes(high):  # true from some step up to white: find the first one
        return "#ffffff"
    while low < high:
        middle = (low + high) // 2
        low, high = (low, middle) if passes(middle) else (middle + 1, high)
    return colour_at(low)


@lru_cache(maxsize=2048)
def _others_colour(key: str, palette: Palette) -> str:
    span = 360.0 - 2 * _OWN_BAND
    fraction = (zlib.crc32(key.encode("utf-8")) & 0xFFFFFFFF) / 2**32
    hue = (palette.own_hue + _OWN_BAND + fraction * span) % 360
    dark_text = relative_luminance(palette.background) > 0.5
    return _lightness_for_contrast(hue, (palette.background, palette.mention_background), dark_text)


def nick_hue(colour: str) -> float:
    """The hue of a colour in degrees (0 to 360)."""
    hue, _lightness, _saturation = colorsys.rgb_to_hls(*(channel / 255 for channel in parse_hex(colour)))
    return hue * 360


def nick_colour(nick: str, palette: Palette, me: str | None = None) -> str:
    """The colour `nick` is shown in: stable for a name in every window, palette.own_name for your own."""
    key = name_key(nick)
    if me is not None and key == name_key(me):
        return palette.own_name
    return _others_colour(key, palette)
