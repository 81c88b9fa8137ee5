"""Builds the one-file ClassChat executables into dist/: `python3 build_scripts/build.py`; runs in the main thread.

With no --python it sets itself up first: a virtual environment in
build/venv with PyInstaller and the project installed (again only when
setup.cfg or pyproject.toml changed).  Then each .spec file in build_scripts/
is built with PyInstaller, on this system for this system: build Windows
executables on Windows, macOS ones on a Mac.  dist/.classchat-build.json
records what was built from which sources, so --if-changed can skip a build
whose sources have not changed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
import venv
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from build_scripts.executables import BY_NAME, DIST, EXECUTABLES, ROOT, STAMP, read_version, source_fingerprint  # noqa: E402

DEFAULT_VENV = ROOT / "build" / "venv"
WORK = ROOT / "build" / "pyinstaller"
SETUP_MARKER = ".classchat-setup"  # in the venv: hash of the packaging files it was set up from


def log(message: str) -> None:
    print(f"build: {message}", flush=True)


def venv_python(venv_dir: Path) -> Path:
    return venv_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def packaging_hash() -> str:
    return hashlib.sha256(b"".join((ROOT / name).read_bytes() for name in ("setup.cfg", "pyproject.toml"))).hexdigest()


def prepare_venv(venv_dir: Path) -> Path:
    """A virtual environment with PyInstaller and the project (editable), set up when missing or stale."""
    python = venv_python(venv_dir)
    marker = venv_dir / SETUP_MARKER
    if python.exists() and marker.exists() and marker.read_text() == packaging_hash():
        return python
    if not python.exists():
        log(f"creating the virtual environment {venv_dir}")
        try:
            venv.create(venv_dir, with_pip=True)
        except subprocess.CalledProcessError:
            sys.exit(
                "build: could not set up pip in the virtual environment (on Debian/Ubuntu: sudo apt-get install python3-venv)"
            )
    log("installing PyInstaller and ClassChat into it (needs the internet once)")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", f"{ROOT}[build]"],
        check=True,
    )
    marker.write_text(packaging_hash())
    return python


def check_interpreter(python: Path, wanted: list[str]) -> None:
    """Fail early, with the fix, when the interpreter lacks PyInstaller or (for the windows) tkinter."""
    needs_tk = any(BY_NAME[name].windowed for name in wanted)
    probe = "import PyInstaller" + ("; import tkinter; tkinter.Tcl()" if needs_tk else "")
    result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True)
    if result.returncode != 0:
        hint = (
            "on Debian/Ubuntu: sudo apt-get install python3-tk"
            if "tkinter" in result.stderr
            else "pip install pyinstaller"
        )
        sys.exit(f"build: {python} cannot build: {result.stderr.strip().splitlines()[-1]} ({hint})")


def read_stamp() -> dict:
    try:
        return json.loads(STAMP.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def up_to_date(wanted: list[str], fingerprint: str) -> bool:
    stamp = read_stamp()
    return (
        stamp.get("fingerprint") == fingerprint
        and set(wanted) <= set(stamp.get("built", []))
        and all(BY_NAME[name].dist_path.is_file() for name in wanted)
    )


def build(python: Path, name: str) -> float:
    executable = BY_NAME[name]
    log(f"building dist/{executable.dist_path.name} from {executable.spec.relative_to(ROOT)}")
    started = time.monotonic()
    subprocess.run(
        [
            str(python),
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(DIST),
            "--workpath",
            str(WORK),
            str(executable.spec),
        ],
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    return time.monotonic() - started


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="build.py", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only", action="append", choices=list(BY_NAME), help="build only this executable (repeatable)"
    )
    parser.add_argument("--python", type=Path, help="use this interpreter (with PyInstaller) instead of build/venv")
    parser.add_argument(
        "--venv",
        type=Path,
        default=DEFAULT_VENV,
        help="where to make the build's own virtual environment (default %(default)s)",
    )
    parser.add_argument(
        "--if-changed", action="store_true", help="do nothing when dist/ was built from these very sources"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wanted = args.only or [executable.name for executable in EXECUTABLES]
    missing = [name for name in wanted if not BY_NAME[name].source_exists()]
    if missing:
        sys.exit(
            "build: cannot build "
            + ", ".join(f"{name} ({BY_NAME[name].entry_module} does not exist)" for name in missing)
        )
    fingerprint = source_fingerprint()
    if args.if_changed and up_to_date(wanted, fingerprint):
        log(f"dist/ is up to date with the sources: {', '.join(wanted)}")
        return 0
    python = args.python or prepare_venv(args.venv)
    check_interpreter(python, wanted)
    log(f"ClassChat {read_version()}, {len(wanted)} executable(s), PyInstaller in {python}")
    STAMP.unlink(missing_ok=True)  # a half-finished build is never taken for an up-to-date one
    seconds = {name: build(python, name) for name in wanted}
    STAMP.write_text(
        json.dumps(
            {"fingerprint": fingerprint, "version": read_version(), "built": wanted, "seconds": seconds}, indent=1
        )
    )
    for name in wanted:
        path = BY_NAME[name].dist_path
        log(f"{path.relative_to(ROOT)}: {path.stat().st_size / 1e6:.1f} MB, built in {seconds[name]:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
