"""Server frames as one human-readable line: for nc/telnet users and the terminal client (any thread)."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

from shared.file_transfer import format_size
from shared.frames import Frame
from shared.lookalike import skeleton
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


# Brackets that are no Unicode "open punctuation" but draw like the start of a stamp at a row's left edge.
_OPENING_LOOKALIKES = frozenset("⌈⌊⎡⎢⎣")


@functools.cache
def _openers() -> re.Pattern[str]:
    """Every opening bracket but "(" (all of Unicode's are in its first plane), made once, on first use."""
    brackets = [chr(code) for code in range(0x10000) if unicodedata.category(chr(code)) == "Ps"]
    return re.compile("[" + "".join(re.escape(char) for char in [*brackets, *_OPENING_LOOKALIKES] if char != "(") + "]")


def _shows_as_nothing(char: str) -> bool:
    """Drawn as no column or a blank one: marks on the bracket, joiners, spaces, blank letters."""
    return unicodedata.category(char) in ("Mn", "Me", "Cf", "Zs", "Cc") or char in "\u2800\u3164\u115f\u1160\uffa0"


@functools.lru_cache(maxsize=1024)
def _char_skeleton(char: str) -> str:
    """One character's confusable skeleton, kept: a line of 8,000 brackets costs no more than a plain one."""
    return skeleton(char)


@functools.cache
def _digit_skeletons() -> frozenset[str]:
    return frozenset(_char_skeleton(digit) for digit in "0123456789")


def _is_digit(char: str) -> bool:
    """A digit of any script or width (superscript and circled ones too)."""
    return unicodedata.digit(char, None) is not None or unicodedata.normalize("NFKC", char)[:1].isdigit()


def _digit_like(char: str) -> bool:
    """A digit, or a letter drawn like one ("I", "l", "O", Greek "Ο")."""
    return _is_digit(char) or _char_skeleton(char) in _digit_skeletons()


def _next_shown(text: str, index: int) -> int:
    """The index of the first character at or after `index` that is drawn as something (len(text) if none)."""
    while index < len(text) and _shows_as_nothing(text[index]):
        index += 1
    return index


def _starts_a_stamp(text: str, index: int) -> bool:
    """Whether what follows the bracket at `index` reads as the hours of a stamp: a digit, or a letter drawn
    like one ("[I2:", "[O4:") before another such character or a colon ("[Important]" and "[OK]" are left)."""
    first = _next_shown(text, index + 1)
    if first >= len(text) or not _digit_like(text[first]):
        return False
    if _is_digit(text[first]):
        return True
    second = _next_shown(text, first + 1)
    return second < len(text) and (_digit_like(text[second]) or _char_skeleton(text[second]) == ":")


def defuse_stamps(text: str) -> str:
    """`text` with every opening bracket that comes before a digit shown as "(": no stamp such as
    "[12:00:01]" in someone's words, where the reader's terminal may wrap it to the left edge of a row.

    Every line a text-mode user receives starts with the server's "[HH:MM:SS]"; the server cannot know where an
    nc or telnet window wraps, and any visible padding (dots, words, wide letters) can bring the rest of a long
    message to column 0 of a row of its own.  Without "[digit" in anyone's words, such a row never starts the
    way the server's lines and other people's messages do.  Full-width and look-alike brackets and digits, and
    marks or invisible characters between them, are taken as what they look like.
    """
    shown = list(text)
    for bracket in _openers().finditer(text):
        if _starts_a_stamp(text, bracket.start()):
            shown[bracket.start()] = "("
    return "".join(shown)


# chat-term prints each later line of a message on a row of its own, after this mark (never at column 0), with
# its indentation kept up to KEPT_INDENT_COLUMNS (tabs as TAB_COLUMNS): pasted Python stays readable there.
MESSAGE_LINE_MARK = "    | "
KEPT_INDENT_COLUMNS = 40
TAB_COLUMNS = 4


QUOTE_CHARS = 60  # of a quoted message on the answer's line: the id finds the rest (/history before ID+1)


def answering(frame: Frame, words: Callable[[object], str]) -> str:
    """What an answer (REPLY) quotes, before its words on the same line: `(re 12, alice: "is it 4?") `.

    The quote is in brackets and double quotes (a `"` in it shown as `'`), so its words cannot pass for the
    answer's or for another line: "x) <teacher> no homework" stays inside the quotes.  Nothing for a frame
    with no well-formed `reply` (an old server, a forged field): the line is as it always was.
    """
    reply = frame.get("reply")
    if not isinstance(reply, dict):
        return ""
    message_id, sender, excerpt = reply.get("id"), reply.get("sender"), reply.get("excerpt")
    if not isinstance(message_id, int) or isinstance(message_id, bool) or not isinstance(sender, str):
        return ""
    if reply.get("deleted") is True or not isinstance(excerpt, str):
        return f"(re {message_id}, {words(sender)}: deleted) "
    return f"(re {message_id}, {words(sender)}: {quoted(words(excerpt), QUOTE_CHARS)}) "


def render_text(
    frame: Frame,
    clean: Callable[[str], str] = strip_control,
    multiline_help: bool = False,
    stamped: bool = False,
    lines_kept: bool = False,
    error_codes: bool = True,
) -> str:
    """The text of one server frame, without a line ending, e.g. "[12:00:01] #general <alice> hi".

    `clean` makes incoming text safe: the server drops control characters,
    the terminal client shows them as visible escapes.  Text mode sends one
    line per frame, so `help` is one line there; the terminal client asks
    for it as a stamped line per command (`multiline_help`).  `stamped`
    (text mode) shows no stamp-like bracket in people's words (defuse_stamps):
    the terminal client breaks its own rows and needs none of it.  `lines_kept`
    (the terminal client): the lines of a message or private message after
    its first are rows of their own, each after MESSAGE_LINE_MARK, their
    indentation kept (code); text mode keeps one line per frame.
    Text mode ends a refusal with its code for scripts ("... (bad_room)");
    `error_codes=False` (the terminal client) leaves it off: a student reads the words.
    """

    def words(value: object) -> str:
        """People's words (or a notice carrying them): blank runs folded, and in text mode no stamp-like bracket."""
        said = collapse_blanks(one_line(value))
        return defuse_stamps(said) if stamped else said

    def one_line(value: object) -> str:
        text = str(value).replace("\r\n", "\n")
        for line_break in _LINE_BREAKS:
            text = text.replace(line_break, " | ")
        return clean(text).replace("\t", " ")

    def said(value: object) -> str:
        """A message's words: one line, or (lines_kept) its lines after the first on marked rows, indented as sent."""
        text = str(value)
        if not lines_kept or "\n" not in text:
            return words(text)
        first, *more = text.split("\n")
        rows = [words(first)]
        for line in more:
            body = line.lstrip(" \t")
            indent = line[: len(line) - len(body)].expandtabs(TAB_COLUMNS)[:KEPT_INDENT_COLUMNS]
            rows.append(f"{MESSAGE_LINE_MARK}{indent}{words(body)}".rstrip())
        return "\n".join(rows)

    kind = frame.get("type")
    stamp = f"[{one_line(frame.get('timestamp', ''))}]"
    content = frame.get("content", "")
    # A teacher's line is marked inside the brackets, where no nickname can reach: "<Ms_Lee (teacher)>".
    sender = one_line(frame.get("sender")) + (" (teacher)" if frame.get("role") == "teacher" else "")
    if kind == "message":
        return f"{stamp} #{one_line(frame.get('room'))} <{sender}> {answering(frame, words)}{said(content)}"
    if kind == "private":
        return f"{stamp} *{sender} -> {one_line(frame.get('to'))}* {answering(frame, words)}{said(content)}"
    if kind == "error":
        code = f" ({one_line(frame.get('code'))})" if error_codes else ""
        return f"{stamp} ! {one_line(content)}{code}"
    if kind == "help" and multiline_help:
        return "\n".join(f"{stamp} {one_line(line)}" for line in str(content).splitlines())
    if kind == "file":  # e.g. [12:00:01] #general alice shared "worksheet.pdf" (1.2 MB)
        where = f"#{one_line(frame.get('room'))}" if frame.get("room") is not None else f"*{one_line(frame.get('to'))}*"
        size = frame.get("size")
        shown = format_size(size) if isinstance(size, int) and not isinstance(size, bool) else "?"
        # The name in quotes: "x (2 KB) · #lab Ms_Lee (teacher) shared answers.pdf" read as the teacher's file on
        # the sender's line, with the sender's /get id after it (found by the ninth review).
        name = quoted(words(frame.get("name")))
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
    return f"{stamp} * {words(content)}"


def render_text_line(frame: Frame) -> bytes:
    """The text-mode bytes the server sends an nc/telnet user for one frame."""
    return (render_text(frame, stamped=True) + "\r\n").encode("utf-8", "replace")
