"""chat-term's line wrapping: a long line broken to the terminal's width, the rest indented (printer thread; pure).

A terminal that wraps a long line itself starts the rest at column 0, where
it looks like a line of its own: a student could pad a message with blanks
up to the edge and follow it with "[10:02:11] * Mrs_Smith is now a teacher"
or "<teacher> the test is cancelled". chat-term breaks every line itself,
a little short of the width, and starts each continuation with an indent,
so only the first line of a message reaches column 0.

Widths are counted generously (an emoji or a wide CJK letter as two
columns, every other character as at least one): a line counted too wide
is merely broken early, while one counted too narrow would be wrapped by
the terminal again, at column 0. Two ways a line was counted too narrow
(found by a probe):
- characters Unicode calls "Ambiguous" that a terminal draws two columns
  wide: glibc's wcwidth (so tmux and screen) does for U+3248..U+324F, and a
  terminal set to "ambiguous characters are wide" (gnome-terminal, iTerm,
  PuTTY, as CJK users set them) does for every one of them: Greek,
  Cyrillic, box drawing, ①. `wide_ambiguous` counts them all as two.
- characters the terminal's encoding lacks: printed as escapes
  (`\\U0001f600`, ten columns for an emoji counted as two). `fit_for_terminal`
  escapes first and measures what will really be printed.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Mapping

from shared.row_cut import row_cut

CONTINUATION_INDENT = " " * 4
# The terminal's last column is not used: on many terminals a character there moves the cursor to the next line.
RIGHT_MARGIN = 1
# "Ambiguous" in Unicode, yet two columns in glibc's wcwidth (so in tmux and screen): tests/unit/test_terminal_wrap.py
# compares the whole table with glibc's, so another such difference is caught.
WIDE_IN_GLIBC = (("\u3248", "\u324f"),)
# Where terminals are usually set to draw Ambiguous characters wide: Chinese, Japanese, Korean locales and encodings.
CJK_LANGUAGES = ("ja", "ko", "zh")
CJK_ENCODINGS = frozenset(
    ("big5", "big5hkscs", "cp932", "cp949", "cp950", "euc_jis_2004", "euc_jisx0213", "euc_jp", "euc_kr")
    + ("gb18030", "gb2312", "gbk", "hz", "iso2022_jp", "iso2022_kr", "johab", "shift_jis", "shift_jis_2004")
)


def cell_width(ch: str, wide_ambiguous: bool = False) -> int:
    """Columns a character may take on a terminal, never less than it takes: 2 for wide and emoji, else 1.

    With `wide_ambiguous`, East Asian "Ambiguous" characters count as 2 as well.
    """
    if ch < "\u00a1":  # ASCII and Latin-1's controls: the common case, and no Ambiguous character among them
        return 1
    if ch < "\u1100" and not wide_ambiguous:  # Latin, Greek, Cyrillic, ...: without a table look-up
        return 1
    east_asian = unicodedata.east_asian_width(ch)
    if east_asian in ("W", "F") or unicodedata.category(ch) == "So":
        return 2
    if east_asian == "A" and (wide_ambiguous or any(low <= ch <= high for low, high in WIDE_IN_GLIBC)):
        return 2
    return 1


def ambiguous_is_wide_here(environ: Mapping[str, str], encoding: str | None) -> bool:
    """Whether this terminal probably draws Ambiguous characters two columns wide: a CJK locale or encoding.

    Counting them as two where they are one only breaks lines a little early,
    so a hint is enough.
    """
    locale_name = next((environ[name] for name in ("LC_ALL", "LC_CTYPE", "LANG") if environ.get(name)), "")
    if locale_name.lower().startswith(CJK_LANGUAGES):
        return True
    try:
        return encoding is not None and codecs.lookup(encoding).name.replace("-", "_") in CJK_ENCODINGS
    except LookupError:
        return False


def as_printed(text: str, encoding: str | None) -> str:
    """`text` as print() writes it to an output in `encoding` with errors="backslashreplace" (terminal_screen.py).

    An emoji on a Latin-1 terminal becomes the ten characters \\U0001f600,
    and a lone surrogate from a hostile frame \\ud800 even on UTF-8.
    """
    if not encoding:
        return text
    try:
        return text.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:
        return text


def fit_for_terminal(text: str, columns: int, encoding: str | None, wide_ambiguous: bool = False) -> str:
    """`text` as the rows to print on a terminal `columns` wide: escaped for `encoding`, then each line wrapped.

    Escaping comes first so that what is measured is what is printed.
    """
    printed = as_printed(text, encoding)
    return "\n".join(row for line in printed.split("\n") for row in wrap_for_terminal(line, columns, wide_ambiguous))


def wrap_for_terminal(line: str, columns: int, wide_ambiguous: bool = False) -> list[str]:
    """`line` (no line breaks in it) as rows of at most `columns - RIGHT_MARGIN` cells, breaking after a space if it can.

    Rows after the first start with CONTINUATION_INDENT; the blanks at a
    break are dropped, so no row starts with blanks that could push text
    to where a new line would begin.
    """
    limit = columns - RIGHT_MARGIN
    if limit < 2 * len(CONTINUATION_INDENT) or len(line) * 2 <= limit:  # a tiny terminal, or surely short enough
        return [line]
    rows: list[str] = []
    indent = ""
    rest = line
    while rest:
        cut = row_cut(rest, len(indent), limit, lambda ch: cell_width(ch, wide_ambiguous))
        if cut is None:
            rows.append(indent + rest)
            break
        rows.append(indent + rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
        indent = CONTINUATION_INDENT
    return rows
