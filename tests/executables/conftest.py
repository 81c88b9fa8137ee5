"""Fixtures for the executable tests: the Linux executables built once per session (or reused), a running server executable."""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from build_scripts.executables import EXECUTABLES, ROOT
from tests.support import stop_process, wait_until

BUILD_COMMAND = [sys.executable, str(ROOT / "build_scripts" / "build.py"), "--if-changed"]
BUILD_TIMEOUT = 1800  # seconds: a fresh machine also downloads PyInstaller first
BANNER = re.compile(r"listening on (\S+):(\d+)")


@pytest.fixture(scope="session")
def built_executables() -> dict[str, Path]:
    """name -> path of the three executables, built by the build command unless dist/ is current."""
    if not sys.platform.startswith("linux"):
        pytest.skip("these tests check the Linux executables; other systems are checked by .github/workflows/build.yml")
    result = subprocess.run(BUILD_COMMAND, cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    if result.returncode != 0:
        pytest.fail(
            f"the build command failed ({' '.join(BUILD_COMMAND)}):\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return {executable.name: executable.dist_path for executable in EXECUTABLES}


@dataclass
class RunningServer:
    process: subprocess.Popen
    address: tuple[str, int]


def read_lines(stream, lines: queue.Queue[str]) -> None:
    """Reader thread: every line of the server's output onto a queue, so the test never blocks on a pipe."""
    for line in stream:
        lines.put(line)


@pytest.fixture
def server_executable(built_executables: dict[str, Path]):
    """The headless server executable running on a free port (port 0, read back from its banner); stopped with SIGTERM."""
    process = subprocess.Popen(
        [str(built_executables["chat-server"]), "--host", "127.0.0.1", "--port", "0"],
        stdin=subprocess.PIPE,  # kept open: the admin console waits on it instead of seeing the end of input
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=read_lines, args=(process.stdout, lines), name="server-output", daemon=True).start()
    seen: list[str] = []

    def banner() -> re.Match | None:
        while not lines.empty():
            seen.append(lines.get_nowait())
        return next((match for match in map(BANNER.search, seen) if match), None)

    try:
        match = wait_until(banner, timeout=30, message=f"the server executable printed no address: {seen}")
        yield RunningServer(process, (match.group(1), int(match.group(2))))
    finally:
        stop_process(process)
