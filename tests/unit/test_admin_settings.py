"""The admin window's settings file (chat_server/admin_gui/admin_settings.py): any content gives the defaults; saving is atomic."""

from __future__ import annotations

import json
import os

import pytest

from chat_gui.settings import settings_path
from chat_server.admin_gui.admin_settings import (
    AdminSettings,
    admin_settings_path,
    load_admin_settings,
    save_admin_settings,
)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"[" * 100_000,
        b"{" * 50_000 + b"}" * 50_000,
        b'{"theme": ' + b"[" * 20_000 + b"]" * 20_000 + b"}",
        b"\xff\xfe\x00garbage\x00" * 1000,
        b'{"theme": "' + b"d" * 2_000_000 + b'"}',
        b"null",
        b'["dark"]',
        b'"dark"',
        b'{"theme": "DARK"}',
        b'{"theme": "solarized"}',
        b'{"theme": 1}',
        b'{"theme": ["dark"]}',
        b'{"theme": null}',
        b'{"Theme": "dark"}',
    ],
)
def test_any_content_gives_the_defaults(tmp_path, content):
    path = tmp_path / "admin.json"
    path.write_bytes(content)
    assert load_admin_settings(path) == AdminSettings()


def test_a_missing_file_or_folder_gives_the_defaults(tmp_path):
    assert load_admin_settings(tmp_path / "nowhere" / "admin.json") == AdminSettings(theme="system")


@pytest.mark.parametrize("theme", ["system", "light", "dark"])
def test_each_choice_survives_a_save_and_a_load(tmp_path, theme):
    path = tmp_path / "deeper" / "admin.json"  # the folder is made when missing
    assert save_admin_settings(AdminSettings(theme=theme), path)
    assert json.loads(path.read_text(encoding="utf-8")) == {"theme": theme}
    assert load_admin_settings(path) == AdminSettings(theme=theme)


def test_saving_replaces_the_file_in_one_step_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "admin.json"
    path.write_text('{"theme": "light"}', encoding="utf-8")
    old_inode = os.stat(path).st_ino
    assert save_admin_settings(AdminSettings(theme="dark"), path)
    assert os.stat(path).st_ino != old_inode  # a new file renamed over the old one, not the old one rewritten
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["admin.json"]


def test_a_folder_that_cannot_be_written_loses_nothing_and_raises_nothing(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    assert not save_admin_settings(AdminSettings(theme="dark"), blocker / "admin.json")
    assert blocker.read_text(encoding="utf-8") == "a file where the folder should be"


def test_the_file_sits_beside_the_chat_windows_settings_in_the_temporary_config_folder(tmp_path):
    # the autouse fixture points XDG_CONFIG_HOME (APPDATA on Windows) at a temporary folder for every test
    assert admin_settings_path().parent == settings_path().parent
    assert admin_settings_path().name == "admin.json" != settings_path().name
    assert not str(admin_settings_path()).startswith(os.path.expanduser("~/.config"))
