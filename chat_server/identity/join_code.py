"""Join codes for a lesson: made from characters nobody misreads, compared forgivingly (any thread).

A made code is 6 characters from `ALPHABET`, shown in two halves
("K7M-XR4") on the projector.  The alphabet leaves out every character that
has a look-alike among letters and digits (a code is read off a screen,
maybe across a room, and typed):

    0 O Q D   round shapes          1 I L   strokes
    2 Z       5 S                   B       (like 8; 8 is kept)
    G         (like 6; 6 is kept)   V       (like U and Y)

22 characters remain, so a code has 22**6 (about 113 million, 26.7 bits)
possibilities; a wrong guess costs a command (rate limited per connection)
and the caller may throttle PASS like logins.

Typed codes are forgiven what a person gets wrong without meaning to:
case, full-width characters, spaces, dashes, dots and underscores, and a
look-alike in place of the character shown (`B` for 8, `G` for 6, `V`
for U; and for a code the admin chose, `O` and `0`, `I`, `L` and `1`,
`S` and `5`, `Z` and `2` count as the same).  The comparison is constant
time.  A code the admin types (`--join-code`, the admin window) may be any
4 to 32 letters and digits.
"""

from __future__ import annotations

import hmac
import secrets
import unicodedata

ALPHABET = "346789ACEFHJKMNPRTUWXY"
CODE_LENGTH = 6
MIN_CHOSEN_LENGTH = 4
MAX_CHOSEN_LENGTH = 32

_SEPARATORS = " \t-_.·"
# Every character of a look-alike group folds to one of them; a member of ALPHABET is never folded away.
_FOLD = str.maketrans({"O": "0", "Q": "0", "I": "1", "L": "1", "S": "5", "Z": "2", "B": "8", "G": "6", "V": "U"})


def new_join_code() -> str:
    """A fresh random code of CODE_LENGTH characters from ALPHABET (use format_join_code to show it)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def format_join_code(code: str) -> str:
    """The code as shown: upper case, in two halves joined by a dash when it is 6 or more characters."""
    shown = _plain(code)
    if len(shown) >= 6:
        half = (len(shown) + 1) // 2
        return f"{shown[:half]}-{shown[half:]}"
    return shown


def _plain(typed: str) -> str:
    """NFKC, upper case, separators removed (before folding look-alikes)."""
    text = unicodedata.normalize("NFKC", typed).upper()
    return "".join(ch for ch in text if ch not in _SEPARATORS)


def comparison_form(typed: str) -> str:
    """The form two codes are compared in: case, width, separators and look-alikes folded."""
    return _plain(typed).translate(_FOLD)


def clean_chosen_code(raw: str) -> str:
    """An admin's code as kept (upper case, no separators), or ValueError saying what a code may be."""
    code = _plain(raw)
    if not MIN_CHOSEN_LENGTH <= len(code) <= MAX_CHOSEN_LENGTH or not (code.isascii() and code.isalnum()):
        raise ValueError(
            f"A join code is {MIN_CHOSEN_LENGTH} to {MAX_CHOSEN_LENGTH} letters A-Z and digits 0-9 "
            "(spaces and dashes are ignored); leave it empty to make one."
        )
    return code


def join_code_matches(expected: str, typed: str) -> bool:
    """True if `typed` is the code `expected`, forgiving case, width, separators and look-alikes; constant time."""
    want = comparison_form(expected).encode("utf-8")
    got = comparison_form(typed[: 4 * MAX_CHOSEN_LENGTH]).encode("utf-8")
    return bool(want) and hmac.compare_digest(want, got)
