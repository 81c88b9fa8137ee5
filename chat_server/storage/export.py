"""Transcripts: a room's messages written as plain text, CSV or a standalone HTML page (the caller's thread).

Each writer takes rows (from `MessageStore.export_rows`) and an open text
file. Private messages are left out unless the caller passes
`include_private=True`, so a transcript never shows them by accident.
In plain text only an entry starts a line with "[": a message's further
lines, and the rest of a line longer than 79 columns, start with "    | ",
and its runs of blanks are one space.
CSV cells that a spreadsheet would run as a formula get a leading quote;
HTML is escaped and the page loads nothing from anywhere.
"""

from __future__ import annotations

import csv
import datetime
import html
import unicodedata
from collections.abc import Iterable
from typing import TextIO

from chat_server.storage.models import StoredMessage
from shared.frame_text import collapse_blanks
from shared.row_cut import row_cut

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTINUATION = "\n    | "  # before each further line of a message in a .txt transcript
# A .txt row is at most this many columns (an 80-column terminal's last one left free: some wrap there); a longer
# line goes on in a row of its own after CONTINUATION, so a terminal or viewer never wraps it to column 0.
TEXT_COLUMNS = 79


def _shown(rows: Iterable[StoredMessage], include_private: bool) -> list[StoredMessage]:
    return [row for row in rows if include_private or not row.is_private]


def _when(time_ms: int, tz: datetime.tzinfo | None) -> datetime.datetime:
    moment = datetime.datetime.fromtimestamp(time_ms / 1000, datetime.timezone.utc)
    return moment.astimezone(tz) if tz is not None else moment.astimezone()


def _where(row: StoredMessage) -> str:
    return f"#{row.room}" if row.room is not None else f"private to {row.recipient}"


def write_text(
    rows: Iterable[StoredMessage], out: TextIO, *, include_private: bool = False, tz: datetime.tzinfo | None = None
) -> int:
    """`[YYYY-MM-DD HH:MM:SS] #room <sender> text`, one message per entry; returns the count.

    A message's further lines follow as `    | line`: a line a student
    typed as "[2026-12-02 10:44:14] #lab <carol> ..." reads as part of
    their message, never as carol's entry (found by a probe: a 4-space
    indent alone passed for an entry).  Runs of blank-looking characters
    are one space (shared/frame_text.py), so padding cannot push such text
    to the start of a row in a viewer that wraps long lines.
    """
    shown = _shown(rows, include_private)
    for row in shown:
        stamp = _when(row.time_ms, tz).strftime("%Y-%m-%d %H:%M:%S")
        lines = [collapse_blanks(line) for line in row.text.splitlines()] or [""]
        head = f"[{stamp}] {_where(row)} <{row.sender}> "
        text = CONTINUATION.join(_rows(head if number == 0 else "", line) for number, line in enumerate(lines))
        out.write(f"{text}\n")
    return len(shown)


def _cells(ch: str) -> int:
    """Columns a character may take, never fewer than it takes: wide, emoji and East Asian "Ambiguous" ones 2."""
    if ch < "\u00a1":
        return 1
    if unicodedata.east_asian_width(ch) in ("W", "F", "A") or unicodedata.category(ch) == "So":
        return 2
    return 1


def _rows(head: str, line: str) -> str:
    """`head` + `line` broken after a space (or anywhere, if it must) into rows of at most TEXT_COLUMNS columns.

    Each row after the first is joined by CONTINUATION, without the blanks at
    the break: nothing a user wrote, however it is padded (blanks, a rule of
    dashes, a row of letters), can reach the start of a row and pass for an
    entry (found by a probe: a rule of U+2500 pushed "[stamp] #lab <alice> ..."
    to column 0 of an 80-column terminal).
    """
    rows: list[str] = []
    prefix, rest = head, line
    while True:
        used = sum(_cells(ch) for ch in prefix) + (len(CONTINUATION) - 1 if rows else 0)
        cut = row_cut(rest, used, TEXT_COLUMNS, _cells)
        if cut is None:
            rows.append(prefix + rest)
            return CONTINUATION.join(rows)
        rows.append(prefix + rest[:cut].rstrip())
        prefix, rest = "", rest[cut:].lstrip()
        if not rest:
            return CONTINUATION.join(rows)


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def write_csv(
    rows: Iterable[StoredMessage], out: TextIO, *, include_private: bool = False, tz: datetime.tzinfo | None = None
) -> int:
    """Columns id, time (ISO 8601 with offset), room, sender, to, text; returns the number of messages."""
    shown = _shown(rows, include_private)
    writer = csv.writer(out)
    writer.writerow(["id", "time", "room", "sender", "to", "text"])
    for row in shown:
        writer.writerow(
            [
                row.id,
                _when(row.time_ms, tz).isoformat(timespec="seconds"),
                _cell(row.room or ""),
                _cell(row.sender),
                _cell(row.recipient or ""),
                _cell(row.text),
            ]
        )
    return len(shown)


_PAGE_HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 50em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
td {{ padding: 0.25em 0.5em; vertical-align: top; border-bottom: 1px solid #ddd; }}
td.when {{ white-space: nowrap; color: #666; }}
td.who {{ white-space: nowrap; font-weight: bold; }}
td.text {{ white-space: pre-wrap; overflow-wrap: anywhere; }}
tr.private td {{ background: #f6f0ff; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>{count} messages</p>
<table>
"""


def write_html(
    rows: Iterable[StoredMessage],
    out: TextIO,
    *,
    title: str,
    include_private: bool = False,
    tz: datetime.tzinfo | None = None,
) -> int:
    """A standalone page (inline style, no scripts, every value escaped); returns the number of messages."""
    shown = _shown(rows, include_private)
    out.write(_PAGE_HEAD.format(title=html.escape(title), count=len(shown)))
    for row in shown:
        when = _when(row.time_ms, tz).strftime("%Y-%m-%d %H:%M:%S")
        who = html.escape(row.sender)
        if row.is_private:
            who += " &rarr; " + html.escape(row.recipient or "")
        css = ' class="private"' if row.is_private else ""
        out.write(
            f'<tr{css} id="m{row.id}"><td class="when">{when}</td><td class="who">{who}</td>'
            f'<td class="text">{html.escape(row.text)}</td></tr>\n'
        )
    out.write("</table>\n</body>\n</html>\n")
    return len(shown)
