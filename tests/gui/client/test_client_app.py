"""The programs as users start them: `python -m chat_gui` with and without a display."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from shared.version import __version__

ROOT = Path(__file__).resolve().parents[3]


def run_module(*args: str, display: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if not display:
        env.pop("DISPLAY", None)
    return subprocess.run(
        [sys.executable, "-m", "chat_gui", *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


def test_version_and_self_test_need_no_display():
    version = run_module("--version", display=False)
    assert version.returncode == 0 and version.stdout.strip() == f"ClassChat client {__version__}"
    self_test = run_module("--self-test", display=False)
    assert self_test.returncode == 0, self_test.stderr
    assert "self-test passed" in self_test.stdout


def test_arguments_skip_the_dialog_and_join_the_room(server, make_client, tmp_path):
    watcher = make_client(server, "watcher", "lab")
    host, port = server.address
    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_CONFIG_HOME=str(tmp_path))
    window = subprocess.Popen(
        [sys.executable, "-m", "chat_gui", "--host", host, "--port", str(port), "--nick", "pupil", "--room", "lab"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        joined = watcher.wait_for(
            lambda frame: frame.get("type") == "system" and frame.get("event") == "join", timeout=30
        )
        assert (joined["user"], joined["room"]) == ("pupil", "lab")
        watcher.send_command("PM pupil are you there?")
        watcher.wait_for(lambda frame: frame.get("type") == "private", timeout=10)  # the echo: pupil is online
    finally:
        window.terminate()
        window.communicate(timeout=10)
