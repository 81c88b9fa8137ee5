"""A small JSON settings file in the user's config folder: read whatever is there safely, replace it atomically (any thread; file I/O).

The folder is where the platform keeps such things:
  Linux and other Unix: $XDG_CONFIG_HOME/classchat (~/.config by default)
  Windows:              %APPDATA%\\ClassChat
  macOS:                ~/Library/Application Support/ClassChat
The chat window keeps client.json there (chat_gui/settings.py), the admin
window admin.json (chat_server/admin_gui/admin_settings.py).

`read_json_object` never fails: a missing file, binary, a megabyte, brackets
nested ten thousand deep or JSON that is not an object all give {}, and the
caller takes its defaults for whatever is missing or of the wrong type.
`read_small_file` reads at most a limit and only from a regular file: a
named pipe put in the file's place (mkfifo) blocked the window's start-up
and chat-term's connecting thread for good, waiting for a writer.
`replace_json` writes a temporary file beside the old one, flushes it to the
disk and renames it over the old one, so a crash or a full disk never leaves
half a file; it answers False (and raises nothing) when it cannot.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

from shared.frames import MAX_NESTING, nesting_depth

MAX_SETTINGS_BYTES = 64 * 1024  # the real files are a few hundred bytes


def config_folder() -> Path:
    """The per-user folder ClassChat's settings files live in (it may not exist yet)."""
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "ClassChat"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "ClassChat"
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "classchat"


def read_json_object(path: Path) -> dict[str, Any]:
    """The file's JSON object, or {} for anything else."""
    try:
        raw = read_small_file(path, MAX_SETTINGS_BYTES + 1)
    except OSError:
        return {}
    # deep nesting would overflow the JSON decoder's stack on some Pythons: refuse it before parsing
    if len(raw) > MAX_SETTINGS_BYTES or nesting_depth(raw) > MAX_NESTING:
        return {}
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return {}
    return data if isinstance(data, dict) else {}


def read_small_file(path: Path, limit: int) -> bytes:
    """At most `limit` bytes of the regular file at `path`; OSError for anything else (a pipe, a device, a folder)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOINHERIT", 0)
    descriptor = os.open(path, flags)  # a pipe opens at once without a writer, and is then refused
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, f"{path} is not a regular file")
        return file.read(limit)


def replace_json(path: Path, data: dict[str, Any]) -> bool:
    """Replace the file with `data` in one step; False when it cannot be written (the old file stays)."""
    temporary = ""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=2)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError:
        if temporary:
            try:
                os.unlink(temporary)
            except OSError:
                pass
        return False
    return True
