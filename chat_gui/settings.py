"""The last host, port, nickname and room, and the View choices, kept in a per-user config file (Tk thread; file I/O).

The file lives where the platform keeps such things:
  Linux and other Unix: $XDG_CONFIG_HOME/classchat/client.json (~/.config by default)
  Windows:              %APPDATA%\\ClassChat\\client.json
  macOS:                ~/Library/Application Support/ClassChat/client.json
Whatever the file holds (nothing, binary, a megabyte, brackets nested ten
thousand deep, wrong types), loading gives usable settings: each field that
is not right falls back to its default.  Saving writes a temporary file
beside it and renames it over the old one, so a crash or a full disk
never leaves half a file.  A failed save is not worth interrupting a chat.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from shared.errors import ProtocolError
from shared.frames import DEFAULT_PORT, MAX_NESTING, nesting_depth
from shared.names import is_nick_shaped, normalise_room

MAX_SETTINGS_BYTES = 64 * 1024  # the real file is under 200 bytes
MAX_HOST_CHARS = 253  # the longest DNS name
THEMES = ("system", "light", "dark")  # chat_gui/window/theme.py THEME_CHOICES, without importing Tk here


@dataclass
class ClientSettings:
    host: str = "localhost"
    port: int = DEFAULT_PORT
    nick: str = ""
    room: str = "general"
    log_in: bool = False  # the nickname is an account: the Connect dialog opens on "Log in" (no password is kept)
    show_joins: bool = True  # View > Show joins and leaves
    theme: str = "system"  # View > Theme: "system", "light" or "dark"


def settings_path() -> Path:
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
        return base / "ClassChat" / "client.json"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "ClassChat" / "client.json"
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "classchat" / "client.json"


def load_settings(path: Path | None = None) -> ClientSettings:
    data = _read(path or settings_path())
    defaults = ClientSettings()
    host, port, nick, room = data.get("host"), data.get("port"), data.get("nick"), data.get("room")
    log_in = data.get("log_in")
    show_joins = data.get("show_joins")
    theme = data.get("theme")
    return ClientSettings(
        host=host if isinstance(host, str) and _is_host_shaped(host) else defaults.host,
        port=port if isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536 else defaults.port,
        nick=nick if isinstance(nick, str) and (nick == "" or is_nick_shaped(nick)) else defaults.nick,
        room=room if isinstance(room, str) and _is_room_shaped(room) else defaults.room,
        log_in=log_in if isinstance(log_in, bool) else defaults.log_in,
        show_joins=show_joins if isinstance(show_joins, bool) else defaults.show_joins,
        theme=theme if theme in THEMES else defaults.theme,
    )


def _read(path: Path) -> dict[str, Any]:
    """The file's JSON object, or {} for anything else."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_SETTINGS_BYTES + 1)
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


def _is_host_shaped(host: str) -> bool:
    return 0 < len(host) <= MAX_HOST_CHARS and host.isprintable() and not any(ch.isspace() for ch in host)


def _is_room_shaped(room: str) -> bool:
    try:
        normalise_room(room)
    except ProtocolError:
        return False
    return True


def save_settings(settings: ClientSettings, path: Path | None = None) -> bool:
    """Replace the file in one step; returns False (and keeps going) when it cannot be written."""
    path = path or settings_path()
    temporary = ""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=".client-", suffix=".json", dir=path.parent)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(asdict(settings), file, indent=2)
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
