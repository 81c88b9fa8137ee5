"""The last host, port and nickname, remembered in a per-user config file (Tk thread; plain file I/O).

The file lives where the platform keeps such things:
  Linux and other Unix: $XDG_CONFIG_HOME/classchat/client.json (~/.config by default)
  Windows:              %APPDATA%\\ClassChat\\client.json
  macOS:                ~/Library/Application Support/ClassChat/client.json
A missing or broken file gives the defaults; a failed save is not an error
worth interrupting a chat for.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from shared.frames import DEFAULT_PORT


@dataclass
class ClientSettings:
    host: str = "localhost"
    port: int = DEFAULT_PORT
    nick: str = ""
    room: str = "general"


def settings_path() -> Path:
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
        return base / "ClassChat" / "client.json"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "ClassChat" / "client.json"
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "classchat" / "client.json"


def load_settings(path: Path | None = None) -> ClientSettings:
    path = path or settings_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ClientSettings()
    if not isinstance(data, dict):
        return ClientSettings()
    defaults = ClientSettings()

    def text(name: str, default: str, allow_empty: bool = False) -> str:
        value = data.get(name)
        return value if isinstance(value, str) and (value or allow_empty) else default

    port = data.get("port")
    return ClientSettings(
        host=text("host", defaults.host),
        port=port if isinstance(port, int) and 0 < port < 65536 else defaults.port,
        nick=text("nick", defaults.nick, allow_empty=True),
        room=text("room", defaults.room),
    )


def save_settings(settings: ClientSettings, path: Path | None = None) -> bool:
    """Write the file; returns False (and keeps going) when it cannot be written."""
    path = path or settings_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(settings), indent=2), encoding="utf-8")
    except OSError:
        return False
    return True
