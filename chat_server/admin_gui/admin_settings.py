"""The admin window's own settings, kept in admin.json in the user's config folder (Tk thread; file I/O).

    {"theme": "system"}      Theme menu: "system", "light" or "dark"

The folder is the chat window's (shared/settings_file.py says where on each
system); the file is the admin window's alone, so the two windows on one
computer never overwrite each other's choices.  Whatever the file holds,
loading gives usable settings (a field that is not right takes its
default); saving replaces the file in one step and never interrupts the
window when it cannot.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from shared.palette import THEME_CHOICES
from shared.settings_file import config_folder, read_json_object, replace_json

ADMIN_SETTINGS_FILE = "admin.json"


@dataclass
class AdminSettings:
    theme: str = "system"


def admin_settings_path() -> Path:
    return config_folder() / ADMIN_SETTINGS_FILE


def load_admin_settings(path: Path | None = None) -> AdminSettings:
    data = read_json_object(path or admin_settings_path())
    theme = data.get("theme")
    return AdminSettings(theme=theme if isinstance(theme, str) and theme in THEME_CHOICES else AdminSettings().theme)


def save_admin_settings(settings: AdminSettings, path: Path | None = None) -> bool:
    """Replace the file in one step; False (and nothing raised) when it cannot be written."""
    return replace_json(path or admin_settings_path(), asdict(settings))
