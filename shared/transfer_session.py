"""State of one transfer, fed bytes: the receiving side, the sending plan, progress (its transfer thread).

Pure: no sockets.  The same `ReceiveSession` serves the server receiving
an upload and a client receiving a download:

    session = ReceiveSession(size, sha256)                 # or .resume(partial_file, size, sha256)
    while not session.complete:
        data = sock.recv(...)                              # may say "too many bytes": FileError(file_too_large)
        session.feed(data); out.write(data)
    session.verify()                                       # FileError(bad_hash) unless the sha256 matches

A session is used by one thread at a time; the store's per-upload lock
serialises the threads that take over an upload (chat_server/files/store.py).
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from shared.errors import ErrorCode
from shared.file_transfer import FileError, FileErrorCode, format_size

READ_BLOCK = 1024 * 1024  # reading a partial file back to rebuild its hash


class ReceiveSession:
    """Expects `size` bytes in all, from `offset` on; hashes them as they come; knows when it is done.

    States: receiving (offset < size) -> complete (offset == size) ->
    verified (`verify` passed) or failed (`verify` raised, or `feed` got more
    bytes than declared).  A failed session takes no more bytes.
    """

    def __init__(self, size: int, sha256: str, offset: int = 0, hasher: hashlib._Hash | None = None) -> None:
        if not 0 <= offset <= size:
            raise ValueError(f"offset {offset} outside 0..{size}")
        if offset and hasher is None:
            raise ValueError("a session that starts past 0 needs the hash of the bytes before (use resume)")
        self.size = size
        self.sha256 = sha256
        self.offset = offset
        self._hasher = hasher if hasher is not None else hashlib.sha256()
        self.failed = False
        self.verified = False

    @classmethod
    def resume(cls, partial: BinaryIO, size: int, sha256: str) -> ReceiveSession:
        """A session that continues after the bytes already in `partial` (read from its start to its end).

        More bytes in the partial file than declared cannot come from this
        session: FileError(file_too_large).
        """
        hasher = hashlib.sha256()
        offset = 0
        partial.seek(0)
        while block := partial.read(READ_BLOCK):
            hasher.update(block)
            offset += len(block)
        if offset > size:
            raise FileError(ErrorCode.FILE_TOO_LARGE, f"The partial file holds {offset} bytes, more than {size}.")
        return cls(size, sha256, offset, hasher)

    @property
    def remaining(self) -> int:
        return self.size - self.offset

    @property
    def complete(self) -> bool:
        return self.offset == self.size

    def check_room(self, count: int) -> None:
        """FileError(file_too_large) if `count` more bytes would pass the declared size (nothing is taken)."""
        if self.failed:
            raise ValueError("this transfer has failed and takes no more bytes")
        if count > self.remaining:
            self.failed = True
            raise FileError(
                ErrorCode.FILE_TOO_LARGE,
                f"More bytes arrived than the {self.size:,} declared; the transfer is stopped and nothing is kept.",
            )

    def feed(self, data: bytes | bytearray | memoryview) -> None:
        """Take the next bytes (already written by the caller, or about to be)."""
        self.check_room(len(data))
        self._hasher.update(data)  # hashlib lets go of the GIL for blocks over 2 KiB
        self.offset += len(data)

    def hexdigest(self) -> str:
        return self._hasher.hexdigest()

    def verify(self) -> None:
        """Pass if every byte arrived and they have the declared sha256; FileError otherwise (and failed)."""
        if not self.complete:
            raise FileError(ErrorCode.BAD_ARGUMENT, f"Only {self.offset:,} of {self.size:,} bytes have arrived.")
        if self.hexdigest() != self.sha256:
            self.failed = True
            raise FileError(
                FileErrorCode.BAD_HASH,
                "The bytes received do not match the file's sha256; nothing was kept. Send the file again.",
            )
        self.verified = True


def send_ranges(size: int, offset: int, chunk: int) -> Iterator[tuple[int, int]]:
    """(start, length) pieces covering offset..size, each at most `chunk` bytes: a download's plan.

    ValueError for an offset past the end (the caller answers bad_argument);
    an offset equal to the size plans nothing (already complete).
    """
    if chunk <= 0:
        raise ValueError("chunk must be positive")
    if not 0 <= offset <= size:
        raise ValueError(f"offset {offset} outside 0..{size}")
    start = offset
    while start < size:
        length = min(chunk, size - start)
        yield start, length
        start += length


@dataclass(frozen=True)
class ProgressReport:
    done: int
    total: int
    bytes_per_second: float  # 0.0 until there is enough to measure
    seconds_left: float | None  # None while the speed is unknown

    @property
    def fraction(self) -> float:
        return 1.0 if self.total == 0 else self.done / self.total

    def text(self) -> str:
        """ "12.0 MB of 25.0 MB, 48.2 MB/s, 1 s left" for a progress line."""
        parts = [f"{format_size(self.done)} of {format_size(self.total)}"]
        if self.bytes_per_second > 0:
            parts.append(f"{format_size(self.bytes_per_second)}/s")
        if self.seconds_left is not None and self.done < self.total:
            parts.append(f"{_duration(self.seconds_left)} left")
        return ", ".join(parts)


def _duration(seconds: float) -> str:
    whole = max(1, round(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes, rest = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class TransferProgress:
    """Bytes done over time: speed over the last few seconds, and the time left at that speed.

    Fed from the transfer thread (`advance`); read by whoever shows it
    (`report`), which copies what it needs, so a Tk poller may call it.
    The clock is injectable for tests.
    """

    def __init__(self, total: int, done: int = 0, window: float = 3.0, clock: Callable[[], float] = time.monotonic):
        self.total = total
        self.done = done
        self._window = window
        self._clock = clock
        self._samples: deque[tuple[float, int]] = deque([(clock(), done)])

    def advance(self, count: int) -> None:
        self.done += count
        now = self._clock()
        self._samples.append((now, self.done))
        while len(self._samples) > 2 and now - self._samples[1][0] >= self._window:
            self._samples.popleft()

    def report(self) -> ProgressReport:
        samples = list(self._samples)
        (first_time, first_done), (last_time, last_done) = samples[0], samples[-1]
        elapsed = last_time - first_time
        speed = (last_done - first_done) / elapsed if elapsed > 0.05 else 0.0
        left = (self.total - self.done) / speed if speed > 0 else None
        return ProgressReport(self.done, self.total, speed, left)
