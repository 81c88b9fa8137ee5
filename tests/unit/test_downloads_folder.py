"""Unit tests for chat_gui/core/downloads_folder.py: finding (and making) the folder received files are saved in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chat_gui.core.downloads_folder import downloads_folder, xdg_download_dir
from tests.pipe_trap import answer_despite_a_pipe

HOME = Path("/home/ana")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('XDG_DOWNLOAD_DIR="$HOME/Downloads"\n', HOME / "Downloads"),
        (
            '# written by xdg-user-dirs-update\nXDG_DESKTOP_DIR="$HOME/Bureau"\nXDG_DOWNLOAD_DIR="$HOME/Téléchargements"\n',
            HOME / "Téléchargements",
        ),
        ('XDG_DOWNLOAD_DIR="/srv/shared/downloads"', Path("/srv/shared/downloads")),
        ('XDG_DOWNLOAD_DIR="$HOME/"', HOME),
        ('XDG_DOWNLOAD_DIR="relative/path"', None),
        ('XDG_DESKTOP_DIR="$HOME/Desktop"', None),
        ("", None),
    ],
)
def test_the_xdg_download_dir_is_read_as_the_format_allows(text, expected):
    assert xdg_download_dir(text, HOME) == expected


def test_linux_uses_the_xdg_folder_and_creates_it(tmp_path, monkeypatch):
    config = tmp_path / "config"
    config.mkdir()
    (config / "user-dirs.dirs").write_text('XDG_DOWNLOAD_DIR="$HOME/Descargas"\n', encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    folder = downloads_folder(tmp_path, "linux")
    assert folder == tmp_path / "Descargas" and folder.is_dir()


def test_without_a_setting_it_is_downloads_in_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "nowhere"))
    assert downloads_folder(tmp_path, "linux") == tmp_path / "Downloads"
    assert downloads_folder(tmp_path, "darwin") == tmp_path / "Downloads"


def test_a_folder_that_cannot_be_made_falls_back_to_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "nowhere"))
    (tmp_path / "Downloads").write_text("a file where the folder should be")
    assert downloads_folder(tmp_path, "linux") == tmp_path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_named_pipe_as_user_dirs_gives_downloads_at_once(tmp_path, monkeypatch):
    """Found by a probe: the card's Save reads user-dirs.dirs on the Tk thread, and a pipe there froze the window."""
    config = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    found = answer_despite_a_pipe(config / "user-dirs.dirs", lambda: downloads_folder(tmp_path, "linux"))
    assert found == tmp_path / "Downloads"
