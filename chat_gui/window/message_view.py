"""The read-only text pane of a conversation: messages, notices, links, folding, bounded scrollback (Tk thread).

A message is one block, however many lines it has:

    12:00:01  alice  first line of the message, and when it is long it
                     wraps under the text, not under the time
                     a second line of the message, indented the same way
    12:00:02  bob    hi

so a line inside a message can never pass for a message of its own or
for the server's notices (which start at the left edge, in grey italics).
A message longer than FOLD_LINES lines or FOLD_CHARS characters shows its
start and a "show more" link: three messages of 2,000 lines take a dozen
lines of scrollback, not all of it.  Only the last `max_lines` lines are
kept, so memory stays flat however long the class talks.  The pane
follows new lines unless the user has scrolled up to read; then a
"↓ 3 new messages" button says what came below (chat_gui/window/new_below.py).

Besides messages and notices (chat_gui/window/pane_blocks.py): a banner
across the pane (announcements, "you were removed"), an aligned table
(/help), join and leave notices that collapse into one quiet line and can
be hidden, and lines struck out as not delivered.  Colours and fonts come
from chat_gui/window/pane_style.py and follow the theme; emoji are drawn
in an emoji font a little larger than the text.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import time
import tkinter as tk
import webbrowser
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from tkinter import messagebox, ttk

from chat_gui.text.arabic_shaping import joined
from chat_gui.text.bidi_display import has_rtl, visual_rows
from chat_gui.text.code_spans import block_lines, inline_spans
from chat_gui.text.emoji_runs import emoji_ranges
from chat_gui.text.link_check import link_target, link_warning
from chat_gui.window.link_painter import PENDING, LinkPainter
from chat_gui.window.new_below import NewBelow
from chat_gui.window.pane_blocks import PaneBlocks
from chat_gui.window.pane_style import CODE_TAB_CHARS, PaneStyle
from chat_gui.window.reply_quote import Quote, quote_of, quote_words
from chat_gui.window.tk_text import (
    insert_parts,
    lines_on_screen,
    shown_name,
    shown_notice,
    shown_text,
    shows_rtl_itself,
    split_ranges,
)
from shared.names import name_key
from shared.palette import Palette
from shared_tk.theme import on_palette_change

MAX_LINES = 5000
CARD_SETTLE_SECONDS = 1.0  # how long a new card's growth keeps a following pane at the end
FOLD_LINES = 8  # a message with more lines than this is folded...
FOLD_CHARS = 600  # ...and so is one with more characters
SHOWN_LINES = 6  # what a folded message shows
SHOWN_CHARS = 400
RTL_ROW_SLACK = 12  # pixels a right-to-left row leaves free, for emoji drawn a little larger than text
RTL_MIN_ROW = 80
EMOJI_PROBE = "\U0001f600"
RTL_WIDE_ROW = 100_000
RTL_RELAYOUT_MS = 150
RTL_NEAR_LINES = 40  # lines above and below the screen broken again with it
RTL_ROWS = "rows-rtl"  # every row of a right-to-left line drawn in rows (_rtl_rows)
CODE_WRAP_COLUMNS = 8  # a wrapped row of code goes on this much further in than its line (two levels of indentation)
MAX_WRAP_INDENT_COLUMNS = 40
MAX_FOLDED = 600  # folded messages whose rest is kept; older ones have scrolled out of MAX_LINES anyway
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
MENTION_OR_LINK = re.compile(f"{LINK.pattern}|@[A-Za-z0-9_.-]+", re.IGNORECASE)  # kept_left_to_right
Parts = list[tuple[str, tuple[str, ...]]]
_PENDING_ONLY = frozenset((PENDING,))


def badge_of(frame: Mapping[str, object]) -> str:
    """The badge after a message's sender: "teacher" when the server marked the line (`role`), else none."""
    return "teacher" if frame.get("role") == "teacher" else ""


def fold(text: str) -> tuple[str, str]:
    """(what to show, what is behind "show more"); the second is empty when the text is short enough."""
    if text.count("\n") < FOLD_LINES and len(text) <= FOLD_CHARS:
        return text, ""
    cut = SHOWN_CHARS
    newline = -1
    for _line in range(SHOWN_LINES):
        newline = text.find("\n", newline + 1)
        if newline < 0:
            break
    if 0 <= newline < cut:
        cut = newline
    return text[:cut], text[cut:]


class MessageView(PaneBlocks, ttk.Frame):
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
        # links are styled where they are on screen (link_painter.py); none inside code, between links around it
        self._links = LinkPainter(self.text, LINK, not_in=("code", "code-inline"))

        self.new_below = NewBelow(self, self.text)  # "↓ 3 new messages" while the user reads higher up

        def view_moved(first: float, last: float) -> None:
            scrollbar.set(first, last)
            self.new_below.moved(float(last))
            self._links.schedule()
            self._keep_following_through_resize(float(last))
            if self._rtl_laid and self._relayout_due is None:
                self._width_changed()  # lines broken for another width come into view

        self.text.configure(yscrollcommand=view_moved)
        self.text.bind("<Configure>", lambda event: self._links.schedule(), add="+")
        self.text.bind("<Configure>", lambda event: self._width_changed(), add="+")
        self.text.bind("<Destroy>", lambda event: self._cancel_pending(), add="+")  # nothing for a pane that is gone
        self.text.grid(row=0, column=0, sticky="nsew")
        scrollbar.grid(row=0, column=1, sticky="ns")
        self.rowconfigure(0, weight=1)
        self.columnconfigure(0, weight=1)
        # (indent in pixels, the `tk scaling` it was measured at) of every hang/under tag made
        self._indent_tags: set[tuple[int, float]] = set()
        self._scaling = float(self.text.tk.call("tk", "scaling"))
        self._indents: dict[str, int] = {}  # "stamp|prefix|sender" -> pixels from the left edge to the text
        self._pending_tags: dict[str, str] = {}  # tag -> the text waiting to be sent
        # tag -> (rest, tags, indent, which of its lines are in a ``` block)
        self._folded: OrderedDict[str, tuple[str, tuple[str, ...], int, list[bool]]] = OrderedDict()
        self._hidden: OrderedDict[str, int] = OrderedDict()  # ignored-N (elided) -> how many messages it folds
        self._hidden_from: dict[str, set[str]] = {}  # ignored-N -> the name keys of the senders it folds
        # a classmate's name key -> from-N, the one tag over all his room messages here (they may fold: refold)
        self._from: dict[str, str] = {}
        # rtl-N -> (the line as written, its tags, its indent tag) (_rtl_rows; names and notices: no tags, "")
        self._code_tags: dict[str, tuple[int, int, float]] = {}  # codeunder-… -> (indent, columns, tk scaling)
        self._rtl_lines: OrderedDict[str, tuple[str, tuple[str, ...], str]] = OrderedDict()
        self._rtl_laid: dict[str, int] = {}  # rtl-N -> the width its rows were broken for
        self._relayout_due: str | None = None
        self._actions: dict[str, Callable[[], None]] = {}
        # An answer's quote (chat_gui/window/reply_quote.py): the id it quotes -> its quote-N tags here, and
        # what a click on one does (HistoryDisplay: go to the original, loading earlier pages if need be).
        self._quotes: dict[int, list[str]] = {}
        self.on_quote_click: Callable[[int], None] | None = None
        self._serial = itertools.count(1)
        self._scroll_scheduled = False
        self._view_size = (0, 0, 0.0)  # the text's size (and `tk scaling`) when the view last moved
        self._view_top = ""  # and the index of its top line then
        self._view_at_end = True  # whether the end was in sight then (or a scroll to it was due)
        self._insert_at = "end-1c"  # where blocks go in: the end, or a mark while a page of older ones goes in
        self.style = PaneStyle(self.text)
        self._configure_tags()
        self._make_read_only()
        self._init_blocks()
        on_palette_change(self, self.set_palette)

    def _cancel_pending(self) -> None:
        self._links.cancel()
        if self._relayout_due is not None:
            self.text.after_cancel(self._relayout_due)
            self._relayout_due = None

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
        text.bind("<<Copy>>", lambda event: self._copy())

    def _configure_tags(self) -> None:
        text = self.text
        self.style.apply(text, self.style.palette)
        self._font, self._bold = self.style.body, self.style.bold
        for clickable in ("link", "more", "action", "hidden"):
            text.tag_bind(clickable, "<Enter>", lambda event: text.configure(cursor="hand2"))
            text.tag_bind(clickable, "<Leave>", lambda event: text.configure(cursor="arrow"))
        text.tag_bind("link", "<ButtonRelease-1>", self._on_link_click)
        text.tag_bind("more", "<ButtonRelease-1>", self._on_more_click)
        text.tag_bind("hidden", "<ButtonRelease-1>", self._on_hidden_click)
        text.tag_bind("action", "<ButtonRelease-1>", self._on_action_click)
        text.tag_bind("quote", "<ButtonRelease-1>", self._on_quote_click)
        text.tag_bind("quote", "<Enter>", lambda event: text.configure(cursor="hand2"))
        text.tag_bind("quote", "<Leave>", lambda event: text.configure(cursor="arrow"))

    def set_palette(self, palette: Palette) -> None:
        """Colour the pane for a theme (light, dark): every tag, the nicknames shown so far too."""
        self.style.apply(self.text, palette)
        self._rescale_indents()

    def _rescale_indents(self) -> None:
        """After the text size changed (View > Text size): the lines already shown keep their wrapped lines
        under their text.  The fonts grew with `tk scaling`, so each indent grows by as much (the indents
        stayed as measured, and after Ctrl++ a wrapped line started under the sender's name)."""
        now = float(self.text.tk.call("tk", "scaling"))
        if now == self._scaling:
            return
        self._scaling = now
        self._indents.clear()
        for tag, (indent, columns, made_at) in self._code_tags.items():
            shown = round(indent * now / made_at)
            self.text.tag_configure(tag, lmargin1=shown, lmargin2=shown + self._code_wrap(columns))
        self._rtl_laid = dict.fromkeys(self._rtl_laid, 0)  # broken again for the new size
        self._width_changed()
        for indent, made_at in self._indent_tags:
            shown = round(indent * now / made_at)
            hang, under = _indent_tag_names(indent, made_at)
            self.text.tag_configure(hang, lmargin2=shown)
            self.text.tag_configure(under, lmargin1=shown, lmargin2=shown)
            self.text.tag_configure(_code_tabs_name(indent, made_at), tabs=self._code_tabs(shown))

    # -- intent methods --
    def show_message(
        self,
        stamp: str,
        sender: str,
        text: str,
        style: str = "",
        prefix: str = "",
        badge: str = "",
        hidden: bool = False,
        reply: object = None,
    ) -> None:
        """A message: time, coloured nickname, text (links clickable, lines indented under it, long ones folded).

        `reply`: the frame's `reply` field (an answer, REPLY): the quote goes on a row of its own above the
        time, indented under the text so it passes for no message or notice, and a click goes to the original.

        `style` is "", "own" or "private", and may add more tags after a space
        ("replayed" for a line from history, shown muted). `badge` ("teacher")
        follows the nickname in a style of its own, from the frame's `role`,
        which no nickname can copy.  `hidden`: from someone this user
        ignores, folded under "1 message from someone you ignore — show".
        """
        extra = tuple(style.split())
        shown_badge = f" {badge}" if badge else ""
        indent = self._indent_for(stamp, prefix, sender + shown_badge)
        hang, _under = self._indent_tags_for(indent)
        shown, rest = fold(text)
        blocks = block_lines(text)
        nick_tag = self.style.nick_tag(self.text, sender, own="own" in extra)
        parts: Parts = [
            (f"{stamp}  ", ("time", hang, *extra)),
            (f"{prefix}{shown_name(self.text, sender)}", ("nick", nick_tag, hang, *extra, *self._written(sender))),
        ]
        if badge:
            parts.append((shown_badge, ("badge", hang, *extra)))
        parts.append(("  ", (hang, *extra)))
        quote = quote_of(reply)
        if quote is not None:
            parts[:0] = [self._quote_part(quote, extra, indent)]
        parts += self._body(shown, extra, indent, blocks)
        if rest:
            parts.append(self._more_link(rest, extra, indent, blocks[shown.count("\n") :]))
        if "own" not in extra and "private" not in extra and badge != "teacher":  # may fold later (refold)
            mark = self._from.get(name_key(sender)) or self._from.setdefault(
                name_key(sender), f"from-{next(self._serial)}"
            )
            parts = [(piece, (*tags, mark)) for piece, tags in parts]
            line_tags: tuple[str, ...] = (mark,)
        else:
            line_tags = ()
        if blocks[-1] and not rest:
            line_tags = (*line_tags, "code")  # the block's last line is shaded to the pane's edge too
        if hidden:
            self._append_hidden(parts, line_tags, name_key(sender))
            return
        news = "own" not in extra and "replayed" not in extra and self._insert_at == "end-1c"
        if news:
            self.new_below.before()
        if not self._append(parts, line_tags) and news:
            self.new_below.arrived()  # it went in below what the user is reading

    # -- messages from someone this user ignores: folded under one line, shown on a click (or show_hidden) --
    def _append_hidden(self, parts: Parts, line_tags: tuple[str, ...] = (), sender_key: str = "") -> None:
        """The message goes in whole but elided; one line above it (and above any hidden ones just before it)
        says how many there are and shows them when clicked."""
        group = self._hidden_group_at_end()
        if group is None:
            group = f"ignored-{next(self._serial)}"
            self.text.tag_configure(group, elide=True)
            self._hidden[group] = 0
            self._hidden_from[group] = set()
            self._append([(hidden_label(1), ("hidden", "notice", f"{group}-label"))], (f"{group}-label",))
        self._append([(piece, (*tags, group)) for piece, tags in parts], (*line_tags, group))
        self._hidden[group] += 1
        self._hidden_from[group].add(sender_key)
        if self._hidden[group] > 1:
            self._relabel(group)
        while len(self._hidden) > MAX_FOLDED:
            self.text.tag_delete(self._hidden.popitem(last=False)[0])

    def _hidden_group_at_end(self) -> str | None:
        """The hidden group that the last line added belongs to, if a new hidden message may join it."""
        if self._insert_at != "end-1c" or not self._hidden:
            return None
        group = next(reversed(self._hidden))
        ranges = self.text.tag_ranges(group)
        if not ranges or self.text.compare(ranges[-1], "!=", "end-1c"):
            return None
        return group

    def _relabel(self, group: str) -> None:
        label = f"{group}-label"
        ranges = self.text.tag_ranges(label)
        if not ranges:
            return
        start = ranges[0]
        self.text.delete(start, f"{start} lineend")
        self.text.insert(start, hidden_label(self._hidden[group]), ("hidden", "notice", label))

    def _on_hidden_click(self, event: tk.Event) -> None:
        index = self.text.index(f"@{event.x},{event.y}")
        label = next((name for name in self.text.tag_names(index) if name.endswith("-label")), None)
        if label is not None:
            self._reveal(label.removesuffix("-label"))

    def _reveal(self, group: str) -> None:
        ranges = self.text.tag_ranges(f"{group}-label")
        if ranges:
            self.text.delete(ranges[0], ranges[-1])
        self.text.tag_delete(f"{group}-label")
        self.text.tag_delete(group)  # no longer elided: the messages read as any other
        self._hidden.pop(group, None)
        self._hidden_from.pop(group, None)

    def refold(self, ignored: frozenset[str], newly: frozenset[str]) -> None:
        """The ignore list changed (`ignored`: name keys; `newly`: those just added): fold the lines already shown
        from the newly ignored, and show again the folded ones of people no longer ignored, keeping the line
        being read where it is.  Lines she opened with a click stay open unless he is ignored anew."""
        text = self.text
        following = self.is_following()
        text.mark_set("refold-reading", text.index("@0,0"))
        text.mark_gravity("refold-reading", "left")
        for group, senders in list(self._hidden_from.items()):
            if not senders & ignored:
                self._reveal(group)
        for key in newly:
            ranges = text.tag_ranges(self._from[key]) if key in self._from else ()
            for start, end in reversed(list(zip(ranges[0::2], ranges[1::2], strict=True))):  # a run of his each
                if any(name in self._hidden for name in text.tag_names(start)):
                    continue  # folded already, as it came
                count, at = 0, str(start)
                while found := text.tag_nextrange("nick", at, end):
                    count, at = count + 1, found[1]
                group = f"ignored-{next(self._serial)}"
                text.tag_configure(group, elide=True)
                self._hidden[group], self._hidden_from[group] = max(count, 1), {key}
                for mark, place in (("refold-start", start), ("refold-end", end)):
                    text.mark_set(mark, place)
                    text.mark_gravity(mark, "right")  # after the label put in at the start
                label = f"{group}-label"
                text.insert(start, "\n", (label,))
                text.insert(start, hidden_label(self._hidden[group]), ("hidden", "notice", label))
                text.tag_add(group, "refold-start", "refold-end")
        text.mark_unset("refold-start", "refold-end")
        if following:
            text.see("end")
        else:
            text.yview("refold-reading")
        text.mark_unset("refold-reading")

    def show_hidden(self) -> int:
        """Show every folded message in this pane (the keyboard's way: View > Show hidden messages); how many."""
        count = sum(self._hidden.values())
        for group in list(self._hidden):
            self._reveal(group)
        return count

    def hidden_count(self) -> int:
        """Messages folded in this pane now (tests, the View menu)."""
        return sum(count for group, count in self._hidden.items() if self.text.tag_ranges(group))

    def show_notice(
        self,
        text: str,
        style: str = "system",
        stamp: str = "",
        quoted: str = "",
        action: tuple[str, Callable[[], None]] | None = None,
    ) -> None:
        """A line that nobody said: system notices, help, errors (style system or error).

        `quoted` is a user's own words that belong to the notice (a leave
        reason): shown after it in quotes, in the style of user text, on the
        same line.  `action` is a (label, callback) link at the end.
        """
        parts: Parts = [(f"{stamp}  ", ("time", style, "notice"))] if stamp else []
        shown = shown_notice(self.text, text)
        parts += self._with_links(shown, (style, "notice", *self._written(text if shown != text else "")))
        if quoted:
            one_line = " ".join(quoted.split())
            shown_quote = shown_text(self.text, one_line)  # a Hebrew topic reads right to left
            written = self._written(one_line if shown_quote != one_line else "")
            parts += [
                (" “", (style, "notice")),
                (shown_quote, ("quoted", "notice", *written)),
                ("”", (style, "notice")),
            ]
        if action is not None:
            parts += [("  ", (style, "notice")), self._action_part(action, ("notice",))]
        self._append(parts)

    def show_widget(self, widget: tk.Widget, hidden: bool = False, sender: str = "") -> None:
        """An embedded widget (a file card; a child of `self.text`) on a line of its own; it goes when trimmed off.

        `hidden`: the card of a file shared by someone this user ignores, folded with the "shared ..." line that
        show_message(hidden=True) has just put in (a picture he posts must not show itself).  `sender`: a
        classmate's room file, whose card folds with his lines if she ignores him later (refold)."""
        group = next(reversed(self._hidden), None) if hidden else None
        mark = self._from.get(name_key(sender)) if sender else None
        at = self.text.index(self._insert_at)
        if self._insert_at != "end-1c":  # a kept file's card in a page put above (history_pane.py)
            self.text.window_create(self._insert_at, window=widget, padx=4, pady=2)
            self._insert_elsewhere([], ())
            self._tag_card_line(at, group, mark)
            return
        if group is not None:
            self.text.window_create("end-1c", window=widget, padx=4, pady=2)
            self._append([], (group,))
            self._tag_card_line(at, group, mark)
            return
        following = self._scroll_scheduled or self.is_following()
        self.text.window_create("end-1c", window=widget, padx=4, pady=2)
        self._append([])
        self._tag_card_line(at, None, mark)
        if following and not self._scroll_scheduled:
            self._scroll_scheduled = True
            self.after_idle(self._scroll_to_end)
        if following:
            # The card's height is known only once Tk has laid it out (it grows in steps, after the scroll
            # above): scrolling stops short of the end and every later line looks like "the user scrolled
            # up to read" (found by a lesson probe: the pane stopped at a file card). Follow its growth
            # for a moment.
            until = time.monotonic() + CARD_SETTLE_SECONDS
            widget.bind("<Configure>", lambda _event: self._see_end_before(until), add="+")

    def _tag_card_line(self, at: str, group: str | None, mark: str | None) -> None:
        """The card at `at` and its line's end join its "shared ..." line's fold group and sender mark."""
        for tag in (group, mark):
            if tag is not None:
                self.text.tag_add(tag, at, f"{at} +2c")

    def _keep_following_through_resize(self, last: float) -> None:
        """A pane at the end stays there when it changes size (the entry box grew with a long paste, the window
        was made smaller): Tk keeps the top line, so the end fell out of sight and every later line looked
        like "the user scrolled up to read" (found by the keyboard probe of the ninth review)."""
        # the text size (View > Text size, `tk scaling`) counts as a size: after Ctrl++ the lines grew, the top
        # line stayed and the newest lines fell below the pane, where later messages went on unseen
        size = (self.text.winfo_width(), self.text.winfo_height(), float(self.text.tk.call("tk", "scaling")))
        top = self.text.index("@0,0 linestart")  # a narrower pane rewraps: the top display line may move
        resized_only = size != self._view_size and top == self._view_top  # a jump moves the top line too
        self._view_size, self._view_top = size, top
        if resized_only and self._view_at_end and last < 0.999:
            if not self._scroll_scheduled:
                self._scroll_scheduled = True
                self.after_idle(self._scroll_to_end)
            return
        self._view_at_end = self._scroll_scheduled or last >= 0.999

    def _see_end_before(self, until: float) -> None:
        """A card put in while following grew: see the end, while the card is new."""
        if time.monotonic() < until and self.text.winfo_exists():
            self.text.see("end")

    def show_pending(self, text: str, token: int) -> None:
        """A line typed while offline: marked as waiting until it is sent."""
        tag = f"pending-{token}"
        self._pending_tags[tag] = text
        shown, rest = fold(text)
        self._append([(f"waiting to send: {shown}{' …' if rest else ''}", ("pending", tag, "notice"))])

    def resolve_pending(self, token: int) -> None:
        """The pending line was sent: remove its marker line (the server's echo replaces it)."""
        tag = f"pending-{token}"
        if self._pending_tags.pop(tag, None) is None:
            return
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

    @contextlib.contextmanager
    def inserting_at(self, mark: str) -> Iterator[None]:
        """Blocks shown inside go in at `mark` (a right-gravity mark: they stay in order), not at the end.

        For older messages put above the conversation (chat_gui.window.history_pane):
        nothing is trimmed and the view does not jump to the end.
        """
        outer, self._insert_at = self._insert_at, mark
        try:
            yield
        finally:
            self._insert_at = outer

    # -- inside --
    def _append(self, parts: Parts, line_tags: tuple[str, ...] = (), presence: bool = False) -> bool:
        """Add one line (it may hold newlines); `line_tags` also cover its end, so a background spans the pane.
        True when the pane follows the end (the line is in sight, or will be once the scroll to it is done)."""
        text = self.text
        if self._insert_at != "end-1c":
            self._insert_elsewhere(parts, line_tags)
            return True
        if not presence:
            self._presence = None  # join/leave notices after this line start a line of their own
        # Asking where the view is costs a layout; once a scroll to the end is due, the answer is known.
        following = self._scroll_scheduled or self.is_following()
        self._insert_parts("end-1c", [*parts, ("\n", line_tags)])
        excess = self.line_count() - self.max_lines
        if excess > 0:
            # trim in steps of 1% so a flood does not pay for a delete on every line
            text.delete("1.0", f"{excess + self.max_lines // 100 + 1}.0")
            self._forget_scrolled_out()
        if following and not self._scroll_scheduled:
            self._scroll_scheduled = True
            self.after_idle(self._scroll_to_end)
        return following

    def _insert_elsewhere(self, parts: Parts, line_tags: tuple[str, ...]) -> None:
        self._insert_parts(self._insert_at, [*parts, ("\n", line_tags)])

    def _insert_parts(self, index: str, parts: Parts) -> None:
        """Insert styled pieces; their links are painted once they are on screen (see link_painter.py)."""
        insert_parts(self.text, index, parts, spanned=_PENDING_ONLY)
        self._links.schedule()

    def paint_links(self) -> None:
        """Style the links on screen now, without waiting for the painter's turn (tests, a jump to a message)."""
        self._links.paint()

    def _scroll_to_end(self) -> None:
        self._scroll_scheduled = False
        self.text.see("end")

    def _body(self, text: str, extra: tuple[str, ...], indent: int, blocks: list[bool] | None = None) -> Parts:
        """A message's text: the first line hangs (wraps under the text), later lines are indented under it.

        `blocks` says which lines are in a ``` block (chat_gui/text/code_spans.py): drawn in a monospace
        font on a shaded background, tabs and spaces as written, no links or emoji font; a row that wraps
        goes on two levels further in than its own line, so it cannot pass for the next line of the code.  `inline code`
        elsewhere is monospace too.  The text itself is what was sent: copying gives it back.
        """
        hang, under = self._indent_tags_for(indent)
        code_tabs = _code_tabs_name(indent, self._scaling)
        parts: Parts = []
        lines = text.split("\n")
        blocks = blocks if blocks is not None and len(blocks) == len(lines) else block_lines(text)
        for number, line in enumerate(lines):
            if number:
                after_code = ("code",) if blocks[number - 1] else ()
                parts.append(("\n", (*extra, hang if number == 1 else under, *after_code)))
            if blocks[number]:
                margins = hang if number == 0 else self._code_margins(indent, line)
                parts.append((line, (*extra, margins, "code", code_tabs)))
            elif "`" in line:
                parts += self._with_inline_code(line, (*extra, hang if number == 0 else under))
            elif has_rtl(line) and shows_rtl_itself(self.text) is False:
                parts += self._rtl_rows(line, (*extra, hang if number == 0 else under), under, indent)
            else:
                parts += self._with_links(line, (*extra, hang if number == 0 else under))
        return parts

    def _with_inline_code(self, line: str, tags: tuple[str, ...]) -> Parts:
        """A line with `inline code`: the spans monospace and left as they are, the rest with links and emoji."""
        parts: Parts = []
        position = 0
        for start, end in inline_spans(line):
            if start > position:
                parts += self._with_links(line[position:start], tags)
            parts.append((line[start:end], (*tags, "code-inline")))
            position = end
        if position < len(line) or not parts:
            parts += self._with_links(line[position:], tags)
        return parts

    def _code_tabs(self, indent: int) -> tuple[int, int]:
        """Tab stops for code whose lines start `indent` pixels in: Tk counts stops from the pane's edge, so
        they are moved by the indent (else a tab after the sender's name went a few pixels, or none)."""
        tab = int(self.style.mono.measure(" " * CODE_TAB_CHARS))
        return indent + tab, indent + 2 * tab

    def _code_margins(self, indent: int, line: str) -> str:
        """The margins of a line of code after a message's first line: it starts at `indent`, and a row that
        wraps goes on CODE_WRAP_COLUMNS further in than the line's own indentation (never under a shallower
        line, where it read as a dedent)."""
        written = line[: len(line) - len(line.lstrip(" \t"))].expandtabs(CODE_TAB_CHARS)
        columns = min(len(written), MAX_WRAP_INDENT_COLUMNS)
        tag = f"codeunder-{indent}-{columns}-{self._scaling:.4f}"
        if tag not in self._code_tags:
            self._code_tags[tag] = (indent, columns, self._scaling)
            self.text.tag_configure(tag, lmargin1=indent, lmargin2=indent + self._code_wrap(columns))
            self.text.tag_raise(tag)  # above the message's `under` margins
        return tag

    def _code_wrap(self, columns: int) -> int:
        """How far in from the code's left edge a wrapped row of a line indented `columns` goes on (pixels)."""
        return int(self.style.mono.measure(" " * (columns + CODE_WRAP_COLUMNS)))

    def _written(self, written: str) -> tuple[str, ...]:
        """A tag for a name or notice drawn reordered (shown_name, shown_notice) that copies as `written`."""
        if not written or not has_rtl(written) or shows_rtl_itself(self.text):
            return ()
        tag = f"rtl-{next(self._serial)}"
        self._rtl_lines[tag] = (written, (), "")
        return (tag,)

    def _rtl_rows(self, line: str, tags: tuple[str, ...], under: str, indent: int) -> Parts:
        """A line with Hebrew or Arabic, on X11 (Tk draws it in stored order): broken into rows that fit the
        pane, each in display order, Arabic letters joined (chat_gui/text/bidi_display.py).  The rows are
        lines of the pane; the tag `rtl-N` covers them and remembers the line as written, for copying and
        for breaking it again when the pane's width changes (_relayout_rtl)."""
        tag = f"rtl-{next(self._serial)}"
        self._rtl_lines[tag] = (line, tags, under)
        return self._rtl_parts(tag, line, tags, under)

    def _rtl_parts(self, tag: str, line: str, tags: tuple[str, ...], under: str) -> Parts:
        indent = int(self.text.tag_cget(under, "lmargin1") or 0)  # as rescaled with the text size
        width = self.text.winfo_width()
        self._rtl_laid[tag] = width
        room = width - 2 * int(self.text.cget("padx")) - indent - RTL_ROW_SLACK
        if room < RTL_MIN_ROW:
            room = RTL_WIDE_ROW  # not drawn yet (or too narrow to be read): Tk's own wrapping decides
        font = self._font
        # emoji are drawn in the emoji font, a little larger (_with_emoji): a row that fits by the text font
        # alone was wrapped again by Tk, its end on a line of its own
        wider = max(0, self.style.emoji.measure(EMOJI_PROBE) - font.measure(EMOJI_PROBE))

        def fits(row: str) -> bool:
            extra = sum(end - start for start, end in emoji_ranges(row)) * wider if wider and not row.isascii() else 0
            return font.measure(row) + extra <= room

        shaped = joined(line)  # one character for one: the offsets of links stay
        links = [match.group() for match in LINK.finditer(shaped)]
        rows = visual_rows(shaped, fits, kept_left_to_right(shaped))
        parts: Parts = []
        for number, row in enumerate(rows):
            row_tags = (RTL_ROWS, tag, *tags) if number == 0 else (RTL_ROWS, tag, *tags[:-1], under)
            if number:
                parts.append(("\n", row_tags))
            parts += _with_written_links(row, links, row_tags)
        return parts

    def _width_changed(self) -> None:
        """The pane is wider or narrower (or the text size changed): the right-to-left lines on screen are
        broken into rows again, once the size settles; the others when they are scrolled into view."""
        if not self._rtl_laid or self.text.winfo_width() <= 1:
            return
        if self._relayout_due is not None:  # a window being dragged wider: once, when it stops
            self.text.after_cancel(self._relayout_due)
        self._relayout_due = self.text.after(RTL_RELAYOUT_MS, self._relayout_rtl)

    def _relayout_rtl(self) -> None:
        """Break again the right-to-left lines near the screen that were broken for another width.

        Only those: 3,000 Hebrew messages laid out again took 24 s (measured), a screenful takes
        milliseconds."""
        self._relayout_due = None
        text = self.text
        width = text.winfo_width()
        shown = lines_on_screen(text)
        if shown is None:  # the pane is going away
            return
        first, last = shown
        index, stop = f"{max(1, first - RTL_NEAR_LINES)}.0", f"{last + RTL_NEAR_LINES}.0"
        stale: list[str] = []
        while True:
            found = text.tag_nextrange(RTL_ROWS, index, stop)
            if not found:
                break
            tag = next((name for name in text.tag_names(found[0]) if name.startswith("rtl-")), None)
            if tag is not None and self._rtl_laid.get(tag) != width and tag in self._rtl_lines:
                stale.append(tag)
            index = str(found[1])
        if not stale:
            return
        following = self.is_following()
        text.mark_set("rtl-top", "@0,0")
        text.mark_gravity("rtl-top", "left")
        for tag in stale:
            line, tags, under = self._rtl_lines[tag]
            ranges = text.tag_ranges(tag)
            text.mark_set("rtl-at", ranges[0])
            text.mark_gravity("rtl-at", "left")
            text.delete(ranges[0], ranges[-1])
            insert_parts(text, "rtl-at", self._rtl_parts(tag, line, tags, under))
        text.mark_unset("rtl-at")
        if following:
            text.see("end")
        else:
            text.yview("rtl-top")
        text.mark_unset("rtl-top")
        self._links.schedule()

    def _copy(self) -> str:
        """Ctrl+C and the menu's Copy in the pane: the selection as it was written.  A right-to-left line is
        stored in display order (see _rtl_rows); any such line the selection touches is copied whole, as its
        sender wrote it."""
        text = self.text
        if not text.tag_ranges("sel"):
            return "break"
        first, last = text.index("sel.first"), text.index("sel.last")
        touched = []
        for tag, (line, _tags, _under) in self._rtl_lines.items():
            ranges = text.tag_ranges(tag)
            if ranges and text.compare(ranges[0], "<", last) and text.compare(ranges[-1], ">", first):
                touched.append((str(ranges[0]), str(ranges[-1]), line))
        pieces = []
        position = first
        for start, end, line in sorted(touched, key=lambda item: tuple(map(int, item[0].split(".")))):
            if text.compare(start, ">", position):
                pieces.append(text.get(position, start))
            pieces.append(line)
            position = end if text.compare(end, ">", position) else position
        if text.compare(position, "<", last):
            pieces.append(text.get(position, last))
        text.clipboard_clear()
        text.clipboard_append("".join(pieces))
        return "break"

    def _indent_for(self, stamp: str, prefix: str, sender: str) -> int:
        key = f"{stamp}|{prefix}|{sender}"
        indent = self._indents.get(key)
        if indent is None:
            if len(self._indents) > 1000:
                self._indents.clear()
            # margins count from inside the widget's padding
            indent = (
                self._font.measure(f"{stamp}  ") + self._bold.measure(f"{prefix}{sender}") + self._font.measure("  ")
            )
            self._indents[key] = indent
        return indent

    def _indent_tags_for(self, indent: int) -> tuple[str, str]:
        """Tags for the first line of a message (wraps hang at `indent`) and for its later lines (indented)."""
        hang, under = _indent_tag_names(indent, self._scaling)
        if (indent, self._scaling) not in self._indent_tags:
            self._indent_tags.add((indent, self._scaling))
            self.text.tag_configure(hang, lmargin1=0, lmargin2=indent)
            self.text.tag_configure(under, lmargin1=indent, lmargin2=indent)
            # "wordprocessor": a tab goes to the next stop right of it ("tabular" gives the nth tab the nth stop,
            # and a tab after four spaces moved one space)
            code_tabs = _code_tabs_name(indent, self._scaling)
            self.text.tag_configure(code_tabs, tabs=self._code_tabs(indent), tabstyle="wordprocessor")
        return hang, under

    def _more_link(
        self, rest: str, extra: tuple[str, ...], indent: int, blocks: list[bool]
    ) -> tuple[str, tuple[str, ...]]:
        tag = f"fold-{next(self._serial)}"
        self._folded[tag] = (rest, extra, indent, blocks)
        while len(self._folded) > MAX_FOLDED:
            self.text.tag_delete(self._folded.popitem(last=False)[0])
        lines = rest.count("\n")
        more = f"{lines} more line{'s' if lines != 1 else ''}" if lines else f"{len(rest)} more characters"
        _hang, under = self._indent_tags_for(indent)
        return (f" … show more ({more})", ("more", tag, under, *extra))

    def _quote_part(self, quote: Quote, extra: tuple[str, ...], indent: int) -> tuple[str, tuple[str, ...]]:
        """The quote row of an answer: muted, clickable, never parsed for links, mentions or code."""
        tag = f"quote-{next(self._serial)}"
        self._quotes.setdefault(quote.id, []).append(tag)
        _hang, under = self._indent_tags_for(indent)
        return (f"{quote_words(quote, lambda line: shown_text(self.text, line))}\n", ("quote", tag, under, *extra))

    def _on_quote_click(self, event: tk.Event) -> None:
        index = self.text.index(f"@{event.x},{event.y}")
        for name in self.text.tag_names(index):
            if name.startswith("quote-"):
                number = next((key for key, tags in self._quotes.items() if name in tags), None)
                if number is not None and self.on_quote_click is not None:
                    self.on_quote_click(number)
                return

    def quote_deleted(self, number: int) -> None:
        """Message `number` was deleted: the answers quoting it here lose its words ("message deleted")."""
        for tag in self._quotes.pop(number, []):
            ranges = self.text.tag_ranges(tag)
            if not ranges:
                continue
            start, end = ranges[0], ranges[1]
            tags = tuple(name for name in self.text.tag_names(start) if name != tag)
            old = self.text.get(start, end)
            sender = old.split(":", 1)[0] if ":" in old else "↪"
            self.text.delete(start, end)
            self.text.insert(start, f"{sender}: message deleted\n", tags)

    def _on_more_click(self, event: tk.Event) -> None:
        index = self.text.index(f"@{event.x},{event.y}")
        tag = next((name for name in self.text.tag_names(index) if name.startswith("fold-")), None)
        if tag is None or tag not in self._folded:
            return
        rest, extra, indent, blocks = self._folded.pop(tag)
        start, end = self.text.tag_ranges(tag)[:2]
        self.text.delete(start, end)
        self.text.mark_set("foldend", start)
        self.text.mark_gravity("foldend", "right")
        self._insert_parts(str(start), self._body(rest, extra, indent, blocks))
        if blocks and blocks[-1]:  # the message's own line end, now after the block's last line: shaded too
            self.text.tag_add("code", "foldend", "foldend +1c")
        self.text.mark_unset("foldend")
        self.text.tag_delete(tag)

    def _forget_scrolled_out(self) -> None:
        """Drop what belonged to lines trimmed off the top: oldest first, up to the first one still shown."""
        while self._folded:
            oldest = next(iter(self._folded))
            if self.text.tag_ranges(oldest):
                break
            del self._folded[oldest]
            self.text.tag_delete(oldest)  # Tk keeps every tag name it was given until it is deleted
        while self._hidden:
            oldest = next(iter(self._hidden))
            if self.text.tag_ranges(oldest):
                break
            del self._hidden[oldest]
            self._hidden_from.pop(oldest, None)
            self.text.tag_delete(oldest)
            self.text.tag_delete(f"{oldest}-label")
        for key, tag in [(key, tag) for key, tag in self._from.items() if not self.text.tag_ranges(tag)]:
            del self._from[key]
            self.text.tag_delete(tag)
        while self._rtl_lines:
            oldest = next(iter(self._rtl_lines))
            if self.text.tag_ranges(oldest):
                break
            del self._rtl_lines[oldest]
            self._rtl_laid.pop(oldest, None)
            self.text.tag_delete(oldest)
        for tag in [tag for tag in self._actions if not self.text.tag_ranges(tag)]:
            del self._actions[tag]
            self.text.tag_delete(tag)
        for number, tags in list(self._quotes.items()):
            kept = [tag for tag in tags if self.text.tag_ranges(tag)]
            for tag in set(tags) - set(kept):
                self.text.tag_delete(tag)
            if kept:
                self._quotes[number] = kept
            else:
                del self._quotes[number]

    def _with_links(self, text: str, extra: tuple[str, ...]) -> Parts:
        """Text cut into pieces: links tagged to be clicked, emoji to be drawn in the emoji font."""
        parts: Parts = []
        position = 0
        for match in LINK.finditer(text):
            if match.start() > position:
                parts += _with_emoji(text[position : match.start()], extra)
            parts.append((match.group(), (PENDING, *extra)))
            position = match.end()
        if position < len(text) or not parts:
            parts += _with_emoji(text[position:], extra)
        return parts

    def _on_link_click(self, event: tk.Event) -> None:
        index = self.text.index(f"@{event.x},{event.y}")
        start = self.text.tag_prevrange("link", f"{index} +1c")
        if not start:
            return
        url = link_target(self.text.get(*start))
        warning = link_warning(url)  # a look-alike host, a user name before "@", a backslash
        if warning is not None and not self.confirm_link(warning):
            return
        webbrowser.open(url, new=2)

    def confirm_link(self, warning: str) -> bool:
        """Ask before opening a link whose text hides where it goes (tests replace this)."""
        question = f"{warning}\n\nOpen it anyway?"
        return bool(messagebox.askyesno("Check this link", question, parent=self, icon="warning", default="no"))

    def _on_action_click(self, event: tk.Event) -> None:
        index = self.text.index(f"@{event.x},{event.y}")
        for name in self.text.tag_names(index):
            callback = self._actions.get(name)
            if callback is not None:
                callback()
                return


def hidden_label(count: int) -> str:
    if count == 1:
        return "1 message from someone you ignore — show"
    return f"{count} messages from someone you ignore — show"


def _with_emoji(text: str, extra: tuple[str, ...]) -> Parts:
    ranges = emoji_ranges(text)
    if not ranges:
        return [(text, extra)]
    return [(piece, ("emoji", *extra) if is_emoji else extra) for piece, is_emoji in split_ranges(text, ranges)]


def _with_written_links(row: str, links: list[str], tags: tuple[str, ...]) -> Parts:
    """A right-to-left row: the links its sender wrote are links (they are drawn left to right, whole,
    see kept_left_to_right); nothing the reordering put side by side becomes one."""
    ranges: list[tuple[int, int]] = []
    for link in links:
        found = row.find(link)
        if found >= 0 and all(found >= end or found + len(link) <= start for start, end in ranges):
            ranges.append((found, found + len(link)))
    parts: Parts = []
    for piece, is_link in split_ranges(row, sorted(ranges)):
        parts += [(piece, ("link", *tags))] if is_link else _with_emoji(piece, tags)
    return parts


def kept_left_to_right(text: str) -> list[tuple[int, int]]:
    """Links, and @mentions of left-to-right names: drawn left to right as one word, as they are opened and typed
    (the bidirectional algorithm alone turns "@dana" into "dana@" and can split a link around its digits).  A link
    with Hebrew or Arabic in it too: what is shown is then what opens."""
    return [
        match.span()
        for match in MENTION_OR_LINK.finditer(text)
        if not match.group().startswith("@") or not has_rtl(match.group())
    ]


def _code_tabs_name(indent: int, scaling: float) -> str:
    """The tab stops of a ``` block's lines, counted from where they start."""
    return f"codetabs-{indent}-{scaling:.4f}"


def _indent_tag_names(indent: int, scaling: float) -> tuple[str, str]:
    """The hang and under tags of an indent measured at a `tk scaling` (each text size has its own)."""
    made = f"{indent}-{scaling:.4f}"
    return f"hang-{made}", f"under-{made}"
