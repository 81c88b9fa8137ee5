"""Rules for nicknames, room names and message text (any thread).

Names are NFKC-normalised and compared by their casefolded key, so "Alice",
"ALICE" and the full-width "ＡＬＩＣＥ" are one nickname.
"""

from __future__ import annotations

import unicodedata

from shared.errors import ErrorCode, ProtocolError

MAX_NICK_CHARS = 24
MAX_ROOM_CHARS = 32
MAX_TEXT_CHARS = 2000

_EXTRA_NAME_CHARS = frozenset("_-")


def _is_name_char(ch: str) -> bool:
    if ch in _EXTRA_NAME_CHARS:
        return True
    category = unicodedata.category(ch)
    return category[0] == "L" or category == "Nd"


def _normalise_name(raw: str, max_chars: int) -> str | None:
    name = unicodedata.normalize("NFKC", raw.strip())
    if not 1 <= len(name) <= max_chars:
        return None
    if not all(_is_name_char(ch) for ch in name):
        return None
    return name


def name_key(name: str) -> str:
    """The form two names are compared in: NFKC, casefolded, NFKC again."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


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


def normalise_room(raw: str) -> str:
    """The room name without its optional '#', or ProtocolError(bad_room)."""
    stripped = raw.strip()
    if stripped.startswith("#"):
        stripped = stripped[1:]
    room = _normalise_name(stripped, MAX_ROOM_CHARS)
    if room is None:
        raise ProtocolError(
            ErrorCode.BAD_ROOM,
            f"Room names are 1 to {MAX_ROOM_CHARS} letters, digits, '_' or '-' (no spaces), e.g. JOIN general.",
        )
    return room


def strip_control(text: str) -> str:
    """Remove control characters other than newline and tab."""
    if text.isprintable():
        return text
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def clean_message_text(raw: str, max_chars: int = MAX_TEXT_CHARS) -> str:
    """Message text ready to deliver: controls removed, trimmed, 1..max_chars long."""
    text = strip_control(raw).strip()
    if not text:
        raise ProtocolError(ErrorCode.BAD_ARGUMENT, "The message is empty; type some text after the command.")
    if len(text) > max_chars:
        raise ProtocolError(
            ErrorCode.TOO_LONG,
            f"The message has {len(text)} characters; the limit is {max_chars}. Split it into shorter messages.",
        )
    return text


def harmless(text: str) -> str:
    """Text safe to print on a terminal: every control or format character shown as a visible escape.

    An incoming ESC[2J becomes the literal characters "\\x1b[2J" instead of
    clearing the reader's screen; newlines and tabs survive.
    """
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf"):
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)
