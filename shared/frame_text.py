"""Server frames as one human-readable line: for nc/telnet users and the terminal client (any thread)."""

from __future__ import annotations

import re
from collections.abc import Callable

from shared.file_transfer import format_size
from shared.frames import Frame
from shared.names import strip_control
from shared.quoted_words import quoted

# Every character a terminal might take for the end of a line: a frame is always shown as one line.
_LINE_BREAKS = ("\n", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029")
# Runs of blank-looking characters in what someone said: spaces of every width, and letters that show as
# nothing (braille blank, Hangul fillers). Padding a message with them up to the edge of an 80-column
# terminal made the rest wrap to a row of its own that passed for a server line; each run is one space.
_BLANK_RUN = re.compile(r"[\s\u2800\u3164\u115f\u1160\uffa0]{2,}")


def collapse_blanks(text: str) -> str:
    """`text` with every run of blank-looking characters (line breaks included) as one space: what someone said,
    made safe to print where a reader's wrapping could turn padding into a line of its own (a terminal, a .txt)."""
    return _BLANK_RUN.sub(" ", text)


def render_text(frame: Frame, clean: Callable[[str], str] = strip_control, multiline_help: bool = False) -> str:
    """The text of one server frame, without a line ending, e.g. "[12:00:01] #general <alice> hi".

    `clean` makes incoming text safe: the server drops control characters,
    the terminal client shows them as visible escapes.  Text mode sends one
    line per frame, so `help` is one line there; the terminal client asks
    for it as a stamped line per command (`multiline_help`).
    """

    def one_line(value: object) -> str:
        text = str(value).replace("\r\n", "\n")
        for line_break in _LINE_BREAKS:
            text = text.replace(line_break, " | ")
        return clean(text).replace("\t", " ")

    kind = frame.get("type")
    stamp = f"[{one_line(frame.get('timestamp', ''))}]"
    content = frame.get("content", "")
    # A teacher's line is marked inside the brackets, where no nickname can reach: "<Ms_Lee (teacher)>".
    sender = one_line(frame.get("sender")) + (" (teacher)" if frame.get("role") == "teacher" else "")
    if kind == "message":
        said = collapse_blanks(one_line(content))
        return f"{stamp} #{one_line(frame.get('room'))} <{sender}> {said}"
    if kind == "private":
        said = collapse_blanks(one_line(content))
        return f"{stamp} *{sender} -> {one_line(frame.get('to'))}* {said}"
    if kind == "error":
        return f"{stamp} ! {one_line(content)} ({one_line(frame.get('code'))})"
    if kind == "help" and multiline_help:
        return "\n".join(f"{stamp} {one_line(line)}" for line in str(content).splitlines())
    if kind == "file":  # e.g. [12:00:01] #general alice shared "worksheet.pdf" (1.2 MB)
        where = f"#{one_line(frame.get('room'))}" if frame.get("room") is not None else f"*{one_line(frame.get('to'))}*"
        size = frame.get("size")
        shown = format_size(size) if isinstance(size, int) and not isinstance(size, bool) else "?"
        # The name in quotes: "x (2 KB) · #lab Ms_Lee (teacher) shared answers.pdf" read as the teacher's file on
        # the sender's line, with the sender's /get id after it (found by the ninth review).
        name = quoted(one_line(frame.get("name")))
        return f"{stamp} {where} {one_line(frame.get('sender'))} shared {name} ({shown})"
    if kind == "pong":
        return f"{stamp} PONG {one_line(content)}".rstrip()
    if kind == "rooms":  # the push carries no text of its own (text-mode connections never get it)
        rooms = frame.get("rooms") or []
        shown = ", ".join(f"#{one_line(room.get('name'))} ({one_line(room.get('count'))})" for room in rooms[:20])
        more = len(rooms) - 20 if len(rooms) > 20 else 0
        return f"{stamp} * Rooms: {shown or 'none'}" + (f" and {more} more" if more else "")
    # Notices carry people's words too (a topic, an away text): padded with blanks, they reached a new row of
    # an 80-column terminal that read like a line of the server's own.
    return f"{stamp} * {collapse_blanks(one_line(content))}"


def render_text_line(frame: Frame) -> bytes:
    """The text-mode bytes the server sends an nc/telnet user for one frame."""
    return (render_text(frame) + "\r\n").encode("utf-8", "replace")
