"""Which writing systems a name uses, and the refusal of nicknames that mix them (any thread).

A nickname may use one script, plus characters every script shares
(Common: digits, `_`, `-`; Inherited: combining accents).  Following the
"Highly Restrictive" level of Unicode TS #39, Latin may also go with the
scripts a Chinese, Japanese or Korean name mixes with it: Han with
Hiragana and Katakana, Han with Bopomofo, Han with Hangul.  So `Мr_Smith`
(Cyrillic М among Latin letters) and `Αlice` (Greek Α) are refused, while
`Мария`, `Ελένη`, `李小龍`, `さくら_サクラ` and `Taro_田中` are fine.  Digits
must all come from one decimal system (`1` with Arabic-Indic `١` is
refused: `١` looks like `l`).

Script data: the `confusable-homoglyphs` package's copy of Unicode's
Scripts.txt, loaded on first use.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable

from shared.errors import ErrorCode, ProtocolError
from shared.reason_glue import with_reason

_SHARED_SCRIPTS = frozenset({"COMMON", "INHERITED"})

# TS #39 "Highly Restrictive": besides one script alone, these sets may be mixed.
_ALLOWED_MIXES = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)


@functools.cache
def _script_of() -> Callable[[str], str]:
    from confusable_homoglyphs import categories  # type: ignore[import-untyped]  # loads its data: on first use only

    alias: Callable[[str], str] = categories.alias
    return alias


def script_of(ch: str) -> str:
    """The Unicode script of one character in upper case ("LATIN", "CYRILLIC", "COMMON"; "Unknown" if unassigned)."""
    return _script_of()(ch)


def scripts_of(name: str) -> set[str]:
    """The scripts a name's characters belong to, leaving out Common and Inherited ones."""
    return {script for script in map(script_of, unicodedata.normalize("NFD", name)) if script not in _SHARED_SCRIPTS}


def _digit_systems(name: str) -> set[int]:
    # A decimal digit's system is known by the code point of its zero.
    return {ord(ch) - unicodedata.digit(ch) for ch in name if unicodedata.category(ch) == "Nd"}


def _shown(script: str) -> str:
    return script.replace("_", " ").title()


def mixed_script_reason(name: str) -> str | None:
    """None for a name of one script (as allowed above); otherwise a sentence saying what is mixed."""
    letters = [(ch, script_of(ch)) for ch in unicodedata.normalize("NFC", name)]
    counts: dict[str, int] = {}
    for _, script in letters:
        if script not in _SHARED_SCRIPTS:
            counts[script] = counts.get(script, 0) + 1
    scripts = set(counts)
    if len(scripts) > 1 and not any(scripts <= allowed for allowed in _ALLOWED_MIXES):
        # The odd ones out: the characters outside the allowed set that fits most of the name.
        main = max(sorted(scripts), key=lambda script: counts[script])
        fits = [frozenset({main}), *(mix for mix in _ALLOWED_MIXES if main in mix)]
        best = max(fits, key=lambda mix: sum(counts.get(script, 0) for script in mix))
        odd_scripts = scripts - best
        odd = [f"{ch!r} is {_shown(script)}" for ch, script in letters if script in odd_scripts]
        listed = ", ".join(_shown(script) for script in sorted(odd_scripts))
        return f"It mixes {_shown(main)} letters with {listed} ones ({'; '.join(odd[:3])})."
    if len(_digit_systems(name)) > 1:
        return "It mixes digits of different number systems."
    return None


def is_mixed_script(name: str) -> bool:
    return mixed_script_reason(name) is not None


def check_single_script(nick: str) -> None:
    """Raise ProtocolError(bad_nick) for a nickname that mixes scripts, saying what to do instead."""
    reason = mixed_script_reason(nick)
    if reason is not None:
        raise ProtocolError(
            ErrorCode.BAD_NICK,
            f"{with_reason(f'The nickname {nick!r} is refused', reason)} Use the letters of one alphabet.",
        )
