"""The chat window's look: the theme chosen in View (system, light, dark), remembered, and the emoji picker by Send (Tk thread).

    WindowLook(root, window, settings, save)
        apply_theme (shared_tk/theme.py): sv-ttk light or dark for every ttk widget, the palette's
        colours for the panes and lists (each registers on_palette_change), fonts in points so that
        125% and 150% desktops make everything larger
    set_theme("dark")    View > Theme: applied to the whole window at once and saved in the settings
    open_picker()        the ☺ button: chat_gui/window/emoji_picker.py, the pick goes where the cursor is

One theme per Tk interpreter: ttk styles are shared by every window of
the program, so the theme goes on the Tk root whatever window asks.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from typing import cast

from chat_gui.settings import ClientSettings
from chat_gui.window.emoji_picker import EmojiPicker
from chat_gui.window.main_window import ChatWindow
from shared.palette import Palette
from shared_tk.theme import THEME_CHOICES, apply_theme, on_palette_change


class WindowLook:
    def __init__(self, root: tk.Misc, window: ChatWindow, settings: ClientSettings, save: Callable[[], object]) -> None:
        self.tk_root = cast(tk.Tk, root.nametowidget("."))
        self.window = window
        self.settings = settings
        self.save = save
        self.picker: EmojiPicker | None = None
        self.palette: Palette = apply_theme(self.tk_root, settings.theme)
        window.theme_choice.set(settings.theme)

    def set_theme(self, choice: str) -> Palette:
        """Apply "system", "light" or "dark" now and remember it."""
        if choice not in THEME_CHOICES:
            choice = "system"
        self.palette = apply_theme(self.tk_root, choice)
        self.window.theme_choice.set(choice)
        if self.settings.theme != choice:
            self.settings.theme = choice
            self.save()
        return self.palette

    def open_picker(self) -> EmojiPicker:
        """The emoji picker over the entry box; a second press brings the open one to the front."""
        if self.picker is not None and self.picker.winfo_exists():
            self.picker.lift()
            return self.picker
        picker = EmojiPicker(self.window.root, on_pick=self.window.entry.insert_text, palette=self.palette)
        on_palette_change(picker, picker.recolour)
        picker.place_above(self.window.emoji_button)
        self.picker = picker
        return picker
