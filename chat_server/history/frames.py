"""Kept messages as frames: history `message`/`private` frames, the `history` frame, `search` results that fit (any thread; pure).

A kept message goes out as the frame it was sent as, with its own id,
sender, `time` and `timestamp` and `"history": true`.  Messages of other
kinds (file announcements: chat_server/files/sharing.py) get a builder in
FRAME_BUILDERS from the work that adds them; a builder answers None for
a message that is left out of history answers (a deleted file).

A `search` frame holds up to 50 results and must stay under 32 KiB, but 50
messages of 2,000 four-byte characters are 400 KB.  `fit_results` keeps
every result whole when they all fit in SEARCH_RESULTS_BUDGET; otherwise
the short ones stay whole and each long one is cut to its share of the
rest, around its first match, with `…` where text was cut and `"cut":
true` (docs/protocol.md, History).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Collection, Iterable, Sequence

from chat_server.identity.owners import account_owner
from chat_server.storage import Account, StoredMessage
from chat_server.storage.models import MESSAGE_KIND, quote_field
from shared.frame_types import SearchResult
from shared.frames import Frame, server_frame, server_frame_at, utc_time
from shared.names import one_line

RESULT_LINE_CHARS = 200  # of a result's words on an nc/telnet user's line (chat-term shows as many)
SEARCH_RESULTS_BUDGET = 28 * 1024  # bytes of `results`; the rest of the frame stays under 1 KiB
QUERY_SHOWN_CHARS = 60
ELLIPSIS = "…"
# A frame's bytes besides its text: type, timestamps, id, room or names (at most 32 four-byte letters).
FRAME_OVERHEAD_BYTES = 300

_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _message_frame(message: StoredMessage) -> Frame:
    when = message.time_ms / 1000
    if message.recipient is not None:
        return server_frame_at(
            when, "private", message.text, id=message.id, sender=message.sender, to=message.recipient, history=True
        )
    return server_frame_at(
        when, "message", message.text, id=message.id, room=message.room, sender=message.sender, history=True
    )


FRAME_BUILDERS: dict[str, Callable[[StoredMessage], Frame | None]] = {MESSAGE_KIND: _message_frame}  # None: left out


def frame_of(message: StoredMessage, teachers: Collection[str] = ()) -> Frame | None:
    """The frame a kept message is shown as in history answers; None for a kind nobody builds yet.

    `teachers`: the owners of the teachers' accounts (teacher_owners); a line
    one of them sent gets `role: "teacher"`, as it had when it was said.
    """
    builder = FRAME_BUILDERS.get(message.kind)
    frame = builder(message) if builder is not None else None
    if frame is not None and message.kind == MESSAGE_KIND and message.sender_owner in teachers:
        frame["role"] = "teacher"
    if frame is not None and message.reply_to is not None:  # an answer keeps its quote (handlers/replies.py)
        frame["reply"] = quote_field(message.reply_to, message.reply_sender or "", message.reply_excerpt)
    return frame


def teacher_owners(accounts: Iterable[Account]) -> frozenset[str]:
    """The owners (chat_server/identity/owners.py) of the teachers' accounts, for frame_of."""
    return frozenset(account_owner(account) for account in accounts if account.role == "teacher")


def estimated_bytes(message: StoredMessage) -> int:
    """About how many bytes its frame takes (for budgets; the text's UTF-8 plus the fixed part)."""
    quoted = message.reply_excerpt  # an answer's quote (REPLY): at most 80 characters more
    size = len(message.text.encode("utf-8", "replace")) + FRAME_OVERHEAD_BYTES
    return size if quoted is None else size + len(quoted.encode("utf-8", "replace")) + FRAME_OVERHEAD_BYTES // 3


def history_frame(content: str, target: str, count: int, more: bool, **extra: object) -> Frame:
    return server_frame("history", content, target=target, count=count, more=more, **extra)


# -- search --
def result_of(message: StoredMessage, label: str) -> SearchResult:
    """One result: `room` is the room's name, or "@peer" (the other person) for a private message."""
    result: SearchResult = {
        "id": message.id,
        "room": label,
        "sender": message.sender,
        "time": utc_time(message.time_ms / 1000),
        "content": message.text,
    }
    if message.recipient is not None:
        result["to"] = message.recipient
    if message.reply_to is not None:
        result["reply_to"] = message.reply_to
    return result


def _json_bytes(text: str) -> int:
    return len(_json.encode(text).encode("utf-8", "replace")) - 2


def fit_results(results: list[SearchResult], folded_words: Sequence[str]) -> list[SearchResult]:
    """The results with their content cut, where needed, so that all of them fit in SEARCH_RESULTS_BUDGET."""
    sizes = [len(_json.encode(result).encode("utf-8", "replace")) + 1 for result in results]
    if sum(sizes) <= SEARCH_RESULTS_BUDGET:
        return results
    content_sizes = [_json_bytes(result["content"]) for result in results]
    fixed = sum(sizes) - sum(content_sizes) + len(results) * len(',"cut":true')
    available = SEARCH_RESULTS_BUDGET - fixed
    cap = available
    remaining = len(results)
    for size in sorted(content_sizes):  # the short ones whole, the long ones share what is left
        share = available // remaining
        if size > share:
            cap = share
            break
        available -= size
        remaining -= 1
    fitted: list[SearchResult] = []
    for result, size in zip(results, content_sizes, strict=True):
        if size <= cap:
            fitted.append(result)
        else:
            cut = dict(result, content=snippet(result["content"], folded_words, cap), cut=True)
            fitted.append(cut)  # type: ignore[arg-type]  # the same keys, content shortened
    return fitted


def snippet(text: str, folded_words: Sequence[str], max_bytes: int) -> str:
    """Part of `text` around its first match of a word, at most `max_bytes` as JSON, `…` where it was cut."""
    folded = text.lower()  # one character to one, as the store matches (search_query.py)
    found = [(folded.find(word), len(word)) for word in folded_words if word and folded.find(word) >= 0]
    start, length = min(found) if found else (0, 0)
    costs = [_json_bytes(char) for char in text]
    budget = max_bytes - 2 * _json_bytes(ELLIPSIS)
    left, right = start, start
    used = 0
    while right < min(len(text), start + max(length, 1)) and used + costs[right] <= budget:  # the match first
        used += costs[right]
        right += 1
    grown = True
    while grown:  # then a character on each side in turn, while one fits
        grown = False
        if left > 0 and used + costs[left - 1] <= budget:
            left -= 1
            used += costs[left]
            grown = True
        if right < len(text) and used + costs[right] <= budget:
            used += costs[right]
            right += 1
            grown = True
    return (ELLIPSIS if left > 0 else "") + text[left:right] + (ELLIPSIS if right < len(text) else "")


def query_shown(text: str) -> str:
    """The query as the `content` quotes it: one line, cleaned as any user's words are, at most QUERY_SHOWN_CHARS."""
    return one_line(text, QUERY_SHOWN_CHARS)


def result_line(result: SearchResult, time_ms: int, today: dt.date | None = None) -> str:
    """One search result as an nc/telnet user reads it: "id 7, 30 Nov 17:25, #lab <bob> the plan".

    Text mode shows no JSON, so before this its users read "3 results for …" and
    none of them (found by the eleventh review).  The id comes before the words,
    where nobody's text can reach: it is what /delete and /history before take.
    """
    moment = dt.datetime.fromtimestamp(time_ms / 1000)
    today = today or dt.date.today()
    when = moment.strftime("%H:%M") if moment.date() == today else f"{moment.day} {moment.strftime('%b %H:%M')}"
    place = result["room"] if result["room"].startswith("@") else f"#{result['room']}"
    words = result["content"]
    if len(words) > RESULT_LINE_CHARS:
        words = words[: RESULT_LINE_CHARS - 1] + ELLIPSIS
    return f"id {result['id']}, {when}, {place} <{result['sender']}> {words}"
