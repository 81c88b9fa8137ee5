"""chat_gui.core.partial_download: the hidden partial file, its day-long life, and the name it is kept under."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from chat_gui.core.partial_download import (
    PARTIAL_PREFIX,
    PARTIAL_SUFFIX,
    STALE_SECONDS,
    FolderGone,
    NotKept,
    keep,
    start_partial,
)


def test_a_partial_is_hidden_and_kept_under_the_cleaned_name_without_overwriting(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(b"mine")
    partial = start_partial(tmp_path)
    assert partial.parent == tmp_path and partial.name.startswith(".") and partial.name.endswith(PARTIAL_SUFFIX)
    partial.write_bytes(b"theirs")
    kept = keep(partial, tmp_path, "../report.pdf")
    assert kept == tmp_path / "report (1).pdf" and kept.read_bytes() == b"theirs"
    assert (tmp_path / "report.pdf").read_bytes() == b"mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report (1).pdf", "report.pdf"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_the_kept_file_has_the_mode_a_new_file_gets_never_executable(tmp_path: Path) -> None:
    partial = start_partial(tmp_path)
    kept = keep(partial, tmp_path, "tool.sh")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o644 & ~umask


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_a_link_at_the_name_is_never_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_bytes(b"someone else's")
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "notes.txt").symlink_to(elsewhere)  # a classmate's trap in a shared folder
    partial = start_partial(folder)
    partial.write_bytes(b"the download")
    kept = keep(partial, folder, "notes.txt")
    assert kept == folder / "notes (1).txt" and kept.read_bytes() == b"the download"
    assert elsewhere.read_bytes() == b"someone else's"


def test_a_folder_gone_meanwhile_is_folder_gone(tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    partial = start_partial(folder)
    partial.unlink()
    folder.rmdir()
    with pytest.raises(FolderGone):
        keep(partial, folder, "a.txt")
    folder.mkdir()  # removed and made again: the partial went with the old one
    with pytest.raises(FolderGone):
        keep(partial, folder, "a.txt")
    assert list(folder.iterdir()) == []


def test_partials_a_killed_client_left_go_after_a_day_and_nothing_else_does(tmp_path: Path) -> None:
    old = tmp_path / f"{PARTIAL_PREFIX}dead{PARTIAL_SUFFIX}"
    fresh = tmp_path / f"{PARTIAL_PREFIX}live{PARTIAL_SUFFIX}"
    old_but_mine = tmp_path / "holiday.part"
    for path in (old, fresh, old_but_mine):
        path.write_bytes(b"x")
    day_ago = time.time() - STALE_SECONDS - 60
    for path in (old, old_but_mine):
        os.utime(path, (day_ago, day_ago))
    new = start_partial(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([fresh.name, old_but_mine.name, new.name])


def test_a_folder_that_refuses_the_name_keeps_the_whole_file_and_says_where(tmp_path: Path, monkeypatch) -> None:
    """A folder made read-only meanwhile (as root the test cannot make one): the bytes stay, and where is said."""
    partial = start_partial(tmp_path)
    partial.write_bytes(b"whole")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(NotKept) as refused:
        keep(partial, tmp_path, "notes.txt")
    assert refused.value.partial == partial and partial.read_bytes() == b"whole"
    assert refused.value.strerror == "Permission denied"
    assert sorted(p.name for p in tmp_path.iterdir()) == [partial.name], "no empty file left under the name"
