"""The admin window's look in one place: its colours, fonts and ttk styles, light or dark (Tk thread only).

    make_look(root)            the window's fonts, once (in points, so they grow with `tk scaling`)
    style_look(look, palette)  every style the window names, for the palette of the theme in use
    apply_look(root, palette)  both at once (a test, or a pane made on its own)

The theme itself (sv-ttk, light or dark, what the Theme menu chose) is
applied by admin_theme.py through shared_tk/theme.py, the code the chat
window uses too; its colours are shared/palette.py's.  Every other colour
the window draws with is here (AdminColours), chosen per palette for WCAG
AA on the background it is drawn on (`text_pairs`, checked by the tests);
the widgets only name styles ("Hint.TLabel", "JoinAddress.TLabel", ...) or
ask `look.colours`.

ttk keeps a style's settings per theme, so style_look runs again after
every theme switch.  Fonts are derived from the theme's body font in
points, so they grow with `tk scaling` (125%, 150% desktops); the Treeview
row height, which Tk keeps in pixels, is set from the table font's line
height for the same reason.
"""

from __future__ import annotations

import tkinter as tk
from dataclasses import dataclass, field
from tkinter import font as tkfont
from tkinter import ttk

from shared.palette import LIGHT, Palette, for_palette

# The join address is read from the back of a classroom; at 100% scaling
# (96 dpi) 28 points is 37 px high, and one line of it still leaves the
# window under 720 px tall on a 1366x768 screen.
BIG_POINTS = 28
HEADING_STEP = 1  # headings: one point above the body text, and bold
HEADING_PAD = 6  # px at 100% either side of a table heading's text (views.py leaves room for it)
THEME_BODY_FONT = "SunValleyBodyFont"  # sv-ttk's; TkDefaultFont where the theme is not loaded


@dataclass(frozen=True)
class AdminColours:
    """The admin window's own colours beside the shared palette's."""

    join_address: str  # the big join address, on the window background
    log_warning: str  # WARNING lines of the log, on the pane background


ADMIN_COLOURS = {
    "light": AdminColours(join_address="#0b3d91", log_warning="#7a4f00"),
    "dark": AdminColours(join_address="#8ab4f8", log_warning="#ffd27a"),
}


def admin_colours(palette: Palette) -> AdminColours:
    return for_palette(palette, ADMIN_COLOURS)


def text_pairs(palette: Palette) -> list[tuple[str, str, str]]:
    """(what, text colour, background) for every colour the admin window draws text in."""
    colours = admin_colours(palette)
    return [
        ("hint", palette.muted, palette.window),
        ("join address", colours.join_address, palette.window),
        ("join idle", palette.muted, palette.window),
        ("error label", palette.error, palette.window),
        ("log text", palette.text, palette.background),
        ("log warning", colours.log_warning, palette.background),
        ("log error", palette.error, palette.background),
        ("log selection", palette.selection_text, palette.selection_background),
    ]


@dataclass
class Look:
    root: tk.Misc
    body: tkfont.Font  # the ttk widgets' text and the tables' rows
    heading: tkfont.Font  # table titles
    big: tkfont.Font  # the join address
    log: tkfont.Font  # the log pane (fixed width)
    palette: Palette = LIGHT  # the theme's colours now (style_look changes it)
    colours: AdminColours = field(default_factory=lambda: ADMIN_COLOURS["light"])

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


def make_look(root: tk.Misc) -> Look:
    """The window's fonts, derived from the theme's body font (apply the theme first)."""
    try:
        body = tkfont.nametofont(THEME_BODY_FONT, root=root)
    except tk.TclError:  # sv-ttk not loaded: plain ttk
        body = tkfont.nametofont("TkDefaultFont", root=root)
    return Look(
        root=root,
        body=body,
        heading=_derived(root, body, step=HEADING_STEP, bold=True),
        big=_derived(root, body, points=BIG_POINTS, bold=True),
        log=tkfont.nametofont("TkFixedFont", root=root),
    )


def style_look(look: Look, palette: Palette) -> None:
    """Define the window's styles for `palette` in the ttk theme in use (again after each theme switch)."""
    look.palette = palette
    look.colours = colours = admin_colours(palette)
    style = ttk.Style(look.root)
    style.configure("Heading.TLabel", font=look.heading)
    style.configure("Hint.TLabel", foreground=palette.muted)
    style.configure("Error.TLabel", foreground=palette.error)  # the hand-ins list's failures
    style.configure("Status.TLabel", padding=(4, 2))
    style.configure("JoinAddress.TLabel", font=look.big, foreground=colours.join_address)
    style.configure("JoinIdle.TLabel", font=look.big, foreground=palette.muted)
    style.configure("Small.TButton", padding=(look.scaled(6), 0))
    # A table heading's text keeps clear of the next heading (a right-aligned "Sent" beside "Muted").
    style.configure("Heading", padding=(look.scaled(HEADING_PAD), look.scaled(2)))
    # Tk keeps the row height in pixels: without this, rows clip their text at 125% and 150%.
    style.configure("Treeview", rowheight=look.body.metrics("linespace") + look.scaled(6))


def apply_look(root: tk.Misc, palette: Palette = LIGHT) -> Look:
    """The fonts and the styles for `palette` at once; returns them for non-ttk widgets."""
    look = make_look(root)
    style_look(look, palette)
    return look
