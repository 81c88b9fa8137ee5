"""The chat window's text size: View > Larger / Smaller / Normal text (Ctrl++, Ctrl+-, Ctrl+0), remembered (Tk thread).

    TextSize(root, settings, save, restyle)
        size            the percentage now (100 is the desktop's own size)
        set(125)        every font of the program grows to 125% of the desktop's size, at once, and is saved
    next_size(size, +1 / -1 / 0)   the next size in TEXT_SIZES, larger or smaller; 0 is back to 100

Every font ClassChat and sv-ttk use is given in points, so the size is
`tk scaling`: the desktop's own scaling (read once, when the first window
of the program opens) times the chosen percentage.  Text, lists, tabs,
menus, the entry box and the dialogs all grow together, and the widths
that follow the scaling (wrapped messages, the emoji picker) grow with
them.  `restyle` re-applies the theme so that what is measured from the
fonts (the pane's indents, table rows, the presence dots) is measured
again; the window's smallest size grows too.  One size per Tk
interpreter, as the theme: every window of the program shares it.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable

from chat_gui.settings import TEXT_SIZES, ClientSettings
from chat_gui.window.window_size import set_smallest_size
from shared_tk.theme import rescale_fonts

NORMAL = 100
_BASE_VARIABLE = "::classchat_desktop_scaling"  # the desktop's `tk scaling`, kept in the interpreter


def next_size(current: int, step: int) -> int:
    """The size one step larger (+1) or smaller (-1) than `current`, within TEXT_SIZES; 0 is NORMAL."""
    if step == 0:
        return NORMAL
    if step > 0:
        return next((size for size in TEXT_SIZES if size > current), TEXT_SIZES[-1])
    return next((size for size in reversed(TEXT_SIZES) if size < current), TEXT_SIZES[0])


def desktop_scaling(root: tk.Misc) -> float:
    """The `tk scaling` the program started with (before any text size was applied)."""
    if not int(root.tk.call("info", "exists", _BASE_VARIABLE)):
        root.tk.call("set", _BASE_VARIABLE, root.tk.call("tk", "scaling"))
    return float(root.tk.call("set", _BASE_VARIABLE))


class TextSize:
    def __init__(
        self,
        root: tk.Misc,
        settings: ClientSettings,
        save: Callable[[], object],
        restyle: Callable[[], object],
        windows: Callable[[], list[tk.Tk | tk.Toplevel]] = list,
    ) -> None:
        self.tk_root = root.nametowidget(".")
        self.settings = settings
        self.save = save
        self.restyle = restyle
        self.windows = windows  # the toplevels whose smallest size follows the text
        self.base = desktop_scaling(self.tk_root)
        self.size = NORMAL
        if settings.text_size != NORMAL:
            self._apply(settings.text_size)

    def set(self, size: int) -> int:
        """Apply `size` (a percentage of the desktop's text size) now and remember it."""
        if size not in TEXT_SIZES:
            size = NORMAL
        if size != self.size:
            self._apply(size)
            self.restyle()
            for window in self.windows():
                set_smallest_size(window)
        if self.settings.text_size != size:
            self.settings.text_size = size
            self.save()
        return size

    def _apply(self, size: int) -> None:
        self.size = size
        self.tk_root.tk.call("tk", "scaling", self.base * size / NORMAL)
        rescale_fonts(self.tk_root)
