"""The headless server as a subprocess whose output a test may leave unread (adversarial tests' helper)."""

from __future__ import annotations

import fcntl
import os
import queue
import re
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

from tests.integration.wire import DEADLINE

ROOT = Path(__file__).resolve().parents[2]


class Headless:
    """`python -m chat_server` with stdout, stderr and stdin as pipes; only the banner is read.

    After the banner nobody reads stdout or stderr unless a test does, so
    both pipes fill up exactly as a terminal under Ctrl+S or an unread pager
    would stop taking output.
    """

    def __init__(self, *args: str, console: bool = False) -> None:
        command = [sys.executable, "-m", "chat_server", "--port", "0", *args]
        if not console:
            command.append("--no-console")
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE if console else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert self.process.stdout is not None
        banner = b""
        deadline = time.monotonic() + DEADLINE
        while b"listening on" not in banner and time.monotonic() < deadline:
            banner += self.process.stdout.readline()
        match = re.search(rb"listening on (\S+):(\d+)", banner)
        assert match, f"no banner: {banner!r}"
        self.address = (match.group(1).decode(), int(match.group(2)))
        self._stdout_lines: queue.Queue[str] | None = None

    def expect_stdout(self, pattern: str, timeout: float = DEADLINE) -> str:
        """The next stdout line that matches (from then on a thread reads stdout; earlier lines are skipped)."""
        if self._stdout_lines is None:
            self._stdout_lines = queue.Queue()
            threading.Thread(target=self._read_stdout, daemon=True).start()
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._stdout_lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no stdout line matching {pattern!r} within {timeout} s") from None
            if re.search(pattern, line):
                return line

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None and self._stdout_lines is not None
        for line in self.process.stdout:
            self._stdout_lines.put(line.decode("utf-8", "replace").rstrip("\n"))

    def unread_bytes(self, stream: str) -> int:
        """Bytes waiting in the stdout or stderr pipe (a full pipe holds 64 KiB on Linux)."""
        pipe = self.process.stdout if stream == "stdout" else self.process.stderr
        assert pipe is not None
        return int.from_bytes(fcntl.ioctl(pipe.fileno(), termios.FIONREAD, b"\0\0\0\0"), sys.byteorder)

    def pipe_capacity(self, stream: str) -> int:
        pipe = self.process.stdout if stream == "stdout" else self.process.stderr
        assert pipe is not None
        return fcntl.fcntl(pipe.fileno(), 1032)  # F_GETPIPE_SZ

    def type(self, line: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line)
        self.process.stdin.flush()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(DEADLINE)
        for pipe in (self.process.stdin, self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()
