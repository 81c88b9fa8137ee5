"""ScrollFrame: a frame whose content scrolls up and down when the window cannot hold all of it (Tk thread).

Its content goes in `inner`.  It asks for the content's whole size until
`most_height` caps its height (a dialog on a short screen at 150%
scaling); then a scrollbar appears, the mouse wheel scrolls, and a field
that gets the keyboard focus (Tab) is scrolled into view.  The canvas
under the content takes the theme's window colour, light or dark.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk

from shared_tk.theme import on_palette_change

WHEEL_UNITS = 1  # tenths of the shown height per wheel notch


class ScrollFrame(ttk.Frame):
    def __init__(self, master: tk.Misc) -> None:
        super().__init__(master)
        self.canvas = tk.Canvas(self, borderwidth=0, highlightthickness=0)
        background = str(ttk.Style(self).lookup("TFrame", "background"))
        if background:  # the theme's; plain ttk leaves the canvas its own grey
            self.canvas.configure(background=background)
        self.bar = ttk.Scrollbar(self, orient="vertical", command=self.canvas.yview)
        self.canvas.configure(yscrollcommand=self.bar.set)
        self.canvas.pack(side="left", fill="both", expand=True)
        self.inner = ttk.Frame(self.canvas)
        self.canvas.create_window(0, 0, window=self.inner, anchor="nw")
        self.most_height: int | None = None
        self.inner.bind("<Configure>", lambda _event: self._fit())
        on_palette_change(self.canvas, lambda palette: self.canvas.configure(background=palette.window))
        top = self.winfo_toplevel()
        top.bind("<FocusIn>", self._on_focus, add="+")
        for sequence in ("<MouseWheel>", "<Button-4>", "<Button-5>"):
            top.bind(sequence, self._on_wheel, add="+")

    @property
    def scrolls(self) -> bool:
        """The content is taller than the frame may be: part of it is out of view until scrolled to."""
        return self.most_height is not None and self.inner.winfo_reqheight() > self.most_height

    def set_most_height(self, pixels: int | None) -> None:
        """Cap the frame's height at `pixels` (None: as tall as its content)."""
        if pixels != self.most_height:
            self.most_height = pixels
            self._fit()

    def see(self, widget: tk.Misc) -> None:
        """Scroll so that `widget` (inside `inner`) is wholly in view."""
        if not self.scrolls:
            return
        top = widget.winfo_rooty() - self.inner.winfo_rooty()
        bottom = top + widget.winfo_height()
        shown_top = self.canvas.canvasy(0)
        shown_bottom = shown_top + self.canvas.winfo_height()
        whole = max(1, self.inner.winfo_reqheight())
        if top < shown_top:
            self.canvas.yview_moveto(top / whole)
        elif bottom > shown_bottom:
            self.canvas.yview_moveto((bottom - self.canvas.winfo_height()) / whole)

    def _fit(self) -> None:
        width, height = self.inner.winfo_reqwidth(), self.inner.winfo_reqheight()
        shown = height if self.most_height is None else max(1, min(height, self.most_height))
        self.canvas.configure(width=width, height=shown, scrollregion=(0, 0, width, height))
        if self.scrolls:
            self.canvas.pack_configure(padx=0)
            self.bar.pack(side="right", fill="y", before=self.canvas)
        else:
            self.bar.pack_forget()
            self.canvas.yview_moveto(0)
            # Once capped, the frame keeps the bar's width whether it shows or not: a width that came and went
            # with the bar rewrapped the dialog's message, which changed its height, which brought the bar back.
            self.canvas.pack_configure(padx=(0, self.bar.winfo_reqwidth() if self.most_height is not None else 0))

    def _inside(self, widget: object) -> bool:
        return isinstance(widget, tk.Misc) and str(widget).startswith(str(self.inner) + ".")

    def _on_focus(self, event: tk.Event) -> None:
        if self._inside(event.widget):
            self.see(event.widget)

    def _on_wheel(self, event: tk.Event) -> None:
        if not self.scrolls or not (self._inside(event.widget) or event.widget in (self.canvas, self.inner)):
            return
        up = event.num == 4 or getattr(event, "delta", 0) > 0
        self.canvas.yview_scroll(-WHEEL_UNITS if up else WHEEL_UNITS, "units")
