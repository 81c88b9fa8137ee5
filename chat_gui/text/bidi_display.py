"""Right-to-left names in the order a reader expects them on screen, for Tk 8.6 on X11 (any thread).

    visual_line("נועה_2")  ->  the same characters in display order, drawn left to right by Tk

Tk 8.6 draws text in the order it is stored (logical order) from left to
right on X11: there is no bidirectional reordering, so every Hebrew or
Arabic word came out back to front (דנה read as הנד).  This applies the
Unicode Bidirectional Algorithm (UAX #9) to one line with no explicit
embeddings (the server removes bidi controls from names and messages): the
paragraph takes the direction of its first strong letter, the weak and
neutral types are resolved (W1-W7, N1-N2), levels assigned (I1-I2) and
runs reversed from the highest level down (L2), with brackets mirrored in
right-to-left runs (L4).  A combining mark stays after its letter, so
pointed Hebrew and Arabic vowel marks keep their place.  Text without a
right-to-left letter is returned as it is (no other text changes).

Used for names in the people list, the rooms list, the tabs and the
conversation's name column, and for the window's own notices (which name
people, read left to right): short, one line, never edited.  What people
write goes through visual_rows: broken into rows that fit the pane first,
each row reordered after (see docs/client.md, "Right-to-left messages");
the text kept, copied and sent stays in logical order.
Windows and macOS draw through the system's text engine, which already
orders right-to-left text, so the window uses this on X11 only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

Spans = Sequence[tuple[int, int]]

_STRONG_RTL = frozenset({"R", "AL"})
_NEUTRAL = frozenset({"ON", "WS", "S", "B", "BN"})
_MIRROR = dict(zip("()[]{}<>«»‹›", ")(][}{><»«›‹", strict=True))
_ATTACHED = frozenset({"NSM", "BN"})  # combining marks, joiners: drawn with the letter before them


def has_rtl(text: str) -> bool:
    if text.isascii():  # most names and lines: no per-character lookup on the Tk poller's path
        return False
    return any(unicodedata.bidirectional(char) in _STRONG_RTL for char in text)


def _types(text: str, ltr_spans: Spans = ()) -> list[str]:
    types = []
    for char in text:
        kind = unicodedata.bidirectional(char) or "L"
        types.append(kind if kind in _KNOWN else "ON")  # embeddings, isolates: the server removes them
    for start, end in ltr_spans:  # a link: one left-to-right word, in the order it is opened
        types[start:end] = ["L"] * (min(end, len(types)) - start)
    return types


_KNOWN = frozenset({"L", "R", "AL", "EN", "ES", "ET", "AN", "CS", "NSM", "BN", "B", "S", "WS", "ON"})


def paragraph_base(text: str, ltr_spans: Spans = ()) -> int:
    """1 when the line's first strong letter is right-to-left (P2, P3), else 0; links count as left to right."""
    return _first_strong(_types(text, ltr_spans))


def _first_strong(types: list[str]) -> int:
    return next((1 if kind in _STRONG_RTL else 0 for kind in types if kind in ("L", "R", "AL")), 0)


def levels(text: str, base: int | None = None, ltr_spans: Spans = ()) -> list[int]:
    """The embedding level of each character (0 left to right, odd right to left), UAX #9 without embeddings.

    `base`: the line's direction, 0 (left to right) or 1; None takes the first strong letter's (P2, P3)."""
    types = _types(text, ltr_spans)
    if base is None:
        base = _first_strong(types)
    sos = "R" if base else "L"
    # W1: a combining mark takes the type of what it follows
    previous = sos
    for i, kind in enumerate(types):
        if kind == "NSM":
            types[i] = "ON" if previous in ("LRI", "RLI", "FSI", "PDI") else previous
        elif kind != "BN":
            previous = types[i]
    # W2, W3: European digits after Arabic letters are Arabic digits; Arabic letters are R
    last_strong = sos
    for i, kind in enumerate(types):
        if kind in ("L", "R", "AL"):
            last_strong = kind
        elif kind == "EN" and last_strong == "AL":
            types[i] = "AN"
    types = ["R" if kind == "AL" else kind for kind in types]
    # W4: one separator between two numbers of a kind joins them
    for i in range(1, len(types) - 1):
        before, after = types[i - 1], types[i + 1]
        if types[i] == "ES" and before == after == "EN":
            types[i] = "EN"
        elif types[i] == "CS" and before == after and before in ("EN", "AN"):
            types[i] = before
    # W5: terminators (%, $, °) next to European digits are digits
    i = 0
    while i < len(types):
        if types[i] == "ET":
            end = i
            while end < len(types) and types[end] in ("ET", "BN"):
                end += 1
            if (i > 0 and types[i - 1] == "EN") or (end < len(types) and types[end] == "EN"):
                for j in range(i, end):
                    types[j] = "EN"
            i = end
        else:
            i += 1
    # W6: the separators and terminators left are neutral
    types = ["ON" if kind in ("ES", "ET", "CS") else kind for kind in types]
    # W7: European digits after a left-to-right letter (or at the start of a left-to-right line) are L
    last_strong = sos
    for i, kind in enumerate(types):
        if kind in ("L", "R"):
            last_strong = kind
        elif kind == "EN" and last_strong == "L":
            types[i] = "L"
    # N1, N2: a run of neutrals between two of one direction takes it; else the line's direction
    i = 0
    while i < len(types):
        if types[i] in _NEUTRAL:
            end = i
            while end < len(types) and types[end] in _NEUTRAL:
                end += 1
            before = _direction(types[i - 1]) if i > 0 else sos
            after = _direction(types[end]) if end < len(types) else sos
            resolved = before if before == after else sos
            for j in range(i, end):
                types[j] = resolved
            i = end
        else:
            i += 1
    # I1, I2
    result = []
    for kind in types:
        if base == 0:
            result.append(1 if kind == "R" else 2 if kind in ("AN", "EN") else 0)
        else:
            result.append(2 if kind in ("L", "EN", "AN") else 1)
    # L1: spaces at the end of the line go back to the line's level
    for i in range(len(text) - 1, -1, -1):
        if unicodedata.bidirectional(text[i]) in ("WS", "S", "BN"):
            result[i] = base
        else:
            break
    return result


def _direction(kind: str) -> str:
    return "L" if kind == "L" else "R"  # EN and AN count as R for neutrals (N1)


def visual_line(text: str, base: int | None = None, ltr_spans: Spans = ()) -> str:
    """`text` (one line) in display order; unchanged when it has no right-to-left letter.

    `base` 0: an English sentence that names someone ("דנה joined #general"), read left to right.
    `ltr_spans`: (start, end) stretches drawn left to right as they are, links."""
    if not has_rtl(text):
        return text
    text = text.replace("\n", " ")
    char_levels = levels(text, base, ltr_spans)
    # clusters: a letter and the marks after it move together
    clusters: list[tuple[int, str]] = []
    for char, level in zip(text, char_levels, strict=True):
        if clusters and unicodedata.bidirectional(char) in _ATTACHED:
            clusters[-1] = (clusters[-1][0], clusters[-1][1] + char)
        else:
            clusters.append((level, _MIRROR.get(char, char) if level % 2 else char))
    # L2: from the highest level to the lowest odd one, reverse every run at that level or higher
    highest = max(level for level, _ in clusters)
    lowest_odd = min((level for level, _ in clusters if level % 2), default=highest + 1)
    order = list(range(len(clusters)))
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if clusters[order[i]][0] >= level:
                end = i
                while end < len(order) and clusters[order[end]][0] >= level:
                    end += 1
                order[i:end] = reversed(order[i:end])
                i = end
            else:
                i += 1
    return "".join(clusters[index][1] for index in order)


def visual_rows(text: str, fits: Callable[[str], bool], ltr_spans: Spans = ()) -> list[str]:
    """One line of a message broken into rows that fit (`fits(row)`), then each row put in display order.

    Tk wraps a line where it is drawn, so a right-to-left paragraph put in
    display order first and wrapped after would start with its last words:
    the break comes first, between words (inside a word longer than a row),
    and the reordering after, row by row, in the direction of the whole line
    (UAX #9, L1 to L4 per line).  A link is never broken inside, unless it is
    longer than a row."""
    base = paragraph_base(text, ltr_spans)
    if fits(text.rstrip()):  # most chat lines: one row, measured once
        return [visual_line(text.rstrip(" "), base, ltr_spans)]
    rows: list[tuple[int, int]] = []
    start = 0
    breaks = [match.end() for match in _WORD_END.finditer(text)]
    end = start
    for candidate in breaks:
        if candidate <= end:
            continue
        if end > start and not fits(text[start:candidate].rstrip()):
            rows.append((start, end))
            start = end
        while not fits(text[start:candidate].rstrip()) and candidate - start > 1:  # one word wider than a row
            cut = start + 1
            while cut + 1 < candidate and fits(text[start : cut + 1]):
                cut += 1
            rows.append((start, cut))
            start = cut
        end = candidate
    if start < len(text) or not rows:
        rows.append((start, len(text)))
    shown = []
    for row_start, row_end in rows:
        spans = [(max(a, row_start) - row_start, min(b, row_end) - row_start) for a, b in ltr_spans]
        spans = [(a, b) for a, b in spans if b > a]
        row = text[row_start:row_end].rstrip(" ")
        shown.append(visual_line(row, base, spans) if has_rtl(row) else row)
    return shown


_WORD_END = re.compile(r"\S+\s*|\s+")
