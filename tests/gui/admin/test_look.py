"""The admin window's look: every colour it draws text in reads on its background (light and dark), fonts follow the scaling."""

from __future__ import annotations

import re
import tkinter as tk
from pathlib import Path
from tkinter import ttk

import pytest

import chat_server.admin_gui as admin_gui
from chat_server.admin_gui.look import ADMIN_COLOURS, admin_colours, apply_look, text_pairs
from shared.palette import AA_TEXT, DARK, LIGHT, contrast_ratio
from shared_tk.theme import apply_theme
from tests.gui.scaled_tk import set_display_scaling


@pytest.mark.parametrize("palette", [LIGHT, DARK], ids=lambda palette: palette.name)
def test_every_colour_of_the_admin_window_reads_on_its_background(palette) -> None:
    low = {what: round(contrast_ratio(fg, bg), 2) for what, fg, bg in text_pairs(palette)}
    assert all(ratio >= AA_TEXT for ratio in low.values()), low
    assert admin_colours(palette) is ADMIN_COLOURS[palette.name]


@pytest.mark.parametrize("palette", [LIGHT, DARK], ids=lambda palette: palette.name)
def test_the_styles_tk_ends_up_with_read_on_the_theme_background(tk_root: tk.Tk, palette) -> None:
    """Read back from ttk, not from the table: the styles are set in the theme in use."""
    apply_theme(tk_root, palette.name)
    apply_look(tk_root, palette)
    tk_root.update()
    style = ttk.Style(tk_root)
    background = str(style.lookup(".", "background"))
    assert background == palette.window
    for name in ("Hint.TLabel", "JoinAddress.TLabel", "JoinIdle.TLabel", "Error.TLabel", "TLabel"):
        foreground = as_hex(tk_root, style.lookup(name, "foreground"))
        assert contrast_ratio(foreground, background) >= AA_TEXT, (name, foreground, background)


def as_hex(root: tk.Misc, colour: object) -> str:
    """Any colour Tk understands as #rrggbb, as Tk resolves it."""
    red, green, blue = (value // 257 for value in root.winfo_rgb(str(colour)))
    return f"#{red:02x}{green:02x}{blue:02x}"


def test_fonts_and_row_height_follow_the_desktop_scaling(tk_root: tk.Tk) -> None:
    set_display_scaling(tk_root, 100)
    apply_theme(tk_root, "light")
    at_100 = apply_look(tk_root)
    sizes_100 = (at_100.big.metrics("linespace"), at_100.heading.metrics("linespace"))
    rows_100 = int(ttk.Style(tk_root).lookup("Treeview", "rowheight"))
    set_display_scaling(tk_root, 150)
    apply_theme(tk_root, "light")
    at_150 = apply_look(tk_root)
    sizes_150 = (at_150.big.metrics("linespace"), at_150.heading.metrics("linespace"))
    rows_150 = int(ttk.Style(tk_root).lookup("Treeview", "rowheight"))
    assert all(big >= small * 1.35 for small, big in zip(sizes_100, sizes_150, strict=True)), (sizes_100, sizes_150)
    assert rows_150 >= at_150.body.metrics("linespace") > rows_100 - 6
    assert at_150.scaled(100) == 150


def test_no_colour_is_written_outside_the_look_module() -> None:
    package = Path(admin_gui.__file__).parent
    colour = re.compile(r"#[0-9a-fA-F]{3,6}\b|\b(foreground|background|fg|bg)\s*=\s*[\"']")
    found = {
        path.name: line.strip()
        for path in package.glob("*.py")
        if path.name != "look.py"
        for line in path.read_text().splitlines()
        if colour.search(line)
    }
    assert not found, f"colours belong in look.py: {found}"
