"""Transcripts for the admin: a room's messages over a range of days written to a .txt, .csv or .html file (the caller's thread).

    day_range_ms(date(2026, 11, 30), date(2026, 11, 30)) -> that whole day, local time, in ms
    write_transcript(rows, "lesson.html", "physics", first, last) -> messages written

The format follows the file's extension; the writers are
chat_server/storage/export.py (plain text, CSV safe from formulas, HTML
that loads nothing).  Private messages are never in a transcript: the
rows come from `export_rows` without `include_private`, and the writers
leave them out again.
"""

from __future__ import annotations

import datetime
import errno
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from chat_server.storage import StoredMessage, write_csv, write_html, write_text

EXTENSIONS = (".txt", ".csv", ".html", ".htm")


def parse_day(text: str) -> datetime.date:
    """YYYY-MM-DD, or `today`/`yesterday`; ValueError with a sentence for the admin otherwise."""
    word = text.strip().lower()
    today = datetime.date.today()
    if word == "today":
        return today
    if word == "yesterday":
        return today - datetime.timedelta(days=1)
    try:
        return datetime.date.fromisoformat(word)
    except ValueError:
        raise ValueError(f"{text.strip()[:20]!r} is not a day: write it as YYYY-MM-DD, e.g. {today}.") from None


def day_range_ms(first: datetime.date, last: datetime.date) -> tuple[int, int]:
    """From local midnight at the start of `first` to local midnight after `last`, in ms since the epoch."""
    if last < first:
        raise ValueError(f"The range ends ({last}) before it starts ({first}).")
    start = datetime.datetime.combine(first, datetime.time()).astimezone()
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time()).astimezone()
    return int(start.timestamp() * 1000), int(end.timestamp() * 1000)


def transcript_format(path: str | Path) -> str:
    """ "txt", "csv" or "html" from the file's extension; ValueError for any other."""
    suffix = Path(path).suffix.lower()
    if suffix not in EXTENSIONS:
        raise ValueError(
            f"The file name must end in .txt, .csv or .html (the format follows it), not {suffix or 'nothing'}."
        )
    return "html" if suffix == ".htm" else suffix[1:]


def write_transcript(
    rows: list[StoredMessage], path: str | Path, room: str, first: datetime.date, last: datetime.date
) -> int:
    """Write the rows in the format of the file's extension (replacing the file whole); returns the messages written."""
    kind = transcript_format(path)
    span = f"{first}" if first == last else f"{first} to {last}"
    writers: dict[str, Callable[[list[StoredMessage], TextIO], int]] = {
        "txt": lambda rows, out: write_text(rows, out),
        "csv": lambda rows, out: write_csv(rows, out),
        "html": lambda rows, out: write_html(rows, out, title=f"#{room}, {span}"),
    }
    target = Path(path)
    if target.exists() and not os.access(target, os.W_OK):  # replacing would succeed where writing is refused
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(target))
    # Written beside it, then put in its place: a write that fails half-way (a full USB stick) leaves the file
    # already there (last week's transcript) as it was, and no half transcript under its name.
    part = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        with open(part, "x", encoding="utf-8", newline="") as out:
            if kind == "txt":
                out.write(f"#{room}, {span}\n")
            count = writers[kind](rows, out)
        os.replace(part, target)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return count
