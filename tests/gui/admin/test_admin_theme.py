"""The admin window's theme (issue 16): sv-ttk light and dark from the Theme menu, remembered in admin.json, System as the desktop says.

Every dialog is walked widget by widget in both themes and at 150%: the
colours Tk really draws each text in are read back and held to WCAG AA.
"""

from __future__ import annotations

import json
import tkinter as tk
from tkinter import ttk

import pytest

import shared_tk.theme as theme_module
from chat_server.admin_gui.admin_theme import AdminTheme
from chat_server.admin_gui.look import ADMIN_COLOURS
from chat_server.admin_gui.window import AdminWindow
from chat_server.config import ServerConfig
from shared.palette import AA_TEXT, DARK, LIGHT, Palette, contrast_ratio
from shared_tk.theme import palette_for
from tests.gui.admin.helpers import TIMEOUT, started
from tests.support import collect_tk_garbage_here, wait_until


def as_hex(root: tk.Misc, colour: object) -> str:
    """A colour as #rrggbb: hex as written (the test display has 16-bit colour, which winfo_rgb would round), names through Tk."""
    text = str(colour).lower()
    if text.startswith("#") and len(text) == 7:
        return text
    if text.startswith("#") and len(text) == 4:
        return "#" + "".join(digit * 2 for digit in text[1:])
    red, green, blue = (value // 257 for value in root.winfo_rgb(text))
    return f"#{red:02x}{green:02x}{blue:02x}"


def menu_entry(menu: tk.Menu, label: str) -> int:
    last = menu.index("end")
    assert last is not None
    entries = [index for index in range(last + 1) if menu.type(index) not in ("tearoff", "separator")]
    return next(index for index in entries if menu.entrycget(index, "label") == label)


def drawn_colours(window: AdminWindow) -> dict[str, str]:
    """What the window draws with now, read back from ttk and from the classic widgets."""
    style = ttk.Style(window.root)
    log = window.log_pane.text
    return {
        "window": as_hex(window.root, style.lookup(".", "background")),
        "root": as_hex(window.root, window.root.cget("background")),
        "label": as_hex(window.root, style.lookup("TLabel", "foreground")),
        "hint": as_hex(window.root, style.lookup("Hint.TLabel", "foreground")),
        "log background": as_hex(window.root, log.cget("background")),
        "log text": as_hex(window.root, log.cget("foreground")),
        "log warning": as_hex(window.root, log.tag_cget("warning", "foreground")),
        "log error": as_hex(window.root, log.tag_cget("error", "foreground")),
    }


def test_the_theme_menu_switches_the_window_and_its_classic_log_pane(make_window, tk_root, tmp_path) -> None:
    window = make_window(settings_path=tmp_path / "admin.json")
    menu = window.theme.menu
    assert menu is not None and window.menubar.entrycget(menu_entry(window.menubar, "Theme"), "menu") == str(menu)
    assert [menu.entrycget(index, "label") for index in range(3)] == ["System", "Light", "Dark"]

    menu.invoke(menu_entry(menu, "Light"))
    wait_until(lambda: drawn_colours(window)["log background"] == LIGHT.background, TIMEOUT, pump=tk_root.update)
    light = drawn_colours(window)
    menu.invoke(menu_entry(menu, "Dark"))
    wait_until(lambda: drawn_colours(window)["log background"] == DARK.background, TIMEOUT, pump=tk_root.update)
    dark = drawn_colours(window)

    assert ttk.Style(tk_root).theme_use() == "sun-valley-dark" and window.theme.choice.get() == "dark"
    assert (light["window"], dark["window"]) == (LIGHT.window, DARK.window)
    assert (light["root"], dark["root"]) == (LIGHT.window, DARK.window)
    assert (light["log text"], dark["log text"]) == (LIGHT.text, DARK.text)
    assert (light["log warning"], dark["log warning"]) == (
        ADMIN_COLOURS["light"].log_warning,
        ADMIN_COLOURS["dark"].log_warning,
    )
    assert (light["log error"], dark["log error"]) == (LIGHT.error, DARK.error)
    assert (light["hint"], dark["hint"]) == (LIGHT.muted, DARK.muted)
    assert all(light[what] != dark[what] for what in light), (light, dark)

    menu.invoke(menu_entry(menu, "Light"))  # and back
    wait_until(lambda: drawn_colours(window) == light, TIMEOUT, pump=tk_root.update)


def test_the_choice_is_remembered_when_the_window_is_opened_again(make_window, tk_root, tmp_path) -> None:
    path = tmp_path / "admin.json"
    first = make_window(settings_path=path)
    assert first.theme.choice.get() == "system" and not path.exists()  # nothing chosen, nothing written
    first.theme.set_theme("dark")
    assert json.loads(path.read_text(encoding="utf-8")) == {"theme": "dark"}
    tk_root.update()  # the theme's last touches run when idle: before the root goes
    first.close()  # the window and its Tk root go, as when the program ends

    root = tk.Tk()  # a new Tk interpreter: nothing of the first theme is left in it
    try:
        again = AdminWindow(root, ServerConfig(host="127.0.0.1", port=0, announce=False), settings_path=path)
        wait_until(root.winfo_ismapped, TIMEOUT, pump=root.update)
        wait_until(lambda: drawn_colours(again)["log background"] == DARK.background, TIMEOUT, pump=root.update)
        assert again.theme.choice.get() == "dark"
        assert ttk.Style(root).theme_use() == "sun-valley-dark"
        assert drawn_colours(again)["window"] == DARK.window
        again.theme.set_theme("light")
        root.update()
        again.close()
    finally:
        try:
            root.destroy()
        except tk.TclError:
            pass
        collect_tk_garbage_here()
    assert json.loads(path.read_text(encoding="utf-8")) == {"theme": "light"}


@pytest.mark.parametrize(("system_is_dark", "expected"), [(True, DARK), (False, LIGHT)])
def test_system_follows_what_the_desktop_reports(system_is_dark, expected) -> None:
    assert palette_for("system", system_is_dark) is expected
    assert palette_for("anything else", system_is_dark) is expected  # an unknown choice is "system"
    assert palette_for("light", system_is_dark) is LIGHT  # a choice made in the menu wins over the desktop
    assert palette_for("dark", system_is_dark) is DARK


@pytest.mark.parametrize(("system_is_dark", "expected"), [(True, DARK), (False, LIGHT)])
def test_a_window_on_system_takes_the_desktops_answer(tk_root, tmp_path, monkeypatch, system_is_dark, expected):
    # darkdetect's answer stands in for the desktop's (this Xvfb has no desktop to ask)
    monkeypatch.setattr(theme_module, "system_prefers_dark", lambda: system_is_dark)
    chosen = AdminTheme(tk_root, tmp_path / "admin.json")
    assert chosen.palette is expected and chosen.choice.get() == "system"
    chosen.set_theme("light")
    assert chosen.palette is LIGHT
    chosen.set_theme("system")
    assert chosen.palette is expected


def classic_and_ttk_pairs(root: tk.Misc) -> list[tuple[str, str, str]]:
    """(widget, text colour, background) for every widget under `root` that shows text, as Tk draws it."""
    style = ttk.Style(root)
    window_background = as_hex(root, style.lookup(".", "background"))
    pairs: list[tuple[str, str, str]] = []
    pending: list[tk.Misc] = [root]
    while pending:
        widget = pending.pop()
        pending.extend(widget.winfo_children())
        name = str(widget)
        if isinstance(widget, (tk.Text, tk.Listbox)):
            pairs.append((name, as_hex(root, widget.cget("foreground")), as_hex(root, widget.cget("background"))))
            pairs.append(
                (
                    f"{name} selected",
                    as_hex(root, widget.cget("selectforeground")),
                    as_hex(root, widget.cget("selectbackground")),
                )
            )
        elif isinstance(widget, tk.Menu):
            pairs.append((name, as_hex(root, widget.cget("foreground")), as_hex(root, widget.cget("background"))))
        elif isinstance(widget, (tk.Tk, tk.Toplevel, tk.Canvas)):
            pairs.append(
                (
                    f"{name} (window text)",
                    as_hex(root, style.lookup("TLabel", "foreground")),
                    as_hex(root, widget.cget("background")),
                )
            )
        elif isinstance(widget, (ttk.Label, ttk.Button)) and not widget.instate(["disabled"]):
            widget_style = str(widget.cget("style")) or widget.winfo_class()
            own = str(widget.cget("foreground")) if isinstance(widget, ttk.Label) else ""
            foreground = own or str(style.lookup(widget_style, "foreground"))
            pairs.append((name, as_hex(root, foreground), window_background))
        elif isinstance(widget, ttk.Treeview):
            pairs.append(
                (
                    name,
                    as_hex(root, style.lookup("Treeview", "foreground")),
                    as_hex(root, style.lookup("Treeview", "background")),
                )
            )
    return pairs


@pytest.mark.parametrize("scaling", [100, 150])
@pytest.mark.parametrize("palette", [LIGHT, DARK], ids=lambda palette: palette.name)
def test_every_dialog_reads_in_both_themes(make_window, tk_root, palette: Palette, scaling: int) -> None:
    # `tk scaling` is the X display's, shared by later tests' roots; closing the window destroys this root
    # before the tk_root fixture could put it back, so it is put back here.
    display_scaling = tk_root.tk.call("tk", "scaling")
    try:
        check_every_dialog(make_window(scaling), tk_root, palette)
    finally:
        tk_root.tk.call("tk", "scaling", display_scaling)


def check_every_dialog(window: AdminWindow, tk_root: tk.Tk, palette: Palette) -> None:
    window.theme.set_theme(palette.name)
    started(window)
    window.log_pane.add_lines([])
    window.open_accounts()
    window.open_bans()
    window.open_history()
    wait_until(lambda: window.log_pane.text.cget("background") == palette.background, TIMEOUT, pump=tk_root.update)
    pairs = classic_and_ttk_pairs(tk_root)
    kinds = {widget.rsplit(".", 1)[-1].rstrip("0123456789").lstrip("!") for widget, _fg, _bg in pairs}
    assert {"text", "menu", "treeview", "label", "button"} <= kinds, kinds
    for dialog in ("accountsdialog", "bansdialog", "historydialog"):
        assert sum(f"!{dialog}" in widget for widget, _fg, _bg in pairs) > 5, dialog
    dialogs = [child for child in tk_root.winfo_children() if isinstance(child, tk.Toplevel)]
    assert len(dialogs) == 3
    assert {as_hex(tk_root, dialog.cget("background")) for dialog in dialogs} == {palette.window}
    low = [
        (widget, fg, bg, round(contrast_ratio(fg, bg), 2))
        for widget, fg, bg in pairs
        if contrast_ratio(fg, bg) < AA_TEXT
    ]
    assert not low, low
