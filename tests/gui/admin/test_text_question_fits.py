"""The admin window's own text question (Kick…, Ban…, Close room…) wraps a long prompt: OK and Cancel stay on the screen (Xvfb)."""

from __future__ import annotations

import time
import tkinter as tk
from tkinter import simpledialog

from chat_server.admin_gui.window import ask_text_dialog
from tests.gui.scaled_tk import set_display_scaling

NAMES = ", ".join(f"student-{n:02d}-Ünïcödé-سلام" for n in range(30))  # Kick… with the whole class selected


def test_a_kick_of_the_whole_class_asks_a_question_no_wider_than_the_screen(tk_root: tk.Tk) -> None:
    set_display_scaling(tk_root, 200)
    seen: list[tuple[int, int]] = []
    deadline = time.monotonic() + 10

    def measure_then_cancel() -> None:
        shown = [w for w in tk_root.winfo_children() if isinstance(w, simpledialog.Dialog) and w.winfo_ismapped()]
        if not shown:
            if time.monotonic() < deadline:
                tk_root.after(20, measure_then_cancel)
            return
        shown[0].update_idletasks()
        seen.append((shown[0].winfo_reqwidth(), shown[0].winfo_screenwidth()))
        shown[0].cancel()

    tk_root.after(20, measure_then_cancel)
    answer = ask_text_dialog(tk_root)("Kick", f"Remove {NAMES} from the chat.\nReason (they will see it):")
    assert answer is None
    assert seen, "no question was shown"
    width, screen = seen[0]
    assert width <= screen, (width, screen)
