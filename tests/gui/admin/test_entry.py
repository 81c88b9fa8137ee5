"""The admin window's entry points: --version and --self-test without a display, --gui --start under Xvfb."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from chat_gui.core.connection import ChatConnection
from tests.support import connect_client, wait_until

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 15.0


def headless_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DISPLAY"}
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_version_needs_no_display() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "chat_server.admin_gui", "--version"],
        env=headless_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0 and done.stdout.startswith("ClassChat server ")


def test_self_test_needs_no_display() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "chat_server.admin_gui", "--self-test"],
        env=headless_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "self-test passed" in done.stdout


def test_gui_start_serves_at_once_and_a_signal_stops_it_cleanly() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "chat_server", "--gui", "--start", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    client: ChatConnection | None = None
    try:
        port = None
        while port is None:
            line = lines.get(timeout=TIMEOUT)
            found = re.search(r"listening on 127\.0\.0\.1 port (\d+)", line)
            port = int(found.group(1)) if found else None
        client = connect_client(("127.0.0.1", port), "alice", "general")
        if shutil.which("xdotool"):
            wait_until(
                lambda: (
                    subprocess.run(["xdotool", "search", "--name", "^ClassChat Server"], capture_output=True).returncode
                    == 0
                ),
                TIMEOUT,
            )
        process.send_signal(signal.SIGTERM)
        assert client.wait_for(lambda frame: frame.get("event") == "shutdown", TIMEOUT)
        assert process.wait(TIMEOUT) == 0
    finally:
        if client is not None:
            client.close()
        if process.poll() is None:
            process.kill()
            process.wait()
            pytest.fail("the window did not close on SIGTERM")
