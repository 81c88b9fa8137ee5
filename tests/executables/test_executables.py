"""The one-file Linux executables, built by the build command: --version, --self-test, a line typed into the client window.

The first test builds dist/ (or reuses it when the sources have not changed
since the last build), so this module can take a minute or more; deselect it
with `-m "not build"`.  The window tests find the client's and the admin
window's real windows under Xvfb with xdotool, and type into the client's.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from build_scripts.executables import EXECUTABLES, read_version
from tests.support import connect_client, stop_process, wait_until

pytestmark = [pytest.mark.build, pytest.mark.timeout(1800)]

NAMES = [executable.name for executable in EXECUTABLES]
WINDOW_TIMEOUT = 30  # seconds for the client executable to show its window


def without_display() -> dict[str, str]:
    """This environment minus DISPLAY: --version and --self-test must not need a screen."""
    return {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY")}


@pytest.mark.parametrize("name", NAMES)
def test_version_names_the_package_version(built_executables, name: str) -> None:
    result = subprocess.run(
        [str(built_executables[name]), "--version"], capture_output=True, text=True, timeout=60, env=without_display()
    )
    assert result.returncode == 0, result.stderr
    assert read_version() in result.stdout + result.stderr


@pytest.mark.parametrize("name", NAMES)
def test_self_test_passes_without_a_display(built_executables, name: str) -> None:
    result = subprocess.run(
        [str(built_executables[name]), "--self-test"],
        capture_output=True,
        text=True,
        timeout=120,
        env=without_display(),
    )
    assert result.returncode == 0, f"stdout: {result.stdout}\nstderr: {result.stderr}"
    assert "passed" in result.stdout


def xdotool(*args: str, timeout: float = 10) -> str:
    """Run xdotool; again while it meets a window that closed as it walked the tree (`search` is not atomic:
    a dialog or a widget destroyed between its QueryTree calls ends it with BadWindow), until `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        left = max(1.0, deadline - time.monotonic())
        result = subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=left)
        if result.returncode == 0 or "BadWindow" not in result.stderr or time.monotonic() >= deadline:
            break
    assert result.returncode == 0, f"xdotool {' '.join(args)} failed: {result.stderr}"
    return result.stdout


def require_window_tools() -> None:
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed (Debian package xdotool), so the window cannot be driven")
    if not os.environ.get("DISPLAY"):
        pytest.skip("no X display (pytest-xvfb with Xvfb installed provides one)")


def start_window_program(command: list[str], output: Path) -> subprocess.Popen:
    """Start a window executable with its output in a file (a pipe nobody reads could fill and block it)."""
    with output.open("w") as sink:
        return subprocess.Popen(
            command,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={
                **os.environ,
                "XDG_CONFIG_HOME": str(output.parent / "config"),
            },  # saved settings stay out of the user's home
        )


def find_window(title_pattern: str, output: Path) -> str:
    """The X window id of the first visible window whose title matches, waited for with xdotool."""
    try:
        window_ids = xdotool(
            "search", "--sync", "--onlyvisible", "--name", title_pattern, timeout=WINDOW_TIMEOUT
        ).split()
    except subprocess.TimeoutExpired:
        pytest.fail(
            f"no window named {title_pattern!r} within {WINDOW_TIMEOUT} s; the program printed:\n{output.read_text()}"
        )
    assert window_ids, f"xdotool found no window named {title_pattern!r}"
    return window_ids[-1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_line_typed_into_client_window_reaches_another_client(built_executables, server_executable, tmp_path) -> None:
    client_path = built_executables["ClassChat"]
    require_window_tools()
    host, port = server_executable.address
    bob = connect_client(server_executable.address, nick="bob", room="lab")
    output = tmp_path / "client-output.txt"
    window = start_window_program(
        [str(client_path), "--host", host, "--port", str(port), "--nick", "alice", "--room", "lab"], output
    )
    try:
        window_id = find_window("^ClassChat", output)
        bob.wait_for(
            lambda frame: (
                frame.get("type") == "system" and frame.get("event") == "join" and frame.get("user") == "alice"
            ),
            timeout=20,
        )
        xdotool("windowfocus", "--sync", window_id)
        xdotool("type", "--delay", "20", "hello from the executable")
        xdotool("key", "Return")
        message = bob.wait_for(
            lambda frame: frame.get("type") == "message" and frame.get("sender") == "alice", timeout=20
        )
        assert message["content"] == "hello from the executable"
        assert message["room"] == "lab"
    finally:
        bob.close()
        stop_process(window)


def test_admin_window_executable_shows_its_window_and_serves(built_executables, tmp_path) -> None:
    admin_path = built_executables["ClassChat-Server"]
    require_window_tools()
    port = free_port()
    output = tmp_path / "admin-output.txt"
    window = start_window_program([str(admin_path), "--host", "127.0.0.1", "--port", str(port), "--start"], output)
    try:
        find_window("^ClassChat Server", output)

        def registered_client():
            try:
                return connect_client(("127.0.0.1", port), nick="carol", room="lab")
            except ConnectionRefusedError:
                return None

        carol = wait_until(
            registered_client, timeout=20, message=f"the admin window's server never accepted a client on port {port}"
        )
        carol.send_command("SAY anyone here?")
        echoed = carol.wait_for("message", timeout=10)
        carol.close()
        assert echoed["content"] == "anyone here?"
    finally:
        stop_process(window)
