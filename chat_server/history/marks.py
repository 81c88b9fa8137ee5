"""HistoryMarks: what one connection has of the history, so answers neither leak nor repeat (registry lock held).

Every Session has one (`session.history`).  The marks change only under
the registry lock: when the nickname is taken (registry.set_nick), handed
over by RESUME, or when a room is joined (replay.py).

Whose private messages these are is not a mark: it goes by the session's
owners (chat_server/identity/owners.py, history/policy.py).

- `private_live_after`: this connection was sent every private message of
  its nickname with a higher id as it happened, so a HISTORY AFTER page of
  a private conversation stops there.
- `room_live_from`: the first id of its current room this connection was
  sent (the first replayed message, or the first live one after joining),
  so a HISTORY AFTER page of that room stops there: the rest it has.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chat_server.rate_limit import TokenBucket

SEARCH_RATE = 1.0  # SEARCH reads more of the disk than any other command: 1 a second...
SEARCH_BURST = 5  # ...with bursts of 5 (a search box that asks as the user types, with a short pause)


def _search_bucket() -> TokenBucket:
    return TokenBucket(SEARCH_RATE, SEARCH_BURST)


@dataclass(eq=False, slots=True)
class HistoryMarks:
    private_live_after: int = 0
    room_live_from: int = 0
    search_bucket: TokenBucket = field(default_factory=_search_bucket)

    def took_nick(self, last_id: int, same_person: bool) -> None:
        """The connection took a nickname (or changed it) when `last_id` was the newest message id."""
        if not same_person:
            self.private_live_after = last_id
