"""Message ids in one conversation pane: kept messages shown muted, pages put above, the "new since" line, deletions (Tk thread).

A HistoryPane sits beside one MessageView and knows where each message
with an id is (two Tk marks, `msg-<id>` where its block starts and
`msg-<id>-end` where it ends), so that it can:

    remember(frame, start)    the block from `start` to the end shows `frame` (live, catch-up): tag it with its id
    show_kept(frame)          show a kept message (replay), muted (the pane's "replayed" style); a file as its card
    prepend(frames)           put a page of older messages above everything, the reader's view staying put
    new_since_line()          the "new since you were here" line under a replay
    mark_joined(content)      the "You joined" notice just shown: the replay that follows goes above it
    mark_here()               a replay asked for now (a private tab opened) goes above what arrives meanwhile
    remove(id)                replace a deleted message by a grey "message deleted"
    clear(key, room)          a cleared history: the conversation's messages go, one grey line says so
    see(id)                   scroll to a message and flash it
    span(id)                  (start, end) of a message's block, or None when it is not shown
    oldest(key)               the lowest id shown of one conversation, for HISTORY BEFORE
    id_at(x, y)               the message under the mouse (right-click): read from the marks, never guessed from the text
    said(id)                  (sender, first words) of a message shown, for the question before deleting it

The first line of a pane that can load more is a header: a link that
loads earlier messages, "Loading…", or the start of what is kept.
Blocks trimmed off the top by the pane's bounded scrollback lose their
ids here too (checked every PRUNE_EVERY shows), so the index stays as
small as the pane.

Marks, not a tag per message: Tk lays out and draws every line looking
through the tags of the text, so 5,000 `msg-<id>` tags in a full pane
made each new line cost three times as much (1.5 ms instead of 0.45 in
a bare pane; found by a probe of a whole lesson), while marks cost
nothing to draw. A block's start mark has right gravity and its end mark
left gravity, so text put in just before it (a page above) or just after
it (the next line) stays outside; a block trimmed or deleted leaves its
two marks together (start not before end), which counts as not shown.
"""

from __future__ import annotations

import itertools
import tkinter as tk
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from chat_gui.core.conversations import conversation_of
from chat_gui.text.history_lines import day_words
from chat_gui.window.message_view import MessageView, badge_of
from shared.names import name_key

PRUNE_EVERY = 200
FLASH_MS = 1800
HEADER_TAG = "history-head"
NEW_LINE_TAG = "history-new"
DAY_TAG = "history-day"
TODAY = "Today"
CLEARED_MARK = "history-cleared"
START = "msg-"  # START + id: where a message's block starts; + END after it: where it ends
END = "-end"
JOINED_MARK = "history-joined"
REPLAY_MARK = "history-replay"


class HistoryPane:
    def __init__(
        self,
        view: MessageView,
        me: Callable[[], str],
        on_load: Callable[[], object],
        show_file: Callable[[MessageView, Any], None] | None = None,
    ) -> None:
        self.view = view
        self.me = me
        self.on_load = on_load  # the header's link: load earlier messages
        self.show_file = show_file  # a kept `file` frame: its card (file_sharing.py), muted
        self.ids: OrderedDict[int, str] = OrderedDict()  # id -> conversation key, in the order shown
        # Messages under this nickname that came as they were said: the ones offered for Delete.  A kept one
        # under the same nickname may be a former holder's, which the server would refuse to delete.
        self.own: set[int] = set()
        self.senders: dict[int, tuple[str, str]] = {}  # id -> (sender, the start of its text), while it is shown
        self.more_before: dict[str, bool] = {}  # conversation key -> the server said older ones remain
        self.loading = False
        self.hides: Callable[[Any], bool] = lambda frame: False  # from someone ignored: folded (history_display)
        self.opened = False  # a private tab's last page was asked for when it opened (history_display.py)
        self._shown = itertools.count(1)
        view.text.tag_configure(NEW_LINE_TAG, justify="center")

    # -- showing --
    def remember(self, frame: Any, start: str, end: str = "end-1c", said_now: bool = True) -> None:
        """The block from `start` to `end` shows `frame`: tag it with the frame's id (nothing when it is empty).

        `said_now`: it came live (or in the catch-up), not from a replay or an earlier page.
        """
        text = self.view.text
        if text.compare(start, ">=", end):
            return  # the frame went to another pane
        number = frame["id"]
        first, last = f"{START}{number}", f"{START}{number}{END}"
        text.mark_set(first, start)
        text.mark_gravity(first, "right")  # a page put in just above stays above
        text.mark_set(last, end)
        text.mark_gravity(last, "left")  # the next line put in just below stays below
        found = conversation_of(frame, self.me())
        self.ids[number] = found[0] if found is not None else ""
        words = str(frame.get("content") or frame.get("name") or "")
        self.senders[number] = (str(frame.get("sender", "")), words.split("\n", 1)[0][:40])
        if said_now and name_key(str(frame.get("sender", ""))) == name_key(self.me()):
            self.own.add(number)
        if next(self._shown) % PRUNE_EVERY == 0:
            self.prune()

    def show_kept(self, frame: Any, at: str = "end-1c") -> None:
        """A kept message (replay, an earlier page) in the message layout, muted; at the end or at mark `at`."""
        if frame["id"] in self.ids and self.has(frame["id"]):
            return
        text = self.view.text
        start = f"kept-{id(self)}"
        text.mark_set(start, at)
        text.mark_gravity(start, "left")
        if frame["type"] == "file" and self.show_file is not None:
            self.show_file(self.view, frame)  # its card, as a live file has, muted (where the caller inserts)
        else:
            own = name_key(frame["sender"]) == name_key(self.me())
            style = "own" if own else "private" if frame["type"] == "private" else ""
            self.view.show_message(
                frame["timestamp"],
                frame["sender"],
                frame["content"],
                f"{style} replayed".strip(),
                badge=badge_of(frame),
                hidden=not own and self.hides(frame),
                reply=frame.get("reply"),
            )
        self.remember(frame, start, at, said_now=False)

    def prepend(self, frames: list[Any], key: str, more: bool) -> None:
        """Older messages above everything shown, oldest first; what the reader looks at stays where it is."""
        text = self.view.text
        self._drop_header()
        text.mark_set("history-reading", "@0,0")
        text.mark_gravity("history-reading", "right")
        text.mark_set("history-insert", "1.0")
        text.mark_gravity("history-insert", "right")
        with self.view.inserting_at("history-insert"):
            last_day = self._kept_with_days(frames, "history-insert")
            if frames:
                self._join_days(last_day)
        self.more_before[key] = more
        self.set_header(key)
        text.yview("history-reading")

    def mark_joined(self, content: str) -> None:
        """The notice of joining was just shown: the replay that follows goes above it, so it reads in order."""
        text = self.view.text
        found = text.search(content, "end-1c", backwards=True, exact=True) if content else ""
        if found:
            text.mark_set(JOINED_MARK, f"{found} linestart")
            text.mark_gravity(JOINED_MARK, "left")
        else:
            text.mark_unset(JOINED_MARK)

    def mark_here(self) -> None:
        """A replay asked for now goes where the pane ends now: above whatever arrives live meanwhile."""
        text = self.view.text
        text.mark_set(JOINED_MARK, "end-1c")
        text.mark_gravity(JOINED_MARK, "left")

    def show_replay(self, frames: list[Any], key: str, more: bool) -> None:
        """A replay after joining: muted, above the notice of joining (else at the end), then the "new since" line."""
        text = self.view.text
        if not frames:
            text.mark_unset(JOINED_MARK)  # one replay per join: a later one does not go up there
            return
        following = self.view.is_following()
        at = "end-1c"
        if _has_mark(text, JOINED_MARK):  # not `in mark_names()`: a full pane has 10,000 marks
            at = REPLAY_MARK
            text.mark_set(REPLAY_MARK, JOINED_MARK)
            text.mark_gravity(REPLAY_MARK, "right")
            text.mark_unset(JOINED_MARK)  # one replay per join
        self.more_before.setdefault(key, more)
        with self.view.inserting_at(at):
            self._kept_with_days(frames, at)
            self.new_since_line(at)
        self.set_header(key)
        if at != "end-1c" and following:
            text.see("end")

    def _kept_with_days(self, frames: list[Any], at: str) -> str:
        """Kept messages at mark `at`, a day's heading wherever the day changes; the last one's day ("" today).

        Today's messages after another day's get a "Today" heading: without it a page of Thursday read on into
        Friday morning under "Thursday 3 December" (found by the fifteenth review).
        """
        last_day = ""
        for frame in frames:
            day = day_of(frame)
            if day != last_day:
                self._day_heading(day or TODAY, at)
                last_day = day
            self.show_kept(frame, at=at)
        return last_day

    def _join_days(self, last_day: str) -> None:
        """A page was put above (ending with `last_day`, "" today): one heading where it meets what was below.

        The heading below goes when it names the page's last day (each page of one busy day brought its own:
        "Thursday 3 December" every 50 lines); "Today" comes between another day's page and today's messages.
        """
        text = self.view.text
        below: tuple[str, ...] = tuple(str(index) for index in text.tag_nextrange(DAY_TAG, "history-insert"))
        at_join = len(below) == 2 and text.compare(below[0], "==", "history-insert")
        if at_join and text.get(below[0], below[1]).strip() == (last_day or TODAY):
            text.delete(below[0], below[1])
        elif not at_join and last_day and text.compare("history-insert", "<", "end-1c"):
            self._day_heading(TODAY, "history-insert")

    def _day_heading(self, day: str, at: str) -> None:
        """A day's heading above its kept messages, tagged so that a cleared history takes it too."""
        text = self.view.text
        text.mark_set("history-day-start", at)
        text.mark_gravity("history-day-start", "left")
        self.view.show_notice(day, "system")
        text.tag_add(DAY_TAG, "history-day-start", at)

    def new_since_line(self, at: str = "end-1c") -> None:
        text = self.view.text
        for start, end in _pairs(text.tag_ranges(NEW_LINE_TAG)):
            text.delete(start, end)  # one such line per pane: the newest replay's
        text.mark_set("history-line", at)
        text.mark_gravity("history-line", "left")
        with self.view.inserting_at(at):
            self.view.show_notice("──────── new since you were here ────────", "system")
        text.tag_add(NEW_LINE_TAG, "history-line", at)

    def set_header(self, key: str, loading: bool = False) -> None:
        """The pane's first line: loading, a link to load more, or the start of what is kept."""
        self._drop_header()
        if not self.ids:
            return
        action: tuple[str, Callable[[], None]] | None = None
        if loading:
            label = "Loading earlier messages…"
        elif self.more_before.get(key, True):
            label = "Earlier messages are kept: scroll up, or"
            action = ("load them", lambda: None if self.on_load() else None)
        else:
            label = "This is where the kept messages begin."
        text = self.view.text
        text.mark_set("history-insert", "1.0")
        text.mark_gravity("history-insert", "right")
        with self.view.inserting_at("history-insert"):
            self.view.show_notice(label, "system", action=action)
        text.tag_add(HEADER_TAG, "1.0", "history-insert")

    def _drop_header(self) -> None:
        text = self.view.text
        for start, end in _pairs(text.tag_ranges(HEADER_TAG)):
            text.delete(start, end)

    # -- finding, deleting --
    def has(self, number: int) -> bool:
        try:  # one Tk call: scrolling up asks this of every id in the pane
            return bool(self.view.text.compare(f"{START}{number}", "<", f"{START}{number}{END}"))
        except tk.TclError:  # no such mark
            return False

    def span(self, number: int) -> tuple[str, str] | None:
        """(start, end) of message `number`'s block, or None when it is not shown (never, trimmed off, deleted)."""
        text = self.view.text
        try:
            start, end = text.index(f"{START}{number}"), text.index(f"{START}{number}{END}")
        except tk.TclError:  # no such mark
            return None
        return (start, end) if text.compare(start, "<", end) else None

    def oldest(self, key: str) -> int | None:
        """The lowest id of conversation `key` still in the pane (every entry checked: called on scrolling up)."""
        for number in [number for number in self.ids if not self.has(number)]:
            self._forget(number)
        numbers = [number for number, owner in self.ids.items() if owner == key]
        return min(numbers) if numbers else None

    def id_at(self, x: int, y: int) -> int | None:
        """The message whose block holds the character at x, y: the nearest block starting at or before it."""
        text = self.view.text
        index = text.index(f"@{x},{y}")
        name = text.mark_previous(f"{index} +1c")  # marks at `index` itself count too
        while name:
            if name.startswith(START) and not name.endswith(END) and name[len(START) :].isdigit():
                number = int(name[len(START) :])
                span = self.span(number) if number in self.ids else None
                if span is not None:  # blocks never overlap: an earlier one cannot hold `index`
                    return number if text.compare(index, "<", span[1]) else None
            name = text.mark_previous(name)
        return None

    def said(self, number: int) -> tuple[str, str]:
        """(sender, the first words) of message `number` as shown; ("", "") when it is not here."""
        return self.senders.get(number, ("", "")) if self.has(number) else ("", "")

    def remove(self, number: int) -> bool:
        """A deleted message: its block becomes one grey line "message deleted"; False when it is not here."""
        text = self.view.text
        span = self.span(number)
        if span is None:
            return False
        start, end = span
        stamp = text.get(start, f"{start} lineend").split("  ", 1)[0].strip()
        text.delete(start, end)
        text.insert(start, f"{stamp}  message deleted\n" if stamp else "message deleted\n", ("system", "notice"))
        self._forget(number)
        return True

    def clear(self, key: str, room: str, upto: int | None = None) -> list[int]:
        """An admin cleared conversation `key`'s history up to message `upto` (None: all of it): those messages (and
        cards) go, one grey line where they were.

        Day headings and the "new since" line go with them; the header says
        nothing earlier is kept.  Returns the ids removed.  A message said
        just after the clear (a higher id) stays.
        """
        text = self.view.text
        numbers = [
            number
            for number, owner in self.ids.items()
            if owner == key and (upto is None or number <= upto) and self.has(number)
        ]
        if not numbers:
            return []
        starts = [f"{START}{number}" for number in numbers]
        text.mark_set(CLEARED_MARK, min(starts, key=lambda mark: tuple(map(int, text.index(mark).split(".")))))
        text.mark_gravity(CLEARED_MARK, "left")
        for number in numbers:
            span = self.span(number)
            if span is not None:
                text.delete(*span)  # a card in it is destroyed with it
            self._forget(number)
        for tag in (DAY_TAG, NEW_LINE_TAG):
            for start, end in _pairs(text.tag_ranges(tag)):
                text.delete(start, end)
        count = f"{len(numbers)} message{'s' if len(numbers) != 1 else ''}"
        text.insert(CLEARED_MARK, f"{count} removed: an admin cleared the history of #{room}\n", ("system", "notice"))
        text.mark_unset(CLEARED_MARK)
        self.more_before[key] = False
        self._drop_header()
        return numbers

    def see(self, number: int) -> bool:
        text = self.view.text
        span = self.span(number)
        if span is None:
            return False
        text.see(span[0])
        text.yview(span[0])
        palette = self.view.style.palette
        text.tag_configure("flash", background=palette.selection_background, foreground=palette.selection_text)
        text.tag_remove("flash", "1.0", "end")
        text.tag_add("flash", *span)
        text.tag_raise("flash")
        self.view.after(FLASH_MS, lambda: text.tag_remove("flash", "1.0", "end") if text.winfo_exists() else None)
        return True

    def prune(self) -> None:
        """Forget ids whose blocks were trimmed off the top (first shown first, up to the first still shown)."""
        for number in list(self.ids):
            if self.has(number):
                break
            self._forget(number)

    def _forget(self, number: int) -> None:
        self.ids.pop(number, None)
        self.own.discard(number)
        self.senders.pop(number, None)
        self.view.text.mark_unset(f"{START}{number}", f"{START}{number}{END}")  # Tk keeps every mark until unset


def _has_mark(text: tk.Text, name: str) -> bool:
    try:
        text.index(name)
    except tk.TclError:
        return False
    return True


def _pairs(ranges: tuple[Any, ...]) -> list[tuple[Any, Any]]:
    return [(ranges[index], ranges[index + 1]) for index in range(0, len(ranges) - 1, 2)][::-1]


def day_of(frame: Any) -> str:
    """A heading for a kept message from another day than today ("Monday 30 November"), else ""."""
    return day_words(frame.get("time"))
