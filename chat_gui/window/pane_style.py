"""The conversation pane's fonts and tag colours, from a Palette (Tk thread).

    PaneStyle(text_widget)           fonts derived from the widget's font, in points (they follow `tk scaling`)
    style.apply(text_widget, palette) every tag the pane uses gets the palette's colours; called again on a theme change

Every colour text is drawn in here comes from shared/palette.py or from
BANNERS below, and each pair (text colour, background it sits on) is
listed by `text_pairs` so the tests hold it to WCAG AA (4.5:1).  Nickname
colours come from palette.nick_colour: a stable colour per name with AA
contrast, and your own name's colour, which nobody else gets.

Tag names other modules may use: "replayed" (a line from history, shown
muted), "presence" (join/leave lines, hidden with elide), "banner" and
"alert" (a block across the pane), "undelivered" (struck out), "code"
and "code-inline" (``` blocks and `inline code`, monospace on a shade).
"""

from __future__ import annotations

import tkinter as tk
import tkinter.font as tkfont
import zlib
from dataclasses import dataclass

from chat_gui.window.emoji_picker import emoji_font_family
from shared.names import name_key
from shared.palette import LIGHT, Palette, for_palette, nick_colour

EMOJI_STEP_POINTS = 4  # emoji drawn this much larger than the text: Symbola's glyphs are small at text size
BANNER_STEP_POINTS = 1
MAX_REMEMBERED_NICKS = 4096
# Colour tags a pane keeps before those no longer on any line are dropped; then at most twice the names still
# shown (a pane holds MAX_LINES lines), so the sweep's cost is spread over as many new names as it keeps.
NICK_TAGS_BEFORE_SWEEP = 512


@dataclass(frozen=True)
class BannerColours:
    announcement: str  # background of an announcement
    alert: str  # background of "you were removed" and the like


# Chosen against the palettes' text, muted, link and error colours (tests/gui/client/test_client_look.py checks each).
BANNERS = {
    "light": BannerColours(announcement="#e4edfb", alert="#fdecea"),
    "dark": BannerColours(announcement="#22344f", alert="#451a1a"),
}


# The shade behind ``` blocks and `inline code`; text, muted (replayed) and private text are AA on it.
CODE_BACKGROUNDS = {"light": "#f1f3f5", "dark": "#2c2c2c"}
CODE_TAB_CHARS = 4  # a tab in code reaches the next multiple of 4 columns, as in the editors students use


def code_background(palette: Palette) -> str:
    return for_palette(palette, CODE_BACKGROUNDS)


def banner_colours(palette: Palette) -> BannerColours:
    return for_palette(palette, BANNERS)


def text_pairs(palette: Palette) -> list[tuple[str, str, str]]:
    """(what, text colour, background) for every colour the pane draws text in, beyond the palette's own pairs."""
    banners = banner_colours(palette)
    pairs = [
        ("announcement text", palette.text, banners.announcement),
        ("announcement title", palette.text, banners.announcement),
        ("link in an announcement", palette.link, banners.announcement),
        ("time in an announcement", palette.muted, banners.announcement),
        ("alert text", palette.error, banners.alert),
        ("link in an alert", palette.link, banners.alert),
        ("time in an alert", palette.muted, banners.alert),
        ("undelivered", palette.error, palette.background),
        ("replayed", palette.muted, palette.background),
        ("pending", palette.pending_text, palette.pending_background),
        ("code", palette.text, code_background(palette)),
        ("replayed code", palette.muted, code_background(palette)),
        ("private code", palette.private, code_background(palette)),
    ]
    return pairs


def _points(font: tkfont.Font, widget: tk.Misc) -> int:
    """The font's size in points (a size in pixels is turned into points at the current scaling)."""
    size = int(font.cget("size"))
    if size < 0:
        size = max(1, round(-size / float(widget.tk.call("tk", "scaling"))))
    return size


class PaneStyle:
    def __init__(self, text: tk.Text) -> None:
        self.body = tkfont.nametofont(str(text.cget("font")), root=text)
        points = _points(self.body, text)
        family = str(self.body.cget("family"))
        self.bold = tkfont.Font(text, family=family, size=points, weight="bold")
        self.italic = tkfont.Font(text, family=family, size=points, slant="italic")
        self.banner_title = tkfont.Font(text, family=family, size=points + BANNER_STEP_POINTS, weight="bold")
        mono_family = str(tkfont.nametofont("TkFixedFont", root=text).cget("family"))
        self.mono = tkfont.Font(text, family=mono_family, size=points)  # ``` blocks and `inline code`
        emoji_family = emoji_font_family(text)
        # Without an emoji font Tk falls back glyph by glyph; a larger size still helps what it finds.
        self.emoji = tkfont.Font(text, family=emoji_family or family, size=points + EMOJI_STEP_POINTS)
        self.emoji_family = emoji_family
        self.palette = LIGHT
        self.me = ""
        self._nick_tags: dict[str, str] = {}  # tag -> the nickname it was made for
        self._tag_of: dict[str, str] = {}  # nickname as sent -> its tag (name_key costs more than a look-up)
        self._sweep_at = NICK_TAGS_BEFORE_SWEEP  # len(_nick_tags) at which unused colour tags are dropped

    def apply(self, text: tk.Text, palette: Palette) -> None:
        """Colour every tag for `palette` (also the nickname tags made so far)."""
        self.palette = palette
        banners = banner_colours(palette)
        text.configure(
            background=palette.background,
            foreground=palette.text,
            selectbackground=palette.selection_background,
            selectforeground=palette.selection_text,
            inactiveselectbackground=palette.selection_background,
        )
        indent = self.body.measure("00:00:00  ")
        # a notice that wraps goes on under its text too, so no part of it ever starts at the left edge
        text.tag_configure("notice", lmargin1=0, lmargin2=indent)
        text.tag_configure("time", foreground=palette.muted)
        text.tag_configure("nick", font=self.bold)
        text.tag_configure("badge", foreground=palette.muted, font=self.italic)  # "teacher" after a teacher's name
        text.tag_configure("own")
        # a line that names you (chat_gui/window/mention_alerts.py): every text colour is AA on this background
        text.tag_configure("mention", background=palette.mention_background)
        text.tag_configure("system", foreground=palette.muted, font=self.italic)
        text.tag_configure("presence", foreground=palette.muted, font=self.italic)
        text.tag_configure("quoted", foreground=palette.text, font=self.body)  # a user's own words inside a notice
        text.tag_configure("private", foreground=palette.private)
        text.tag_configure("error", foreground=palette.error)
        text.tag_configure("replayed", foreground=palette.muted)
        # an answer's quote (REPLY), a little apart from the message above it: it belongs to the one below
        text.tag_configure(
            "quote", foreground=palette.muted, font=self.italic, spacing1=self.body.metrics("linespace") // 3
        )
        text.tag_configure(
            "pending", foreground=palette.pending_text, background=palette.pending_background, font=self.italic
        )
        text.tag_configure("undelivered", foreground=palette.error, overstrike=True)
        text.tag_configure("reason", foreground=palette.error, overstrike=False, font=self.italic)
        pad = self.body.metrics("linespace") // 3
        for tag, background, foreground in (
            ("banner", banners.announcement, palette.text),
            ("alert", banners.alert, palette.error),
        ):
            text.tag_configure(
                tag,
                background=background,
                foreground=foreground,
                lmargin1=pad,
                lmargin2=pad,
                rmargin=pad,
                lmargincolor=background,
                rmargincolor=background,
                selectbackground=palette.selection_background,
            )
        # the block's padding above its first line and below its last (spacing on every line would part them)
        text.tag_configure("banner-title", font=self.banner_title, spacing1=pad)
        text.tag_configure("banner-end", spacing3=pad)
        text.tag_configure("table-key", font=self.bold)
        text.tag_configure("more", foreground=palette.link, underline=True, font=self.italic)
        text.tag_configure("hidden", foreground=palette.link, underline=True, font=self.italic)  # ignored: folded
        text.tag_configure("action", foreground=palette.link, underline=True)
        text.tag_configure("link", foreground=palette.link, underline=True)
        text.tag_configure("emoji", font=self.emoji)
        shade = code_background(palette)
        # the shade starts where the code does: the time and sender column stays the pane's own colour
        text.tag_configure("code", font=self.mono, background=shade, lmargincolor=palette.background)
        text.tag_configure("code-inline", font=self.mono, background=shade)
        text.tag_configure("nick-own", foreground=palette.own_name)
        for tag, nick in self._nick_tags.items():
            text.tag_configure(tag, foreground=nick_colour(nick, palette))
        text.tag_raise("link")

    def nick_tag(self, text: tk.Text, nick: str, own: bool) -> str:
        """The tag that colours this nickname: your own colour, or the stable colour of the name."""
        if own:
            return "nick-own"
        tag = self._tag_of.get(nick)
        if tag is None:
            if len(self._tag_of) > MAX_REMEMBERED_NICKS:
                self._tag_of.clear()
            tag = self._tag_of[nick] = f"nick-{zlib.crc32(name_key(nick).encode('utf-8')):08x}"
        if tag not in self._nick_tags:
            if len(self._nick_tags) >= self._sweep_at:
                self._drop_unused_nick_tags(text)
            self._nick_tags[tag] = nick
            text.tag_configure(tag, foreground=nick_colour(nick, self.palette))
        return tag

    def _drop_unused_nick_tags(self, text: tk.Text) -> None:
        """Delete the colour tags of names no longer on any line (scrolled out, deleted): a pane's tag table
        grew with every name it ever showed, and Tk's time to show a line with it (a probe: 40,000 names
        from renames and comers and goers, 2.5 ms a new name's message instead of 0.4)."""
        for tag in [tag for tag in self._nick_tags if not text.tag_ranges(tag)]:
            text.tag_delete(tag)
            del self._nick_tags[tag]
        self._sweep_at = max(NICK_TAGS_BEFORE_SWEEP, 2 * len(self._nick_tags))
