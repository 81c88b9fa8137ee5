"""Look-alike names: invisible characters, confusable skeletons and mixed scripts (any thread).

How the pieces fit:

    raw name -> strip_invisible_from_name -> (shared.names rules) -> check_single_script (nicknames)
                                                                  -> LookalikeIndex.find (nicknames and rooms)

The skeleton follows Unicode TS #39: every character is mapped to the
prototype of its confusable class (Cyrillic "М" and Greek "Μ" to Latin "M",
"m" to "rn", "0" to "O", "I" and "1" to "l"), so two names that look the
same get the same skeleton.  The confusables data comes from the
`confusable-homoglyphs` package (Unicode's confusables.txt and Scripts.txt);
it is loaded on first use, about 80 ms and 16 MB, and never from the network.

Names are shown as typed but compared without case (shared.names.name_key),
so a name is indexed under the skeletons of three of its case forms: as
typed, casefolded and upper case.  Two names clash when any of those keys
are equal, which catches a look-alike of a case variant ("MR_SMlTH" against
"Mr_Smith", because "MR_SMITH" is the same name) without chaining case and
shape into each other ("Ryan" and "Ruan" stay apart).

Beyond TS #39, the skeleton also drops the generic combining accents
(U+0300-U+036F and the other "Combining Diacritical Marks" blocks): a dot
below or an acute accent is easy to miss in a user list, so "ṃr_smith" and
"José" clash with "mr_smith" and "Jose".  Marks that belong to one script
(Devanagari vowel signs, Hebrew points, Arabic harakat) are kept, because
in those scripts they tell different names apart.  It drops the spacing
modifier letters that read as a tick or a dot (`_SPACING_MARKS`) the same
way, and reads the tatweel as `_` and the long-vowel mark as `-`.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from typing import Any, cast

from shared import names as name_rules
from shared.errors import ErrorCode, ProtocolError

# Which characters are invisible is decided once, in shared.names (the name rules every name passes);
# this module uses the same sets, so a name is stripped the same way wherever it is checked.
BIDI_CONTROLS = frozenset(
    map(chr, name_rules.BIDI_CONTROLS)
)  # LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI; LRM, RLM; ALM
# Invisible characters that text loses; zero-width joiners and variation selectors stay,
# because emoji sequences and scripts such as Persian need them.
TEXT_INVISIBLES = frozenset(map(chr, name_rules.TEXT_INVISIBLE))

# Letters Unicode's confusables.txt leaves out but a user list shows as another letter (found by a hostile
# review, docs/reliability.md): the Latin small capitals, which are letters of their own script (so no
# mixed-script refusal catches them) and read as the capital they copy; the modifier letter low macron,
# drawn where an underscore is; the tone-six letter, shaped like "b".  These replace the table's own
# entry where it has one (it pairs small capital M with turned w, and both stay apart from "M").
_EXTRA_PROTOTYPES = {
    "\u1d00": "A", "\u0299": "B", "\u1d04": "C", "\u1d05": "D", "\u1d07": "E", "\ua730": "F", "\u0262": "G",
    "\u029c": "H", "\u026a": "I", "\u1d0a": "J", "\u1d0b": "K", "\u029f": "L", "\u1d0d": "M", "\u0274": "N",
    "\u1d0f": "O", "\u1d18": "P", "\ua7af": "Q", "\u0280": "R", "\ua731": "S", "\u1d1b": "T", "\u1d1c": "U",
    "\u1d20": "V", "\u1d21": "W", "\u028f": "Y", "\u1d22": "Z",
    "\u028d": "M", "\u0138": "K",  # turned w and kra: Unicode pairs them with the small capitals M and K
    "\u02cd": "_", "\u0185": "b",
    # Letters every script shares (so no mixed-script refusal catches them) drawn as a line: the Arabic tatweel
    # sits on the baseline where an underscore does ("MsـLee" could not be told from "Ms_Lee" in the
    # window); the Katakana long-vowel mark and Bopomofo I are a dash between Latin letters (found by a probe).
    "\u0640": "_", "\u30fc": "-", "\u3127": "-",
}  # fmt: skip

# Spacing modifier letters (Common script, so allowed in any name) that look like an accent, a tick or a dot
# beside a letter and are as easy to miss as a combining accent: "Ms_Leeˑ", "Bobˌ", "Bobʼ" passed
# for Ms_Lee and Bob (found by a probe).  The skeleton drops them like the generic accents, and the Latin
# letters drawn the same way: the saltillo (an apostrophe) and the sinological dot (a middle dot).
_SPACING_MARKS = (
    *range(0x02B9, 0x02CD), *range(0x02CE, 0x02D2), 0x02EC, 0x02EE, 0x2E2F, *range(0xA717, 0xA720), 0xA788,
    0xA78B, 0xA78C, 0xA78F,
)  # fmt: skip

# Generic combining accents the skeleton drops (see the module docstring).
_GENERIC_ACCENT_RANGES = ((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F))


def is_default_ignorable(ch: str) -> bool:
    """True for a Default_Ignorable_Code_Point: shows nothing on its own (zero-width, fillers, selectors)."""
    return ord(ch) in name_rules.DEFAULT_IGNORABLE


_TEXT_INVISIBLE_TABLE: dict[int, None] = dict.fromkeys(name_rules.BIDI_CONTROLS | name_rules.TEXT_INVISIBLE)
_GENERIC_ACCENT_TABLE: dict[int, None] = {
    **{code: None for low, high in _GENERIC_ACCENT_RANGES for code in range(low, high + 1)},
    **dict.fromkeys(_SPACING_MARKS),
}


def strip_invisible_from_name(name: str) -> str:
    """The name without bidi controls and Default_Ignorable_Code_Points (zero-width characters, fillers)."""
    return name_rules.strip_invisible_from_name(name)


def strip_invisible_from_text(text: str) -> str:
    """Message text without bidi controls, U+200B, U+2060 and U+FEFF; joiners and variation selectors stay."""
    return text.translate(_TEXT_INVISIBLE_TABLE)


# ---------------------------------------------------------------------------------------------------------------
# Skeletons


@functools.cache
def _prototypes() -> dict[str, str]:
    """Character -> the prototype of its confusable class, for every character that is not its own prototype.

    The package keeps confusables.txt as pairs in both directions, so the
    classes are rebuilt as connected components.  In Unicode's data a source
    is always one character and each class has one prototype, the character
    every other member maps to: the multi-character member if there is one
    ("rn" for "m"), otherwise the member with the most partners.
    """
    from confusable_homoglyphs import confusables  # type: ignore[import-untyped]  # loads its data: on first use only

    pairs = cast(dict[str, list[dict[str, Any]]], confusables.confusables_data)
    parent: dict[str, str] = {}
    partners: dict[str, int] = {}

    def root(item: str) -> str:
        while parent.setdefault(item, item) != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for raw_source, entries in pairs.items():
        # Right-to-left characters come wrapped in LRM marks (the package parses confusables.txt's comments).
        source = strip_invisible_from_name(raw_source)
        for entry in entries:
            target = strip_invisible_from_name(str(entry["c"]))
            if not source or not target or source == target:
                continue
            partners[source] = partners.get(source, 0) + 1
            partners[target] = partners.get(target, 0) + 1
            a, b = root(source), root(target)
            if a != b:
                parent[a] = b

    members: dict[str, list[str]] = {}
    for item in list(parent):
        members.setdefault(root(item), []).append(item)
    table: dict[str, str] = {}
    for group in members.values():
        prototype = max(group, key=lambda item: (len(item) > 1, partners.get(item, 0), -ord(item[0]), item))
        for item in group:
            if len(item) == 1 and item != prototype:
                table[item] = prototype
    for item, prototype in _EXTRA_PROTOTYPES.items():
        table[item] = table.get(prototype, prototype)
    return table


def preload() -> None:
    """Load the confusables and scripts data now (about 100 ms), e.g. at server start, not on the first NICK."""
    from shared.name_scripts import script_of

    _prototypes()
    script_of("a")


def _visual_skeleton(name: str) -> str:
    """TS #39's skeleton of a name as it is shown (case kept), with generic accents dropped."""
    table = _prototypes()
    text = strip_invisible_from_name(name)
    # TS #39 maps once; here compatibility forms (full width, ligatures, superscripts) are folded too, and a
    # prototype may hold such a form ("%" maps to "º/₀"), so map and fold again until nothing changes.
    for _ in range(8):
        folded = unicodedata.normalize("NFKD", text).translate(_GENERIC_ACCENT_TABLE)
        mapped = "".join(table.get(ch, ch) for ch in folded)
        if mapped == text:
            break
        text = mapped
    return text


def skeleton(name: str) -> str:
    """The confusable skeleton of a name as shown: two names with the same skeleton look alike.

    Case is kept ("M" and "m" look different); LookalikeIndex also compares
    the casefolded and upper-case forms, so use it to decide a clash.
    """
    return _visual_skeleton(name)


@functools.lru_cache(maxsize=4096)  # a NICK looks its name up and then adds it: the skeletons are made once
def lookalike_keys(name: str) -> frozenset[str]:
    """The keys a name is compared under: the skeletons of the name as typed, casefolded and in upper case,
    and the skeleton as typed casefolded ("B0b" shows "BOb", which is "bob" without case)."""
    visible = unicodedata.normalize("NFKC", strip_invisible_from_name(name))
    as_typed = _visual_skeleton(visible)
    return frozenset(
        (as_typed, as_typed.casefold(), _visual_skeleton(visible.casefold()), _visual_skeleton(visible.upper()))
    )


def looks_alike(first: str, second: str) -> bool:
    """True when the two names could pass for each other (same name in another case included)."""
    return not lookalike_keys(first).isdisjoint(lookalike_keys(second))


def _name_key(name: str) -> str:
    return name_rules.name_key(name)


class LookalikeIndex:
    """Names in use (or registered), indexed by their look-alike keys, so a check is a few dict lookups.

    Not locked: the owner guards it (for the server, the registry lock).
    A name added twice (say online and registered) must be discarded twice
    to leave.  Names are told apart by shared.names.name_key, so "Alice" and
    "alice" are one entry, shown as first added.
    """

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._by_key: dict[str, dict[str, str]] = {}  # skeleton key -> {name key: name as shown}
        self._entries: dict[str, tuple[str, frozenset[str], int]] = {}  # name key -> (shown, keys, count)
        for name in names:
            self.add(name)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and _name_key(name) in self._entries

    def add(self, name: str) -> None:
        own = _name_key(name)
        entry = self._entries.get(own)
        if entry is not None:
            shown, keys, count = entry
            self._entries[own] = (shown, keys, count + 1)
            return
        keys = lookalike_keys(name)
        self._entries[own] = (name, keys, 1)
        for key in keys:
            self._by_key.setdefault(key, {})[own] = name

    def discard(self, name: str) -> None:
        own = _name_key(name)
        entry = self._entries.get(own)
        if entry is None:
            return
        shown, keys, count = entry
        if count > 1:
            self._entries[own] = (shown, keys, count - 1)
            return
        del self._entries[own]
        for key in keys:
            holders = self._by_key.get(key)
            if holders is not None:
                holders.pop(own, None)
                if not holders:
                    del self._by_key[key]

    def find(self, name: str, *, ignore: Iterable[str] = ()) -> str | None:
        """A name in the index that `name` could pass for, or None.

        `ignore` lists names that do not count (by name key), e.g. the
        asker's own current nickname or the account they are logged in to.
        A name equal to an entry apart from case is found too.
        """
        skipped = {_name_key(item) for item in ignore}
        for key in sorted(lookalike_keys(name)):  # sorted: the same answer every time
            for own, shown in self._by_key.get(key, {}).items():
                if own not in skipped:
                    return shown
        return None


def nick_lookalike_error(wanted: str, existing: str) -> ProtocolError:
    """The refusal for a nickname that could pass for `existing` (nick_taken, naming the look-alike)."""
    return ProtocolError(
        ErrorCode.NICK_TAKEN,
        f"The nickname {wanted!r} looks too much like {existing!r}, which is taken; choose a clearly different one.",
    )


def room_lookalike_error(wanted: str, existing: str) -> ProtocolError:
    """The refusal for a room name that could pass for `existing` (bad_room, naming the look-alike)."""
    return ProtocolError(
        ErrorCode.BAD_ROOM,
        f"The room name {wanted!r} looks too much like the room {existing!r}; join that one or choose another name.",
    )
