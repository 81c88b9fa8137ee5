"""The client core's Scheduler on Tk's event loop: callbacks run on the Tk thread (Tk thread)."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable


class TkScheduler:
    """`after` and `cancel` as the client core wants them, by root.after and root.after_cancel."""

    def __init__(self, root: tk.Misc) -> None:
        self.root = root

    def after(self, ms: int, callback: Callable[[], None]) -> object:
        return self.root.after(ms, callback)

    def cancel(self, timer: object) -> None:
        try:
            self.root.after_cancel(str(timer))
        except tk.TclError:
            pass  # the window is already gone
