"""The arguments of HISTORY, SEARCH and DELETE, checked and parsed (handler threads; pure).

    HISTORY [#room|@nick] [BEFORE <id>|AFTER <id>] [<limit>]
    SEARCH [#room] <words>
    SEARCHBEFORE <id> [#room] <words>   (the same search's matches older than message <id>: its next page)
        a word `from:NAME` (NAME a nickname) among the words: only what that person sent; it may be the only word
    SEARCH #* from:NAME [<words>]       (a teacher: that person's messages in every room)
    DELETE <id>|last      (last: the newest of the asker's own, for nc/telnet users, who see no ids)

Keywords ignore case.  Every refusal is `bad_argument` (or `bad_room` /
`bad_nick` for a name that breaks the naming rules) with the usage in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from chat_server.storage.search_query import parse_query
from shared.errors import ErrorCode, ProtocolError
from shared.names import is_nick_shaped, name_key, normalise_nick, normalise_room, plain_sigil

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MAX_ID = 2**53 - 1  # the largest integer every JSON reader keeps exactly
HISTORY_USAGE = "/history [#room|@nick] [before ID|after ID] [LIMIT], e.g. /history before 120 20"
SEARCH_USAGE = "/search [#room] WORDS, e.g. /search photosynthesis (from:NAME among the words: only what NAME sent)"
SEARCH_BEFORE_USAGE = (
    "/searchbefore ID [#room] WORDS (the matches older than message ID, the last result of a search),"
    " e.g. /searchbefore 8812 homework"
)
FROM = "from:"  # SEARCH's word for a sender (an extension): `from:bob`, any case
EVERY_ROOM = "*"  # `SEARCH #* from:NAME`: every room at once, for a teacher (no room can be named "*")
DELETE_USAGE = "/delete ID (the id of one of your own messages), or /delete last for your newest"
LAST = None  # parse_delete's answer for `DELETE last`

Direction = Literal["newest", "before", "after"]


@dataclass(frozen=True, slots=True)
class HistoryRequest:
    room: str | None  # a named room (normalised), or None
    nick: str | None  # @nick: the private conversation with this nickname (normalised), or None
    direction: Direction
    anchor: int  # the id of BEFORE/AFTER; 0 for "newest"
    limit: int


@dataclass(frozen=True, slots=True)
class SearchRequest:
    room: str | None
    text: str  # the words to look for, without `from:NAME`
    before: int | None = None  # SEARCHBEFORE: only matches with a smaller id
    sender: str | None = None  # from:NAME: only what the person holding (or who held) this nickname sent

    @property
    def typed(self) -> str:
        """The search as the user would type it again (the answer quotes it and /searchbefore repeats it)."""
        return f"{FROM}{self.sender} {self.text}".strip() if self.sender is not None else self.text


def _refuse(message: str) -> ProtocolError:
    return ProtocolError(ErrorCode.BAD_ARGUMENT, message)


def parse_id(word: str, usage: str, first: int = 0) -> int:
    """A message id: a whole number from `first` (0 for an anchor, 1 for a message) to 2**53 - 1 in ASCII digits."""
    if not (word.isascii() and word.isdigit()) or len(word) > 16 or int(word) > MAX_ID:
        shown = word if len(word) <= 20 else word[:20] + "…"
        raise _refuse(f"{shown!r} is not a message id: ids are whole numbers from {first}. Use {usage}.")
    return int(word)


def parse_history(argument: str) -> HistoryRequest:
    words = argument.split()
    if words:
        words[0] = plain_sigil(words[0]) or words[0]  # '＃lab' (a CJK keyboard's #) names #lab too
    room: str | None = None
    nick: str | None = None
    if words and words[0].upper() not in ("BEFORE", "AFTER") and not words[0].isdigit():
        target = words.pop(0)
        if target.startswith("@"):
            if len(target) == 1:
                raise _refuse(f"Say whose conversation after the @, e.g. /history @bob. Use {HISTORY_USAGE}.")
            nick = normalise_nick(target[1:])
        elif target.startswith("#"):
            room = normalise_room(target)
        else:
            raise _refuse(f"Write a room with its # (#general) and a person with @ (@bob). Use {HISTORY_USAGE}.")
    direction: Direction = "newest"
    anchor = 0
    if words and words[0].upper() in ("BEFORE", "AFTER"):
        keyword = words.pop(0).upper()
        if not words:
            raise _refuse(f"{keyword} needs a message id. Use {HISTORY_USAGE}.")
        anchor = parse_id(words.pop(0), HISTORY_USAGE)
        direction = "before" if keyword == "BEFORE" else "after"
        if words and words[0].upper() in ("BEFORE", "AFTER"):
            raise _refuse(f"One page goes one way: BEFORE an id or AFTER one, not both. Use {HISTORY_USAGE}.")
    limit = DEFAULT_LIMIT
    if words:
        word = words.pop(0)
        if not (word.isascii() and word.isdigit()) or len(word) > 3 or not 1 <= int(word) <= MAX_LIMIT:
            raise _refuse(f"The number of messages is 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}). Use {HISTORY_USAGE}.")
        limit = int(word)
    if words:
        raise _refuse(f"Too many words. Use {HISTORY_USAGE}.")
    return HistoryRequest(room, nick, direction, anchor, limit)


def parse_search(argument: str, usage: str = SEARCH_USAGE) -> SearchRequest:
    room: str | None = None
    text = argument.strip()
    if plain_sigil(text).startswith("#"):
        first, *rest = text.split(None, 1)
        room = EVERY_ROOM if plain_sigil(first[0]) + first[1:] == "#" + EVERY_ROOM else normalise_room(first)
        text = rest[0].strip() if rest else ""
    text, sender = _take_sender(text, usage)
    if room == EVERY_ROOM and sender is None:
        raise _refuse(
            f"#{EVERY_ROOM} (every room, for teachers) is a search of one person: add from:NAME. Use {usage}."
        )
    if parse_query(text).empty and sender is None:
        raise _refuse(f"Say what to look for. Use {usage}.")
    return SearchRequest(room, text, sender=sender)


def _take_sender(text: str, usage: str) -> tuple[str, str | None]:
    """The words without `from:NAME`, and NAME (normalised) or None.

    Only a word that is `from:` and a nickname-shaped name is the sender; any
    other word starting with `from:` (`from:http://…`, `from:` alone) stays a
    word to look for, as SEARCH always took it.  One sender per search.
    """
    words: list[str] = []
    sender: str | None = None
    for word in text.split():
        name = word[len(FROM) :].removeprefix("@") if word[: len(FROM)].casefold() == FROM else ""
        if not name or not is_nick_shaped(name):
            words.append(word)
            continue
        nick = normalise_nick(name)
        if sender is None:
            sender = nick
        elif name_key(nick) != name_key(sender):
            raise _refuse(f"One from:NAME per search (the messages of one person). Use {usage}.")
    return (" ".join(words) if sender is not None else text), sender


def parse_search_before(argument: str) -> SearchRequest:
    """SEARCHBEFORE <id> [#room] <words>: the id first, so the words stay exactly what SEARCH takes."""
    first, _, rest = argument.strip().partition(" ")
    if not first:
        raise _refuse(f"Say older than which message, and what to look for. Use {SEARCH_BEFORE_USAGE}.")
    before = parse_id(first, SEARCH_BEFORE_USAGE, first=1)
    if before == 0:
        raise _refuse(f"No message is older than message 0. Use {SEARCH_BEFORE_USAGE}.")
    request = parse_search(rest, SEARCH_BEFORE_USAGE)
    return SearchRequest(request.room, request.text, before, request.sender)


def parse_delete(argument: str) -> int | None:
    """The id to delete, or LAST (None) for `DELETE last`."""
    words = argument.split()
    if len(words) != 1:
        raise _refuse(f"Say which message. Use {DELETE_USAGE}.")
    if words[0].casefold() == "last":
        return LAST
    message_id = parse_id(words[0], DELETE_USAGE, first=1)
    if message_id == 0:
        raise _refuse(f"There is no message 0. Use {DELETE_USAGE}.")
    return message_id
