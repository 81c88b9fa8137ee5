"""Opening a received file or its folder with the system's own program, after a warning for executable types (Tk thread).

    open_received(path, sender, ask_yes_no, launch)   # asks first when looks_executable(path); then launches

Windows: os.startfile; macOS: `open`; elsewhere `xdg-open`.  The program is
started without a shell and without waiting for it.  A file counts as
executable by its name, its execute bit or its first bytes
(shared.safe_filename.looks_executable): a guard against a careless
double click, not a virus scanner.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

AskYesNo = Callable[[str, str], bool]
Launch = Callable[[Path], None]

WARNING_TITLE = "Open a program?"


def executable_warning(name: str, sender: str) -> str:
    return (
        f"{name} can run programs on your computer. Open it only if you trust {sender} "
        f"and expected this file from them.\n\nOpen it anyway?"
    )


def launch_with_system(path: Path) -> None:
    """Hand the file or folder to the system's program for it (does not wait); OSError if none could start."""
    if sys.platform == "win32":
        os.startfile(str(path))  # type: ignore[attr-defined]  # Windows only
        return
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    subprocess.Popen(  # noqa: S603  # a fixed program and one path argument, no shell
        [opener, str(path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def open_received(
    path: Path, sender: str, ask_yes_no: AskYesNo, launch: Launch, looks_executable: Callable[[Path], bool]
) -> bool:
    """Open a saved file; for an executable type only after the user said yes.  True if it was handed on."""
    if looks_executable(path) and not ask_yes_no(WARNING_TITLE, executable_warning(path.name, sender)):
        return False
    launch(path)
    return True
