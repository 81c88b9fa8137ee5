"""What the build makes: the three executables, their names on each system, and the sources' fingerprint.

Plain data and hashing, no PyInstaller: read by build.py, by the .spec files
(through pyinstaller_recipe.py) and by tests/executables.  Runs on the caller's thread.
"""

from __future__ import annotations

import hashlib
import platform
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD_SCRIPTS = ROOT / "build_scripts"
DIST = ROOT / "dist"
STAMP = DIST / ".classchat-build.json"  # what was built last, from which sources
VERSION_FILE = ROOT / "shared" / "version.py"

# Everything whose change can change an executable.
FINGERPRINT_DIRS = ("shared", "shared_tk", "chat_server", "chat_gui", "build_scripts")
FINGERPRINT_SUFFIXES = {".py", ".spec", ".png", ".ico"}
FINGERPRINT_FILES = ("setup.cfg", "pyproject.toml")


@dataclass(frozen=True)
class Executable:
    name: str  # file name in dist/ without ".exe"
    entry_module: str  # module whose main() the executable runs
    windowed: bool  # True: no console window on Windows
    description: str

    @property
    def launcher(self) -> Path:
        return BUILD_SCRIPTS / "launchers" / f"{self.name}.py"

    @property
    def spec(self) -> Path:
        return BUILD_SCRIPTS / f"{self.name}.spec"

    @property
    def dist_path(self) -> Path:
        return DIST / (self.name + (".exe" if sys.platform == "win32" else ""))

    def source_exists(self) -> bool:
        return (ROOT / (self.entry_module.replace(".", "/") + ".py")).is_file()


EXECUTABLES = (
    Executable("chat-server", "chat_server.cli", windowed=False, description="ClassChat server (headless)"),
    Executable("ClassChat", "chat_gui.app", windowed=True, description="ClassChat chat window"),
    Executable("ClassChat-Server", "chat_server.admin_gui.app", windowed=True, description="ClassChat server window"),
)
BY_NAME = {executable.name: executable for executable in EXECUTABLES}


def read_version() -> str:
    """The version from shared/version.py, read as text so the build needs nothing imported."""
    match = re.search(r'^__version__\s*=\s*"([^"]+)"', VERSION_FILE.read_text(encoding="utf-8"), re.MULTILINE)
    if match is None:
        raise RuntimeError(f'no __version__ = "..." line in {VERSION_FILE}')
    return match.group(1)


def source_fingerprint() -> str:
    """A hash of every source file that goes into the executables, and of the system building them."""
    digest = hashlib.sha256(f"{sys.platform} {platform.machine()} {sys.version_info[:2]}".encode())
    paths = [ROOT / name for name in FINGERPRINT_FILES]
    for folder in FINGERPRINT_DIRS:
        paths += [
            path
            for path in (ROOT / folder).rglob("*")
            if path.suffix in FINGERPRINT_SUFFIXES and "__pycache__" not in path.parts
        ]
    for path in sorted(paths):
        if path.is_file():
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
