"""Unread and mention counts (the window's title, each tab, each room's pane), kept by message id so a deleted message stops counting (Tk or scheduler thread; pure).

    counts = UnreadCounts()
    counts.count(message_id, mention)    a message came while the user was not looking
    counts.deleted(message_id) -> bool   a `deleted` frame (or a replay that no longer has it): uncounted if counted
    counts.seen()                        the user looks again: nothing unread
    counts.unread, counts.mentions

A probe found the title still saying "(5, @5)" after the five messages
that named the user were all deleted by their sender: the counts must
follow what is still there to read (and the fifteenth review found the
tabs and the rooms list keeping "✉ bob (2)" after the title had gone
back: each tab and each room's pane has counts of its own now).  Only a message counted and not yet
seen is taken out; one without an id (an announcement) counts until seen.
"""

from __future__ import annotations

# Ids remembered at most between two looks: far more than a lesson's messages; past it, a message still counts
# but its deletion no longer uncounts it (a flood must not grow the window's memory without end).
MAX_COUNTED_IDS = 10_000


class UnreadCounts:
    def __init__(self) -> None:
        self.unread = 0
        self.mentions = 0  # of `unread`, those that named the user (the title shows them apart)
        self._counted: dict[int, bool] = {}  # message id -> whether it was a mention

    def count(self, message_id: int | None, mention: bool = False) -> None:
        self.unread += 1
        self.mentions += mention
        if message_id is not None and len(self._counted) < MAX_COUNTED_IDS:
            self._counted[message_id] = mention

    def deleted(self, message_id: int) -> bool:
        """Take a deleted message out of the counts; True when it was in them (the title needs redrawing)."""
        mention = self._counted.pop(message_id, None)
        if mention is None:
            return False
        self.unread -= 1
        self.mentions -= mention
        return True

    def seen(self) -> None:
        self.unread, self.mentions = 0, 0
        self._counted.clear()
