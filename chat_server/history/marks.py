"""HistoryMarks: one connection's own state for the history commands: its SEARCH allowance (registry lock held).

Every Session has one (`session.history`).  Whose private messages these
are is not a mark: it goes by the session's owners
(chat_server/identity/owners.py, history/policy.py).  HISTORY AFTER keeps
no mark of where a connection's live copy began: it answers what follows
the id, as the contract says (history/pages.py).
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
    search_bucket: TokenBucket = field(default_factory=_search_bucket)
