"""The read-only text pane of a conversation: styled lines, links, bounded scrollback (Tk thread).

Each line is "HH:MM:SS  nick  text" with a colour per nickname and a style
for the kind of line (own, system, private, error, pending).  Links open in
the browser.  Only the last `max_lines` lines are kept, so memory stays flat
however long the class talks.  The pane follows new lines unless the user
has scrolled up to read.
"""

from __future__ import annotations

import re
import tkinter as tk
import tkinter.font as tkfont
import webbrowser
import zlib
from tkinter import ttk

MAX_LINES = 5000
READ_ONLY_KEYS = frozenset(
    (
        "Up",
        "Down",
        "Left",
        "Right",
        "Prior",
        "Next",
        "Home",
        "End",
        "Shift_L",
        "Shift_R",
        "Control_L",
        "Control_R",
        "Escape",
    )
)
CONTROL_MASK = 0x4
LINK = re.compile(r"\b(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]}']", re.IGNORECASE)
NICK_COLOURS = (
    "#1f6feb",
    "#b35900",
    "#2e7d32",
    "#8e24aa",
    "#c62828",
    "#00838f",
    "#6d4c41",
    "#5c6bc0",
    "#ad1457",
    "#558b2f",
    "#ef6c00",
    "#0277bd",
)


def nick_colour(nick: str) -> str:
    """The same nickname always gets the same colour, in every window."""
    return NICK_COLOURS[zlib.crc32(nick.casefold().encode("utf-8")) % len(NICK_COLOURS)]


class MessageView(ttk.Frame):
    def __init__(self, master: tk.Misc, max_lines: int = MAX_LINES, font: str = "TkDefaultFont") -> None:
        super().__init__(master)
        self.max_lines = max_lines
        self.text = tk.Text(
            self,
            wrap="word",
            undo=False,
            width=60,
            height=20,
            font=font,
            padx=6,
            pady=4,
            borderwidth=0,
            highlightthickness=0,
            cursor="arrow",
            takefocus=False,
            insertwidth=0,
        )
        scrollbar = ttk.Scrollbar(self, orient="vertical", command=self.text.yview)
        self.text.configure(yscrollcommand=scrollbar.set)
        self.text.grid(row=0, column=0, sticky="nsew")
        scrollbar.grid(row=0, column=1, sticky="ns")
        self.rowconfigure(0, weight=1)
        self.columnconfigure(0, weight=1)
        self._nick_tags: set[str] = set()
        self._pending_tags: set[str] = set()
        self._scroll_scheduled = False
        self._configure_tags()
        self._make_read_only()

    def _make_read_only(self) -> None:
        """Refuse every edit by the user but keep selecting and copying.

        The widget stays in state "normal" because switching the state twice
        per line costs as much as the line itself during a flood.
        """
        text = self.text

        def refuse_edit(event: tk.Event) -> str | None:
            if event.keysym in READ_ONLY_KEYS or (
                isinstance(event.state, int) and event.state & CONTROL_MASK and event.keysym.lower() in ("c", "a")
            ):
                return None
            return "break"

        text.bind("<Key>", refuse_edit)
        for virtual in ("<<Paste>>", "<<PasteSelection>>", "<<Cut>>", "<<Clear>>", "<<Undo>>", "<<Redo>>"):
            text.bind(virtual, lambda event: "break")
        text.bind("<1>", lambda event: text.focus_set(), add="+")

    def _configure_tags(self) -> None:
        text = self.text
        base = tkfont.nametofont(str(text.cget("font")))
        self._bold = base.copy()
        self._bold.configure(weight="bold")
        self._italic = base.copy()
        self._italic.configure(slant="italic")
        text.tag_configure("time", foreground="#8a8a8a")
        text.tag_configure("nick", font=self._bold)
        text.tag_configure("own", background="#eef5ff")
        text.tag_configure("system", foreground="#6a6a6a", font=self._italic)
        text.tag_configure("private", background="#f6ecff", foreground="#5b1a8c")
        text.tag_configure("error", foreground="#b00020", background="#fff0f0")
        text.tag_configure("pending", foreground="#8a6d00", background="#fff8dc", font=self._italic)
        text.tag_configure("link", foreground="#0b57d0", underline=True)
        text.tag_bind("link", "<Enter>", lambda event: text.configure(cursor="hand2"))
        text.tag_bind("link", "<Leave>", lambda event: text.configure(cursor="arrow"))
        text.tag_bind("link", "<ButtonRelease-1>", self._on_link_click)
        text.tag_raise("link")

    # -- intent methods --
    def show_message(self, stamp: str, sender: str, text: str, style: str = "", prefix: str = "") -> None:
        """A chat line: time, coloured nickname, text (links made clickable); style is "", own or private."""
        nick_tag = self._nick_tag(sender)
        extra = (style,) if style else ()
        self._append(
            [
                (f"{stamp}  ", ("time", *extra)),
                (f"{prefix}{sender}", ("nick", nick_tag, *extra)),
                ("  ", extra),
                *self._with_links(text, extra),
            ]
        )

    def show_notice(self, text: str, style: str = "system", stamp: str = "") -> None:
        """A line that nobody said: system notices, help, errors (style system or error)."""
        parts = [(f"{stamp}  ", ("time", style))] if stamp else []
        self._append(parts + self._with_links(text, (style,)))

    def show_pending(self, text: str, token: int) -> None:
        """A line typed while offline: marked as waiting until it is sent."""
        tag = f"pending-{token}"
        self._pending_tags.add(tag)
        self._append([(f"waiting to send: {text}", ("pending", tag))])

    def resolve_pending(self, token: int) -> None:
        """The pending line was sent: remove its marker line (the server's echo replaces it)."""
        tag = f"pending-{token}"
        if tag not in self._pending_tags:
            return
        self._pending_tags.discard(tag)
        ranges = self.text.tag_ranges(tag)
        if ranges:
            self.text.delete(ranges[0], f"{ranges[-1]} +1c")
        self.text.tag_delete(tag)

    def line_count(self) -> int:
        return int(self.text.index("end-1c").split(".")[0]) - 1

    def all_text(self) -> str:
        return self.text.get("1.0", "end-1c")

    def is_following(self) -> bool:
        return self.text.yview()[1] >= 0.999

    # -- inside --
    def _append(self, parts: list[tuple[str, tuple[str, ...]]]) -> None:
        text = self.text
        # Asking where the view is costs a layout; once a scroll to the end is due, the answer is known.
        following = self._scroll_scheduled or self.is_following()
        args: list[object] = []
        for chunk, tags in parts:
            args += [chunk, tags]
        args += ["\n", ()]
        text.insert("end-1c", *args)  # type: ignore[arg-type]  # Tk takes (chars, tags) pairs
        excess = self.line_count() - self.max_lines
        if excess > 0:
            # trim in steps of 1% so a flood does not pay for a delete on every line
            text.delete("1.0", f"{excess + self.max_lines // 100 + 1}.0")
        if following and not self._scroll_scheduled:
            self._scroll_scheduled = True
            self.after_idle(self._scroll_to_end)

    def _scroll_to_end(self) -> None:
        self._scroll_scheduled = False
        self.text.see("end")

    def _with_links(self, text: str, extra: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
        parts: list[tuple[str, tuple[str, ...]]] = []
        position = 0
        for match in LINK.finditer(text):
            if match.start() > position:
                parts.append((text[position : match.start()], extra))
            parts.append((match.group(), ("link", *extra)))
            position = match.end()
        if position < len(text) or not parts:
            parts.append((text[position:], extra))
        return parts

    def _nick_tag(self, nick: str) -> str:
        tag = "nick-" + format(zlib.crc32(nick.casefold().encode("utf-8")) % len(NICK_COLOURS))
        if tag not in self._nick_tags:
            self._nick_tags.add(tag)
            self.text.tag_configure(tag, foreground=nick_colour(nick))
        return tag

    def _on_link_click(self, event: tk.Event) -> None:
        index = self.text.index(f"@{event.x},{event.y}")
        start = self.text.tag_prevrange("link", f"{index} +1c")
        if not start:
            return
        url = self.text.get(*start)
        if not url.lower().startswith(("http://", "https://")):
            url = "https://" + url
        webbrowser.open(url, new=2)
