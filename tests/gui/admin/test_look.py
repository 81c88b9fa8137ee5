"""The admin window's look: colours from one palette with enough contrast, fonts that follow the desktop scaling."""

from __future__ import annotations

import re
import tkinter as tk
from pathlib import Path
from tkinter import ttk

import pytest

import chat_server.admin_gui as admin_gui
from chat_server.admin_gui.look import LIGHT, apply_look, contrast_ratio

AA_BODY_TEXT = 4.5  # WCAG 2 level AA for normal-size text


def test_contrast_ratio_matches_the_wcag_reference_values(tk_root: tk.Tk) -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#fff", "#777777") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("white", "black", tk_root) == pytest.approx(21.0)
    with pytest.raises(ValueError):
        contrast_ratio("white", "#000000")  # a name needs Tk to read it


def test_every_palette_colour_reads_on_the_background_it_is_drawn_on(tk_root: tk.Tk) -> None:
    look = apply_look(tk_root, LIGHT)
    window_background = str(ttk.Style(tk_root).lookup("TLabel", "background"))
    pairs = {
        "hint": (LIGHT.hint, window_background),
        "join address": (LIGHT.join_address, window_background),
        "join idle": (LIGHT.join_idle, window_background),
        "log text": (LIGHT.text_foreground, LIGHT.text_background),
        "log warning": (LIGHT.log_warning, LIGHT.text_background),
        "log error": (LIGHT.log_error, LIGHT.text_background),
    }
    low = {name: round(contrast_ratio(*colours, tk_root), 2) for name, colours in pairs.items()}
    assert all(ratio >= AA_BODY_TEXT for ratio in low.values()), low
    assert look.palette is LIGHT


def test_fonts_and_row_height_follow_the_desktop_scaling(tk_root: tk.Tk) -> None:
    tk_root.tk.call("tk", "scaling", 96 / 72)
    at_100 = apply_look(tk_root)
    sizes_100 = (at_100.big.metrics("linespace"), at_100.heading.metrics("linespace"))
    rows_100 = int(ttk.Style(tk_root).lookup("Treeview", "rowheight"))
    tk_root.tk.call("tk", "scaling", 96 / 72 * 1.5)
    at_150 = apply_look(tk_root)
    sizes_150 = (at_150.big.metrics("linespace"), at_150.heading.metrics("linespace"))
    rows_150 = int(ttk.Style(tk_root).lookup("Treeview", "rowheight"))
    assert all(big >= small * 1.35 for small, big in zip(sizes_100, sizes_150, strict=True)), (sizes_100, sizes_150)
    assert rows_150 >= at_150.body.metrics("linespace") > rows_100 - 4
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
