"""Arabic letters in their joined forms (initial, medial, final, isolated), for Tk 8.6 on X11 (any thread).

    joined("سلام")  ->  "ﺳﻼﻡ"   (the same word, each letter in the form it takes next to its neighbours)

Tk 8.6 on X11 draws each Arabic letter alone, in its isolated form, so a
word read as a row of separate letters.  The forms come from Unicode's
presentation forms, which every Arabic font has; which letters join on
both sides and which only to the letter before them is read from the
same table (a letter with an initial form joins forward).  Vowel marks
and other combining marks are passed over when looking at neighbours.
Lam followed by alef becomes the lam-alef ligature, as Arabic is written.
Letters without presentation forms, and all other text, are left as they
are.  Used only for what is drawn: the text kept, copied and sent stays
as it was typed (chat_gui/window/message_view.py).
"""

from __future__ import annotations

import unicodedata

_FORMS = ("isolated", "final", "initial", "medial")
_ALEFS = frozenset("\u0622\u0623\u0625\u0627")  # lam before one of these is written as one sign, lam-alef


def _table() -> tuple[dict[str, dict[str, str]], dict[tuple[str, str], dict[str, str]]]:
    letters: dict[str, dict[str, str]] = {}
    ligatures: dict[tuple[str, str], dict[str, str]] = {}
    for code in (*range(0xFB50, 0xFDFF), *range(0xFE70, 0xFEFF)):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) < 2 or parts[0].strip("<>") not in _FORMS:
            continue
        form, bases = parts[0].strip("<>"), [chr(int(part, 16)) for part in parts[1:]]
        if len(bases) == 1:
            letters.setdefault(bases[0], {}).setdefault(form, chr(code))
        elif len(bases) == 2 and bases[0] == "\u0644" and bases[1] in _ALEFS and form in ("isolated", "final"):
            ligatures.setdefault((bases[0], bases[1]), {}).setdefault(form, chr(code))
    return letters, ligatures


_LETTERS, _LAM_ALEF = _table()
_JOIN_CAUSING = frozenset("\u0640\u200d")  # tatweel, zero width joiner


def _joins_forward(char: str) -> bool:
    return char in _JOIN_CAUSING or "initial" in _LETTERS.get(char, {})


def _joins_backward(char: str) -> bool:
    return char in _JOIN_CAUSING or "final" in _LETTERS.get(char, {})


def _transparent(char: str) -> bool:
    return unicodedata.category(char) == "Mn"


def has_arabic(text: str) -> bool:
    return not text.isascii() and any(char in _LETTERS for char in text)


def joined(text: str) -> str:
    """`text` with its Arabic letters in joined forms; unchanged when it has none."""
    if not has_arabic(text):
        return text
    chars = list(text)
    out: list[str] = []
    i = 0
    while i < len(chars):
        char = chars[i]
        if char not in _LETTERS:
            out.append(char)
            i += 1
            continue
        before = _neighbour(chars, i, -1)
        joined_before = before is not None and _joins_forward(before) and _joins_backward(char)
        after_index = _neighbour_index(chars, i, 1)
        after = chars[after_index] if after_index is not None else None
        ligature = _LAM_ALEF.get((char, after)) if after is not None else None
        if ligature is not None and after_index == i + 1:
            form = "final" if joined_before else "isolated"
            if form in ligature:
                out.append(ligature[form])
                i += 2
                continue
        joined_after = after is not None and _joins_backward(after) and _joins_forward(char)
        form = ("medial" if joined_after else "final") if joined_before else ("initial" if joined_after else "isolated")
        out.append(_LETTERS[char].get(form) or _LETTERS[char].get("isolated", char))
        i += 1
    return "".join(out)


def _neighbour_index(chars: list[str], i: int, step: int) -> int | None:
    j = i + step
    while 0 <= j < len(chars) and _transparent(chars[j]):
        j += step
    return j if 0 <= j < len(chars) else None


def _neighbour(chars: list[str], i: int, step: int) -> str | None:
    j = _neighbour_index(chars, i, step)
    return chars[j] if j is not None else None
