"""The chat window's first size and its smallest size, from the display's scaling and the screen (Tk thread).

At 100% (96 dpi) the window opens at 900×600 and may shrink to 600×400;
at 125% and 150% both grow with the fonts, but never past the screen
(less room for a taskbar and the title bar).  The widgets are packed so
that, below the size they ask for, the conversation pane gives up its
height and width first: the entry box, the Send button and the status
bar stay in view down to the smallest size.
"""

from __future__ import annotations

import tkinter as tk

BASE_SIZE = (900, 600)  # px at 100%
BASE_MIN_SIZE = (600, 400)
SCREEN_MARGIN = (40, 80)  # px left for the window frame, a taskbar, the title bar
POINTS_PER_INCH = 72


def display_scale(widget: tk.Misc) -> float:
    """How much larger than at 100% (96 dpi) things are drawn: `tk scaling` / (96/72)."""
    return float(widget.tk.call("tk", "scaling")) / (96 / POINTS_PER_INCH)


def fit(size: tuple[int, int], scale: float, screen: tuple[int, int]) -> tuple[int, int]:
    """`size` at 100%, scaled, and no larger than the screen less SCREEN_MARGIN."""
    return (
        min(round(size[0] * scale), screen[0] - SCREEN_MARGIN[0]),
        min(round(size[1] * scale), screen[1] - SCREEN_MARGIN[1]),
    )


def size_window(root: tk.Tk | tk.Toplevel) -> tuple[int, int]:
    """Give the window its first size and its smallest size; returns the smallest."""
    scale = display_scale(root)
    screen = (root.winfo_screenwidth(), root.winfo_screenheight())
    smallest = fit(BASE_MIN_SIZE, scale, screen)
    width, height = fit(BASE_SIZE, scale, screen)
    root.minsize(*smallest)
    root.geometry(f"{max(width, smallest[0])}x{max(height, smallest[1])}")
    return smallest


def set_smallest_size(root: tk.Tk | tk.Toplevel) -> tuple[int, int]:
    """The smallest size again, after the scaling changed (View > Text size); the window keeps its size
    unless it is now smaller than that."""
    smallest = fit(BASE_MIN_SIZE, display_scale(root), (root.winfo_screenwidth(), root.winfo_screenheight()))
    root.minsize(*smallest)
    return smallest
