"""The sv-ttk theme on a real Tk root: light, dark and back at runtime; classic widgets follow; scaling."""

from __future__ import annotations

import gc
import tkinter as tk
import tkinter.font as tkfont
from tkinter import ttk

import pytest

from shared.palette import DARK, LIGHT, contrast_ratio
from shared_tk import theme


def test_switching_theme_at_runtime_changes_ttk_and_classic_colours(tk_root):
    style = ttk.Style(tk_root)
    label = ttk.Label(tk_root, text="hello")
    pane = tk.Text(tk_root)
    users = tk.Listbox(tk_root)
    for widget in (label, pane, users):
        widget.pack()
    hidden_pane = tk.Text(tk_root)  # never shown, like a pane in a tab not selected
    seen: list[str] = []
    theme.on_palette_change(pane, lambda palette: seen.append(f"pane {palette.name}"))
    theme.on_palette_change(hidden_pane, lambda palette: seen.append(f"hidden {palette.name}"))

    palette = theme.apply_theme(tk_root, "light")
    tk_root.update()
    assert palette is LIGHT
    assert style.theme_use() == "sun-valley-light"
    assert str(style.lookup(".", "background")) == LIGHT.window
    assert str(style.lookup("TLabel", "foreground")) == "#1c1c1c"
    assert pane.cget("background") == LIGHT.background and pane.cget("foreground") == LIGHT.text
    assert sorted(seen) == ["hidden light", "pane light"]
    hidden_pane.destroy()

    palette = theme.apply_theme(tk_root, "dark")
    tk_root.update()
    assert palette is DARK
    assert style.theme_use() == "sun-valley-dark"
    assert str(style.lookup(".", "background")) == DARK.window
    assert str(style.lookup("TLabel", "foreground")) == "#fafafa"
    assert pane.cget("background") == DARK.background and pane.cget("foreground") == DARK.text
    assert users.cget("background") == DARK.background
    assert users.cget("selectbackground") == DARK.selection_background
    assert sorted(seen) == ["hidden light", "pane dark", "pane light"]  # none for a destroyed pane
    later = tk.Text(tk_root)  # made after the switch: from the option database
    assert later.cget("background") == DARK.background

    theme.apply_theme(tk_root, "light")
    tk_root.update()
    assert str(style.lookup(".", "background")) == LIGHT.window
    assert pane.cget("background") == LIGHT.background


@pytest.mark.parametrize("palette", [LIGHT, DARK], ids=lambda p: p.name)
def test_what_the_theme_draws_text_in_reaches_aa(tk_root, palette):
    """The colours Tk actually ends up with, read back from the widgets and styles, not from the table."""
    theme.apply_theme(tk_root, palette.name)
    tk_root.update()
    style = ttk.Style(tk_root)
    pane = tk.Text(tk_root)
    pairs = [
        (str(style.lookup("TLabel", "foreground")), str(style.lookup(".", "background"))),
        (str(style.lookup("Muted.TLabel", "foreground")), str(style.lookup(".", "background"))),
        (str(style.lookup("Error.TLabel", "foreground")), str(style.lookup(".", "background"))),
        (pane.cget("foreground"), pane.cget("background")),
        (pane.cget("selectforeground"), pane.cget("selectbackground")),
    ]
    rgb = [(as_hex(tk_root, fg), as_hex(tk_root, bg)) for fg, bg in pairs]
    assert all(contrast_ratio(fg, bg) >= 4.5 for fg, bg in rgb), rgb


def as_hex(root: tk.Misc, colour: object) -> str:
    """Any colour Tk understands ("white", "#fff", "SystemButtonFace") as #rrggbb, as Tk resolves it."""
    red, green, blue = (value // 257 for value in root.winfo_rgb(str(colour)))
    return f"#{red:02x}{green:02x}{blue:02x}"


def test_system_and_unknown_choices_resolve_to_a_palette(tk_root):
    assert theme.resolve_choice("system") in (LIGHT, DARK)
    assert theme.resolve_choice("nonsense") in (LIGHT, DARK)
    assert isinstance(theme.system_prefers_dark(), bool)
    assert theme.apply_theme(tk_root, "system") in (LIGHT, DARK)


@pytest.mark.parametrize("percent", [125, 150])
def test_fonts_grow_with_the_scaling_in_the_themed_window(tk_root, percent):
    theme.set_scaling(tk_root, 100)
    theme.apply_theme(tk_root, "light")
    button = ttk.Button(tk_root, text="Join")
    button.pack()
    tk_root.update()
    body = tkfont.nametofont("SunValleyBodyFont", root=tk_root)
    default = tkfont.nametofont("TkDefaultFont", root=tk_root)
    before = body.metrics("linespace"), default.metrics("linespace"), button.winfo_reqheight()

    theme.set_scaling(tk_root, percent)
    theme.apply_theme(tk_root, "light")
    tk_root.update()
    after = body.metrics("linespace"), default.metrics("linespace"), button.winfo_reqheight()
    assert theme.scaling_percent(tk_root) == percent
    growth = percent / 100
    assert after[0] >= before[0] * (growth - 0.12), (before, after)
    assert after[1] >= before[1] * (growth - 0.12), (before, after)
    assert after[2] > before[2]
    print(f"\nat {percent} %: body font {before[0]} -> {after[0]} px, button {before[2]} -> {after[2]} px")


def test_a_theme_applied_before_the_window_is_shown_still_colours_frames():
    """Tk drops <<ThemeChanged>> for a root never shown, which left sv-ttk's frames grey; apply_theme sets them."""
    root = tk.Tk()  # new and never mapped, as at start-up
    try:
        theme.apply_theme(root, "dark")
        window = tk.Toplevel(root)
        ttk.Frame(window).pack()
        for _ in range(20):
            root.update()
        assert str(ttk.Style(root).lookup("TFrame", "background")) == DARK.window
    finally:
        root.destroy()
        gc.collect()
