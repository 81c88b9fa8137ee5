"""Kept messages and search results in words: when a message was said, where, and the lines chat-term prints (any thread; pure).

    when_said("2026-11-30T17:25:03.123Z", today)  -> "17:25" today, "30 Nov 17:25" another day (local time)
    result_parts(result, me)                      -> ("30 Nov 17:25", "#lab", "bob", "the plan")
    page_lines(page, me, render)                  -> the lines chat-term prints for a HistoryPage

Nothing here cleans text: chat-term passes every line through `harmless()`,
the window inserts text into a Tk Text widget, which obeys no control codes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from chat_gui.core.events import HistoryPage, PageKind, SearchResults
from shared.reason_glue import with_reason

PREVIEW_CHARS = 200
MORE_NOTE = "Older messages match too: Older results shows the next ones (or add a word to narrow the search)."
TERMINAL_MORE_NOTE = "Older messages match too: /older shows the next ones (or add a word to narrow the search)."
NICKNAME_ONLY_NOTE = (
    "Nobody holds that name now, so these are by whoever used it: perhaps more than one person (see each sender)."
)
STOPPED_EARLY_NOTE = "The server stopped searching before the oldest messages: longer words search further."


def local_moment(iso_time: object) -> dt.datetime | None:
    """A `time` field (UTC, ISO 8601) as local time, or None if it is not one."""
    if not isinstance(iso_time, str) or not iso_time:
        return None
    try:
        moment = dt.datetime.fromisoformat(iso_time.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone()


def when_said(iso_time: object, today: dt.date | None = None) -> str:
    """A message's UTC `time` as local time: "17:25" today, "30 Nov 17:25" on another day, "" if unreadable."""
    local = local_moment(iso_time)
    if local is None:
        return ""
    if local.date() == (today or dt.date.today()):
        return local.strftime("%H:%M")
    return f"{local.day} {local.strftime('%b %H:%M')}"


def day_words(iso_time: object, today: dt.date | None = None) -> str:
    """The day of a message's UTC `time` for a heading ("Tuesday 24 November"); "" today or if unreadable."""
    local = local_moment(iso_time)
    if local is None or local.date() == (today or dt.date.today()):
        return ""
    return f"{local.strftime('%A')} {local.day} {local.strftime('%B')}"


def _with_days(frames: list[dict[str, Any]], line_of: Callable[[dict[str, Any]], str]) -> list[str]:
    """A line per frame, and a day's line where the day changes (today's too, after another day's): a page of
    last week printed bare times, which read as today's (found by the fifteenth review)."""
    lines: list[str] = []
    last_day = ""
    for frame in frames:
        day = day_words(frame.get("time"))
        if day != last_day:
            lines.append(f"*** {day or 'Today'}:")
            last_day = day
        lines.append(line_of(frame))
    return lines


def _flat(value: object) -> str:
    """A field on one line: every run of white space (line breaks of any kind too) one space."""
    return " ".join(str(value).split())


def where_said(result: Any) -> str:
    """ "#lab" for a room's message, "@bob" for a private one (the server puts "@bob" in `room`)."""
    room = result.get("room")
    if isinstance(room, str) and room:
        return _flat(room if room.startswith("@") else f"#{room}")
    to = result.get("to")
    return _flat(f"@{to}") if isinstance(to, str) and to else ""


def result_parts(result: Any) -> tuple[str, str, str, str]:
    """(when, where, who, text), each on one line, of one search result (a real server's names have no
    line breaks, but a server a student runs could put some there to print lines of its own)."""
    text = _flat(result.get("content", ""))
    if len(text) > PREVIEW_CHARS:
        text = text[: PREVIEW_CHARS - 1] + "…"
    return when_said(result.get("time")), where_said(result), _flat(result.get("sender", "")), text


def search_lines(found: SearchResults) -> list[str]:
    """chat-term's lines for one search: a heading, then one line per result, newest first."""
    where = f" in #{found.room}" if found.room else ""
    if found.error:
        return ["! " + with_reason(f"Search for “{found.words}”{where}", found.error)]
    note = [f"*** {STOPPED_EARLY_NOTE}"] if found.stopped_early else []
    if found.by_nickname_only and found.results:  # from:NAME of a guest who has gone: the name, not a person
        note.append(f"*** {NICKNAME_ONLY_NOTE}")
    if found.more:  # at the end, where the eye is: today's 50 "homework" lines hide last week's
        note.append(f"*** {TERMINAL_MORE_NOTE}")
    older = "older " if found.before is not None else ""
    if not found.results:
        return [f"*** Nothing {older}found for “{found.words}”{where}.", *note]
    count = len(found.results)
    heading = f"{count} {older}message{'s' if count != 1 else ''} found for “{found.words}”{where}, newest first"
    if found.more:
        which = "next" if found.before is not None else "newest"
        heading = f"The {which} {count} messages found for “{found.words}”{where}"
    heading += " (/history #room around ID, or @nick for a private one, reads one in its place):"
    lines = [f"*** {heading}"]
    for result in found.results:
        when, place, who, text = result_parts(result)
        lines.append(f"  [{when}] {place} <{who}> {text}  (id {result['id']})")
    return lines + note


def page_lines(page: HistoryPage, render: Callable[[dict[str, Any]], str]) -> list[str]:
    """chat-term's lines for a page of kept messages; `render` turns one frame into its usual line."""
    if page.error:
        if page.kind is PageKind.CATCH_UP:
            return [
                "! " + with_reason(f"Could not fetch everything said in {page.target} while you were away", page.error)
            ]
        return ["! " + with_reason(f"History of {page.target or 'this room'}", page.error)]
    frames = [dict(frame) for frame in page.frames]
    if page.kind is PageKind.CATCH_UP:
        if not frames and not page.following:  # held lines (page.following) come right after, under this heading
            return []
        return [
            f"*** While you were away, in {page.target}:",
            *_with_days(frames, render),
        ]
    if page.kind is PageKind.REPLAY:
        if not frames:
            return []
        return [
            f"*** Earlier in {page.target}:",
            *_with_days(frames, render),
            "*** New since you were here:",
        ]
    if not frames:
        return [f"*** No kept messages in {page.target or 'this room'} there."]
    lines = [f"*** Kept messages of {page.target or 'this room'}, oldest first:"]
    lines += _with_days(frames, lambda frame: f"{render(frame)}  (id {frame['id']})")
    target = f"{page.target} " if page.target else ""
    if page.more and page.direction == "after":
        lines.append(f"*** Newer ones too: /history {target}after {frames[-1]['id']}")
    elif page.more:
        lines.append(f"*** Older ones too: /history {target}before {frames[0]['id']}")
    return lines
