"""The client's HISTORY and SEARCH requests, one at a time, each answer told apart from everything else (scheduler thread).

An answer to HISTORY is a run of `message`/`private` frames with
`"history": true` and one `history` frame; a replay after `joined` looks
exactly the same, and a refusal is an `error` frame like any other.  So
that a page is never mixed up with a replay or an error meant for another
line, each request goes out between two PINGs of its own, in one go:

    PING classchat-history-7-start     its pong: whatever came before (a replay) is over
    HISTORY #lab AFTER 120 100
    PING classchat-history-7-end       its pong: the answer is complete

The server answers one connection's lines in order, so every kept frame,
`history`, `search` or `error` frame between the two pongs is the answer.
Live frames (no `history` flag), pushes and notices pass on as usual.
Only one request is out at a time; the rest wait in a bounded queue.  A
request goes out only when the send budget has room for all three lines,
so the server's rate limit never refuses one of them; an answer that does
not come within REQUEST_TIMEOUT_MS (a refused PING, a stuck server) ends
the request as lost, and so does losing the connection.

A HISTORY page the server refused for going too fast (`rate_limited`: its
computer asks for pages faster than the server gives them, or the server is
busy), or left unanswered (past one `rate_limited` a second the server drops
refusals without a word), is asked for again after RETRY_MS, then twice as
long, up to MAX_RETRIES times, before its caller hears of it: a catch-up, a
scroll-up or a /history loses nothing and shows no error for that.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chat_gui.core.conversations import is_history, message_id
from chat_gui.core.scheduler import Scheduler

MARKER = "classchat-history-"
REQUEST_TIMEOUT_MS = 30_000
MAX_QUEUED = 64  # requests waiting to go out; past that a new one is refused at once
LINES_PER_REQUEST = 3
RETRY_MS = 2_000  # a refused page is asked again after this, then after twice as long each time...
MAX_RETRY_MS = 8_000  # ...up to this
MAX_RETRIES = 8  # about 50 s in all: longer than any wait the server's page budget asks for
NO_ANSWER = "the server did not answer it"


@dataclass
class Answer:
    """What came back for one request; `lost` when no complete answer came (connection lost, timed out, refused)."""

    frames: list[Any] = field(default_factory=list)  # kept frames with "history": true, in the order received
    summary: Any = None  # the `history` frame
    search: Any = None  # the `search` frame
    error: Any = None  # an `error` frame
    lost: str = ""  # why there is no answer, in words

    @property
    def problem(self) -> str:
        """The refusal or loss in words, "" when the answer is whole."""
        if self.lost:
            return self.lost
        if self.error is not None:
            return str(self.error.get("content") or self.error.get("code") or "refused")
        return ""


@dataclass
class Request:
    command: str
    on_done: Callable[[Answer], None]
    number: int = 0
    answer: Answer = field(default_factory=Answer)
    open: bool = False  # the start pong came: what follows, up to the end pong, is the answer
    retries: int = 0  # times it was asked again after being refused for going too fast

    def should_retry(self, answer: Answer) -> bool:
        """Whether this answer is a HISTORY refused for going too fast (or dropped unanswered) that may go again."""
        if self.retries >= MAX_RETRIES or not self.command.upper().startswith("HISTORY"):
            return False
        if answer.error is not None:
            return answer.error.get("code") == "rate_limited" and answer.summary is None and not answer.frames
        return answer.lost == NO_ANSWER and not answer.frames


class HistoryRequests:
    def __init__(
        self,
        scheduler: Scheduler,
        send_now: Callable[[str], bool],
        budget_wait: Callable[[int], float],
        timeout_ms: int = REQUEST_TIMEOUT_MS,
    ) -> None:
        self.scheduler = scheduler
        self.send_now = send_now
        self.budget_wait = budget_wait  # seconds until n lines may go out without tripping the rate limit
        self.timeout_ms = timeout_ms
        self.ready = False  # the session is ready: no replay can still be on its way unmarked
        self.queue: deque[Request] = deque()
        self.in_flight: Request | None = None
        self._numbers = itertools.count(1)
        self._timer: object | None = None
        self._pump_timer: object | None = None
        self._retry_timer: object | None = None  # while set, a refused page rests before it goes again

    def submit(self, command: str, on_done: Callable[[Answer], None]) -> bool:
        """Queue a request; False (and nothing queued) when MAX_QUEUED are waiting already."""
        if len(self.queue) >= MAX_QUEUED:
            return False
        self.queue.append(Request(command, on_done))
        self.pump()
        return True

    def busy(self) -> bool:
        return self.in_flight is not None or bool(self.queue)

    def answering(self) -> bool:
        """Between the two PINGs of the request that is out: an `error` now is its answer, not a chat line's."""
        return self.in_flight is not None and self.in_flight.open

    def set_ready(self, ready: bool) -> None:
        self.ready = ready
        if ready:
            self.pump()

    def pump(self) -> None:
        """Send the next request if none is out, the session is ready and the budget has room."""
        if self.in_flight is not None or not self.queue or not self.ready or self._retry_timer is not None:
            return
        wait = self.budget_wait(LINES_PER_REQUEST)
        if wait > 0:
            if self._pump_timer is None:
                self._pump_timer = self.scheduler.after(int(wait * 1000) + 1, self._pump_later)
            return
        request = self.queue.popleft()
        request.number = next(self._numbers)
        self.in_flight = request
        sent = (
            self.send_now(f"PING {MARKER}{request.number}-start")
            and self.send_now(request.command)
            and self.send_now(f"PING {MARKER}{request.number}-end")
        )
        if not sent:
            self._end(Answer(lost="not connected"))
            return
        self._timer = self.scheduler.after(self.timeout_ms, self._timed_out)

    def observe(self, frame: Any) -> bool:
        """Take `frame` if it belongs to the request that is out (or is one of our markers); False: not ours."""
        kind = frame.get("type")
        if kind == "pong" and str(frame.get("content", "")).startswith(MARKER):
            self._marker(str(frame["content"]))
            return True
        request = self.in_flight
        if request is None or not request.open:
            return False
        answer = request.answer
        if message_id(frame) is not None and is_history(frame):
            answer.frames.append(frame)
        elif kind == "history":
            answer.summary = frame
        elif kind == "search":
            answer.search = frame
        elif kind == "error":
            answer.error = frame
        else:
            return False
        return True

    def reset(self, reason: str) -> None:
        """The connection is gone: the request that is out and every waiting one end as lost."""
        self.ready = False
        self._cancel_timers()
        request, self.in_flight = self.in_flight, None
        waiting = [*([request] if request is not None else []), *self.queue]
        self.queue.clear()
        for lost in waiting:
            lost.on_done(Answer(lost=reason))

    # -- inside --
    def _marker(self, token: str) -> None:
        request = self.in_flight
        if request is None:
            return  # a marker of a request given up on already
        number, _, edge = token.removeprefix(MARKER).partition("-")
        if number != str(request.number):
            return
        if edge == "start":
            request.open = True
        elif edge == "end":
            answer = request.answer
            if not request.open:
                answer.lost = "the server's answer was incomplete"
            elif answer.summary is None and answer.search is None and answer.error is None:
                answer.lost = NO_ANSWER
            if request.open and request.should_retry(answer):
                self._retry_later(request)
                return
            self._end(answer)

    def _end(self, answer: Answer) -> None:
        request, self.in_flight = self.in_flight, None
        if self._timer is not None:
            self.scheduler.cancel(self._timer)
            self._timer = None
        if request is not None:
            request.on_done(answer)
        self.pump()

    def _retry_later(self, request: Request) -> None:
        """Put a page refused for going too fast back at the head of the queue, to go after a rest."""
        self.in_flight = None
        if self._timer is not None:
            self.scheduler.cancel(self._timer)
            self._timer = None
        delay = min(RETRY_MS * 2**request.retries, MAX_RETRY_MS)
        request.retries += 1
        request.answer, request.open = Answer(), False
        self.queue.appendleft(request)
        self._retry_timer = self.scheduler.after(delay, self._retry_now)

    def _retry_now(self) -> None:
        self._retry_timer = None
        self.pump()

    def _timed_out(self) -> None:
        self._timer = None
        if self.in_flight is not None:
            self._end(Answer(lost=f"no answer within {self.timeout_ms // 1000} s"))

    def _pump_later(self) -> None:
        self._pump_timer = None
        self.pump()

    def _cancel_timers(self) -> None:
        for timer in (self._timer, self._pump_timer, self._retry_timer):
            if timer is not None:
                self.scheduler.cancel(timer)
        self._timer = self._pump_timer = self._retry_timer = None
