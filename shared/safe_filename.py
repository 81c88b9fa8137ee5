"""Safe names for received files: cleaning, never-overwriting creation, the executable-type check (any thread).

A file's name comes from its sender, so it is hostile until cleaned.  The
receiving client saves under `clean_filename(name)` inside a folder the
user chose, through `create_unique_file`, which never overwrites anything:

    path, out = create_unique_file(downloads, frame["name"])   # "report (1).pdf" if "report.pdf" exists
    with out:
        out.write(data)
    if looks_executable(path):
        ...warn before opening...

The server cleans the name too before it announces a file, so every client
shows the same harmless name; clients clean again because a server is not
trusted either.  The rules, for every operating system at once (a name
that is safe on Linux may be a device on Windows):

- no folders: everything up to the last `/` or `\\` is dropped, so
  `../../etc/passwd` becomes `passwd` and `C:\\x\\y.txt` becomes `y.txt`;
- no characters Windows refuses (`<>:"|?*`; they become `_`);
- no control characters, no bidirectional controls or other invisible
  characters (every Default_Ignorable_Code_Point, as for nicknames), so
  `invoice\\u202Efdp.exe` shows as the `.exe` it is;
- no leading dots (hidden files, `..`) or dashes (options to a shell),
  no leading or trailing spaces, no trailing dots (Windows drops them);
- every run of blanks (odd spaces and the braille blank included) is one
  space, so `report.pdf` and a hundred spaces cannot hide `x.exe`;
- no device names (`CON`, `PRN`, `AUX`, `NUL`, `COM0-9`, `LPT0-9`, and
  the superscript-digit forms, `CONIN$`, `CONOUT$`), in any case, with
  any extension (`nul.txt`, `CON.tar.gz`): an `_` goes in front;
- at most 255 bytes of UTF-8, cut in the name and not the extension;
- never empty: `file` when nothing is left.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
import unicodedata
from pathlib import Path
from typing import BinaryIO

MAX_NAME_BYTES = 255  # NAME_MAX on Linux and macOS; Windows allows 255 UTF-16 units, never fewer than this
FALLBACK_NAME = "file"
MAX_EXTENSION_CHARS = 16  # a longer "extension" is part of the name (e.g. "notes.from the meeting")
MAX_NUMBERED = 9999  # "name (9999).ext"; then a random suffix

# Windows refuses these in names; ":" also opens an alternate data stream there.
_REFUSED_BY_WINDOWS = frozenset('<>:"|?*')
_PATH_SEPARATORS = ("/", "\\")

# Default_Ignorable_Code_Point (Unicode DerivedCoreProperties.txt), the same set the contract removes
# from nicknames.  unicodedata has no property lookup, so the ranges are listed; most of them are also
# category Cf, which is removed anyway, but the Hangul fillers and variation selectors are not.
_DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
# Control, format, surrogate (from surrogateescape'd bytes), line and paragraph separators.
_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

_DEVICE_NAMES = frozenset(
    ["con", "prn", "aux", "nul", "conin$", "conout$", "clock$"]
    + [f"{port}{digit}" for port in ("com", "lpt") for digit in "0123456789\u00b9\u00b2\u00b3"]
)

# Compound extensions kept whole when a name is shortened or numbered: "data (1).tar.gz".
_COMPOUND_EXTENSIONS = (".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".tar.lz", ".tar.z")

# Types a double click runs (or mounts, or installs, or follows to a program) on some system: the one list,
# kept here, that the chat window's and chat-term's "Open a program?" question and the admin window ask.
_WINDOWS_TYPES = (  # programs, installers, scripts, shortcuts, control panel and help files, macro documents
    "exe com bat cmd scr pif msi msp msix msixbundle appx appxbundle appinstaller application appref-ms "
    "ps1 psm1 psd1 ps1xml psc1 vb vbs vbe js jse wsf wsh wsc hta cpl msc reg inf lnk url scf "
    "dll sys ocx drv gadget chm hlp settingcontent-ms library-ms search-ms xll xlam docm dotm xlsm "
    "pptm ppam one iso img vhd vhdx"
)
# More that Windows runs or that fetch and run something, from the attachment types Outlook blocks:
# scriptlets and shell scraps, troubleshooting packs (Follina), Remote Desktop files (a 2024 phishing wave),
# themes and web shortcuts (they fetch from a server of the sender's choice), Access and Excel query files.
_WINDOWS_MORE_TYPES = (
    "sct shb shs ws wsf msh msh1 msh2 mshxml msh1xml msh2xml ps2 ps2xml psc2 diagcab rdp theme themepack "
    "website xbap cab msu mst ade adp mde accde mda mam hpj ins isp prf grp cnt printerexport webpnp "
    "vsmacros vsw xnk bas iqy slk"
)
# Documents that can carry macros or run code when opened, and web pages and shortcuts that run script or fetch
# something of the sender's choice (found by a probe: .doc, .xls, .html, .svg, .webloc opened without a question).
# From the types Office's Protected View and Outlook's attachment rules treat as active content (the Office
# 97-2003 formats, the macro-enabled OOXML types, Publisher, Access, Visio macro files), Windows Search and
# library files that point at a server, RTF (it embeds OLE objects: CVE-2017-0199, CVE-2022-30190), HTML, SVG
# and MHT (script in the browser, or in the old HTML engine for .mht), and macOS's location files (.fileloc
# opens a local program, .webloc and .inetloc a link).
_DOCUMENT_TYPES = (
    "doc dot wbk docm dotm rtf xls xlt xla xlm xlw xlsb xlsm xltm xlam xll xlb ppt pot pps ppa pptm potm ppsm "
    "ppam sldm pub accdb accdr accdt accde mdb mde mda vsd vss vst vsdm vssm vstm vsto vsix wll "
    "searchconnector-ms html htm xhtml xht shtml svg svgz mht mhtml"
)
_UNIX_TYPES = "sh bash zsh csh ksh fish run bin elf appimage desktop deb rpm snap flatpakref"
_MACOS_TYPES = "app command tool pkg mpkg dmg workflow scpt scptd applescript terminal fileloc webloc inetloc afploc"
_INTERPRETED_TYPES = "jar jnlp py pyw pyz pyzw pyc pl rb"  # desktops often run these on a double click
EXECUTABLE_EXTENSIONS = frozenset(
    f"{_WINDOWS_TYPES} {_WINDOWS_MORE_TYPES} {_DOCUMENT_TYPES} {_UNIX_TYPES} {_MACOS_TYPES} {_INTERPRETED_TYPES}".split()
)
_EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE
    b"\x7fELF",  # Linux
    b"#!",  # a script with an interpreter line
    b"\xfe\xed\xfa\xce",  # Mach-O 32-bit
    b"\xfe\xed\xfa\xcf",  # Mach-O 64-bit
    b"\xce\xfa\xed\xfe",  # Mach-O 32-bit, little-endian
    b"\xcf\xfa\xed\xfe",  # Mach-O 64-bit, little-endian
    b"\xca\xfe\xba\xbe",  # Mach-O universal (and Java class files)
)


def _is_default_ignorable(codepoint: int) -> bool:
    return any(low <= codepoint <= high for low, high in _DEFAULT_IGNORABLE)


def _visible_char(ch: str) -> str:
    """The character as it may appear in a saved name: itself, a replacement, or "" (dropped)."""
    if ch in _REFUSED_BY_WINDOWS:
        return "_"
    if ch in "\t\n\r\v\f":
        return " "
    category = unicodedata.category(ch)
    if category in _REMOVED_CATEGORIES or _is_default_ignorable(ord(ch)):
        return ""
    if category == "Zs" or ch in _BLANK_LOOKING:
        return " "  # no-break, ideographic and other odd spaces look like a space; make them one
    return ch


# Characters drawn as nothing that are neither spaces nor ignorable (the braille blank).
_BLANK_LOOKING = frozenset("\u2800")


def split_extension(name: str) -> tuple[str, str]:
    """(stem, extension with its dot); a compound one such as ".tar.gz" stays whole; "" when there is none."""
    lowered = name.casefold()
    for compound in _COMPOUND_EXTENSIONS:
        if lowered.endswith(compound) and len(name) > len(compound):
            return name[: -len(compound)], name[-len(compound) :]
    dot = name.rfind(".")
    if dot <= 0 or len(name) - dot - 1 > MAX_EXTENSION_CHARS or dot == len(name) - 1:
        return name, ""
    extension = name[dot:]
    if " " in extension:
        return name, ""
    return name[:dot], extension


def _cut_to_bytes(text: str, limit: int) -> str:
    """The longest prefix of `text` that fits in `limit` bytes of UTF-8 (never half a character)."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: max(limit, 0)].decode("utf-8", "ignore")


def _trim_ends(text: str) -> str:
    return text.lstrip(" .").rstrip(" .")


def fit_name(stem: str, extension: str, limit: int = MAX_NAME_BYTES) -> str:
    """stem + extension within `limit` bytes, shortening the stem (then, if need be, the extension)."""
    budget = limit - len(extension.encode("utf-8"))
    if budget < 1:  # an absurd extension: keep what fits of the whole
        return _trim_ends(_cut_to_bytes(stem + extension, limit)) or FALLBACK_NAME
    shortened = _cut_to_bytes(stem, budget).rstrip(" .")
    return (shortened or FALLBACK_NAME) + extension


def is_device_name(name: str) -> bool:
    """True for a Windows device name, whatever follows the first dot: "CON", "nul.txt", "Com1 .tar.gz"."""
    base = name.split(".", 1)[0].rstrip(" ")
    return unicodedata.normalize("NFKC", base).casefold() in _DEVICE_NAMES or base.casefold() in _DEVICE_NAMES


def clean_filename(raw: str, fallback: str = FALLBACK_NAME) -> str:
    """A name that is safe to create in any folder on any system (the rules are in the module docstring).

    The result has no path separator, is not "." or "..", is not a device
    name, has no control or invisible character, does not start with a dot
    or dash, does not end with a dot or space, is at most 255 bytes of
    UTF-8, and is never empty.
    """
    name = unicodedata.normalize("NFC", raw)
    for separator in _PATH_SEPARATORS:
        name = name.rsplit(separator, 1)[-1]
    name = "".join(_visible_char(ch) for ch in name)
    # A run of blanks would push the real extension out of sight ("report.pdf      x.exe"): one space.
    if "  " in name:
        name = re.sub(" {2,}", " ", name)
    name = _trim_ends(name)
    if name.startswith("-"):
        name = "_" + name[1:]
    if not name:
        return fallback
    if is_device_name(name):
        name = "_" + name
    stem, extension = split_extension(name)
    return fit_name(stem, extension)


def numbered_name(name: str, number: int) -> str:
    """`name` with " (number)" before its extension, still within 255 bytes: "report (2).pdf"."""
    stem, extension = split_extension(name)
    suffix = f" ({number})"
    budget = MAX_NAME_BYTES - len(suffix.encode("utf-8")) - len(extension.encode("utf-8"))
    shortened = _cut_to_bytes(stem, max(budget, 1)).rstrip(" .") or FALLBACK_NAME
    return f"{shortened}{suffix}{extension}"


def candidate_names(name: str) -> list[str]:
    """The names `create_unique_file` tries for an already clean `name`, first to last (without the random one)."""
    return [name] + [numbered_name(name, number) for number in range(1, MAX_NUMBERED + 1)]


def _open_new(path: Path) -> int | None:
    """A descriptor for a file created at `path` by this call, or None when the name is taken."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOINHERIT", 0)
    try:
        # 0o644 before the umask: a received file is never executable when it lands.
        return os.open(path, flags, 0o644)
    except FileExistsError:
        return None
    except (IsADirectoryError, PermissionError):
        # Windows answers EACCES instead of EEXIST for a name that is an existing folder.
        if os.path.lexists(path):
            return None
        raise


def create_unique_file(folder: str | os.PathLike[str], name: str) -> tuple[Path, BinaryIO]:
    """Create a new file in `folder` under the cleaned `name`, numbered if taken; (its path, open for writing).

    Each candidate is created with O_CREAT | O_EXCL, so an existing file,
    folder or symbolic link is never opened, overwritten or followed, and
    two downloads of the same name at the same moment get two files.  The
    path is always directly inside `folder`.  FileNotFoundError if `folder`
    does not exist; other OSErrors (a read-only folder, a full disk) pass.
    """
    base = Path(folder)
    clean = clean_filename(name)
    tries = candidate_names(clean)
    stem, extension = split_extension(clean)
    for number in range(3):
        tries.append(fit_name(f"{stem} ({secrets.token_hex(4 + number)})", extension))
    for candidate in tries:
        path = base / candidate
        if path.parent != base:  # cannot happen for a clean name; a last guard against a path escape
            raise ValueError(f"unsafe file name {candidate!r}")
        fd = _open_new(path)
        if fd is not None:
            return path, os.fdopen(fd, "wb")
    raise FileExistsError(f"no free name for {clean!r} in {base}")


def is_executable_name(name: str) -> bool:
    """True if a double click on a file of this name would run, install or mount something on some system.

    The name is cleaned first, so "evil.exe.", "EVIL.EXE " and
    "x\\u202Eexe.txt"-style tricks are judged by what the file system will
    really call them.  Every extension counts ("report.pdf.exe" is an exe).
    """
    clean = clean_filename(name)
    extension = split_extension(clean)[1].casefold()
    if extension.startswith(".tar."):
        return False
    last = clean.rsplit(".", 1)
    return len(last) == 2 and last[1].casefold() in EXECUTABLE_EXTENSIONS


def looks_executable(path: str | os.PathLike[str]) -> bool:
    """True if the saved file at `path` should get a warning before it is opened.

    By its name (`is_executable_name`), its execute permission (POSIX), or
    its first bytes (a Windows, Linux or macOS program, or a `#!` script).
    A guard against a careless double click, not a virus scanner.  A file
    that cannot be read counts as executable (warn rather than not).
    """
    target = Path(path)
    if is_executable_name(target.name):
        return True
    try:
        info = target.stat()
        if os.name == "posix" and stat.S_ISREG(info.st_mode) and info.st_mode & 0o111:
            return True
        with open(target, "rb") as handle:
            head = handle.read(4)
    except OSError:
        return True
    return any(head.startswith(magic) for magic in _EXECUTABLE_MAGIC)
