"""The one-file Linux executables, built by the build command: --version, --self-test, and a line typed into the client window.

The first test builds dist/ (or reuses it when the sources have not changed
since the last build), so this module can take minutes; deselect it with
`-m "not build"`.  The window test drives the client executable's real
window under Xvfb with xdotool.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from build_scripts.executables import EXECUTABLES, read_version
from tests.support import connect_client

pytestmark = [pytest.mark.build, pytest.mark.timeout(1800)]

NAMES = [executable.name for executable in EXECUTABLES]
WINDOW_TIMEOUT = 30  # seconds for the client executable to show its window


def without_display() -> dict[str, str]:
    """This environment minus DISPLAY: --version and --self-test must not need a screen."""
    return {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY")}


@pytest.mark.parametrize("name", NAMES)
def test_version_names_the_package_version(executable_named, name: str) -> None:
    result = subprocess.run([str(executable_named(name)), "--version"], capture_output=True, text=True, timeout=60, env=without_display())
    assert result.returncode == 0, result.stderr
    assert read_version() in result.stdout + result.stderr


@pytest.mark.parametrize("name", NAMES)
def test_self_test_passes_without_a_display(executable_named, name: str) -> None:
    result = subprocess.run([str(executable_named(name)), "--self-test"], capture_output=True, text=True, timeout=120, env=without_display())
    assert result.returncode == 0, f"stdout: {result.stdout}\nstderr: {result.stderr}"
    assert "passed" in result.stdout


def xdotool(*args: str, timeout: float = 10) -> str:
    result = subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"xdotool {' '.join(args)} failed: {result.stderr}"
    return result.stdout


def test_line_typed_into_client_window_reaches_another_client(executable_named, server_executable, tmp_path) -> None:
    client_path = executable_named("ClassChat")
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed (Debian package xdotool), so the window cannot be driven")
    if not os.environ.get("DISPLAY"):
        pytest.skip("no X display (pytest-xvfb with Xvfb installed provides one)")
    host, port = server_executable.address
    bob = connect_client(server_executable.address, nick="bob", room="lab")
    output = tmp_path / "client-output.txt"  # a file, not a pipe nobody reads, which could fill and block the client
    with output.open("w") as sink:
        window = subprocess.Popen(
            [str(client_path), "--host", host, "--port", str(port), "--nick", "alice", "--room", "lab"],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        try:
            window_ids = xdotool("search", "--sync", "--onlyvisible", "--name", "^ClassChat", timeout=WINDOW_TIMEOUT).split()
        except subprocess.TimeoutExpired:
            pytest.fail(f"no ClassChat window within {WINDOW_TIMEOUT} s; the client printed:\n{output.read_text()}")
        assert window_ids, "xdotool found no ClassChat window"
        bob.wait_for(lambda frame: frame.get("type") == "system" and frame.get("event") == "join" and frame.get("user") == "alice", timeout=20)
        xdotool("windowfocus", "--sync", window_ids[-1])
        xdotool("type", "--delay", "20", "hello from the executable")
        xdotool("key", "Return")
        message = bob.wait_for(lambda frame: frame.get("type") == "message" and frame.get("sender") == "alice", timeout=20)
        assert message["content"] == "hello from the executable"
        assert message["room"] == "lab"
    finally:
        bob.close()
        window.terminate()
        try:
            window.wait(timeout=10)
        except subprocess.TimeoutExpired:
            window.kill()
            window.wait()
