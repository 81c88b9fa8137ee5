"""The box where lines are typed: Enter sends, Shift+Enter breaks the line, Up/Down history, Tab completes (Tk thread).

It is a Text widget, not an Entry: Tk 8.6's Entry mishandles characters
beyond U+FFFF (emoji), while Text moves over them and deletes them whole.
It shows one line and grows to a few as the text wraps or breaks, or as an
emoji (drawn taller, in the emoji font) needs a line and a half.  Emoji
are drawn in the pane's emoji font, as large as in the conversation.  Tab
completes a nickname, or after a colon an emoji shortcode (":smi" gives
😄, Tab again the next match); known :shortcodes: left in the line become
their emoji when it is sent (chat_gui/text/emoji_data.py), but not inside
`code` or ``` blocks (chat_gui/text/code_spans.py).  Cursor columns
are computed with chat_gui/window/tk_text.py, so an emoji earlier in the
line never puts a completion in the wrong place.
"""

from __future__ import annotations

import threading
import tkinter as tk
import tkinter.font as tkfont
from collections.abc import Callable
from tkinter import ttk

from chat_gui.text import emoji_data
from chat_gui.text.code_spans import outside_code
from chat_gui.text.emoji_runs import emoji_ranges
from chat_gui.window.tk_text import astral_width, tk_offset

MAX_VISIBLE_LINES = 4
HISTORY_SIZE = 200
EMOJI_CHOICES = 20  # Tab cycles through at most this many emoji for one fragment


class EntryBox(ttk.Frame):
    def __init__(
        self, master: tk.Misc, on_submit: Callable[[str], bool], nicknames: Callable[[], list[str]] = list
    ) -> None:
        super().__init__(master)
        self.on_submit = on_submit
        self.nicknames = nicknames
        self.text = tk.Text(
            self,
            height=1,
            wrap="word",
            undo=True,
            width=40,
            padx=6,
            pady=4,
            font="TkDefaultFont",
            relief="solid",
            borderwidth=1,
            highlightthickness=1,
        )
        self.text.pack(fill="both", expand=True)
        self.emoji_font: tkfont.Font | None = None  # set by whoever knows the pane's emoji font (ChatWindow)
        self.history: list[str] = []
        self._history_index: int | None = None  # None: editing a new line
        self._draft = ""
        # (typed prefix, candidates, next, what the last Tab put in): Tab again cycles while that is still there
        self._completion: tuple[str, list[str], int, str] | None = None
        self.on_edit: Callable[[str], object] = lambda text: None  # after each change (the typing indicator)
        # The shortcode catalogue takes a moment to build: have it ready before the first Tab, but build it
        # once the window is on the screen, so that its thread does not hold the GIL while the window starts.
        self._emoji_loading = False
        self.text.bind("<Map>", self._load_emoji_soon, add="+")
        text = self.text
        text.bind("<Return>", self._on_return)
        text.bind("<KP_Enter>", self._on_return)
        text.bind("<Shift-Return>", self._on_shift_return)
        text.bind("<Up>", self._on_up)
        text.bind("<Down>", self._on_down)
        text.bind("<Tab>", self._on_tab)
        text.bind("<<Modified>>", self._on_modified)
        text.bind("<Key>", self._forget_completion, add="+")

    def _load_emoji_soon(self, _event: tk.Event) -> None:
        if not self._emoji_loading:
            self._emoji_loading = True
            threading.Thread(target=emoji_data.catalogue, name="emoji-catalogue", daemon=True).start()

    # -- intent methods --
    def get_text(self) -> str:
        return self.text.get("1.0", "end-1c")

    def set_text(self, value: str) -> None:
        self.text.delete("1.0", "end")
        self.text.insert("1.0", value)
        self.text.mark_set("insert", "end-1c")
        self.text.see("insert")

    def focus(self) -> None:
        self.text.focus_set()

    def insert_text(self, chars: str) -> None:
        """Put `chars` (an emoji from the picker) where the cursor is, replacing a selection, and focus the box."""
        if self.text.tag_ranges("sel"):
            self.text.delete("sel.first", "sel.last")
        self.text.insert("insert", chars)
        self.text.see("insert")
        self.focus()

    def submit(self) -> None:
        """Send what is typed (as Enter does) and remember it in the history.

        When on_submit answers False the line could not be sent as it is, and
        it goes back into the box to be fixed.
        """
        value = outside_code(self.get_text(), emoji_data.replace_shortcodes)  # code keeps its :colons:
        if not value.strip():
            return
        if not self.history or self.history[-1] != value:
            self.history.append(value)
            del self.history[:-HISTORY_SIZE]
        self._history_index = None
        self._draft = ""
        self.set_text("")
        self.text.edit_reset()
        if self.on_submit(value) is False:
            self.set_text(value)

    # -- key handlers --
    def _on_return(self, event: tk.Event) -> str:
        self.submit()
        return "break"

    def _on_shift_return(self, event: tk.Event) -> str:
        self.text.insert("insert", "\n")
        self.text.see("insert")
        return "break"

    def _on_up(self, event: tk.Event) -> str | None:
        if self.text.compare("insert linestart", ">", "1.0"):
            return None  # inside a multi-line draft Up moves the cursor, as in any editor
        if not self.history:
            return "break"
        if self._history_index is None:
            self._draft = self.get_text()
            self._history_index = len(self.history)
        if self._history_index > 0:
            self._history_index -= 1
            self.set_text(self.history[self._history_index])
        return "break"

    def _on_down(self, event: tk.Event) -> str | None:
        if self.text.compare("insert lineend", "<", "end-1c"):
            return None
        if self._history_index is None:
            return "break"
        self._history_index += 1
        if self._history_index >= len(self.history):
            self._history_index = None
            self.set_text(self._draft)
        else:
            self.set_text(self.history[self._history_index])
        return "break"

    def _on_tab(self, event: tk.Event) -> str:
        """Complete the word before the cursor: a nickname, or an emoji after ':'; Tab again cycles through the matches."""
        before = self.text.get("insert linestart", "insert")
        if self._completion is not None and not before.endswith(self._completion[3]):
            self._completion = None  # the text changed some other way (pasted, clicked elsewhere)
        if self._completion is None:
            word = before.split(" ")[-1]
            if not word:
                return "break"
            if word.startswith(":") and len(word) > 2:
                matches = [choice.char for choice in emoji_data.complete(word, EMOJI_CHOICES)]
            else:
                key = word.casefold()
                matches = sorted(
                    (nick for nick in self.nicknames() if nick.casefold().startswith(key)), key=str.casefold
                )
            if not matches:
                self.bell()
                return "break"
            self._completion = (word, matches, 0, "")
        word, matches, turn, _shown = self._completion
        start = self._current_word_start()
        at_line_start = self.text.compare(start, "==", "1.0")
        is_nick = not word.startswith(":")
        replacement = matches[turn % len(matches)] + (": " if is_nick and at_line_start and len(matches) == 1 else "")
        self.text.delete(start, "insert")
        self.text.insert(start, replacement)
        self._completion = (word, matches, turn + 1, replacement) if len(matches) > 1 else None
        return "break"

    def _current_word_start(self) -> str:
        """The index where the word before the cursor starts, as line.column in Tk's own count (emoji-safe)."""
        line = self.text.index("insert").split(".")[0]
        before = self.text.get("insert linestart", "insert")
        cut = before.rfind(" ") + 1
        return f"{line}.{tk_offset(before, cut, astral_width(self.text))}"

    def _forget_completion(self, event: tk.Event) -> None:
        if event.keysym not in ("Tab", "Shift_L", "Shift_R"):
            self._completion = None

    def _on_modified(self, event: tk.Event) -> None:
        """Grow with the text, up to a few lines; then it scrolls.  Tell `on_edit` what the text is now."""
        if not self.text.edit_modified():
            return
        self.text.edit_modified(False)
        self._tag_emoji()
        self.on_edit(self.get_text())
        self.fit_height()

    def fit_height(self) -> None:
        """As many lines as the text needs, up to MAX_VISIBLE_LINES (again after the text size changed)."""
        wanted = max(1, min(MAX_VISIBLE_LINES, self._lines_needed()))
        if int(self.text.cget("height")) != wanted:
            self.text.configure(height=wanted)

    def _lines_needed(self) -> int:
        """How many lines of the box's font the text needs: a line with an emoji in it is taller than one
        without (the emoji font's line is), and at one line's height the box showed only the top of such
        a line, cutting the typed words in half (found by the screens probe of the tenth review)."""
        lines = _count(self.text, "displaylines")
        pixels = _count(self.text, "update", "ypixels")
        linespace = max(1, int(self.text.tk.call("font", "metrics", self.text.cget("font"), "-linespace")))
        return max(lines, -(-pixels // linespace))

    def set_emoji_font(self, font: tkfont.Font) -> None:
        self.emoji_font = font
        self.text.tag_configure("emoji", font=font)
        self._tag_emoji()
        self.text.edit_modified(True)  # the lines' heights may have changed: fit the box to them

    def _tag_emoji(self) -> None:
        """Give the emoji typed so far the emoji font (Tk counts an emoji as two characters on 8.6)."""
        if self.emoji_font is None:
            return
        text = self.text
        text.tag_remove("emoji", "1.0", "end")
        content = self.get_text()
        if content.isascii():
            return
        width = astral_width(text)
        for number, line in enumerate(content.split("\n"), start=1):
            for start, end in emoji_ranges(line):
                text.tag_add(
                    "emoji", f"{number}.{tk_offset(line, start, width)}", f"{number}.{tk_offset(line, end, width)}"
                )


def _count(text: tk.Text, *options: str) -> int:
    """Text.count from the start to the end (a tuple, a number or None depending on the options)."""
    counted = text.count("1.0", "end", *options)
    if isinstance(counted, tuple):
        return int(counted[0])
    return int(counted or 0)
