"""The limits on shared files; the per-sender rate of new files and transfers at once (any thread; own locks)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from shared.errors import ErrorCode
from shared.file_transfer import DEFAULT_MAX_FILE_MB, MIB, FileError


@dataclass(frozen=True)
class FileLimits:
    """What the file store allows; every size in bytes.  For each, 0 turns the limit off, except as said."""

    max_file_bytes: int = DEFAULT_MAX_FILE_MB * MIB  # --max-file-mb; 0 turns sharing off altogether
    quota_bytes: int = 2048 * MIB  # all stored and reserved files together (--files-quota-mb)
    keep_free_bytes: int = 64 * MIB  # refuse an upload that would leave less free disk than this
    files_per_window: int = 10  # new uploads per sender...
    window_seconds: float = 300.0  # ...in this many seconds
    transfers_per_user: int = 4  # transfer connections open at once for one person
    unfinished_per_sender: int = 3  # uploads asked for but not yet complete, per sender (and per address)
    # One computer's files (stored and reserved) may take at most 1/N of what the other computers leave of the
    # quota, so students cannot fill the class's space for a month (the hostile review, docs/reliability.md).
    # 0: no share.  The caller says who is held to it (not teachers, not the server's own computer).
    shares_of_quota: int = 4
    # 1/N of the quota that students' uploads may never take (teachers' and the server's computer's may): thirty
    # computers each holding their share still leave the teacher room for a worksheet (found by a probe).  0: none.
    teachers_part_of_quota: int = 10
    # An unfinished upload with no byte for this long and no connection on it is voided and its room given back.
    # It was 24 h: uploads never sent held the whole quota for a day (found by a probe).  A paused upload still
    # resumes within it; a laptop asleep longer sends the file again.
    upload_expiry_seconds: float = 600.0
    download_token_seconds: float = 3600.0  # a download token works this long (resumes included)

    @classmethod
    def from_megabytes(cls, max_file_mb: float, quota_mb: float = 2048) -> FileLimits:
        """Limits from the command-line units (MB meaning MiB, so --max-file-mb 25 lets a 25 MiB file through)."""
        return cls(max_file_bytes=int(max_file_mb * MIB), quota_bytes=int(quota_mb * MIB))


def students_space(limits: FileLimits) -> int:
    """How much of the quota students' files (stored and reserved) may fill: the rest is the teachers' part."""
    if not limits.teachers_part_of_quota:
        return limits.quota_bytes
    return limits.quota_bytes - limits.quota_bytes // limits.teachers_part_of_quota


def share_word(shares: int) -> str:
    """How a refusal names one computer's share: "quarter" for 4, "half" for 2, else "1/N"."""
    return {2: "half", 3: "third", 4: "quarter"}.get(shares, f"1/{shares}")


class SenderRateLimit:
    """At most `limit` new files per sender in any `window` seconds (a sliding window; clock injectable).

    Any thread may call it; a small lock of its own guards the counts.  Kept
    in memory: a restart forgets the counts (a restart is rare and costs the
    sender nothing it has not already sent).
    """

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._times: dict[str, deque[float]] = {}
        self._swept = clock()

    def __len__(self) -> int:
        """How many senders are remembered."""
        return len(self._times)

    def acquire(self, key: str, *more_keys: str) -> float:
        """0.0 if `key` (and each of `more_keys`) may start one more file now, and then each is counted;
        else the seconds until all may, and nothing is counted.  Once a window, senders with nothing
        left in it are forgotten, so many addresses trying once each do not add up."""
        if self._limit <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            if now - self._swept >= self._window:
                self._swept = now
                self._drop_idle(now)
            wait = 0.0
            for each in (key, *more_keys):
                times = self._times.setdefault(each, deque())
                while times and now - times[0] >= self._window:
                    times.popleft()
                if len(times) >= self._limit:
                    wait = max(wait, 0.001, self._window - (now - times[0]))
            if wait:
                return wait
            for each in (key, *more_keys):
                self._times[each].append(now)
            return 0.0

    def counted_at(self, key: str, moment: float) -> None:
        """Count `key` as if it had started one at `moment` (this clock's time; oldest first): a count kept
        across a restart (the day's new accounts, chat_server/identity/service.py)."""
        with self._lock:
            self._times.setdefault(key, deque()).append(moment)

    def give_back(self, key: str) -> None:
        """Take back the latest count of `key` (what it was counted for did not happen)."""
        with self._lock:
            times = self._times.get(key)
            if times:
                times.pop()

    def forget_idle(self) -> None:
        """Drop senders with nothing in the window (the housekeeper calls it now and then to bound memory)."""
        now = self._clock()
        with self._lock:
            self._drop_idle(now)

    def _drop_idle(self, now: float) -> None:
        for key in [key for key, times in self._times.items() if not times or now - times[-1] >= self._window]:
            del self._times[key]


class TransferSlots:
    """Transfer connections open at once per person (name key); `take` refuses past the limit (0: no limit)."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._lock = threading.Lock()
        self._active: dict[str, int] = {}

    def take(self, holder: str) -> None:
        with self._lock:
            count = self._active.get(holder, 0)
            if self._limit and count >= self._limit:
                raise FileError(
                    ErrorCode.RATE_LIMITED, f"At most {self._limit} transfers at once; wait for one to end."
                )
            self._active[holder] = count + 1

    def release(self, holder: str) -> None:
        with self._lock:
            count = self._active.get(holder, 0) - 1
            if count > 0:
                self._active[holder] = count
            else:
                self._active.pop(holder, None)

    def active(self, holder: str) -> int:
        with self._lock:
            return self._active.get(holder, 0)
