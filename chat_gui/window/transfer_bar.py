"""The rows under the text pane, one per upload or download: name, progress bar, speed and time left, Cancel (Tk thread).

    | ↑ worksheet.pdf   [██████████░░░░░░░]  12.0 MB of 25.0 MB, 48.2 MB/s, 1 s left   [Cancel] |
    | ↓ photo.png       [███████████████████]  Saved as photo (1).png                   [Close]  |

The bar is empty (and takes no room) while nothing is under way.  A row
that ended well goes away by itself after a few seconds; one that failed
stays with its reason until the user closes it.  The rows only show what
they are told (intent methods); FileSharing decides.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

DONE_ROW_MS = 4000  # how long a row that ended well stays in view
REASON_MARGIN = 16  # pixels between a failed row's reason and the name and button beside it
MIN_REASON_WIDTH = 160  # a reason wraps at this width at the least, however narrow the row


class TransferRow(ttk.Frame):
    def __init__(self, master: TransferBar, job: int, title: str, upload: bool, on_cancel: Callable[[], None]) -> None:
        super().__init__(master, padding=(0, 2))
        self.job = job
        self.bar_owner = master
        self.on_cancel = on_cancel
        self.ended = False
        self.title = title
        self.arrow = "↑" if upload else "↓"
        self.name_label = ttk.Label(self, text=f"{self.arrow} {title}", width=28, anchor="w")
        self.name_label.pack(side="left")
        self.progress = ttk.Progressbar(self, orient="horizontal", length=180, mode="determinate", maximum=1000)
        self.progress.pack(side="left", padx=(4, 6))
        self.button = ttk.Button(self, text="Cancel", command=self._on_button)
        self.button.pack(side="right")  # packed before the text, so a long text never pushes it out of view
        self.detail = ttk.Label(self, text="", anchor="w")
        self.detail.pack(side="left", fill="x", expand=True)
        self._leave_id: str | None = None

    # -- intent methods --
    def set_title(self, title: str) -> None:
        self.title = title
        self.name_label.configure(text=f"{self.arrow} {title}")

    def set_busy(self, text: str) -> None:
        """Working, without a measure yet (hashing, waiting for the server)."""
        if self.progress.cget("mode") != "indeterminate":
            self.progress.configure(mode="indeterminate")
            self.progress.start(50)
        self.detail.configure(text=text)

    def set_progress(self, fraction: float, text: str) -> None:
        if self.progress.cget("mode") != "determinate":
            self.progress.stop()
            self.progress.configure(mode="determinate")
        self.progress.configure(value=round(max(0.0, min(1.0, fraction)) * 1000))
        self.detail.configure(text=text)

    def end(self, text: str, failed: bool = False) -> None:
        """The transfer is over: the row says how, Cancel becomes Close; a good end leaves by itself."""
        self.ended = True
        self.progress.stop()
        self.progress.configure(mode="determinate", value=0 if failed else 1000)
        # the theme's error colour: a fixed #b00020 was 2.3:1 on the dark theme
        self.detail.configure(text=text, style="Error.TLabel" if failed else "TLabel")
        self.button.configure(text="Close")
        if not failed:
            self._leave_id = self.after(DONE_ROW_MS, lambda: self.bar_owner.remove(self.job))
            return
        # The reason is what the student reads ("That file is 1.9 MB; the limit ... is 1.0 MB"): it takes the
        # empty bar's room and wraps within the row (the fifteenth review found it cut off after three words).
        self.progress.pack_forget()
        self.bind("<Configure>", lambda _event: self._wrap_reason(), add="+")
        self._wrap_reason()

    def _wrap_reason(self) -> None:
        room = self.winfo_width() - self.name_label.winfo_reqwidth() - self.button.winfo_reqwidth() - REASON_MARGIN
        self.detail.configure(wraplength=max(MIN_REASON_WIDTH, room))

    def fraction(self) -> float:
        """How much is done, as shown (0.0 while busy: an indeterminate bar's value only animates)."""
        if str(self.progress.cget("mode")) != "determinate":
            return 0.0
        return float(self.progress.cget("value")) / 1000

    def destroy(self) -> None:
        if self._leave_id is not None:
            self.after_cancel(self._leave_id)
            self._leave_id = None
        super().destroy()

    def _on_button(self) -> None:
        if self.ended:
            self.bar_owner.remove(self.job)
        else:
            self.on_cancel()


class TransferBar(ttk.Frame):
    """Holds the rows; packed under the conversation tabs by the main window."""

    def __init__(self, master: tk.Misc) -> None:
        super().__init__(master)
        self.rows: dict[int, TransferRow] = {}

    def add(self, job: int, title: str, upload: bool, on_cancel: Callable[[], None]) -> TransferRow:
        row = TransferRow(self, job, title, upload, on_cancel)
        row.pack(fill="x")
        self.rows[job] = row
        return row

    def get(self, job: int) -> TransferRow | None:
        return self.rows.get(job)

    def remove(self, job: int) -> None:
        row = self.rows.pop(job, None)
        if row is not None:
            row.progress.stop()
            row.destroy()
        if not self.rows:
            self.configure(height=1)  # a packed frame keeps its last size once emptied; shrink it back
