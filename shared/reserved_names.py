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
"""

from __future__ import annotations

import functools
import unicodedata

from shared.errors import ErrorCode, ProtocolError
from shared.lookalike import LookalikeIndex, looks_alike
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


def _core(nick: str) -> str:
    """The nickname without the `_`, `-` and digits (of any script) at either end."""
    start, end = 0, len(nick)
    while start < end and (nick[start] in "_-" or unicodedata.category(nick[start]) == "Nd"):
        start += 1
    while end > start and (nick[end - 1] in "_-" or unicodedata.category(nick[end - 1]) == "Nd"):
        end -= 1
    return nick[start:end]


def _letters(nick: str) -> str:
    """The nickname without `_`, `-` and `.` anywhere, then without digits at either end: "Ms_Khan2" -> "MsKhan"."""
    return _core(nick.replace("_", "").replace("-", "").replace(".", ""))


def passes_for_staff(nick: str, staff_name: str) -> bool:
    """True when `nick` could pass for the teacher's name `staff_name` in a transcript or a list ("Ms-Khan",
    "MsKhan", "_Ms_Khan", "Ms_Khan2" for "Ms_Khan"): the same letters by the look-alike rule once the
    separators and end digits are gone.  The teacher's own name passes too; the caller skips it."""
    mine, theirs = _letters(nick), _letters(staff_name)
    return bool(mine) and bool(theirs) and looks_alike(mine, theirs)


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
