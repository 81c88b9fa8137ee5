"""CheckedQuestion: a one-line question that says within itself what is wrong with an answer and stays open (Tk thread).

simpledialog.askstring closes on OK whatever was typed, so a ban length
like "half an hour" came back to the window to be refused there, and the
admin had to start over.  Here the window's `check` judges the answer on
OK: a problem is shown under the entry, the text stays as typed (selected,
to be corrected or typed over), and only a good answer or Cancel closes the
question.  The window takes the asking as a callable (AskChecked), so tests
can answer it; `ask_checked_dialog` makes the real one.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

Check = Callable[[str], "str | None"]  # an answer -> what is wrong with it, or None when it will do
SCREEN_MARGIN = 80  # px of the screen's width the question's padding and a window frame take
AskChecked = Callable[[str, str, Check], "str | None"]  # (title, prompt, check) -> the answer, None if cancelled


class CheckedQuestion(tk.Toplevel):
    def __init__(self, parent: tk.Misc, title: str, prompt: str, check: Check) -> None:
        super().__init__(parent)
        self.title(title)
        self.transient(parent.winfo_toplevel())
        self.check = check
        self.answer: str | None = None
        frame = ttk.Frame(self, padding=12)
        frame.pack(fill="both", expand=True)
        self.value = tk.StringVar(self)
        self.entry = ttk.Entry(frame, textvariable=self.value, width=40)
        # The prompt (a long nickname in it) and the problem wrap at the entry's width, never wider than the
        # screen: unwrapped, a long prompt at 200% made the question 2442 px wide, OK and Cancel off a 1024 screen.
        wrap = max(1, min(self.entry.winfo_reqwidth(), self.winfo_screenwidth() - SCREEN_MARGIN))
        self.prompt = ttk.Label(frame, text=prompt, justify="left", wraplength=wrap)
        self.prompt.grid(row=0, column=0, columnspan=3, sticky="w")
        self.entry.grid(row=1, column=0, columnspan=3, sticky="ew", pady=(6, 2))
        self.problem = ttk.Label(frame, text="", style="Error.TLabel", justify="left", wraplength=wrap)
        self.problem.grid(row=2, column=0, columnspan=3, sticky="w")
        self.ok_button = ttk.Button(frame, text="OK", style="Accent.TButton", command=self.on_ok)
        self.cancel_button = ttk.Button(frame, text="Cancel", command=self.on_cancel)
        self.ok_button.grid(row=3, column=1, sticky="e", pady=(8, 0), padx=(0, 4))
        self.cancel_button.grid(row=3, column=2, sticky="e", pady=(8, 0))
        frame.columnconfigure(0, weight=1)
        self.bind("<Return>", lambda _event: self.on_ok())
        self.bind("<Escape>", lambda _event: self.on_cancel())
        self.protocol("WM_DELETE_WINDOW", self.on_cancel)
        self.entry.focus_set()

    def on_ok(self) -> None:
        typed = self.value.get()
        problem = self.check(typed)
        if problem:
            self.problem.configure(text=problem)
            self.entry.selection_range(0, "end")
            self.entry.focus_set()
            return
        self.answer = typed
        self.destroy()

    def on_cancel(self) -> None:
        self.answer = None
        self.destroy()


def ask_checked_dialog(parent: tk.Misc) -> AskChecked:
    """The real question, modal over `parent`: returns when it closes."""

    def ask(title: str, prompt: str, check: Check) -> str | None:
        question = CheckedQuestion(parent, title, prompt, check)
        question.wait_visibility()
        question.grab_set()
        question.wait_window()
        return question.answer

    return ask
