"""How many SEARCHes read the database at once: a few for the whole server, one per computer (the sender's thread, off the lock).

    gate = SearchGate(slots=2)
    with gate.entered(session.host):   # SearchBusy if a search from that computer is still running
        store.search(...)              # waits for one of the slots first

Every read of the history (HISTORY pages, the replay after a join, SEARCH)
shares the database's few reader connections (storage/database.py).  A
search that scans can take a tenth of a second, or seconds over long CJK
messages, so twenty connections from each of three computers, each
searching once a second as allowed, held every reader: an honest
student's HISTORY page took seconds and joining a room up to a minute.
So searches take at most `slots` readers at once (the rest stay free for
pages and replays), and a computer has one search running at a time; its
other connections are refused until it is answered, rather than queued.
The server's own computer (the teacher's window, several test windows) is
not held to one at a time, as it has no message budget either.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

SEARCH_SLOTS = 2  # of the database's 4 readers


class SearchBusy(Exception):
    """A search from this computer is still running."""


class SearchGate:
    def __init__(self, slots: int = SEARCH_SLOTS) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self._searching: set[str] = set()  # computers (addresses) with a search under way

    @contextlib.contextmanager
    def entered(self, host: str | None) -> Iterator[None]:
        """Run a search for a connection from `host`: one per computer (None: no such limit), waiting for a slot."""
        if host is not None:
            with self._lock:
                if host in self._searching:
                    raise SearchBusy(host)
                self._searching.add(host)
        try:
            with self._slots:
                yield
        finally:
            if host is not None:
                with self._lock:
                    self._searching.discard(host)

    def searching(self) -> int:
        """Computers with a search under way (for tests)."""
        with self._lock:
            return len(self._searching)
