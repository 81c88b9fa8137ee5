"""Nicknames that would pass for the server or its staff ("Server", "Admin", "Teacher"): which ones (any thread).

In a class, a student called "Server" or "Teacher" can tell everyone to
type their password and be believed. These names, and what looks like
them, are kept for accounts the admin makes: nobody takes one with NICK
(`bad_nick`), while someone logged in to an account of that name keeps it
(chat_server/identity/nick_rules.py). "Looks like" is the look-alike rule
of every name (shared/lookalike.py: case, full width, accents, confusable
letters), after `_`, `-` and digits are taken off both ends, so "Teacher_",
"admin2" and "-SERVER-" are the same name here; a name with other letters
around it ("Mr_Teacher", "Servers") is an ordinary name.

A teacher's name is kept from guests the same way (`passes_for_staff`,
which chat_server/identity/nick_rules.py asks for every teacher's
account), and also with role words around it: "Ms_Lee_teacher",
"TheRealMsLee", "Lee_admin" beside the teacher Ms_Lee.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from shared.errors import ErrorCode, ProtocolError
from shared.lookalike import LookalikeIndex, looks_alike, skeleton
from shared.names import name_key

RESERVED_NICKS = (
    "Server",
    "System",
    "ClassChat",
    "Admin",
    "Administrator",
    "Moderator",
    "Teacher",
    "Staff",
    "Root",
    "Sysop",
    "Everyone",
    "Here",
)


@functools.lru_cache(maxsize=1)
def _index() -> LookalikeIndex:
    return LookalikeIndex(RESERVED_NICKS)


@functools.lru_cache(maxsize=1024)
def _is_separator(ch: str) -> bool:
    """True for `_`, `-`, `.` and what passes for one of them or for nothing (the tatweel, a modifier tick:
    shared/lookalike.py), so "Ms\u0640Lee" and "Ms_Lee\u02d1" lose them as "Ms_Lee" loses its `_`."""
    return ch in _SEPARATORS or skeleton(ch) in _SEPARATOR_SHAPES


def _core(nick: str) -> str:
    """The nickname without the separators (`_is_separator`) and digits (of any script) at either end."""
    start, end = 0, len(nick)
    while start < end and (_is_separator(nick[start]) or unicodedata.category(nick[start]) == "Nd"):
        start += 1
    while end > start and (_is_separator(nick[end - 1]) or unicodedata.category(nick[end - 1]) == "Nd"):
        end -= 1
    return nick[start:end]


def _letters(nick: str) -> str:
    """The nickname without separators anywhere, then without digits at either end: "Ms_Khan2" -> "MsKhan"."""
    return _core("".join(ch for ch in nick if not _is_separator(ch)))


def passes_for_staff(nick: str, staff_name: str) -> bool:
    """True when `nick` could pass for the teacher's name `staff_name` in a transcript or a list ("Ms-Khan",
    "MsKhan", "_Ms_Khan", "Ms_Khan2" for "Ms_Khan"): the same letters by the look-alike rule once the
    separators and end digits are gone; or that name with role words around it ("Ms_Khan_teacher",
    "TheRealMsKhan", "Khan_admin": `_with_role_words`).  The teacher's own name passes too; the caller
    skips it."""
    mine, theirs = _letters(nick), _letters(staff_name)
    if not mine or not theirs:
        return False
    return looks_alike(mine, theirs) or _with_role_words(nick, staff_name)


# Words that, before or after a teacher's name, make a student read as that teacher: "Ms_Lee_teacher",
# "MsLee_admin" and "Teacher-Ms_Lee" were free beside the teacher Ms_Lee (found by a probe).
STAFF_WORDS = (
    "teacher", "teach", "tutor", "staff", "admin", "administrator", "moderator", "mod", "instructor",
    "lecturer", "coach", "principal", "head", "headteacher", "sensei", "official",
)  # fmt: skip
TITLES = ("mr", "mrs", "ms", "miss", "mx", "mister", "madam", "maam", "sir", "dr", "doctor", "prof", "professor")
QUALIFIERS = ("the", "real", "true", "actual", "original", "verified", "only")
_SEPARATORS = "_-."
_SEPARATOR_SHAPES = frozenset(["", *_SEPARATORS])
_DIGIT = "#"  # what a digit becomes in a key: never in a name, so it stands only for a digit


def _with_role_words(nick: str, staff_name: str) -> bool:
    """True when `nick` is the teacher's name with role words before or after it, any case, any separator or
    none, digits anywhere between the parts: "Ms_Lee_teacher", "the_real_MsLee2", "MS-LEE-ADMIN".

    The name is the teacher's whole name, or the teacher's name without its own title ("Lee" for "Ms_Lee"):
    that only with a staff word ("Lee_teacher", "Mr_Lee_admin"), since a student may well be called "Mr_Lee"
    or "TheLee".  Each part is compared by the look-alike rule, a letter at a time, so "Ms_Lee_Teacheʀ"
    is caught too; letters round the name that are not role words leave it free ("Leela", "Ashlee_mod").
    Digits are tried as themselves (a "1" reads as "l") and as mere digits.
    """
    key = unicodedata.normalize("NFKC", nick)
    return any(pattern.match(_key(key, digits)) is not None for digits, pattern in _role_patterns(staff_name))


@functools.lru_cache(maxsize=64)
def _role_patterns(staff_name: str) -> tuple[tuple[bool, re.Pattern[str]], ...]:
    """For digits read as letters (True) and as digits (False): the pattern of the teacher's name with role words."""
    letters = _letters(staff_name)
    core = _without_titles(staff_name)
    patterns = []
    for digits in (True, False):
        roles = _any_of(STAFF_WORDS + TITLES + QUALIFIERS, digits)
        staff = _any_of(STAFF_WORDS, digits)
        whole = _word_pattern(letters, digits)
        gap = f"{_DIGIT}*"
        before, after = f"(?:{roles}{gap})*", f"(?:{gap}{roles})*"
        choices = [
            f"{gap}(?:{roles}{gap})+{whole}{after}{gap}",
            f"{gap}{whole}(?:{gap}{roles})+{gap}",
        ]
        if len(core) >= 2 and core != letters:
            shorter = _word_pattern(core, digits)
            choices += [
                f"{gap}{before}{staff}{gap}{before}{shorter}{after}{gap}",
                f"{gap}{before}{shorter}{after}{gap}{staff}{after}{gap}",
            ]
        patterns.append((digits, re.compile("(?:" + "|".join(choices) + r")\Z")))
    return tuple(patterns)


def _without_titles(staff_name: str) -> str:
    """The teacher's name without the role words it starts or ends with: "Ms_Lee" -> "Lee", "MrSmith2" -> "Smith"."""
    parts = [part for part in re.split(r"[_\-.\d]+|(?<=[a-z])(?=[A-Z])", staff_name) if part]
    words = {word.casefold() for word in STAFF_WORDS + TITLES + QUALIFIERS}
    while parts and parts[0].casefold() in words:
        parts.pop(0)
    while parts and parts[-1].casefold() in words:
        parts.pop()
    return "".join(parts)


def _shape(text: str) -> str:
    """What `text` looks like, case aside: its confusable skeleton, casefolded."""
    return skeleton(text).casefold()


@functools.lru_cache(maxsize=256)
def _letter_shape(ch: str, digits: bool) -> str:
    if unicodedata.category(ch) == "Nd" and not digits:
        return _DIGIT
    return _shape(ch)


def _key(name: str, digits: bool) -> str:
    """The name as compared with the patterns: separators gone, each character by its shape."""
    return "".join(_letter_shape(ch, digits) for ch in name if not _is_separator(ch))


def _word_pattern(word: str, digits: bool) -> str:
    """A pattern for `word` typed in any case: each letter as the shape of its lower or upper case."""
    parts = []
    for ch in word:
        shapes = {
            _letter_shape(form, digits) if len(form) == 1 else _shape(form) for form in (ch, ch.lower(), ch.upper())
        }
        parts.append("(?:" + "|".join(re.escape(shape) for shape in sorted(shapes, key=len, reverse=True)) + ")")
    return "".join(parts)


def _any_of(words: tuple[str, ...], digits: bool) -> str:
    return "(?:" + "|".join(_word_pattern(word, digits) for word in sorted(words, key=len, reverse=True)) + ")"


def reserved_lookalike(nick: str) -> str | None:
    """The reserved name `nick` could pass for, or None (`nick` already normalised: shared.names.normalise_nick)."""
    core = _core(nick)
    return _index().find(core) if core else None


def check_not_reserved(nick: str) -> None:
    """Raise ProtocolError(bad_nick) for a nickname that could pass for the server or its staff."""
    reserved = reserved_lookalike(nick)
    if reserved is None:
        return
    if name_key(nick) == name_key(reserved):
        why = f"The nickname {nick} is kept for the server and its staff"
    else:
        why = f"The nickname {nick} could pass for {reserved}, a name kept for the server and its staff"
    raise ProtocolError(ErrorCode.BAD_NICK, f"{why}; choose another.")
