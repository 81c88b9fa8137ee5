"""Display scaling for GUI tests: a Tk root drawn as at 125% or 150%, and one that collects its callback errors (Tk thread)."""

from __future__ import annotations

import tkinter as tk

POINTS_PER_INCH = 72
PIXELS_PER_INCH = 96  # 100% on Windows and most Linux desktops


def scaled_root(percent: int) -> tuple[tk.Tk, list[str]]:
    """A new Tk root drawn as at `percent` display scaling, and the list its callback errors are written to."""
    root = tk.Tk()
    errors: list[str] = []
    root.report_callback_exception = lambda kind, value, _tb: errors.append(f"{kind.__name__}: {value}")
    set_display_scaling(root, percent)
    return root, errors


def set_display_scaling(root: tk.Misc, percent: float) -> None:
    """Draw `root`'s fonts (given in points) as a desktop at `percent` display scaling would."""
    root.tk.call("tk", "scaling", PIXELS_PER_INCH / POINTS_PER_INCH * percent / 100)
