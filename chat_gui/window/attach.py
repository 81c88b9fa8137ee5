"""Choosing a file to share: the Attach… dialog, and which of the typed `/send` readings names a real file (Tk thread).

    path = choose_file(root)                          # None when the user cancelled
    path, nick = pick_send_choice(typed.choices)      # the first (path, nick) whose path is a file

The dialog opens where the last chosen file was, so a student sending
three pages of a hand-in picks from the same folder three times.
"""

from __future__ import annotations

import os
import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from tkinter import filedialog

AskOpenFile = Callable[[], str]  # a path, or "" when cancelled

_last_folder: dict[int, str] = {}  # per window (id of its root): where the last file came from


def choose_file(root: tk.Misc) -> Path | None:
    """The system's open-file dialog over `root`; the chosen file, or None."""
    start = _last_folder.get(id(root)) or str(Path.home())
    chosen = filedialog.askopenfilename(parent=root, title="Share a file", initialdir=start)
    if not chosen:
        return None
    path = Path(chosen)
    _last_folder[id(root)] = str(path.parent)
    return path


def pick_send_choice(choices: tuple[tuple[str, str | None], ...]) -> tuple[Path, str | None] | None:
    """The first reading of `/send ...` whose path is an existing file (with ~ expanded), or None."""
    for raw, nick in choices:
        path = Path(os.path.expanduser(raw))
        if path.is_file():
            return path, nick
    return None
