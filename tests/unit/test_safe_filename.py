"""Unit tests for shared/safe_filename.py: hostile names cleaned, never-overwriting creation, the executable check."""

from __future__ import annotations

import os
import threading
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.safe_filename import (
    FALLBACK_NAME,
    MAX_NAME_BYTES,
    clean_filename,
    create_unique_file,
    is_device_name,
    is_executable_name,
    looks_executable,
    numbered_name,
)


def check_safe(name: str) -> None:
    """Everything the module promises about a cleaned name."""
    assert name, "never empty"
    assert "/" not in name and "\\" not in name
    assert name not in (".", "..")
    assert not name.startswith((".", "-", " ")) and not name.endswith((".", " "))
    assert 1 <= len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in name), ascii(name)
    assert not any(ch in '<>:"|?*' for ch in name)
    assert not is_device_name(name)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("/etc/passwd", "passwd"),
        ("C:\\x\\y.txt", "y.txt"),
        ("..\\..\\Windows\\System32\\evil.dll", "evil.dll"),
        ("\\\\server\\share\\notes.txt", "notes.txt"),
        ("~/.ssh/authorized_keys", "authorized_keys"),
        ("C:x.txt", "C_x.txt"),
        ("report.txt:hidden_stream", "report.txt_hidden_stream"),
        ('a<b>c"d|e?f*g.txt', "a_b_c_d_e_f_g.txt"),
        ("report.pdf", "report.pdf"),
        ("Übung 3 – Lösungen.pdf", "Übung 3 – Lösungen.pdf"),
        ("作业.docx", "作业.docx"),
    ],
)
def test_folders_and_refused_characters_are_taken_out(raw, expected):
    assert clean_filename(raw) == expected
    check_safe(clean_filename(raw))


@pytest.mark.parametrize(
    "raw",
    ["CON", "con", "Con.txt", "nul.txt", "NUL", "CON.tar.gz", "con .txt", "PRN.doc", "aux", "COM1", "com9.log"]
    + ["LPT1.tar.gz", "lpt9", "COM0", "conin$", "CONOUT$.txt", "COM\u00b9", "lpt\u00b3.txt", "nul.", "CON  ", "ＣＯＮ"],
)
def test_device_names_get_an_underscore_in_front_whatever_the_case_or_extension(raw):
    assert is_device_name(raw.rstrip(". "))
    cleaned = clean_filename(raw)
    assert cleaned.startswith("_")
    check_safe(cleaned)


@pytest.mark.parametrize("raw", ["CONSOLE.txt", "icon.png", "nullable.py", "com10", "lpt", "auxiliary", "a.con"])
def test_names_that_merely_contain_a_device_name_are_left_alone(raw):
    assert not is_device_name(raw)
    assert clean_filename(raw) == raw


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\x00b\x1b[2Jc.txt", "ab[2Jc.txt"),
        ("line\nbreak\r.txt", "line break.txt"),
        ("tab\there.txt", "tab here.txt"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("photo\u2066\u2069.png", "photo.png"),
        ("zero\u200bwidth\u200d\ufeff.txt", "zerowidth.txt"),
        ("hangul\u3164filler\u115f.txt", "hangulfiller.txt"),
        ("soft\u00adhyphen.txt", "softhyphen.txt"),
        ("no\u00a0break\u3000space.txt", "no break space.txt"),
        ("para\u2029sep\u2028.txt", "parasep.txt"),
        ("tag\U000e0041s.txt", "tags.txt"),
        ("lone\udcffsurrogate.txt", "lonesurrogate.txt"),
    ],
)
def test_control_bidi_and_invisible_characters_are_removed(raw, expected):
    assert clean_filename(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", FALLBACK_NAME),
        (".", FALLBACK_NAME),
        ("..", FALLBACK_NAME),
        ("....", FALLBACK_NAME),
        ("   ", FALLBACK_NAME),
        ("\x00\x01", FALLBACK_NAME),
        ("\u202e", FALLBACK_NAME),
        ("../", FALLBACK_NAME),
        ("dir/", FALLBACK_NAME),
        (".bashrc", "bashrc"),
        ("...hidden", "hidden"),
        ("  spaced  .txt  ", "spaced.txt"),
        ("evil.exe. . .", "evil.exe"),
        ("-rf", "_rf"),
        ("--help.txt", "_-help.txt"),
    ],
)
def test_hidden_names_dashes_trailing_dots_and_spaces_and_empty_names(raw, expected):
    assert clean_filename(raw) == expected


@pytest.mark.parametrize(
    ("stem", "extension"),
    [("x" * 300, ".pdf"), ("作" * 300, ".docx"), ("😀" * 300, ".png"), ("é" * 300, ""), ("a" * 300, ".tar.gz")],
)
def test_long_names_are_cut_to_255_bytes_keeping_the_extension(stem, extension):
    cleaned = clean_filename(stem + extension)
    assert len(cleaned.encode("utf-8")) <= MAX_NAME_BYTES
    assert len(cleaned.encode("utf-8")) > MAX_NAME_BYTES - 4  # cut at a character boundary, not far short
    assert cleaned.endswith(extension) and cleaned.startswith(stem[:10])
    check_safe(cleaned)


def test_an_overlong_extension_counts_as_part_of_the_name():
    cleaned = clean_filename("notes." + "y" * 400)
    assert cleaned.startswith("notes.") and len(cleaned.encode()) <= MAX_NAME_BYTES


@settings(max_examples=400, deadline=None)
@given(st.text(min_size=0, max_size=400))
def test_any_text_becomes_a_safe_name_and_cleaning_twice_changes_nothing(raw):
    cleaned = clean_filename(raw)
    check_safe(cleaned)
    assert clean_filename(cleaned) == cleaned


@settings(max_examples=150, deadline=None)
@given(st.text(st.characters(codec="utf-8"), min_size=0, max_size=300))
def test_any_name_is_created_inside_the_folder_and_nowhere_else(tmp_path_factory, raw):
    folder = tmp_path_factory.mktemp("downloads")
    path, out = create_unique_file(folder, raw)
    with out:
        out.write(b"x")
    assert path.parent == folder and path.is_file() and not path.is_symlink()
    assert os.listdir(folder) == [path.name]


@pytest.mark.parametrize(
    ("name", "existing", "expected"),
    [
        ("report.pdf", [], "report.pdf"),
        ("report.pdf", ["report.pdf"], "report (1).pdf"),
        ("report.pdf", ["report.pdf", "report (1).pdf", "report (2).pdf"], "report (3).pdf"),
        ("data.tar.gz", ["data.tar.gz"], "data (1).tar.gz"),
        ("README", ["README"], "README (1)"),
        ("../../etc/passwd", ["passwd"], "passwd (1)"),
        ("CON", [], "_CON"),
    ],
)
def test_an_existing_name_is_never_overwritten(tmp_path, name, existing, expected):
    for other in existing:
        (tmp_path / other).write_bytes(b"keep me")
    path, out = create_unique_file(tmp_path, name)
    with out:
        out.write(b"new")
    assert path == tmp_path / expected and path.read_bytes() == b"new"
    for other in existing:
        assert (tmp_path / other).read_bytes() == b"keep me"


def test_a_folder_or_a_symbolic_link_of_that_name_is_neither_entered_nor_followed(tmp_path):
    (tmp_path / "notes.txt").mkdir()
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    (tmp_path / "notes (1).txt").symlink_to(outside)  # dangling: O_CREAT alone would create the target
    path, out = create_unique_file(tmp_path, "notes.txt")
    with out:
        out.write(b"mine")
    assert path == tmp_path / "notes (2).txt"
    assert not outside.exists()


def test_a_long_name_stays_within_255_bytes_when_numbered(tmp_path):
    name = "ü" * 200 + ".pdf"
    first, out = create_unique_file(tmp_path, name)
    out.close()
    second, out = create_unique_file(tmp_path, name)
    out.close()
    assert first != second and second.name.endswith(" (1).pdf")
    assert len(second.name.encode("utf-8")) <= MAX_NAME_BYTES
    assert len(numbered_name(clean_filename(name), 9999).encode("utf-8")) <= MAX_NAME_BYTES


def test_forty_downloads_of_one_name_at_the_same_moment_get_forty_files(tmp_path):
    barrier = threading.Barrier(40)
    paths: list[Path] = []
    lock = threading.Lock()

    def download(number: int) -> None:
        barrier.wait()
        path, out = create_unique_file(tmp_path, "worksheet.pdf")
        with out:
            out.write(str(number).encode())
        with lock:
            paths.append(path)

    threads = [threading.Thread(target=download, args=(number,)) for number in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(set(paths)) == 40
    assert sorted(int(path.read_bytes()) for path in paths) == list(range(40))


def test_a_missing_folder_is_an_error_not_a_new_folder(tmp_path):
    with pytest.raises(FileNotFoundError):
        create_unique_file(tmp_path / "missing", "a.txt")
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize(
    "name",
    ["setup.exe", "SETUP.EXE", "run.bat", "x.cmd", "x.com", "screen.scr", "install.msi", "script.ps1", "a.vbs"]
    + ["a.js", "app.jar", "run.sh", "Thing.app", "launch.desktop", "shortcut.lnk", "link.url", "disk.iso"]
    + ["report.pdf.exe", "evil.exe.", "evil.exe  ", "invoice\u202efdp.exe", "x.AppImage", "tool.py", "macro.xlsm"],
)
def test_executable_types_are_recognised_by_name(name):
    assert is_executable_name(name)


@pytest.mark.parametrize(
    "name",
    ["connect.rdp", "fix.diagcab", "update.sct", "scrap.shs", "lesson.website", "dark.theme", "pack.themepack"]
    + ["update.msu", "drivers.cab", "grades.iqy", "table.slk", "db.accde", "app.xbap", "x.ps2", "Connect.RDP "],
)
def test_files_that_fetch_or_run_something_are_executable_types_too(name):
    """Found by the second hostile review: a student's `connect.rdp` or `fix.diagcab` opened without a question."""
    assert is_executable_name(name)


@pytest.mark.parametrize(
    "name",
    ["x.doc", "x.xls", "x.ppt", "x.pps", "x.dot", "x.xla", "x.ppsm", "x.potm", "x.xltm", "x.sldm", "x.pub", "x.rtf"]
    + ["x.accdb", "x.mdb", "x.vsdm", "x.searchConnector-ms", "x.html", "x.htm", "x.svg", "x.mht", "x.mhtml"]
    + ["x.xhtml", "x.fileloc", "x.webloc", "x.inetloc", "x.lnk", "x.url", "x.scf", "x.hta", "x.jar", "x.appref-ms"]
    + ["x.library-ms", "x.settingcontent-ms", "Essay.DOC", "page.HTML "],
)
def test_macro_documents_web_pages_and_location_files_are_executable_types(name):
    """Found by a probe: Office 97-2003 and macro-enabled types, HTML, SVG and macOS .webloc opened without a question."""
    assert is_executable_name(name)


@pytest.mark.parametrize(
    "name",
    ["report.pdf", "photo.png", "notes.txt", "data.tar.gz", "exe", "slides.pptx", "sheet.xlsx", "a.exe.txt"]
    + ["essay.docx", "essay.odt"],
)
def test_ordinary_documents_are_not_executable_types(name):
    assert not is_executable_name(name)


@pytest.mark.parametrize(
    ("content", "executable"),
    [
        (b"\x7fELF\x02\x01\x01", True),
        (b"MZ\x90\x00", True),
        (b"#!/bin/sh\nrm -rf ~\n", True),
        (b"\xcf\xfa\xed\xfe", True),
        (b"hello, world\n", False),
        (b"%PDF-1.7", False),
        (b"", False),
    ],
)
def test_saved_files_are_judged_by_their_first_bytes_too(tmp_path, content, executable):
    path = tmp_path / "download"
    path.write_bytes(content)
    path.chmod(0o644)
    assert looks_executable(path) is executable


@pytest.mark.skipif(os.name != "posix", reason="the execute permission is POSIX")
def test_a_file_with_the_execute_permission_is_executable(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"plain text")
    path.chmod(0o744)
    assert looks_executable(path)


def test_a_file_that_cannot_be_read_counts_as_executable(tmp_path):
    assert looks_executable(tmp_path / "vanished.txt")


def test_a_saved_file_is_not_executable_when_it_lands(tmp_path):
    path, out = create_unique_file(tmp_path, "program")
    out.close()
    assert path.stat().st_mode & 0o111 == 0
