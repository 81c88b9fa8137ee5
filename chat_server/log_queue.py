"""QueueLogHandler: a logging.Handler that formats a record and puts it on a bounded queue (any thread).

The server logs from its handler threads; the admin window's log pane
takes the lines off the queue on the Tk thread.  `emit` never blocks: when
the queue is full (the window is not keeping up) the line is dropped and
counted, so logging can never slow the server down.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(message)s"
LOG_DATE_FORMAT = "%H:%M:%S"


@dataclass(frozen=True)
class LogLine:
    level: int
    text: str


class QueueLogHandler(logging.Handler):
    def __init__(self, capacity: int = 10_000) -> None:
        super().__init__()
        self.lines: queue.Queue[LogLine] = queue.Queue(capacity)
        self.setFormatter(logging.Formatter(LOG_FORMAT, LOG_DATE_FORMAT))
        self._dropped = 0
        self._dropped_lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = LogLine(record.levelno, self.format(record))
        except Exception:  # the logging module's own convention: report, never raise
            self.handleError(record)
            return
        try:
            self.lines.put_nowait(line)
        except queue.Full:
            with self._dropped_lock:
                self._dropped += 1

    def take(self, limit: int) -> tuple[list[LogLine], int]:
        """Up to `limit` lines, oldest first, and how many were dropped since the last take."""
        taken: list[LogLine] = []
        while len(taken) < limit:
            try:
                taken.append(self.lines.get_nowait())
            except queue.Empty:
                break
        with self._dropped_lock:
            dropped, self._dropped = self._dropped, 0
        return taken, dropped
