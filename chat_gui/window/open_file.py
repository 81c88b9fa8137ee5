"""Opening a received file or its folder with the system's own program, after a warning for executable types (Tk thread).

    open_received(path, sender, ask_yes_no, launch, looks_executable)   # asks first for a program; then launches

A file counts as executable by its name, its execute bit or its first
bytes (shared.safe_filename.looks_executable): a guard against a careless
double click, not a virus scanner.  The launcher and the dialog come in as
callables, so tests answer the question and see what would have opened.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from shared.system_open import WARNING_TITLE, executable_warning, launch_with_system

AskYesNo = Callable[[str, str], bool]
Launch = Callable[[Path], None]

__all__ = ["WARNING_TITLE", "AskYesNo", "Launch", "launch_with_system", "open_received"]


def open_received(
    path: Path, sender: str, ask_yes_no: AskYesNo, launch: Launch, looks_executable: Callable[[Path], bool]
) -> bool:
    """Open a saved file; for an executable type only after the user said yes.  True if it was handed on."""
    if looks_executable(path) and not ask_yes_no(WARNING_TITLE, executable_warning(path.name, sender)):
        return False
    launch(path)
    return True
