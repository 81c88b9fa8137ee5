"""One HISTORY page: read from the store between the bounds a connection may see, trimmed to a byte budget (the sender's thread, off the lock).

    read_page(store, conversation, direction, anchor, limit) -> Page

The store is asked for one message more than the limit, so `more` is
exact.  AFTER gives what follows the id whether or not this connection
has it already (ids are unique: a client drops what it has); a cut at
where the connection's live copy began made `more` false while newer
messages remained, against the contract (found by a conformance probe).  `trim_to_budget` keeps the
messages nearest the anchor that fit in the budget; if it drops any, more
are left in that direction.
"""

from __future__ import annotations

from chat_server.history.frames import estimated_bytes
from chat_server.history.requests import Direction
from chat_server.storage import Conversation, MessageStore, Page


def read_page(
    store: MessageStore,
    conversation: Conversation,
    direction: Direction,
    anchor: int,
    limit: int,
) -> Page:
    if direction == "after":
        page = store.page(conversation, after=anchor, limit=limit + 1)
        return Page(page.messages[:limit], len(page.messages) > limit)
    if direction == "before" and anchor <= 1:
        return Page([], False)
    page = store.page(conversation, before=anchor if direction == "before" else None, limit=limit + 1)
    messages = page.messages
    return Page(messages[-limit:], len(messages) > limit)


def trim_to_budget(page: Page, direction: Direction, budget: int) -> Page:
    """The messages nearest the anchor (the oldest for AFTER, else the newest) whose frames fit in `budget` bytes."""
    ordered = page.messages if direction == "after" else page.messages[::-1]
    used = 0
    kept = 0
    for message in ordered:
        used += estimated_bytes(message)
        if used > budget and kept:
            break
        kept += 1
    if kept == len(ordered):
        return page
    chosen = ordered[:kept]
    return Page(chosen if direction == "after" else chosen[::-1], True)
