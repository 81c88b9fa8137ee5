"""The look of a window: the sv-ttk theme, light or dark or as the system is, and scaling (Tk thread).

Both windows use it: the chat window (chat_gui/window/window_look.py) and the
server's admin window (chat_server/admin_gui/admin_theme.py).

    apply_theme(root, "system")  ->  Palette (shared/palette.py)
        "system" asks darkdetect whether the desktop is dark (Windows,
        macOS, GNOME-like Linux; anything else, or an error, is light);
        sv-ttk styles every ttk widget and recolours the classic ones
        (tk_setPalette); then the text panes, lists and canvases get the
        palette's own colours, and every callback registered with
        on_palette_change(widget, callback) is called with the palette, so a
        pane can re-colour its tags (even in a tab not shown, where Tk
        would drop a virtual event).

sv-ttk sizes its fonts in pixels, which `tk scaling` does not touch; they
are turned into points here so that set_scaling(root, 150) makes every
font half as large again, in both themes.
"""

from __future__ import annotations

import logging
import tkinter as tk
import tkinter.font as tkfont
from collections.abc import Callable
from tkinter import ttk

from shared.palette import DARK, LIGHT, PALETTES, Palette
from shared.palette import THEME_CHOICES as THEME_CHOICES  # for the windows' Theme menus

log = logging.getLogger(__name__)

PaletteListener = Callable[[Palette], object]
_listeners: dict[str, dict[str, tuple[tk.Misc, PaletteListener]]] = {}  # root path -> widget path -> listener
POINTS_PER_INCH = 72
# sv-ttk's fonts and their sizes in pixels at 96 dpi, the size its designs assume.
_SV_FONT_PIXELS = {
    "SunValleyCaptionFont": 12,
    "SunValleyBodyFont": 14,
    "SunValleyBodyStrongFont": 14,
    "SunValleyBodyLargeFont": 18,
    "SunValleySubtitleFont": 20,
    "SunValleyTitleFont": 28,
    "SunValleyTitleLargeFont": 40,
    "SunValleyDisplayFont": 68,
}


def system_prefers_dark() -> bool:
    """Whether the desktop is set to dark mode; False when that cannot be told (any error, no desktop)."""
    try:
        import darkdetect

        return bool(darkdetect.isDark())
    except Exception as error:  # darkdetect runs platform tools; none may be there (headless CI)
        log.debug("cannot tell whether the desktop is dark: %s", error)
        return False


def palette_for(choice: str, system_is_dark: bool) -> Palette:
    """The decision: "light" and "dark" are themselves; "system" (or anything else) is what the system says."""
    if choice in PALETTES:
        return PALETTES[choice]
    return DARK if system_is_dark else LIGHT


def resolve_choice(choice: str) -> Palette:
    """The palette for "light", "dark" or "system"; the system is asked only for "system" (or anything else)."""
    if choice in PALETTES:
        return PALETTES[choice]
    return palette_for(choice, system_prefers_dark())


def apply_theme(root: tk.Tk, choice: str = "system") -> Palette:
    """Style the whole window (every Toplevel of `root`) light, dark or as the system is; return the palette."""
    import sv_ttk

    palette = resolve_choice(choice)
    sv_ttk.set_theme(palette.name, root)
    # sv-ttk sets the base colours (the "." style, tk_setPalette) when <<ThemeChanged>> reaches the root,
    # and Tk drops that event while the root is not yet mapped, leaving grey frames; so set them now.
    if root.tk.call("info", "procs", "configure_colors"):
        root.tk.call("configure_colors")
    _fonts_in_points(root)
    style = ttk.Style(root)
    body = tkfont.nametofont("SunValleyBodyFont", root=root)
    # sv-ttk measures Treeview rows once, when it loads; ours follow the font (and so the scaling).
    style.configure("Treeview", rowheight=body.metrics("linespace") + 6)
    style.configure("Muted.TLabel", foreground=palette.muted)
    style.configure("Error.TLabel", foreground=palette.error)
    style.configure("Accent.TLabel", foreground=palette.accent)
    _option_defaults(root, palette)
    # sv-ttk recolours the classic widgets when <<ThemeChanged>> arrives, which ttk sends when idle;
    # ours go on top of that, so they come after it.
    root.after_idle(_finish, root, palette)
    return palette


def _finish(root: tk.Misc, palette: Palette) -> None:
    recolour_classic_widgets(root, palette)
    window_listeners = _listeners.get(str(root.tk), {})
    for path, (widget, listener) in list(window_listeners.items()):
        try:
            alive = bool(widget.winfo_exists())
        except tk.TclError:  # its interpreter is gone (an earlier root at the same address)
            alive = False
        if alive:
            listener(palette)
        else:
            window_listeners.pop(path, None)


def on_palette_change(widget: tk.Misc, listener: PaletteListener) -> None:
    """Call `listener(palette)` after every apply_theme on this widget's window, until the widget is destroyed."""
    window_listeners = _listeners.setdefault(str(widget.tk), {})
    window_listeners[str(widget)] = (widget, listener)

    def forget(event: tk.Event[tk.Misc]) -> None:
        if event.widget is widget:
            window_listeners.pop(str(widget), None)

    widget.bind("<Destroy>", forget, add="+")


def _fonts_in_points(root: tk.Misc) -> None:
    for name, pixels in _SV_FONT_PIXELS.items():
        try:
            font = tkfont.nametofont(name, root=root)
        except tk.TclError:
            continue  # another sv-ttk release may have dropped a font
        font.configure(size=max(1, round(pixels * POINTS_PER_INCH / 96)))


def _option_defaults(root: tk.Misc, palette: Palette) -> None:
    """Colours for classic widgets made from now on (tk_setPalette only reaches those that exist)."""
    for pattern, value in (
        ("*Text.background", palette.background),
        ("*Text.foreground", palette.text),
        ("*Text.insertBackground", palette.text),
        ("*Text.selectBackground", palette.selection_background),
        ("*Text.selectForeground", palette.selection_text),
        ("*Listbox.background", palette.background),
        ("*Listbox.foreground", palette.text),
        ("*Listbox.selectBackground", palette.selection_background),
        ("*Listbox.selectForeground", palette.selection_text),
        ("*Canvas.background", palette.background),
        ("*Toplevel.background", palette.window),
    ):
        root.option_add(pattern, value)


def recolour_classic_widgets(root: tk.Misc, palette: Palette) -> None:
    """Give every Text, Listbox and Canvas under `root` the palette's pane colours."""
    pending: list[tk.Misc] = [root]
    while pending:
        widget = pending.pop()
        pending.extend(widget.winfo_children())
        try:
            if isinstance(widget, (tk.Text, tk.Listbox)):
                widget.configure(
                    background=palette.background,
                    foreground=palette.text,
                    selectbackground=palette.selection_background,
                    selectforeground=palette.selection_text,
                    highlightbackground=palette.window,
                    highlightcolor=palette.accent,
                )
                if isinstance(widget, tk.Text):
                    widget.configure(insertbackground=palette.text)
            elif isinstance(widget, tk.Canvas):
                widget.configure(background=palette.background, highlightbackground=palette.window)
            elif isinstance(widget, (tk.Tk, tk.Toplevel)):
                widget.configure(background=palette.window)
        except tk.TclError:
            continue  # destroyed meanwhile


def scaling_percent(root: tk.Misc) -> int:
    """The current `tk scaling` as a percentage of 96 dpi (100, 125, 150...)."""
    return round(float(root.tk.call("tk", "scaling")) * POINTS_PER_INCH / 96 * 100)


def set_scaling(root: tk.Misc, percent: int) -> None:
    """Scale every font given in points (all of ClassChat's, and sv-ttk's after apply_theme) to `percent`.

    Takes effect for fonts as they are next measured, so call it before the
    widgets are built, or re-apply the fonts after (apply_theme does).
    """
    root.tk.call("tk", "scaling", 96 / POINTS_PER_INCH * percent / 100)
    rescale_fonts(root)


def rescale_fonts(root: tk.Misc) -> None:
    """Have Tk measure every named font again, after `tk scaling` changed (a font in points then grows)."""
    for name in tkfont.names(root):
        font = tkfont.nametofont(name, root=root)
        size = int(font.cget("size"))
        font.configure(size=size)  # re-set so Tk measures it again at the new scaling
