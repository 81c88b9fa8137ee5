"""Which trigrams a search asks the index for: the rare ones, judged on the newest messages (reader threads).

The index finds candidates as the AND of trigrams, and every candidate is
then checked exactly, so any subset of a query's trigrams finds every
match; the subset only decides the cost. A trigram in most messages (in
made-up words of 20 syllables, or "the", "ing" in English) makes the index
walk a list of hundreds of thousands of entries and narrows nothing: with
1,000,000 messages, two words whose trigrams included such ones took 80 to
660 ms in the index alone, and the same query without them a quarter of
that, with the same candidates. So each trigram's share of the newest
SAMPLE_ROWS indexed messages is measured (about 1 ms, one count with a
rowid range the index seeks to) and cached for REFRESH_SECONDS, and a
search asks for the rarest trigrams, adding more only while the candidates
they remove outweigh the entries they cost (see `choose`).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

SAMPLE_ROWS = 20_000
REFRESH_SECONDS = 300.0
MAX_CACHED = 20_000
# At most this share of messages: so cheap to read that it is always worth asking for.
RARE = 0.01
# A candidate costs the search about this many index entries (a row look-up and an exact check against
# reading one more entry of a trigram's list; measured on 1,000,000 messages, 20 ns an entry, a few us a row).
CANDIDATE_COST = 100


@dataclass(frozen=True, slots=True)
class _Window:
    """The sample: indexed rows with low < id <= high, `rows` of them, measured at `made` (monotonic)."""

    low: int
    high: int
    rows: int
    made: float


class TrigramStats:
    """Each trigram's share of the newest indexed messages, cached; any thread (its own small lock)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._window: _Window | None = None
        self._shares: dict[str, float] = {}

    def choose(self, connection: sqlite3.Connection, trigrams: Sequence[str], indexed_upto: int) -> list[str]:
        """The trigrams worth asking for, rarest first: never empty when `trigrams` is not.

        Rarest first while each is RARE or less; after that a trigram of share
        f is added only if the candidates it would remove (estimated as the
        product of the shares taken so far, as if independent) times
        CANDIDATE_COST exceed the share of entries it would cost to read.
        """
        if not trigrams:
            return []
        window = self._sample_window(connection, indexed_upto)
        if window is None or not window.rows:
            return list(trigrams)  # nothing indexed to judge by: ask for all
        shares = {trigram: self._share(connection, trigram, window) for trigram in trigrams}
        ordered = sorted(trigrams, key=shares.__getitem__)
        chosen: list[str] = []
        left = 1.0  # estimated share of messages still candidates
        floor = 1.0 / window.rows
        for trigram in ordered:
            share = shares[trigram]
            if chosen and share > RARE and left * (1.0 - share) * CANDIDATE_COST <= share:
                break  # the rest are commoner still: none is worth it either
            chosen.append(trigram)
            left *= max(share, floor)
        return chosen

    def _sample_window(self, connection: sqlite3.Connection, indexed_upto: int) -> _Window | None:
        now = self._clock()
        with self._lock:
            window = self._window
            if window is not None and now - window.made < REFRESH_SECONDS:
                return window
        # The SAMPLE_ROWS-th newest indexed id (ids can jump, after a crash for one, so not upto - SAMPLE_ROWS).
        row = connection.execute(
            "SELECT id FROM messages WHERE id <= ? ORDER BY id DESC LIMIT 1 OFFSET ?", (indexed_upto, SAMPLE_ROWS)
        ).fetchone()
        low = int(row[0]) if row else 0
        rows = SAMPLE_ROWS
        if row is None:
            rows = int(connection.execute("SELECT count(*) FROM messages WHERE id <= ?", (indexed_upto,)).fetchone()[0])
        window = _Window(low, indexed_upto, rows, now)
        with self._lock:
            self._window = window
            self._shares = {}
        return window

    def _share(self, connection: sqlite3.Connection, trigram: str, window: _Window) -> float:
        key = trigram.lower()
        with self._lock:
            share = self._shares.get(key) if self._window is window else None
        if share is not None:
            return share
        count = connection.execute(
            "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ? AND rowid > ? AND rowid <= ?",
            (quoted(trigram), window.low, window.high),
        ).fetchone()[0]
        share = min(1.0, int(count) / window.rows)
        with self._lock:
            if self._window is window:
                if len(self._shares) >= MAX_CACHED:
                    self._shares.clear()
                self._shares[key] = share
        return share


def quoted(trigram: str) -> str:
    """A trigram as an FTS5 string: quoted, its quotes doubled, so nothing a user types is FTS5 syntax."""
    return '"' + trigram.replace('"', '""') + '"'


def expression(trigrams: Sequence[str]) -> str | None:
    """The AND of these trigrams as an FTS5 query; None when there is none."""
    return " AND ".join(quoted(trigram) for trigram in trigrams) if trigrams else None
