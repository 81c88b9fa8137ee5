"""StatusBoard: what the store can promise right now, shared by the caller threads and the writer (any thread).

Changes are counted under a small lock; the warning for a change of state is
logged by whoever reports the change, which is always the writer or the
opening thread, never a caller that may hold the registry lock.
"""

from __future__ import annotations

import logging
import threading
from typing import Literal

from chat_server.storage.models import StoreStatus

log = logging.getLogger("chat_server.storage")


class StatusBoard:
    def __init__(self, path: str | None) -> None:
        self._lock = threading.Lock()
        self._state: Literal["ok", "retrying", "memory"] = "ok"
        self._reason = ""
        self._not_saved = 0
        self._changes_not_saved = 0
        self._waiting = 0
        self._path = path
        self._notices: tuple[str, ...] = ()

    def snapshot(self) -> StoreStatus:
        with self._lock:
            return StoreStatus(
                self._state,
                self._reason,
                self._not_saved,
                self._waiting,
                self._path,
                self._changes_not_saved,
                self._notices,
            )

    def add_notice(self, text: str) -> None:
        """Something the admin should read once, e.g. a damaged database moved aside (already logged)."""
        with self._lock:
            self._notices = (*self._notices, text)

    def count_not_saved(self, count: int = 1) -> None:
        """Cheap and silent: callable from a thread that holds the registry lock."""
        with self._lock:
            self._not_saved += count

    def count_change_not_saved(self, count: int = 1) -> None:
        """An account, ban, room or file change that will not reach the disk (silent, like the above)."""
        with self._lock:
            self._changes_not_saved += count

    def set_waiting(self, waiting: int) -> None:
        with self._lock:
            self._waiting = waiting

    def memory_only(self, reason: str) -> None:
        with self._lock:
            self._state, self._reason = "memory", reason
        log.warning("storage: memory only, nothing will be kept after the server stops: %s", reason)

    def write_failed(self, reason: str, waiting: int) -> None:
        with self._lock:
            changed = self._state != "retrying" or self._reason != reason
            if self._state != "memory":
                self._state, self._reason = "retrying", reason
            self._waiting = waiting
        if changed:
            log.warning("storage: cannot write (%s); %d waiting in memory, retrying", reason, waiting)

    def write_ok(self) -> None:
        with self._lock:
            if self._state != "retrying":
                return
            self._state, self._reason, self._waiting = "ok", "", 0
            not_saved = self._not_saved
        log.warning("storage: writing again; %d messages were not saved meanwhile", not_saved)
