"""How one ClassChat executable is made, shared by the three .spec files; runs inside PyInstaller's build process.

Every executable is one file: the launcher script, the project's packages
found from the checkout, shared/assets (the window icon), and for the windows
Tk with its Tcl/Tk library.  Windows builds also get the .ico and a version
resource; the version comes from shared/version.py.
"""

from __future__ import annotations

import ast
import re
import shutil
import sys
from pathlib import Path

from PyInstaller.building.api import COMPRESSED, EXE, PYZ, UNCOMPRESSED
from PyInstaller.building.build_main import Analysis
from PyInstaller.utils.hooks import collect_data_files, collect_submodules

from build_scripts.executables import BY_NAME, ROOT, read_version
from shared.icon import ASSETS, ICON_ICO

# Standard-library parts nothing in ClassChat uses, which analysis would otherwise pull in.
# ssl, _ssl and _hashlib stay in: TLS (docs/encryption.md) needs them.  The
# `cryptography` package needs no hint: pyinstaller-hooks-contrib, which
# PyInstaller installs with itself, has a hook for it.
UNUSED_STDLIB = [
    "unittest",
    "pydoc",
    "doctest",
    "pdb",
    "lib2to3",
    "ensurepip",
    "venv",
    "idlelib",
    "turtle",
    "turtledemo",
    # Only concurrent.futures' process pool imports it, and nothing here uses one; left in, PyInstaller's
    # runtime hook imports multiprocessing (and through runpy, pkgutil) on every start: ~30 ms.
    "multiprocessing",
]

# Tcl/Tk data a chat window never needs: time-zone tables (Tcl's `clock`),
# sample programs and Tk's own demos.  Fewer files make a quicker start,
# because a one-file executable unpacks everything on every start.
UNNEEDED_TCL_DATA = ("_tcl_data/tzdata/", "_tcl_data/msgs/", "_tk_data/demos/", "_tk_data/images/")
# The emoji package's names in 13 other languages (4 MB of JSON): ClassChat uses the English names and
# aliases in emoji.json only.  (sv-ttk's .tcl and images and emoji.json come in through the hooks in
# pyinstaller-hooks-contrib.)
UNNEEDED_PACKAGE_DATA = ("emoji/unicode_codes/emoji_",)

# How each kind of file is stored in the one-file executable.  PyInstaller's default compresses everything,
# so every start inflates ~45 MB of shared libraries and extension modules (cryptography's Rust bindings
# alone are 11.6 MB) before any Python runs: about 0.2 s of processor time.  Stored as they are, they are
# only copied to the temporary folder; the file grows from ~20 MB to ~45 MB (docs/executables.md has the
# measurements).  Data files (Tcl scripts, JSON tables) shrink ten to one and are small: they stay compressed.
STORAGE = {
    "BINARY": UNCOMPRESSED,
    "EXTENSION": UNCOMPRESSED,
    "EXECUTABLE": COMPRESSED,
    "DATA": COMPRESSED,
    "PYSOURCE": COMPRESSED,
    "PYMODULE": COMPRESSED,
    "SPLASH": COMPRESSED,
    "PYZ": UNCOMPRESSED,  # read in place from the executable, never unpacked; its modules are compressed inside
    "DEPENDENCY": UNCOMPRESSED,
    "SYMLINK": UNCOMPRESSED,
}


def hidden_imports() -> list[str]:
    """zeroconf is mostly compiled (Cython): PyInstaller cannot read the imports inside a compiled module.

    So it is told every zeroconf module, and every module that the Python
    twins of the compiled ones import (zeroconf ships both).
    """
    import zeroconf

    names = set(collect_submodules("zeroconf"))
    for source in Path(zeroconf.__file__).parent.rglob("*.py"):
        if not any(source.parent.glob(source.stem + ".*.so")) and not any(source.parent.glob(source.stem + ".*.pyd")):
            continue
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
    return sorted(names)


def windows_version_info(name: str, description: str):
    """A Windows version resource (file properties dialog) built from shared/version.py."""
    from PyInstaller.utils.win32 import versioninfo as vi  # needs pefile, present on Windows only

    numbers = tuple(int(part) for part in (re.findall(r"\d+", read_version()) + ["0"] * 4)[:4])  # "1.2rc1" -> 1.2.1.0
    strings = [
        vi.StringStruct("CompanyName", "ClassChat"),
        vi.StringStruct("FileDescription", description),
        vi.StringStruct("FileVersion", read_version()),
        vi.StringStruct("InternalName", name),
        vi.StringStruct("OriginalFilename", f"{name}.exe"),
        vi.StringStruct("ProductName", "ClassChat"),
        vi.StringStruct("ProductVersion", read_version()),
    ]
    return vi.VSVersionInfo(
        ffi=vi.FixedFileInfo(filevers=numbers, prodvers=numbers),
        kids=[
            vi.StringFileInfo([vi.StringTable("040904B0", strings)]),
            vi.VarFileInfo([vi.VarStruct("Translation", [0x0409, 1200])]),
        ],
    )


def build_one_file_executable(name: str) -> EXE:
    executable = BY_NAME[name]
    excludes = list(UNUSED_STDLIB)
    if not executable.windowed:
        excludes += ["tkinter", "_tkinter"]
    analysis = Analysis(
        [str(executable.launcher)],
        pathex=[str(ROOT)],
        # confusable-homoglyphs reads its Unicode tables (JSON) from beside its modules, and no hook collects them.
        datas=[(str(ASSETS), "shared/assets"), *collect_data_files("confusable_homoglyphs")],
        hiddenimports=hidden_imports(),
        excludes=excludes,
    )
    analysis.datas = [
        entry
        for entry in analysis.datas
        if not entry[0].replace("\\", "/").startswith(UNNEEDED_TCL_DATA + UNNEEDED_PACKAGE_DATA)
    ]
    on_windows = sys.platform == "win32"
    return EXE(
        PYZ(analysis.pure),
        analysis.scripts,
        analysis.binaries,
        analysis.datas,
        name=name,
        console=not executable.windowed,
        icon=str(ICON_ICO) if on_windows else None,
        version=windows_version_info(name, executable.description) if on_windows else None,
        # The headless server has no start-time target: it stays small.
        cdict=STORAGE if executable.windowed else None,
        upx=False,  # UPX slows every start and upsets virus scanners
        # Linux only: drop the bundled libraries' debug symbols (half the size); macOS signs them, Windows has no strip.
        strip=sys.platform.startswith("linux") and shutil.which("strip") is not None,
    )
