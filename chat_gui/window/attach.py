"""Choosing a file to share: the Attach… dialog, opened where the last file came from (Tk thread).

    path = choose_file(root)    # None when the user cancelled

The dialog opens where the last chosen file was, so a student sending
three pages of a hand-in picks from the same folder three times.
"""

from __future__ import annotations

import tkinter as tk
from pathlib import Path
from tkinter import filedialog

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
