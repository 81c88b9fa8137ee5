"""The programs as users start them: `python -m chat_gui` with and without a display."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from chat_server.storage import open_storage
from chat_server.storage.data_dir import default_data_dir
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


def test_sigterm_closes_the_window_like_quit_and_its_own_server_closes_its_database():
    """Found by a probe: SIGTERM left the in-app server's database unclosed, so the next start warned of a crash."""
    window = subprocess.Popen(
        [sys.executable, "-m", "tests.gui.client.inapp_server_child"],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert window.stdout is not None
        deadline = time.monotonic() + 30
        while not select.select([window.stdout], [], [], 0.1)[0]:
            assert time.monotonic() < deadline and window.poll() is None, "the window's own server did not start"
        assert window.stdout.readline().startswith("serving ")
        window.send_signal(signal.SIGTERM)
        assert window.wait(30) == 0
    finally:
        if window.poll() is None:
            window.kill()
        window.communicate(timeout=10)
    with open_storage(default_data_dir()) as storage:  # the folder the window's server used (XDG_DATA_HOME)
        assert not storage.status().notices, "the in-app server was stopped without closing its database"
