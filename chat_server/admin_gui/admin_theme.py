"""The admin window's theme: sv-ttk light or dark or as the system is, chosen in the Theme menu and remembered (Tk thread).

    AdminTheme(root, settings_path=None)
        reads admin.json (admin_settings.py), applies the saved choice with shared_tk/theme.py (the
        chat window's code: sv-ttk, the palette's colours on Text/Listbox/Canvas, fonts in points),
        then makes the window's fonts and styles (look.py)
    add_menu(menubar)      Theme: System / Light / Dark, radio buttons
    set_theme("dark")      applied to every window and dialog of the program at once, then saved

ttk styles belong to the Tk interpreter, so one call re-styles the main
window and every open dialog; the classic widgets (the log's Text) are
recoloured by shared_tk/theme.py and by the callbacks registered with
on_palette_change (the log's level colours).  "System" asks darkdetect
when it is chosen and when the window opens; a change made in the desktop
while the window is open shows after choosing System again or reopening.
"""

from __future__ import annotations

import tkinter as tk
from pathlib import Path

from chat_server.admin_gui.admin_settings import AdminSettings, load_admin_settings, save_admin_settings
from chat_server.admin_gui.look import Look, make_look, style_look
from shared.palette import Palette
from shared_tk.theme import THEME_CHOICES, apply_theme

MENU_ENTRIES = (("System", "system"), ("Light", "light"), ("Dark", "dark"))


class AdminTheme:
    def __init__(self, root: tk.Tk, settings_path: Path | None = None) -> None:
        self.root = root
        self.settings_path = settings_path
        self.settings: AdminSettings = load_admin_settings(settings_path)
        self.choice = tk.StringVar(root, value=self.settings.theme)
        self.palette: Palette = apply_theme(root, self.settings.theme)
        self.look: Look = make_look(root)
        style_look(self.look, self.palette)
        self.menu: tk.Menu | None = None

    def add_menu(self, menubar: tk.Menu) -> tk.Menu:
        """The Theme menu: System, Light, Dark; the one in use is ticked."""
        menu = tk.Menu(menubar, tearoff=False)
        for label, choice in MENU_ENTRIES:
            menu.add_radiobutton(
                label=label,
                value=choice,
                variable=self.choice,
                command=lambda: self.set_theme(self.choice.get()),
            )
        menubar.add_cascade(label="Theme", menu=menu, underline=0)
        self.menu = menu
        return menu

    def set_theme(self, choice: str) -> Palette:
        """Apply "system", "light" or "dark" now and remember it (anything else is "system")."""
        if choice not in THEME_CHOICES:
            choice = "system"
        self.palette = apply_theme(self.root, choice)
        style_look(self.look, self.palette)
        self.choice.set(choice)
        if self.settings.theme != choice:
            self.settings.theme = choice
            save_admin_settings(self.settings, self.settings_path)
        return self.palette
