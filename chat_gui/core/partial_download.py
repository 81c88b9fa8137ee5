"""A download's bytes land in a hidden partial file; only a whole, checked file takes the real name (worker thread; file I/O).

    partial = start_partial(folder)        ".classchat-XXXXXXXX.part" in the folder, empty, made by this call
    path = keep(partial, folder, name)     the cleaned, never-overwriting name (shared/safe_filename.py),
                                           its content the partial's; FolderGone if the folder went away,
                                           NotKept (the whole file still at `partial`) if it cannot be named
                                           there now (a folder made read-only meanwhile)

Before, the bytes were written straight under the file's own name, so a
window killed mid-download (or a power cut) left a half "worksheet.pdf"
that looked whole, and a folder deleted mid-download still read "Saved
worksheet.pdf as …" for a file that was nowhere.  A partial left by a
killed client is hidden, and goes after a day, when the next download to
that folder starts.
"""

from __future__ import annotations

import os
import stat
import tempfile
import time
from pathlib import Path

from shared.safe_filename import create_unique_file

PARTIAL_PREFIX = ".classchat-"
PARTIAL_SUFFIX = ".part"
STALE_SECONDS = 24 * 3600  # a partial this old belongs to no running download


class FolderGone(OSError):
    """The downloads folder was removed (or renamed) while the file was being fetched."""


class NotKept(OSError):
    """The whole file is at `partial` but could not take its name; the caller says where it is and keeps it."""

    def __init__(self, partial: Path, reason: OSError) -> None:
        super().__init__(reason.errno, reason.strerror or str(reason))
        self.partial = partial


def start_partial(folder: Path, now: float | None = None) -> Path:
    """A new, empty partial file in `folder` (after removing day-old ones); OSError when it cannot be made."""
    remove_stale_partials(folder, time.time() if now is None else now)
    descriptor, name = tempfile.mkstemp(prefix=PARTIAL_PREFIX, suffix=PARTIAL_SUFFIX, dir=folder)
    os.close(descriptor)
    return Path(name)


def keep(partial: Path, folder: Path, name: str) -> Path:
    """Give the finished `partial` its own name in `folder` (numbered if taken) and return that path."""
    if not partial.exists():
        raise FolderGone(f"{folder} was removed or moved while the file was being fetched")
    try:
        path, placeholder = create_unique_file(folder, name)
    except FileNotFoundError as exc:
        raise FolderGone(f"{folder} was removed or moved while the file was being fetched") from exc
    except OSError as exc:
        raise NotKept(partial, exc) from exc
    try:
        with placeholder:  # made with O_EXCL: the name is ours, and it gets the mode a new file gets here
            mode = stat.S_IMODE(os.fstat(placeholder.fileno()).st_mode)
        os.chmod(partial, mode)
        os.replace(partial, path)  # a link put at `path` meanwhile is replaced itself, never followed
    except OSError as exc:
        _remove(path)
        raise NotKept(partial, exc) from exc
    return path


def remove_stale_partials(folder: Path, now: float) -> None:
    """Remove partial files a killed client left in `folder` more than STALE_SECONDS ago."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not (entry.name.startswith(PARTIAL_PREFIX) and entry.name.endswith(PARTIAL_SUFFIX)):
            continue
        try:
            if (
                entry.is_file(follow_symlinks=False)
                and now - entry.stat(follow_symlinks=False).st_mtime > STALE_SECONDS
            ):
                os.unlink(entry.path)
        except OSError:
            pass


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
