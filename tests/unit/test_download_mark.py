"""shared/download_mark.py: what marking a saved file writes on Windows and macOS, and that Linux gets nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path, PureWindowsPath

from shared import download_mark
from shared.download_mark import ZONE_IDENTIFIER, Marking, mark_downloaded, marking_for


def test_windows_gets_the_zone_identifier_stream_of_the_internet_zone(tmp_path):
    saved = tmp_path / "essay.doc"
    marking = marking_for(saved, "win32")
    assert marking == Marking(stream=Path(f"{saved}:Zone.Identifier"), data=b"[ZoneTransfer]\r\nZoneId=3\r\n")
    assert ZONE_IDENTIFIER == b"[ZoneTransfer]\r\nZoneId=3\r\n"


def test_a_windows_path_keeps_its_drive_and_folder_in_the_stream_name():
    assert str(PureWindowsPath(r"C:\Users\kim\Downloads\a.xls")) + ":Zone.Identifier" == (
        r"C:\Users\kim\Downloads\a.xls:Zone.Identifier"
    )


def test_marking_on_windows_writes_the_stream_beside_the_file(tmp_path, monkeypatch):
    """On this Linux test machine the stream's name is an ordinary file: it shows what Windows would be given."""
    monkeypatch.setattr(download_mark, "PLATFORM", "win32")
    saved = tmp_path / "slides.ppt"
    saved.write_bytes(b"slides")
    assert mark_downloaded(saved)
    assert (tmp_path / "slides.ppt:Zone.Identifier").read_bytes() == b"[ZoneTransfer]\r\nZoneId=3\r\n"
    assert saved.read_bytes() == b"slides"


def test_macos_sets_the_quarantine_attribute_with_xattr(tmp_path):
    saved = tmp_path / "tool.command"
    ran: list[list[str]] = []

    def run(command, **options):
        ran.append(command)
        assert options["timeout"] > 0 and options["check"] is False
        return subprocess.CompletedProcess(command, 0, b"", b"")

    assert mark_downloaded(saved, "darwin", run=run)
    assert ran == [["xattr", "-w", "com.apple.quarantine", ran[0][3], str(saved)]]
    flags, hex_time, agent, rest = ran[0][3].split(";")
    assert (flags, agent, rest) == ("0081", "ClassChat", "") and int(hex_time, 16) > 0
    assert marking_for(saved, "darwin", now=lambda: 0x65000000).command[3] == "0081;65000000;ClassChat;"


def test_a_failing_xattr_or_a_missing_one_reports_false_and_raises_nothing(tmp_path):
    saved = tmp_path / "a.doc"

    def missing(command, **options):
        raise FileNotFoundError("xattr")

    def failing(command, **options):
        return subprocess.CompletedProcess(command, 1, b"", b"no")

    assert not mark_downloaded(saved, "darwin", run=missing)
    assert not mark_downloaded(saved, "darwin", run=failing)


def test_linux_writes_nothing(tmp_path):
    saved = tmp_path / "a.doc"
    saved.write_bytes(b"x")
    assert marking_for(saved, "linux") is None
    assert mark_downloaded(saved, "linux")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.doc"]


def test_a_stream_that_cannot_be_written_reports_false(tmp_path):
    """FAT and network drives have no alternate streams: the file stays, unmarked."""
    assert not mark_downloaded(tmp_path / "missing-folder" / "a.doc", "win32")
