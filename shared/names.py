"""Rules for nicknames, room names and text from users (any thread).

Names are NFKC-normalised and compared by their casefolded key, so "Alice",
"ALICE" and the full-width "ＡＬＩＣＥ" are one nickname.  What a user
types never reaches another user with characters that could pass for
something else (PROTOCOL.md, Version 2, Identity, "Look-alike names"):

- names lose every Default_Ignorable_Code_Point (zero-width characters,
  bidirectional controls, Hangul fillers, variation selectors, tags);
- text loses control characters (newline and tab stay), the bidirectional
  controls and U+200B, U+2060, U+FEFF, but keeps U+200C/U+200D and the
  variation selectors that emoji sequences and scripts such as Persian need;
- a one-line field (a QUIT reason, a kick reason) is text made into one
  line of at most a given length.
"""

from __future__ import annotations

import unicodedata

from shared.errors import ErrorCode, ProtocolError

MAX_NICK_CHARS = 24
MAX_ROOM_CHARS = 32
MAX_TEXT_CHARS = 2000
MAX_REASON_CHARS = 200  # a QUIT or kick reason, once made one line

_EXTRA_NAME_CHARS = frozenset("_-")

# Default_Ignorable_Code_Point, from the Unicode Character Database (DerivedCoreProperties.txt, 15.1).
_DEFAULT_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
DEFAULT_IGNORABLE = frozenset(cp for first, last in _DEFAULT_IGNORABLE_RANGES for cp in range(first, last + 1))
BIDI_CONTROLS = frozenset([0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
TEXT_INVISIBLE = frozenset([0x200B, 0x2060, 0xFEFF])
_CONTROLS = frozenset([*range(0x00, 0x20), *range(0x7F, 0xA0)])
# Line ends other than \n: a lone CR, vertical tab, form feed, NEL and the Unicode line and paragraph
# separators.  Message text keeps them as \n (text may hold newlines); one-line fields as spaces.
_LINE_BREAKS = frozenset([0x0D, 0x0B, 0x0C, 0x85, 0x2028, 0x2029])

_NAME_TABLE: dict[int, str | None] = dict.fromkeys(DEFAULT_IGNORABLE)
_TEXT_TABLE: dict[int, str | None] = {
    **dict.fromkeys(_CONTROLS - {0x09, 0x0A}),
    **dict.fromkeys(BIDI_CONTROLS | TEXT_INVISIBLE),
    **dict.fromkeys(_LINE_BREAKS, "\n"),
}


def _is_name_char(ch: str) -> bool:
    if ch in _EXTRA_NAME_CHARS:
        return True
    category = unicodedata.category(ch)
    return category[0] == "L" or category == "Nd"


def strip_invisible_from_name(raw: str) -> str:
    """The name without its Default_Ignorable code points (zero-width, bidi controls, fillers...)."""
    return raw if raw.isascii() else raw.translate(_NAME_TABLE)


def _normalise_name(raw: str, max_chars: int) -> str | None:
    # Ignorables go before NFKC (they would split what NFKC joins) and after it (NFKC maps the
    # half-width Hangul filler onto the full-width one, both ignorable).
    name = strip_invisible_from_name(unicodedata.normalize("NFKC", strip_invisible_from_name(raw).strip()))
    if not 1 <= len(name) <= max_chars:
        return None
    if not all(_is_name_char(ch) for ch in name):
        return None
    return name


def name_key(name: str) -> str:
    """The form two names are compared in: ignorables dropped, NFKC, casefolded, NFKC again."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", strip_invisible_from_name(name)).casefold())


def is_nick_shaped(raw: str) -> bool:
    return _normalise_name(raw, MAX_NICK_CHARS) is not None


def normalise_nick(raw: str) -> str:
    """The nickname as it will be shown, or ProtocolError(bad_nick) saying what is allowed."""
    nick = _normalise_name(raw, MAX_NICK_CHARS)
    if nick is None:
        raise ProtocolError(
            ErrorCode.BAD_NICK,
            f"Nicknames are 1 to {MAX_NICK_CHARS} letters, digits, '_' or '-' (no spaces); try another.",
        )
    return nick


# What NFKC makes '#' and '@' of: the full-width and small forms a CJK keyboard types.
_SIGILS = {"\uff03": "#", "\ufe5f": "#", "\uff20": "@", "\ufe6b": "@"}


def plain_sigil(word: str) -> str:
    """`word` with a leading '#' or '@' as ASCII: invisibles before it dropped, a full-width '＃' or '＠' made plain.

    A name loses its invisibles and is NFKC-normalised, so '＃lab' and '\u200b#lab' name #lab, as 'ｌａｂ'
    does; the mark before it must be found the same way before the name is read.
    """
    stripped = word.lstrip()
    if stripped.isascii():
        return stripped
    start = 0
    while start < len(stripped) and not strip_invisible_from_name(stripped[start]):
        start += 1
    return _SIGILS.get(stripped[start : start + 1], stripped[start : start + 1]) + stripped[start + 1 :]


def normalise_room(raw: str) -> str:
    """The room name without its optional '#', or ProtocolError(bad_room)."""
    stripped = plain_sigil(raw.strip())
    if stripped.startswith("#"):
        stripped = stripped[1:]
    room = _normalise_name(stripped, MAX_ROOM_CHARS)
    if room is None:
        raise ProtocolError(
            ErrorCode.BAD_ROOM,
            f"Room names are 1 to {MAX_ROOM_CHARS} letters, digits, '_' or '-' (no spaces), e.g. /join general.",
        )
    return room


def strip_control(text: str) -> str:
    """Remove control characters other than newline and tab."""
    if text.isprintable():
        return text
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def clean_text(raw: str) -> str:
    """Text from a user made safe to pass on: no controls but newline and tab, no bidi controls or invisibles.

    Other line ends (CR LF, a lone CR, U+2028, NEL...) become newlines, so
    every client sees the same lines; zero-width joiners and variation
    selectors stay, or emoji sequences would fall apart.
    """
    if text_is_clean(raw):
        return raw
    return raw.replace("\r\n", "\n").translate(_TEXT_TABLE)


def text_is_clean(text: str) -> bool:
    """True when clean_text has nothing to do (the common case, checked at C speed)."""
    return text.isprintable()


def one_line(raw: str, max_chars: int = MAX_REASON_CHARS) -> str:
    """A one-line field from a user (a reason, a status): cleaned, every run of whitespace one space, capped.

    Past `max_chars` the text is cut and ends with "…", so nobody can take
    it for the whole of what was said.
    """
    text = clean_text(raw)
    if not text.isprintable() or "  " in text:
        text = " ".join(text.split())
    else:
        text = text.strip()
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"


def clean_message_text(raw: str, max_chars: int = MAX_TEXT_CHARS) -> str:
    """Message text ready to deliver: cleaned (see clean_text), trimmed, 1..max_chars long."""
    text = clean_text(raw).strip()
    if not text:
        raise ProtocolError(ErrorCode.BAD_ARGUMENT, "The message is empty; type some text after the command.")
    if len(text) > max_chars:
        raise ProtocolError(
            ErrorCode.TOO_LONG,
            f"The message has {len(text)} characters; the limit is {max_chars}. Split it into shorter messages.",
        )
    return text


# Format characters a terminal may show as they are: zero-width non-joiner and joiner (Persian words, emoji
# families), the soft hyphen, and the tag characters of subdivision flags (England, Scotland, Wales). Bidi
# controls, which reorder what a reader sees, are Cf too and stay escaped.
_SHAPING_FORMAT = frozenset("\u200c\u200d\u00ad")


def _is_shaping_format(ch: str) -> bool:
    return ch in _SHAPING_FORMAT or "\U000e0020" <= ch <= "\U000e007f"


def harmless(text: str) -> str:
    """Text safe to print on a terminal: every control or format character shown as a visible escape.

    An incoming ESC[2J becomes the literal characters "\\x1b[2J" instead of
    clearing the reader's screen; newlines and tabs survive, and so do the
    format characters that only join or shape what is around them
    (_SHAPING_FORMAT: emoji sequences, Persian, a soft hyphen).
    """
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf") or _is_shaping_format(ch):
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)
