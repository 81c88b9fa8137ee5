"""The admin window's look in one place: its colours, fonts and ttk styles (Tk thread only).

Every colour the window draws with comes from a Palette here, and every
font from the Look made by `apply_look`; the widgets only name styles
("Hint.TLabel", "JoinAddress.TLabel", ...) or read `look.palette`.  A
theme (light, dark, a ttk theme package) then means one new Palette and
one call, not a hunt through the widgets.

Fonts are derived from Tk's named fonts in points, so they grow with
`tk scaling` (125%, 150% desktops); the Treeview row height, which Tk
keeps in pixels, is set from the table font's line height for the same
reason.
"""

from __future__ import annotations

import tkinter as tk
from dataclasses import dataclass
from tkinter import font as tkfont
from tkinter import ttk

# The join address is read from the back of a classroom; at 100% scaling
# (96 dpi) 28 points is 37 px high, and one line of it still leaves the
# window under 720 px tall on a 1366x768 screen.
BIG_POINTS = 28
HEADING_STEP = 1  # headings: one point above the body text, and bold


@dataclass(frozen=True)
class Palette:
    """The window's colours, as Tk colour strings; each foreground is chosen for WCAG AA on its background."""

    name: str
    ttk_theme: str  # the ttk theme these colours were chosen against (its window background)
    hint: str  # secondary text: hints under the fields, the join banner's notes
    join_address: str  # the big join address
    join_idle: str  # the big line before Start
    text_background: str  # the log's text area
    text_foreground: str
    log_warning: str
    log_error: str


LIGHT = Palette(
    name="light",
    ttk_theme="clam",
    hint="#4a4a4a",
    join_address="#0b3d91",
    join_idle="#5c5c5c",
    text_background="#ffffff",
    text_foreground="#1a1a1a",
    log_warning="#7a4f00",
    log_error="#b00020",
)


@dataclass(frozen=True)
class Look:
    root: tk.Misc
    palette: Palette
    body: tkfont.Font  # the ttk widgets' text and the tables' rows
    heading: tkfont.Font  # table titles
    big: tkfont.Font  # the join address
    log: tkfont.Font  # the log pane (fixed width)

    def scaled(self, pixels: int) -> int:
        """`pixels` at 100% scaling (96 dpi), at the display's scaling now."""
        return round(pixels * display_scale(self.root))


def display_scale(widget: tk.Misc) -> float:
    """How much larger than at 100% (96 dpi) things are drawn: `tk scaling` / (96/72)."""
    return float(widget.tk.call("tk", "scaling")) / (96 / 72)


def _derived(
    root: tk.Misc, base: tkfont.Font, points: int | None = None, step: int = 0, bold: bool = False
) -> tkfont.Font:
    """A new font like `base`, in points (so it follows `tk scaling`): `step` points larger, or `points` big."""
    family = str(base.cget("family"))
    size = int(base.cget("size"))
    if size < 0:  # a size in pixels; express it in points at the current scaling
        size = max(1, round(-size / float(root.tk.call("tk", "scaling"))))
    return tkfont.Font(
        root=root,
        family=family,
        size=points if points is not None else size + step,
        weight="bold" if bold or base.cget("weight") == "bold" else "normal",
    )


def apply_look(root: tk.Misc, palette: Palette = LIGHT) -> Look:
    """Choose the ttk theme and define the window's styles and fonts; returns them for non-ttk widgets."""
    style = ttk.Style(root)
    if palette.ttk_theme in style.theme_names():
        style.theme_use(palette.ttk_theme)
    body = tkfont.nametofont("TkDefaultFont", root=root)
    look = Look(
        root=root,
        palette=palette,
        body=body,
        heading=_derived(root, body, step=HEADING_STEP, bold=True),
        big=_derived(root, body, points=BIG_POINTS, bold=True),
        log=tkfont.nametofont("TkFixedFont", root=root),
    )
    style.configure("Heading.TLabel", font=look.heading)
    style.configure("Hint.TLabel", foreground=palette.hint)
    style.configure("Error.TLabel", foreground=palette.log_error)  # the hand-ins list's failures
    style.configure("Status.TLabel", padding=(4, 2))
    style.configure("JoinAddress.TLabel", font=look.big, foreground=palette.join_address)
    style.configure("JoinIdle.TLabel", font=look.big, foreground=palette.join_idle)
    style.configure("Small.TButton", padding=(look.scaled(6), 0))
    # Tk keeps the row height in pixels: without this, rows clip their text at 125% and 150%.
    style.configure("Treeview", rowheight=body.metrics("linespace") + look.scaled(4))
    return look


def rgb(colour: str, widget: tk.Misc | None = None) -> tuple[float, float, float]:
    """A Tk colour as sRGB channels from 0 to 1: "#rgb" and "#rrggbb" read here, names asked of Tk through `widget`.

    Hex is read directly rather than through winfo_rgb, which answers with what the display can show
    (a 16-bit screen rounds the channels).
    """
    digits = colour[1:] if colour.startswith("#") else ""
    if len(digits) in (3, 6) and all(ch in "0123456789abcdefABCDEF" for ch in digits):
        step = len(digits) // 3  # "#fa0" means "#ffaa00"
        red, green, blue = (int(digits[i : i + step] * (2 // step), 16) / 255 for i in range(0, len(digits), step))
        return red, green, blue
    if widget is None:
        raise ValueError(f"not a #rgb or #rrggbb colour: {colour!r}")
    red16, green16, blue16 = widget.winfo_rgb(colour)
    return red16 / 65535, green16 / 65535, blue16 / 65535


def relative_luminance(red: float, green: float, blue: float) -> float:
    """WCAG 2 relative luminance of an sRGB colour (channels from 0 to 1)."""

    def linear(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast_ratio(foreground: str, background: str, widget: tk.Misc | None = None) -> float:
    """WCAG 2 contrast ratio of two Tk colours (1 to 21; AA asks 4.5 for body text)."""
    lighter, darker = sorted(
        (relative_luminance(*rgb(colour, widget)) for colour in (foreground, background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)
