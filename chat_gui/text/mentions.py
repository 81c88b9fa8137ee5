"""Whether a message names me, and where, for highlighting (any thread; pure).

A mention is my nickname as a whole word, compared as the server compares
names (NFKC, casefolded: "ANN", "ann" and the full-width "ａｎｎ" all name
ann).  A word is a run of the characters nicknames are made of (letters,
combining marks, digits, "_" and "-"), so "ann" is not named in "joanne",
"ann_b", "ann-marie" or "ann2", but is in "@ann", "ann:", "(ann)" or "ann's".

Scripts written without spaces (Chinese, Japanese, Thai, Lao, Khmer,
Myanmar) have no word boundaries to look for: there a nickname counts
wherever it stands next to a character of such a script, so 小明 is named
in "你好小明同学".  A Latin nickname glued to such text ("hi小明ann") counts
too, since nothing else could be meant.

Ranges are Python string offsets; chat_gui.window.tk_text turns them into Tk
indices (Tk 8.6 counts an emoji as two characters).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from chat_gui.text.code_spans import code_ranges
from shared.names import name_key

_EXTRA_WORD_CHARS = frozenset("_-")
_NO_SPACE_SCRIPTS = (
    "CJK ",
    "HIRAGANA",
    "KATAKANA",
    "HALFWIDTH KATAKANA",
    "THAI ",
    "LAO ",
    "KHMER ",
    "MYANMAR ",
    "IDEOGRAPHIC",
    "BOPOMOFO",
    "TANGUT",
    "YI ",
)


@lru_cache(maxsize=4096)
def _is_word_char(ch: str) -> bool:
    if ch in _EXTRA_WORD_CHARS:
        return True
    category = unicodedata.category(ch)
    return category[0] in "LM" or category == "Nd"


@lru_cache(maxsize=4096)
def _is_unspaced_script(ch: str) -> bool:
    # Letters of scripts written without spaces; their digits (Myanmar ၀, Thai ๑) are glued like any digit.
    return unicodedata.category(ch) != "Nd" and unicodedata.name(ch, "").startswith(_NO_SPACE_SCRIPTS)


def _is_boundary(before: str, after: str) -> bool:
    """Whether a word may end between these two characters ("" is the edge of the text)."""
    if not before or not after:
        return True
    if not _is_word_char(before) or not _is_word_char(after):
        return True
    return _is_unspaced_script(before) or _is_unspaced_script(after)


def _folded_with_origins(text: str) -> tuple[str, list[int], list[int]]:
    """The text folded as names are, and for each folded character the span of text it came from.

    Folding works per base character with its combining marks, so each piece
    of the folded text maps back to whole characters of the original.  ASCII
    folds to itself in lower case (NFKC leaves it alone, nothing in it is
    ignorable): a 2,000-character message no longer costs 2,000 name_key calls.
    """
    if text.isascii():
        return text.lower(), list(range(len(text))), list(range(1, len(text) + 1))
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    index = 0
    while index < len(text):
        end = index + 1
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1
        piece = text[index:end]
        folded = piece.lower() if piece.isascii() else name_key(piece)
        pieces.append(folded)
        starts.extend([index] * len(folded))
        ends.extend([end] * len(folded))
        index = end
    return "".join(pieces), starts, ends


def mention_ranges(text: str, nick: str) -> list[tuple[int, int]]:
    """Where `text` names `nick` as a whole word: (start, end) offsets into `text`, in order, not overlapping."""
    key = name_key(nick.strip())
    if not key or not text or (text.isascii() and key not in text.lower()):
        return []
    folded, starts, ends = _folded_with_origins(text)
    found: list[tuple[int, int]] = []
    search_from = 0
    while True:
        at = folded.find(key, search_from)
        if at < 0:
            return found
        last = at + len(key) - 1
        start, end = starts[at], ends[last]
        # The match must cover whole characters of the original, not half a folded "ß" -> "ss".
        whole = (at == 0 or starts[at - 1] != start) and (last + 1 == len(folded) or ends[last + 1] != end)
        before = text[start - 1] if start > 0 else ""
        after = text[end] if end < len(text) else ""
        if whole and _is_boundary(before, text[start]) and _is_boundary(text[end - 1], after):
            found.append((start, end))
            search_from = last + 1
        else:
            search_from = at + 1


def mentions(text: str, nick: str) -> bool:
    """Whether `text` names `nick` as a whole word, in any case, outside code (an `@property` in a block of
    Python names nobody called property; chat_gui/text/code_spans.py)."""
    return bool(mention_ranges(_blank_code(text) if "`" in text else text, nick))


def _blank_code(text: str) -> str:
    """`text` with every stretch of code turned into spaces (the same length: nothing glues to a name)."""
    pieces: list[str] = []
    position = 0
    for start, end in code_ranges(text):
        pieces += [text[position:start], " " * (end - start)]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)
