"""An answer's quote in words: read from the frame's `reply` field, shown as one short row (Tk thread; pure).

    quote_of({"id": 12, "sender": "alice", "excerpt": "is it 4?"})  -> Quote(12, "alice", "is it 4?")
    quote_words(quote)                                               -> "↪ alice: is it 4?"

The server fills `reply` from its own history (chat_server/handlers/replies.py);
a field of the wrong shape (an old or hostile server) shows no quote at all.
The excerpt is shown as plain words: no link, mention or code in it does anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

QUOTE_CHARS = 80  # the server's excerpt is at most this long already; a hostile server's is cut here
DELETED_WORDS = "message deleted"


class Quote(NamedTuple):
    id: int
    sender: str
    excerpt: str | None  # None: the original was deleted


def quote_of(reply: object) -> Quote | None:
    """The quote a frame's `reply` field holds, or None when it holds none (or nothing well formed)."""
    if not isinstance(reply, dict):
        return None
    number, sender, excerpt = reply.get("id"), reply.get("sender"), reply.get("excerpt")
    if not isinstance(number, int) or isinstance(number, bool) or not isinstance(sender, str) or not sender:
        return None
    if reply.get("deleted") is True or not isinstance(excerpt, str):
        return Quote(number, sender[:40], None)
    return Quote(number, sender[:40], excerpt)


def quote_words(quote: Quote, shown: Callable[[str], str] = str) -> str:
    """The row above an answer: "↪ alice: is it 4?" (`shown` puts a right-to-left excerpt in display order)."""
    if quote.excerpt is None:
        return f"↪ {shown(quote.sender)}: {DELETED_WORDS}"
    words = " ".join(quote.excerpt.split())
    if len(words) > QUOTE_CHARS:
        words = words[: QUOTE_CHARS - 1] + "…"
    return f"↪ {shown(quote.sender)}: {shown(words)}"
