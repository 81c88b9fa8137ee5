"""What /history, /search and /delete typed by the user mean, for both clients (any thread; pure).

    /history                      the last 20 messages of the conversation in front (room, or private tab)
    /history 50                   the last 50 (1 to 100, the contract's limit)
    /history #lab 10              the last 10 of #lab;  /history @bob: of the private conversation with bob
    /history before 1234 [n]      older than message 1234 (after 1234: newer)
    /history around 1234 [n]      message 1234 among the ones said before and after it (a search result's id)
    /search words                 kept messages with these words, newest first
    /search #lab words            only in #lab
    /search from:bob [words]      only what bob sent (from:NAME); a teacher's /search #* from:bob: every room
    /older                        the last search's next (older) results, when it said older ones match
    /searchbefore 1234 words      the matches of /search words older than message 1234
    /delete 1234                  delete your message 1234
    /delete last                  delete your newest message shown (the window: in the tab in front)

The clients send HISTORY and SEARCH through chat_gui.core.history, which
tells the answers apart from other frames; a mistyped line is refused
here with a sentence saying how to type it, and nothing is sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.names import plain_sigil

MIN_LIMIT, MAX_LIMIT = 1, 100
DEFAULT_LIMIT = 20

HISTORY_USAGE = "Type /history [#room|@nick] [before ID|after ID|around ID] [COUNT], e.g. /history 50 or /history @bob."
DIRECTIONS = ("before", "after", "around")


@dataclass(frozen=True)
class AskHistory:
    target: str | None  # "#room" or "@nick"; None: the conversation the line was typed in
    before: int | None = None
    after: int | None = None
    limit: int = DEFAULT_LIMIT
    around: int | None = None  # the message and those said before and after it: two pages, `limit` in all


@dataclass(frozen=True)
class AskSearch:
    words: str
    room: str | None = None  # without the #
    before: int | None = None  # only the matches older than this id (the next page)


@dataclass(frozen=True)
class AskOlder:
    """/older: the next page of the search shown last; the client knows which search and its last result."""


@dataclass(frozen=True)
class DeleteLast:
    """/delete last: the client knows which of the user's messages it shows is the newest, and asks first."""


@dataclass(frozen=True)
class BadHistoryLine:
    text: str


def parse_history(argument: str) -> AskHistory | BadHistoryLine:
    words = argument.split()
    if words:
        words[0] = plain_sigil(words[0]) or words[0]  # '＃lab' (a CJK keyboard's #) names #lab too
    target: str | None = None
    before = after = around = None
    limit = DEFAULT_LIMIT
    if words and words[0][:1] in ("#", "@"):
        target = words.pop(0)
        if len(target) < 2:
            return BadHistoryLine(f"Say which room or person after {target}. {HISTORY_USAGE}")
    if len(words) >= 2 and words[0].lower() in DIRECTIONS:
        direction, anchor = words.pop(0).lower(), words.pop(0)
        if not _is_count(anchor):
            return BadHistoryLine(f"{anchor} is not a message number. {HISTORY_USAGE}")
        if direction == "before":
            before = int(anchor)
        elif direction == "after":
            after = int(anchor)
        else:
            around = int(anchor)
        if words and words[0].lower() in DIRECTIONS:
            return BadHistoryLine(f"One page goes one way: before an ID or after one, not both. {HISTORY_USAGE}")
    if words:
        count = words.pop(0)
        if not _is_count(count) or not MIN_LIMIT <= int(count) <= MAX_LIMIT:
            return BadHistoryLine(f"Ask for {MIN_LIMIT} to {MAX_LIMIT} messages at a time. {HISTORY_USAGE}")
        limit = int(count)
    if words:
        return BadHistoryLine(f"Not understood: {' '.join(words)}. {HISTORY_USAGE}")
    return AskHistory(target, before, after, limit, around)


def around_pages(asked: AskHistory) -> list[tuple[int | None, int | None, int]]:
    """The pages (before, after, limit) that answer `asked`: one, or for `around` the message with those before it,
    then those after it (HISTORY BEFORE ID+1 takes the message itself)."""
    if asked.around is None:
        return [(asked.before, asked.after, asked.limit)]
    after = asked.limit // 2
    return [(asked.around + 1, None, asked.limit - after)] + ([(None, asked.around, after)] if after else [])


def parse_search(argument: str) -> AskSearch | BadHistoryLine:
    words = argument.split(None, 1)
    if words:
        words[0] = plain_sigil(words[0]) or words[0]
    if words and words[0].startswith("#") and len(words[0]) > 1:
        if len(words) < 2:
            return BadHistoryLine(f"Search {words[0]} for what? /search {words[0]} WORDS")
        return AskSearch(words[1].strip(), words[0][1:])
    text = argument.strip()
    if not text:
        return BadHistoryLine("Search for what? /search WORDS (or /search #room WORDS)")
    return AskSearch(text)


def parse_search_before(argument: str) -> AskSearch | BadHistoryLine:
    """/searchbefore ID [#room] WORDS: /search's next page, older than message ID."""
    first, _, rest = argument.strip().partition(" ")
    if not _is_count(first) or int(first) < 1:
        return BadHistoryLine("Say older than which message: /searchbefore ID WORDS (or /older after a search).")
    asked = parse_search(rest)
    if isinstance(asked, BadHistoryLine):
        return BadHistoryLine(f"Search for what? /searchbefore {first} WORDS (or /older after a search)")
    return AskSearch(asked.words, asked.room, int(first))


def parse_delete(argument: str) -> int | DeleteLast | BadHistoryLine:
    text = argument.strip()
    if text.lower() == "last":
        return DeleteLast()
    if not _is_count(text):
        return BadHistoryLine(
            "Say which message: /delete ID, or /delete last for your newest one "
            "(the window: right-click one of your messages)."
        )
    return int(text)


def _is_count(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 18
