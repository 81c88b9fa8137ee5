"""FlowBar: the widgets packed side by side in a bar go on as many lines as its width needs (Tk thread only).

At 200% display scaling on a 1024x600 screen the admin window's button bars (Host … Start Stop
Accounts… Bans…; Kick… … Delete messages…; Close room… Owner… History…) are wider than the
window, and Tk cut the last buttons off.  A FlowBar watches its bar's width and moves the widgets
that do not fit onto a next line; where everything fits it stays one line, as it was drawn before.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk


class FlowBar:
    def __init__(self, bar: tk.Misc, on_change: Callable[[], object] = lambda: None) -> None:
        """`bar`: a frame whose children are already packed with side="left", in their order;
        `on_change` is called after its widgets moved to other lines (the bar's height changed)."""
        self.bar = bar
        self.on_change = on_change
        self.lines: list[ttk.Frame] = []
        self.counts: list[int] = []  # how many widgets each line holds now
        self.items: list[tuple[tk.Widget, dict[str, object]]] = []
        bar.bind("<Configure>", lambda event: self.arrange(event.width), add=True)

    def _collect(self) -> None:
        """The bar's widgets in their order, with the pack options they were given."""
        if not self.items:
            for widget in self.bar.pack_slaves():
                info = widget.pack_info()
                options: dict[str, object] = {
                    key: info[key] for key in ("side", "padx", "pady", "anchor", "fill", "expand")
                }
                self.items.append((widget, options))

    def one_line_width(self) -> int:
        """The pixels the bar's widgets need side by side on one line."""
        self._collect()
        return sum(widget.winfo_reqwidth() + _pads(options["padx"]) for widget, options in self.items)

    def arrange(self, width: int) -> None:
        """Fill lines left to right up to `width` pixels; a widget wider than a whole line gets a line of its own."""
        self._collect()
        if width <= 1 or not self.items:
            return  # not drawn yet
        counts: list[int] = []
        used = 0
        for widget, options in self.items:
            need = widget.winfo_reqwidth() + _pads(options["padx"])
            if counts and used + need <= width:
                counts[-1] += 1
                used += need
            else:
                counts.append(1)
                used = need
        if counts == self.counts:
            return
        self.counts = counts
        while len(self.lines) < len(counts):
            line = ttk.Frame(self.bar)
            line.lower()  # made after the widgets: under them, or it would hide them
            self.lines.append(line)
        items = iter(self.items)
        for line, count in zip(self.lines, counts + [0] * len(self.lines), strict=False):
            if count == 0:
                line.pack_forget()
                continue
            line.pack(side="top", anchor="w")
            for _ in range(count):
                widget, options = next(items)
                widget.pack_forget()
                widget.pack(in_=line, **options)  # type: ignore[arg-type]  # the options pack_info gave
        self.on_change()


def _pads(padx: object) -> int:
    """Pixels a pack -padx option adds: (left, right) or one value for each side."""
    if isinstance(padx, tuple):
        return sum(int(str(pad)) for pad in padx)
    return 2 * int(str(padx))
