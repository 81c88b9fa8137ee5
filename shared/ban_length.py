"""How long a ban lasts, as people type it: minutes, or a number with a unit (any thread; pure).

    parse_ban_minutes("10")        -> 10
    parse_ban_minutes("2h")        -> 120      (also 10m, 3d, 1w, 90mins, 2days, ...)
    parse_ban_minutes("spamming")  -> None     (no length: the reason begins)
    parse_ban_minutes("-5")        -> ProtocolError bad_argument (a slip, never a ban until lifted)
    split_ban_length("2 hours spamming") -> (120, "spamming")   (what follows the nickname in /ban)
    split_ban_length('"3 warnings"')     -> (None, "3 warnings")   (a reason in double quotes is the reason, whole)
    split_ban_length('5 "days of it"')   -> (5, "days of it")
    split_ban_command("bob 2h spamming") -> ("bob", 120, "spamming")   (BAN's whole argument)
    parse_ban_answer("2 hours")    -> 120      (a dialog that asks for the length only; "" -> None)

The server reads BAN with it; chat-term and the chat window check /ban and
the Ban… dialog with it before anything is sent, so all three agree.  A
reason that starts with a number ("3 warnings ignored") would be read as a
length: written in double quotes it is the reason as it stands, and the
window's Ban… dialog always sends its reason so.
"""

from __future__ import annotations

import re

from shared.errors import ErrorCode, ProtocolError

MAX_BAN_MINUTES = 366 * 24 * 60  # a year; longer is "until lifted", which is leaving the length out
BAN_LENGTH_HELP = (
    f"Minutes go from 1 to {MAX_BAN_MINUTES} (or write 10m, 2h, 3d, 1w); leave them out to ban until you unban."
)

_UNITS = r"m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?"
_LENGTH = re.compile(rf"(\d+)({_UNITS})?", re.IGNORECASE)
_UNIT_WORD = re.compile(_UNITS, re.IGNORECASE)
_NUMBER_START = re.compile(r"[+\-\u2212]?\.?\d")  # digits of any script, as \d and int() take them
_UNIT_MINUTES = {"m": 1, "h": 60, "d": 24 * 60, "w": 7 * 24 * 60}
_MAX_DIGITS = 9


def parse_ban_minutes(word: str) -> int | None:
    """The length `word` gives, in minutes; None when it is no number at all (the reason begins).

    Anything that starts like a number but is no length (`-5`, `1.5`,
    `1e3`, `10x`, `0`, more than a year) raises ProtocolError
    (`bad_argument`) instead of being taken for the reason: a ban meant for
    ten minutes must not become one until lifted.
    """
    match = _LENGTH.fullmatch(word)
    if match is None:
        if _NUMBER_START.match(word):
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, BAN_LENGTH_HELP)
        return None
    digits, unit = match.groups()
    if len(digits) > _MAX_DIGITS:
        raise ProtocolError(ErrorCode.BAD_ARGUMENT, BAN_LENGTH_HELP)
    minutes = int(digits) * _UNIT_MINUTES[unit[0].lower() if unit else "m"]
    if not 1 <= minutes <= MAX_BAN_MINUTES:
        raise ProtocolError(ErrorCode.BAD_ARGUMENT, BAN_LENGTH_HELP)
    return minutes


def split_ban_length(rest: str) -> tuple[int | None, str]:
    """(minutes, reason) from what follows the nickname in /ban; minutes None for a ban until lifted.

    The length may be one word (`10`, `10m`) or a number and a unit word
    (`2 hours`, `3 days`), as people write it; raises ProtocolError as
    parse_ban_minutes does.  What starts with `"` is the reason, never a
    length (`"3 warnings ignored"`, `5 "days of trolling"`): one pair of
    quotes around it is taken off.
    """
    words = rest.split(None, 2)
    if not words:
        return None, ""
    if words[0].startswith('"'):
        return None, unquote_reason(rest)
    minutes = parse_ban_minutes(words[0])
    if minutes is None:
        return None, rest.strip()
    if len(words) > 1 and words[0].isdecimal() and _UNIT_WORD.fullmatch(words[1]):
        return parse_ban_minutes(words[0] + words[1]), unquote_reason(words[2] if len(words) > 2 else "")
    after = rest.split(None, 1)
    return minutes, unquote_reason(after[1] if len(after) > 1 else "")


def unquote_reason(reason: str) -> str:
    """The reason without the one pair of double quotes around it (`"3 warnings"` -> `3 warnings`); else as it is."""
    text = reason.strip()
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        return text[1:-1]
    return text


def quote_reason(reason: str) -> str:
    """A reason that reads back whole after a length, or after none: in double quotes (empty stays empty)."""
    return f'"{reason}"' if reason else ""


def split_ban_command(argument: str) -> tuple[str, int | None, str]:
    """(whom, minutes, reason) from BAN's whole argument; whom is "" when nobody was named."""
    words = argument.split(None, 1)
    if not words:
        return "", None, ""
    minutes, reason = split_ban_length(words[1] if len(words) > 1 else "")
    return words[0], minutes, reason


def parse_ban_answer(answer: str) -> int | None:
    """The length typed where only a length is asked (the Ban… dialogs); None when empty (until lifted).

    Raises ProtocolError for anything else, words too ("ten", "2 hours please"): typed into a box that
    asks for minutes, a word is a mistake, not a reason.
    """
    text = answer.strip()
    if not text:
        return None
    minutes, rest = split_ban_length(text)
    if minutes is None or rest:
        raise ProtocolError(ErrorCode.BAD_ARGUMENT, f"“{text}” is not a number of minutes. {BAN_LENGTH_HELP}")
    return minutes
