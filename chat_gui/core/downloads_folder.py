"""Where received files are saved: the user's Downloads folder on each system (Tk thread or worker; no Tk).

Linux: XDG_DOWNLOAD_DIR from ~/.config/user-dirs.dirs (it may be localised,
e.g. ~/Téléchargements); Windows: the Downloads known folder (it may have
been moved to another drive); macOS and the fallback everywhere:
~/Downloads.  The folder is created if missing; if that fails, the home
folder is used, so a save never fails for want of a folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from shared.settings_file import read_small_file

USER_DIRS_MAX_BYTES = 64 * 1024  # the real file is under 1 KiB
_WINDOWS_DOWNLOADS_GUID = "{374DE290-123F-4565-9164-39C4925E467B}"


def xdg_download_dir(user_dirs: str, home: Path) -> Path | None:
    """XDG_DOWNLOAD_DIR from the text of user-dirs.dirs ("$HOME/Downloads" style values), or None."""
    for line in user_dirs.splitlines():
        key, equals, value = line.strip().partition("=")
        if key != "XDG_DOWNLOAD_DIR" or not equals:
            continue
        value = value.strip().strip('"')
        if value.startswith("$HOME"):
            return home / value[len("$HOME") :].lstrip("/")
        if value.startswith("/"):
            return Path(value)
        return None  # the format allows only these two forms
    return None


def _windows_downloads() -> Path | None:
    try:
        import ctypes
        from ctypes import wintypes
        from uuid import UUID

        guid = UUID(_WINDOWS_DOWNLOADS_GUID)
        raw = (ctypes.c_ubyte * 16).from_buffer_copy(guid.bytes_le)
        path = ctypes.c_wchar_p()
        shell32 = ctypes.windll.shell32  # type: ignore[attr-defined]
        if shell32.SHGetKnownFolderPath(ctypes.byref(raw), 0, None, ctypes.byref(path)) != 0:
            return None
        found = Path(path.value or "")
        ctypes.windll.ole32.CoTaskMemFree(ctypes.cast(path, wintypes.LPVOID))  # type: ignore[attr-defined]
        return found if path.value else None
    except (OSError, AttributeError, ImportError, ValueError):
        return None


def downloads_folder(home: Path | None = None, platform: str = sys.platform) -> Path:
    """The folder to save received files in, created if missing (the home folder if it cannot be)."""
    home = home or Path.home()
    found: Path | None = None
    if platform == "win32":
        found = _windows_downloads()
    elif platform != "darwin":
        config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
        try:
            # at most 64 KiB of a regular file: the card's Save asks on the Tk thread, and a pipe would freeze it
            text = read_small_file(config / "user-dirs.dirs", USER_DIRS_MAX_BYTES).decode("utf-8")
            found = xdg_download_dir(text, home)
        except (OSError, UnicodeDecodeError):
            found = None
    folder = found or home / "Downloads"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return home
    return folder
