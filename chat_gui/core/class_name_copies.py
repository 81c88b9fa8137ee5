"""Whether an announced class name could pass for another: the keys the Connect dialog compares them by (any thread; pure).

    keys = class_name_keys("Physics 3B")
    keys.whole      the name's look-alike keys, its words run together: equal keys are the same name to a student
    keys.leading    the keys of each run of its first words, shorter than the whole name: a server whose whole
                    key is one of them is named by the start of this one ("Physics 3B" and "Physics 3B (Ms Lee)")

A student's own server on the school network announces a name chosen to
pass for the teacher's.  Comparing whole names by their confusable skeleton
(shared/lookalike.py) caught another case, Cyrillic letters, full-width
forms and zero-width characters, but a probe of the thirteenth review
found names that read as the teacher's and were not warned about: an
emoji or a mark added ("🔒 Physics 3B", "Physics 3B ✅", "Physics 3B."),
other separators ("Physics_3B", "Physics-3B", "Physics3B"), blank-looking
characters that are no spaces (Hangul filler U+3164, braille blank U+2800),
quotes, and words added after the class name ("Physics 3B (Ms Lee)",
"Physics 3B on teacher-pc port 55555", which is how the teacher's own
server names itself on the network).  So a name is cut into its words
(letters and digits; everything else separates them, invisible characters
are dropped first) and compared with its words run together, and a name
that begins with all the words of another is taken for a copy too.  "Fake 1"
and "Fake 10" differ: the start must end at a word's end.  A real second
class whose name begins with another's ("Physics" beside "Physics 3B") is
warned about as well: a sentence under the list, and the address decides.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from shared.lookalike import lookalike_keys, strip_invisible_from_name

_WORD = re.compile(r"[^\W_]+")  # letters and digits; '_', spaces, punctuation, symbols and emoji separate words
MIN_LEADING_CHARS = 3  # a start shorter than this ("A", "3B") names no class on its own


@dataclass(frozen=True)
class ClassNameKeys:
    whole: frozenset[str]
    leading: frozenset[str]


def words(class_name: str) -> list[str]:
    """The name's words, invisible characters dropped and compatibility forms folded."""
    return _WORD.findall(unicodedata.normalize("NFKC", strip_invisible_from_name(class_name)))


def _joined(parts: list[str]) -> frozenset[str]:
    """The look-alike keys of words run together."""
    return lookalike_keys("".join(parts))


@functools.lru_cache(maxsize=4096)
def class_name_keys(class_name: str) -> ClassNameKeys:
    found = words(class_name)
    if not found:  # only symbols ("🔒🔒"): compare the name as it is
        return ClassNameKeys(lookalike_keys(class_name), frozenset())
    leading: set[str] = set()
    for end in range(1, len(found)):
        if sum(len(word) for word in found[:end]) >= MIN_LEADING_CHARS:
            leading |= _joined(found[:end])
    return ClassNameKeys(_joined(found), frozenset(leading))
