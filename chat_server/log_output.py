"""Output that can never block the server: text queued (bounded) and written by a daemon thread (any thread writes).

The headless server writes its log to stderr and its banner and console
answers to stdout.  Nobody may be reading them: Ctrl+S in the terminal, a
click into a Windows console window (QuickEdit), output piped into a pager.
A thread that writes there then blocks, and if it held the registry lock
the whole server would stop.  So nothing writes there directly:

    any thread --write(text) / logging--> NonBlockingWriter queue (bounded; full: dropped and counted)
    writer thread ("log-writer", "stdout-writer"): os.write() to the file descriptor;
        after lines were dropped it writes "[N log lines dropped ...]" with the next batch

The writer writes to the file descriptor itself, not through sys.stderr: a
thread blocked inside sys.stderr.write would hold the stream's lock, and
the interpreter's exit (which flushes sys.stderr) would wait for it or
abort.  A daemon thread blocked in os.write holds nothing anybody else
needs, so SIGTERM still stops the server at once.  The admin window keeps
its own QueueLogHandler (chat_server/log_queue.py), drained by its Tk
thread; both are bounded queues that drop instead of waiting.
"""

from __future__ import annotations

import logging
import os
import queue
import select
import threading
from typing import TextIO

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
CAPACITY = 10_000  # queued lines per output; past them new lines are dropped and counted
BATCH = 256  # lines per os.write
POLL_SECONDS = 0.25


class NonBlockingWriter:
    def __init__(self, stream: TextIO | None, name: str, what: str = "lines", capacity: int = CAPACITY) -> None:
        self._stream = stream
        self._fd = _fileno(stream)
        self._encoding = getattr(stream, "encoding", None) or "utf-8"
        self._what = what
        self._queue: queue.Queue[str] = queue.Queue(capacity)
        self._dropped = 0
        self._dropped_lock = threading.Lock()
        self._closing = threading.Event()
        self._broken = stream is None  # nowhere to write (pythonw), or the reader went away
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def dropped(self) -> int:
        """Lines dropped and not yet reported."""
        with self._dropped_lock:
            return self._dropped

    def write(self, text: str) -> None:
        """Queue text for the output; never blocks.  Past the capacity the text is dropped and counted."""
        if self._broken:
            return
        try:
            self._queue.put_nowait(text)
        except queue.Full:
            with self._dropped_lock:
                self._dropped += 1

    def close(self, timeout: float = 1.0) -> None:
        """Write what is queued if the output takes it within `timeout` seconds; then stop."""
        self._closing.set()
        self._thread.join(timeout)

    # -- the writer thread --
    def _run(self) -> None:
        while True:
            try:
                batch = [self._queue.get(timeout=POLL_SECONDS)]
            except queue.Empty:
                batch = []
            while batch and len(batch) < BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            with self._dropped_lock:
                dropped, self._dropped = self._dropped, 0
            if dropped:
                batch.append(f"[{dropped} {self._what} dropped: the output was not being read fast enough]\n")
            if batch and not self._broken:
                self._write_all("".join(batch).encode(self._encoding, "backslashreplace"))
            elif self._closing.is_set():
                return

    def _write_all(self, data: bytes) -> None:
        if self._fd is None:  # a stream without a descriptor (an embedding's own object)
            assert self._stream is not None
            try:
                self._stream.write(data.decode(self._encoding, "replace"))
                self._stream.flush()
            except (OSError, ValueError):
                self._broken = True
            return
        view = memoryview(data)
        while view:
            try:
                written = os.write(self._fd, view)
            except BlockingIOError:  # a non-blocking descriptor: wait until it takes more
                select.select([], [self._fd], [], POLL_SECONDS)
                continue
            except OSError:  # the reader is gone (EPIPE) or the descriptor closed
                self._broken = True
                return
            view = view[written:]


class WriterLogHandler(logging.Handler):
    """A logging handler that formats on the caller's thread and hands the line to a NonBlockingWriter."""

    def __init__(self, writer: NonBlockingWriter) -> None:
        super().__init__()
        self.writer = writer
        self.setFormatter(logging.Formatter(LOG_FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # the logging module's convention: report, never raise
            self.handleError(record)
            return
        self.writer.write(text + "\n")


class HeadlessOutput:
    """The headless script's stdout and stderr, both through NonBlockingWriter; the log goes to stderr."""

    def __init__(self, stdout: TextIO | None, stderr: TextIO | None, level: str) -> None:
        self.stdout = NonBlockingWriter(stdout, "stdout-writer")
        self.stderr = NonBlockingWriter(stderr, "log-writer", what="log lines")
        self.handler = WriterLogHandler(self.stderr)
        root = logging.getLogger()
        root.addHandler(self.handler)
        root.setLevel(level)

    def print(self, text: str) -> None:
        self.stdout.write(text + "\n")

    def close(self, timeout: float = 1.0) -> None:
        logging.getLogger().removeHandler(self.handler)
        self.stdout.close(timeout)
        self.stderr.close(timeout)


def _fileno(stream: TextIO | None) -> int | None:
    if stream is None:
        return None
    try:
        stream.flush()  # whatever was printed before goes out first
        return stream.fileno()
    except (OSError, ValueError, AttributeError):
        return None
