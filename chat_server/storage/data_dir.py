"""Where the server keeps its state by default: the user's data folder for the app (any thread, no I/O).

PROTOCOL.md names it: `$XDG_DATA_HOME/classchat` (else `~/.local/share/classchat`)
on Linux and other Unix systems, `%LOCALAPPDATA%\\ClassChat` on Windows and
`~/Library/Application Support/ClassChat` on macOS. `--data-dir` overrides it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

APP_FOLDER_UNIX = "classchat"
APP_FOLDER = "ClassChat"
# A data folder the server makes is its user's alone: the database holds password hashes and private
# messages, files/ the files shared privately (mkdir's mode; Windows ignores it, the profile is private there).
DATA_FOLDER_MODE = 0o700


def default_data_dir(platform: str | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The default data folder for this platform (not created here)."""
    platform = sys.platform if platform is None else platform
    environ = os.environ if environ is None else environ
    home = Path(environ.get("HOME") or environ.get("USERPROFILE") or Path.home())
    if platform == "win32":
        base = environ.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        return Path(base) / APP_FOLDER
    if platform == "darwin":
        return home / "Library" / "Application Support" / APP_FOLDER
    xdg = environ.get("XDG_DATA_HOME", "")
    # The XDG spec says a relative value is invalid and must be ignored.
    base_path = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".local" / "share"
    return base_path / APP_FOLDER_UNIX
