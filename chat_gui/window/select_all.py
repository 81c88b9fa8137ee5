"""Ctrl+A selects everything in every text field of the application: entries, text boxes, dialogs, search fields (Tk thread).

Tk's own Ctrl+A on X11 moves to the start of the line (as in Emacs);
people expect it to select all, as everywhere else.  Bound per widget
class, so fields made later (dialogs, a search box) have it too.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk

ENTRY_CLASSES = ("Entry", "TEntry", "Spinbox", "TSpinbox", "TCombobox")


def _select_all_in_entry(event: tk.Event) -> str:
    widget = event.widget
    if isinstance(widget, (tk.Entry, ttk.Entry)):  # ttk's Spinbox and Combobox are ttk.Entry too
        widget.select_range(0, "end")
        widget.icursor("end")
    elif isinstance(widget, tk.Spinbox):
        widget.selection("range", 0, "end")
        widget.icursor("end")
    return "break"


def _select_all_in_text(event: tk.Event) -> str:
    widget = event.widget
    if isinstance(widget, tk.Text):
        widget.tag_add("sel", "1.0", "end-1c")
        widget.mark_set("insert", "end-1c")
        widget.see("insert")
    return "break"


def install_select_all(root: tk.Misc) -> None:
    """Bind Ctrl+A (either case) to "select all" in every Entry, ttk.Entry, Spinbox, Combobox and Text."""
    for sequence in ("<Control-a>", "<Control-A>"):
        for widget_class in ENTRY_CLASSES:
            root.bind_class(widget_class, sequence, _select_all_in_entry)
        root.bind_class("Text", sequence, _select_all_in_text)
