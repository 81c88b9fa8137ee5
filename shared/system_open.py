"""Handing a file or folder to the system's own program, and the warning asked before opening a program (caller's thread).

Used by the chat window (a received file) and the admin window (a
hand-in).  Windows: os.startfile; macOS: `open`; elsewhere `xdg-open`.
The program is started without a shell and without waiting for it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

WARNING_TITLE = "Open a program?"


def executable_warning(name: str, sender: str) -> str:
    """What the dialog asks before a file that can run programs is opened."""
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
    subprocess.Popen(  # a fixed program and one path argument, no shell
        [opener, str(path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
