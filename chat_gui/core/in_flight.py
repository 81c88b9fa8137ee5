"""Chat lines written to the socket that the server has not answered yet, and which of them a lost connection ate (scheduler thread; no I/O).

    lines = InFlight(emit)
    lines.sent("SAY hello", room, is_online, floor)  a SAY / MSG / PM went out on the socket
    lines.observe(frame, me)                         every frame: our own echo or a refusal answers the oldest
    lines.connection_lost()                          lost by accident: what is unanswered becomes suspect
    lines.ready(catching, history)                   reconnected: suspects without a catch-up "may" be lost
    lines.caught_up(key, complete)                   the catch-up of one conversation is over: the rest were lost
    lines.ended()                                    removed, failed: nothing will check what was in flight
    lines.hung_up()                                  the person's own Disconnect: lines long unanswered may be lost

A socket send that succeeded proves nothing: on a half-open connection
(Wi-Fi gone, a silent server) the line vanishes and the keepalive notices
only 30-60 s later.  So each chat line stays here until the server's echo
(our own `message`/`private`) or a refusal (`error`) answers it.  The
server answers a connection's lines in order, so an echo answers the
oldest line of its text and every older one (those were refused or
dropped); an echo of no known text answers the oldest.

When the connection is lost by accident the unanswered lines are
suspects.  After the reconnect, the catch-up (HISTORY AFTER, HistoryKeeper)
and the replay show what the server kept: a kept message of ours, in the
suspect's conversation, with an id above every id seen when the line was
sent, is that line (matched by text, else the oldest suspect), delivered.
What is left once the conversation's catch-up has completed was not
delivered: one LinesNotDelivered per conversation, `certain`.  Without a
catch-up (a server that keeps nothing, one cut short, the session ended)
they may not have been: `certain` false.  Nothing is sent again here; the
person decides.  At most MAX_LINES lines are remembered, the oldest go first.

When the session ends for good (a kick, a ban, a failure) the lines still
unanswered are reported as "maybe" too: nothing will ever check them.  The
person's own Disconnect shuts the socket down in order, so the server reads
every line before the end; only lines that had waited ANSWER_OVERDUE
seconds (the connection was probably dead already, which is often why the
person hung up) are reported, as "maybe".
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chat_gui.core.conversations import conversation_of, private_key, room_key
from chat_gui.core.events import LinesNotDelivered, Listener
from shared.commands import classify_msg, parse_command_line, split_pm_argument
from shared.names import clean_text, name_key

MAX_LINES = 200
ANSWER_OVERDUE = 5.0  # seconds: a live server echoes in milliseconds; no answer for this long, the link was dying
# Refusals of a chat line (chat_server/handlers/chat.py): the oldest unanswered line was not carried out.
REFUSALS = frozenset(("muted", "ignored", "no_such_user", "not_in_room", "too_long", "bad_argument", "rate_limited"))
ANSWERS = frozenset(("message", "private", "error"))


@dataclass(frozen=True)
class InFlightLine:
    key: str  # the conversation: "#lab", "@bob"
    target: str  # as shown: "#Lab", "@Bob"
    text: str  # what the person typed (the message's text)
    floor: int  # the highest message id seen when it was sent: its own id, if it gets one, is above
    kept_as: str  # the text as the server keeps it (tidy), worked out once: frames are compared with it
    sent_at: float = 0.0  # the session clock when it was written to the socket


def chat_line(command: str, room: str | None, is_online: Callable[[str], bool]) -> tuple[str, str, str] | None:
    """(key, target, text) of a SAY / MSG / PM command, or None for any other command (or one with no room)."""
    line = parse_command_line(command)
    if line.name == "PM":
        nick, text = split_pm_argument(line.argument)
        return (private_key(nick), f"@{nick}", text) if nick and text else None
    if line.name == "MSG":
        target = classify_msg(line.argument, is_online)
        if target.kind == "private":
            return private_key(target.nick), f"@{target.nick}", target.text
        if target.kind == "no_such_user":
            return None  # refused by the server, never stored
        text = line.argument
    elif line.name == "SAY":
        text = line.argument
    else:
        return None
    return (room_key(room), f"#{room}", text) if room and text else None


def tidy(text: str) -> str:
    """Text as the server keeps it (control characters removed, trimmed), for comparing."""
    return clean_text(text).strip()


class InFlight:
    def __init__(self, emit: Listener, clock: Callable[[], float] = time.monotonic) -> None:
        self.emit = emit
        self.clock = clock
        self._unanswered: deque[InFlightLine] = deque()
        self._suspects: dict[str, list[InFlightLine]] = {}  # conversation key -> lines, oldest first
        self._suspect_count = 0
        self._matched: set[int] = set()  # ids that answered a suspect: the replay and the catch-up both bring them
        self._lost_as = ""  # name_key of the name the suspects were said under

    # -- the current connection --
    def sent(self, command: str, room: str | None, is_online: Callable[[str], bool], floor: int) -> None:
        """A command was written to the socket; a chat line among them is remembered until answered."""
        found = chat_line(command, room, is_online)
        if found is None:
            return
        key, target, text = found
        if len(self._unanswered) >= MAX_LINES:
            self._unanswered.popleft()
        self._unanswered.append(InFlightLine(key, target, text, floor, tidy(text), self.clock()))

    def observe(self, frame: Any, me: str) -> None:
        """Every frame from the server (live, replayed or a page): O(1) unless it is one of our own messages."""
        if not self._unanswered and not self._suspects:
            return  # nothing in flight: the usual case costs one test
        kind = frame.get("type")
        if kind not in ANSWERS:
            return
        if kind == "error":
            if frame.get("code") in REFUSALS and self._unanswered:
                self._unanswered.popleft()
            return
        sender = frame.get("sender")
        if not isinstance(sender, str) or not me or name_key(sender) != name_key(me):
            return
        if frame.get("history") is True:
            if self._suspects:
                self._kept(frame, me)
        elif self._unanswered:
            self._echoed(frame, me)

    def _echoed(self, frame: Any, me: str) -> None:
        found = conversation_of(frame, me)
        content = tidy(str(frame.get("content", "")))
        lines = self._unanswered
        if found is not None:
            for index, line in enumerate(lines):  # the common case: the oldest line, echoed (index 0)
                if line.key == found[0] and line.kept_as == content:
                    for _ in range(index + 1):  # the older ones were answered before it: refused, or dropped
                        lines.popleft()
                    return
        lines.popleft()  # the server tidied the text beyond recognition: the oldest is the one answered

    # -- after a loss --
    def connection_lost(self, me: str = "") -> None:
        """The connection was lost by accident: every line not answered may never have reached the server.
        `me`: the name they were said under (a kept message of ours shows that name)."""
        if me:
            self._lost_as = name_key(me)
        self._suspect_all(lambda line: True)
        while self._suspect_count > MAX_LINES:
            oldest_key = min(self._suspects, key=lambda key: self._suspects[key][0].floor)
            self._drop_suspect(oldest_key, 0)

    def _kept(self, frame: Any, me: str) -> None:
        """A kept message of ours (replay, catch-up page): the suspect it is was delivered."""
        found = conversation_of(frame, me)
        number = frame.get("id")
        if found is None or not isinstance(number, int) or number in self._matched:
            return
        lines = self._suspects.get(found[0])
        if not lines:
            return
        candidates = [index for index, line in enumerate(lines) if line.floor < number]
        if not candidates:
            return  # older than all of them: said before they were sent
        content = tidy(str(frame.get("content", "")))
        match = next((index for index in candidates if lines[index].kept_as == content), candidates[0])
        self._matched.add(number)
        self._drop_suspect(found[0], match)

    def _drop_suspect(self, key: str, index: int) -> None:
        lines = self._suspects[key]
        lines.pop(index)
        self._suspect_count -= 1
        if not lines:
            del self._suspects[key]
        if not self._suspects:
            self._matched.clear()

    def ready(self, catching: Callable[[str], bool], history: bool, same_owner: bool = True, me: str = "") -> None:
        """Ready again after a loss: suspects of conversations that no catch-up will show may have been lost.

        `same_owner` false: the name was taken afresh as a guest (RESUME refused: the token expired, or a server
        restarted after a crash), so this session is not the owner of the private messages sent before and a
        private catch-up never shows them; they may have been delivered (a delivered line was reported as
        certainly not, and sent again twice over). `me` other than the name the lines were said under (the
        name was taken meanwhile and the person chose another): no kept message is recognised as ours, so
        none of them can be found either."""
        renamed = bool(me) and bool(self._lost_as) and name_key(me) != self._lost_as
        for key in list(self._suspects):
            private = key.startswith(private_key(""))
            if renamed or not (history and catching(key) and (same_owner or not private)):
                self._report(key, certain=False)

    def caught_up(self, key: str, complete: bool) -> None:
        """The catch-up of `key` is over; `complete`: it reached the newest message, so what is left was lost."""
        if key in self._suspects:
            self._report(key, certain=complete)

    def ended(self) -> None:
        """No reconnect is coming (removed, failed): suspects and lines still in flight may have been lost."""
        self._suspect_all(lambda line: True)
        self._report_all_maybe()

    def hung_up(self) -> None:
        """The person's own Disconnect: the orderly shutdown carries what is in flight, unless it waited too long."""
        now = self.clock()
        self._suspect_all(lambda line: now - line.sent_at >= ANSWER_OVERDUE)
        self._report_all_maybe()

    def _report_all_maybe(self) -> None:
        for key in list(self._suspects):
            self._report(key, certain=False)

    def _suspect_all(self, doubtful: Callable[[InFlightLine], bool]) -> None:
        """The unanswered lines that `doubtful` picks become suspects; the rest are taken as delivered."""
        lines, self._unanswered = self._unanswered, deque()
        for line in lines:
            if doubtful(line):
                self._suspects.setdefault(line.key, []).append(line)
                self._suspect_count += 1

    def forget(self) -> None:
        """A new server or user: nothing from before counts."""
        self._unanswered.clear()
        self._suspects.clear()
        self._suspect_count = 0
        self._matched.clear()
        self._lost_as = ""

    def suspected(self) -> list[tuple[str, str, int]]:
        """(key, target, floor) of each conversation with suspects: a catch-up after `floor` shows what arrived."""
        return [(key, lines[0].target, lines[0].floor) for key, lines in self._suspects.items()]

    def unanswered(self) -> int:
        return len(self._unanswered)

    def suspects(self) -> int:
        return self._suspect_count

    def _report(self, key: str, certain: bool) -> None:
        lines = self._suspects.pop(key)
        self._suspect_count -= len(lines)
        if not self._suspects:
            self._matched.clear()
        self.emit(LinesNotDelivered(lines[-1].target, tuple(line.text for line in lines), certain))
