"""An exclusive lock on an open file that the operating system drops when the process dies (any thread; file I/O).

    try_lock(fd) -> bool      take it without waiting (False: another process holds it)
    unlock(fd)
    held_file(path, wait)     a context manager: the lock on `path` (created if missing) for the block,
                              waiting up to `wait` seconds; it yields False (and the block runs all the
                              same) when the lock could not be had, so a stuck holder never hangs anyone

POSIX flock() and Windows' byte-range locking of the first byte.  The
server's data-folder lock (chat_server/storage/folder_lock.py) and the
client's known-servers file (chat_gui/core/trust_store.py) use it, so that
a `kill -9` never leaves a stale lock behind.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

POLL_SECONDS = 0.02

if sys.platform == "win32":
    import msvcrt

    def try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass

else:
    import fcntl

    def try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextmanager
def held_file(path: Path, wait: float) -> Iterator[bool]:
    """Hold the lock on `path` for the block; yields whether it was had (see the module's table)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOINHERIT", 0), 0o600)
    except OSError:  # a folder that cannot be written: nothing to share it with either
        yield False
        return
    try:
        deadline = time.monotonic() + wait
        locked = try_lock(fd)
        while not locked and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            locked = try_lock(fd)
        try:
            yield locked
        finally:
            if locked:
                unlock(fd)
    finally:
        os.close(fd)
