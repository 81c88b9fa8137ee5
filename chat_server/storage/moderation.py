"""SqliteModerationStore: bans and mutes by nickname key and/or address, in memory and written behind (any thread).

A ban is looked up on every connect and a mute on every message, so both
live in memory, indexed by (kind, nickname key) and (kind, address): a
look-up is two dictionary hits. Addresses are compared as the exact
strings the caller passes (normalise them, e.g. IPv4-mapped IPv6, before).
No policy: who may ban, and for how long, are decided by the caller.
One given in this run lasts its length of real time, whatever the wall
clock does meanwhile (`_ends`).
"""

from __future__ import annotations

import dataclasses
import math
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Callable

from chat_server.storage.deletion_clock import run_time
from chat_server.storage.models import Sanction, SanctionKind
from chat_server.storage.persist import Persister


class SqliteModerationStore:
    def __init__(
        self,
        persister: Persister,
        sanctions: list[Sanction],
        *,
        wall: Callable[[], float] = time.time,
        elapsed: Callable[[], float] = run_time,
    ) -> None:
        self._persist = persister
        self._lock = threading.Lock()
        # A ban or mute given in this run ends when its length has passed on `elapsed`, a clock nobody sets:
        # by the wall clock, one set a day ahead ended every ban at once, one set back an hour made a
        # 10-minute ban last 70. Id -> its end on `elapsed`. Those of earlier runs end by their until_ms.
        self._wall = wall
        self._elapsed = elapsed
        self._ends: dict[int, float] = {}
        self._by_id: dict[int, Sanction] = {}
        self._by_nick: defaultdict[tuple[str, str], set[int]] = defaultdict(set)
        self._by_address: defaultdict[tuple[str, str], set[int]] = defaultdict(set)
        self._last_id = 0
        for sanction in sanctions:
            self._index(sanction)
            self._last_id = max(self._last_id, sanction.id)

    @staticmethod
    def load(connection: sqlite3.Connection) -> list[Sanction]:
        rows = connection.execute(
            "SELECT id, kind, nick_key, address, reason, until_ms, set_by, created_ms FROM sanctions"
        ).fetchall()
        return [
            Sanction(kind, nick_key, address, reason, until_ms, set_by, created_ms, sanction_id)
            for sanction_id, kind, nick_key, address, reason, until_ms, set_by, created_ms in rows
        ]

    def add(self, sanction: Sanction) -> Sanction:
        """Keep a new ban or mute; returns it with its id."""
        with self._lock:
            self._last_id += 1
            sanction = dataclasses.replace(sanction, id=self._last_id)
            self._index(sanction)
            if sanction.until_ms is not None:
                self._ends[sanction.id] = self._elapsed() + (sanction.until_ms / 1000 - self._wall())
        self._persist.write(
            "INSERT INTO sanctions (id, kind, nick_key, address, reason, until_ms, set_by, created_ms)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            sanction.id,
            sanction.kind,
            sanction.nick_key,
            sanction.address,
            sanction.reason,
            sanction.until_ms,
            sanction.set_by,
            sanction.created_ms,
        )
        return sanction

    def find(
        self, kind: SanctionKind, *, nick_key: str | None = None, address: str | None = None, now_ms: int
    ) -> Sanction | None:
        """The active ban or mute on this nickname key or address that lasts longest, or None (no I/O)."""
        with self._lock:
            ids: set[int] = set()
            if nick_key is not None:
                ids |= self._by_nick.get((kind, nick_key), set())
            if address is not None:
                ids |= self._by_address.get((kind, address), set())
            active = [s for s in (self._as_of(self._by_id[i], now_ms) for i in ids) if s is not None]
        if not active:
            return None
        return max(active, key=lambda s: (s.until_ms is None, s.until_ms or 0))

    def active(self, now_ms: int, kind: SanctionKind | None = None) -> list[Sanction]:
        with self._lock:
            found = [
                s
                for s in (self._as_of(s, now_ms) for s in self._by_id.values() if kind is None or s.kind == kind)
                if s is not None
            ]
        return sorted(found, key=lambda s: s.id)

    def lift(self, kind: SanctionKind, *, nick_key: str | None = None, address: str | None = None) -> list[Sanction]:
        """Remove every ban (or mute) on this nickname key or this address; return what was removed."""
        with self._lock:
            ids: set[int] = set()
            if nick_key is not None:
                ids |= self._by_nick.get((kind, nick_key), set())
            if address is not None:
                ids |= self._by_address.get((kind, address), set())
            removed = [self._unindex(i) for i in sorted(ids)]
        for sanction in removed:
            self._persist.write("DELETE FROM sanctions WHERE id = ?", sanction.id)
        return removed

    def remove(self, sanction_id: int) -> Sanction | None:
        with self._lock:
            if sanction_id not in self._by_id:
                return None
            removed = self._unindex(sanction_id)
        self._persist.write("DELETE FROM sanctions WHERE id = ?", sanction_id)
        return removed

    def purge_expired(self, now_ms: int) -> int:
        """Forget bans and mutes that have ended; return how many."""
        with self._lock:
            ended = [i for i, s in self._by_id.items() if self._as_of(s, now_ms) is None]
            for sanction_id in ended:
                self._unindex(sanction_id)
        for sanction_id in ended:
            self._persist.write("DELETE FROM sanctions WHERE id = ?", sanction_id)
        return len(ended)

    # -- with the lock held --
    def _as_of(self, sanction: Sanction, now_ms: int) -> Sanction | None:
        """The sanction if in force at `now_ms`, one of this run with its end put on the caller's clock; else None."""
        end = self._ends.get(sanction.id)
        if end is None:
            return sanction if sanction.active_at(now_ms) else None
        left = end - self._elapsed()
        if left <= 0:
            return None
        return dataclasses.replace(sanction, until_ms=now_ms + math.ceil(left * 1000))

    def _index(self, sanction: Sanction) -> None:
        self._by_id[sanction.id] = sanction
        if sanction.nick_key is not None:
            self._by_nick[(sanction.kind, sanction.nick_key)].add(sanction.id)
        if sanction.address is not None:
            self._by_address[(sanction.kind, sanction.address)].add(sanction.id)

    def _unindex(self, sanction_id: int) -> Sanction:
        sanction = self._by_id.pop(sanction_id)
        self._ends.pop(sanction_id, None)
        for index, value in ((self._by_nick, sanction.nick_key), (self._by_address, sanction.address)):
            if value is not None:
                ids = index.get((sanction.kind, value))
                if ids is not None:
                    ids.discard(sanction_id)
                    if not ids:
                        del index[(sanction.kind, value)]
        return sanction
