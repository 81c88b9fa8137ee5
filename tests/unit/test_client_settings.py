"""The remembered settings (chat_gui/settings.py): any file content gives usable settings; saving is atomic."""

from __future__ import annotations

import json
import os

import pytest

from chat_gui.settings import ClientSettings, load_settings, save_changes, save_settings
from tests.pipe_trap import answer_despite_a_pipe


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"[" * 100_000,
        b"{" * 50_000 + b"}" * 50_000,
        b'{"host": ' + b"[" * 20_000 + b"]" * 20_000 + b"}",
        b"\xff\xfe\x00garbage\x00" * 1000,
        b" " * 2_000_000,
        b'{"host": "' + b"a" * 2_000_000 + b'"}',
        b"null",
        b"[1, 2, 3]",
        b'"just a string"',
        b"NaN",
        b'{"port": 1e400}',
    ],
)
def test_any_content_gives_the_defaults(tmp_path, content):
    path = tmp_path / "client.json"
    path.write_bytes(content)
    assert load_settings(path) == ClientSettings()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"host": 5, "port": "55555", "nick": ["x"], "room": {}}, ClientSettings()),
        ({"port": True}, ClientSettings()),  # a bool is an int to Python, not a port
        ({"port": 0}, ClientSettings()),
        ({"port": 70000}, ClientSettings()),
        ({"port": 4000.5}, ClientSettings()),
        ({"host": "bad host\nname", "nick": "two words", "room": "no spaces please"}, ClientSettings()),
        ({"host": "", "nick": "x" * 100, "room": ""}, ClientSettings()),
        (
            {"host": "10.0.0.5", "port": 4000, "nick": "ann", "room": "#lab"},
            ClientSettings("10.0.0.5", 4000, "ann", "#lab"),
        ),
        ({"nick": "", "extra": [1, {"a": None}]}, ClientSettings()),
        ({"text_size": 125}, ClientSettings(text_size=125)),
        ({"text_size": 10_000}, ClientSettings()),  # a hand-edited size that would fill the screen with a letter
        ({"text_size": 0}, ClientSettings()),
        ({"text_size": 150.0}, ClientSettings()),
        ({"text_size": "150"}, ClientSettings()),
        ({"text_size": True}, ClientSettings()),
    ],
)
def test_each_field_that_is_not_right_falls_back_alone(tmp_path, data, expected):
    path = tmp_path / "client.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_settings(path) == expected


def test_a_missing_file_or_folder_gives_the_defaults(tmp_path):
    assert load_settings(tmp_path / "nowhere" / "client.json") == ClientSettings()
    (tmp_path / "dir.json").mkdir()
    assert load_settings(tmp_path / "dir.json") == ClientSettings()


def test_saving_replaces_the_file_in_one_step(tmp_path, monkeypatch):
    path = tmp_path / "sub" / "client.json"
    assert save_settings(ClientSettings("h", 1234, "ann", "lab"), path)
    assert load_settings(path) == ClientSettings("h", 1234, "ann", "lab")
    replaced: list[tuple[str, str]] = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: replaced.append((src, dst)) or real_replace(src, dst))
    assert save_settings(ClientSettings("h2", 1, "bob", "maths"), path)
    assert len(replaced) == 1 and replaced[0][1] == path and os.path.dirname(replaced[0][0]) == str(path.parent)
    assert load_settings(path) == ClientSettings("h2", 1, "bob", "maths")


def test_a_save_that_fails_half_way_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "client.json"
    save_settings(ClientSettings("old", 1, "ann", "lab"), path)

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    assert not save_settings(ClientSettings("new", 2, "bob", "maths"), path)
    assert load_settings(path) == ClientSettings("old", 1, "ann", "lab")
    assert [entry.name for entry in tmp_path.iterdir()] == ["client.json"]


def test_an_unwritable_folder_is_not_an_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert not save_settings(ClientSettings(), blocker / "client.json")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_named_pipe_in_place_of_the_file_gives_the_defaults_at_once(tmp_path):
    """Found by a probe: `mkfifo ~/.config/classchat/client.json` kept the window from ever opening."""
    path = tmp_path / "client.json"
    assert answer_despite_a_pipe(path, lambda: load_settings(path)) == ClientSettings()
    assert save_settings(ClientSettings(nick="alice"), path) and load_settings(path).nick == "alice"


def test_two_windows_open_at_once_keep_each_others_choices(tmp_path):
    """From the notes: each window saved all of its settings, so the last to save put back the other's old ones."""
    path = tmp_path / "client.json"
    assert save_settings(ClientSettings("school", 5000, "ann", "lab", theme="light"), path)
    # two windows opened with these; the first picks the dark theme, the second connects elsewhere
    assert save_changes(path, theme="dark")
    assert save_changes(path, host="other", port=6000, nick="ann2", room="maths", log_in=True)
    assert save_changes(path, show_joins=False)
    assert load_settings(path) == ClientSettings("other", 6000, "ann2", "maths", True, False, "dark")


def test_saving_changes_over_a_damaged_file_starts_from_the_defaults(tmp_path):
    path = tmp_path / "client.json"
    path.write_bytes(b"\x00not json")
    assert save_changes(path, theme="dark")
    assert load_settings(path) == ClientSettings(theme="dark")
