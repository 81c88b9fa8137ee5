"""One server per data folder: an exclusive lock on a small file beside the database (the opening thread).

Two servers writing one database would hand out the same message ids, so
the second one waits briefly for the lock and then refuses to start
(FolderBusy, chat_server/folder_busy.py). The operating system drops the
lock when the process dies, so a `kill -9` never leaves a stale lock behind.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from chat_server.folder_busy import FolderBusy
from shared.file_lock import try_lock as _try_lock
from shared.file_lock import unlock as _unlock

__all__ = ["LOCK_FILE_NAME", "FolderBusy", "FolderLock"]

LOCK_FILE_NAME = "classchat.lock"


class FolderLock:
    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, folder: Path, wait: float = 2.0) -> FolderLock:
        """Lock `folder`, trying for up to `wait` seconds; OSError if the folder cannot be written."""
        path = folder / LOCK_FILE_NAME
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait
        try:
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    raise FolderBusy(_holder_text(path))
                time.sleep(0.05)
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except BaseException:
            os.close(fd)
            raise
        return cls(path, fd)

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            _unlock(fd)
            os.close(fd)


def _holder_text(path: Path) -> str:
    try:
        pid = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        pid = ""
    who = f" (pid {pid})" if pid.isdigit() else ""
    return f"the data folder {path.parent} is in use by another ClassChat server{who}"
