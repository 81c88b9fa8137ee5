"""The headless server as a subprocess whose output a test may leave unread (adversarial tests' helper)."""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
import sys
import termios
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
