"""The last host, port, nickname and room, and the View choices (theme, text size), kept in a per-user config file (Tk thread; file I/O).

The file lives where the platform keeps such things:
  Linux and other Unix: $XDG_CONFIG_HOME/classchat/client.json (~/.config by default)
  Windows:              %APPDATA%\\ClassChat\\client.json
  macOS:                ~/Library/Application Support/ClassChat/client.json
Whatever the file holds (nothing, binary, a megabyte, brackets nested ten
thousand deep, wrong types), loading gives usable settings: each field that
is not right falls back to its default.  Saving writes a temporary file
beside it and renames it over the old one, so a crash or a full disk
never leaves half a file, and writes only what changed over what the file
holds then (two windows open at once keep each other's choices) (shared/settings_file.py, which the admin window's
settings use too).  A failed save is not worth interrupting a chat.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from shared.errors import ProtocolError
from shared.frames import DEFAULT_PORT
from shared.names import is_nick_shaped, normalise_room
from shared.palette import THEME_CHOICES
from shared.settings_file import config_folder, read_json_object, replace_json

MAX_HOST_CHARS = 253  # the longest DNS name
THEMES = THEME_CHOICES  # View > Theme (shared/palette.py: no Tk imported here)
TEXT_SIZES = (80, 90, 100, 110, 125, 150, 175, 200)  # View > Text size: percentages of the desktop's own size


@dataclass
class ClientSettings:
    host: str = "localhost"
    port: int = DEFAULT_PORT
    nick: str = ""
    room: str = "general"
    log_in: bool = False  # the nickname is an account: the Connect dialog opens on "Log in" (no password is kept)
    show_joins: bool = True  # View > Show joins and leaves
    theme: str = "system"  # View > Theme: "system", "light" or "dark"
    text_size: int = 100  # View > Text size: one of TEXT_SIZES (chat_gui/window/text_size.py)


def settings_path() -> Path:
    return config_folder() / "client.json"


def load_settings(path: Path | None = None) -> ClientSettings:
    data = read_json_object(path or settings_path())
    defaults = ClientSettings()
    host, port, nick, room = data.get("host"), data.get("port"), data.get("nick"), data.get("room")
    log_in = data.get("log_in")
    show_joins = data.get("show_joins")
    theme = data.get("theme")
    text_size = data.get("text_size")
    return ClientSettings(
        host=host if isinstance(host, str) and _is_host_shaped(host) else defaults.host,
        port=port if isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536 else defaults.port,
        nick=nick if isinstance(nick, str) and (nick == "" or is_nick_shaped(nick)) else defaults.nick,
        room=room if isinstance(room, str) and _is_room_shaped(room) else defaults.room,
        log_in=log_in if isinstance(log_in, bool) else defaults.log_in,
        show_joins=show_joins if isinstance(show_joins, bool) else defaults.show_joins,
        theme=theme if theme in THEMES else defaults.theme,
        text_size=text_size if isinstance(text_size, int) and text_size in TEXT_SIZES else defaults.text_size,
    )


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
    return replace_json(path or settings_path(), asdict(settings))


def save_changes(path: Path | None = None, **changes: Any) -> bool:
    """Only these fields, over what the file holds now: two windows open at once keep each other's choices.

    (Saving the whole of one window's settings put back the other window's
    theme or last server as they were when this one opened.)
    """
    path = path or settings_path()
    return save_settings(replace(load_settings(path), **changes), path)
