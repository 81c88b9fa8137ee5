"""A checked question (the Ban length) stays on a small screen at 200% scaling: OK and Cancel in reach (real Tk under Xvfb)."""

from __future__ import annotations

import tkinter as tk

from chat_server.admin_gui.checked_question import CheckedQuestion
from tests.gui.scaled_tk import set_display_scaling
from tests.support import wait_until

LONG_PROMPT = "Ban " + "ÄÖÜ-مرحبا-" * 8 + " for how long? Minutes (30), hours (2h), or empty until you lift it. " * 2
PROBLEM = "That is not a length: say 30, 2h or 2 hours, or leave it empty for the rest of the session. " * 2


def test_a_long_prompt_and_problem_wrap_so_ok_and_cancel_stay_on_the_screen(tk_root: tk.Tk) -> None:
    set_display_scaling(tk_root, 200)
    question = CheckedQuestion(tk_root, "Ban", LONG_PROMPT, lambda _answer: PROBLEM)
    try:
        question.geometry("+0+0")
        wait_until(question.winfo_ismapped, 10, pump=tk_root.update)
        question.on_ok()  # refused: the problem shows under the entry
        tk_root.update()
        screen = tk_root.winfo_screenwidth()
        assert question.winfo_reqwidth() <= screen, (question.winfo_reqwidth(), screen)
        for button in (question.ok_button, question.cancel_button):
            assert button.winfo_rootx() + button.winfo_width() <= screen, button.cget("text")
        assert question.problem.cget("text") == PROBLEM
    finally:
        question.destroy()
