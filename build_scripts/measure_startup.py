"""Measures the time from starting a window executable to its window being shown; runs in the main thread, needs X and xdotool.

    ClassChat          started against dist/chat-server on a free port (as a student with --host/--port/--nick)
    ClassChat-Server   the admin window, started as a teacher does (no --start)

Each run starts the executable and polls `xdotool search --onlyvisible`
every few milliseconds until a window of that name is mapped (xdotool's
own --sync polls only twice a second, too coarse for this).  Every program
runs with its settings and data folders in a temporary folder, never the
user's: the server makes its certificate there, the chat window pins it
there.  Prints each run and the median, for docs/executables.md:

    DISPLAY=:13 python3 build_scripts/measure_startup.py --runs 7
    DISPLAY=:13 python3 build_scripts/measure_startup.py --runs 7 --only ClassChat-Server
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from build_scripts.executables import BY_NAME  # noqa: E402

POLL_INTERVAL = 0.005
WINDOW_TIMEOUT = 30.0
WINDOW_NAMES = {"ClassChat": "^ClassChat", "ClassChat-Server": "^ClassChat Server"}


def private_environment(folder: Path) -> dict[str, str]:
    """The environment with every per-user folder ClassChat uses moved into `folder`."""
    environment = dict(os.environ)
    for variable, name in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("APPDATA", "config"),
        ("LOCALAPPDATA", "data"),
    ):
        environment[variable] = str(folder / name)
        (folder / name).mkdir(parents=True, exist_ok=True)
    return environment


def start_server(environment: dict[str, str]) -> tuple[subprocess.Popen[str], int]:
    server = subprocess.Popen(
        [str(BY_NAME["chat-server"].dist_path), "--host", "127.0.0.1", "--port", "0", "--no-announce"],
        stdin=subprocess.PIPE,  # kept open: the admin console waits on it
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
    )
    assert server.stdout is not None
    for line in server.stdout:
        match = re.search(r"listening on \S+:(\d+)", line)
        if match:
            return server, int(match.group(1))
    raise RuntimeError("the server executable ended without printing its address")


def visible_window(name: str) -> bool:
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", name], capture_output=True, text=True)
    return bool(found.stdout.strip())


def time_to_window(command: list[str], window_name: str, environment: dict[str, str]) -> float:
    started = time.perf_counter()
    program = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    try:
        while not visible_window(window_name):
            if program.poll() is not None:
                raise RuntimeError(f"{command[0]} ended (exit {program.returncode}) before its window showed")
            if time.perf_counter() - started > WINDOW_TIMEOUT:
                raise RuntimeError(f"no {window_name} window within {WINDOW_TIMEOUT} s")
            time.sleep(POLL_INTERVAL)
        return time.perf_counter() - started
    finally:
        program.terminate()
        program.wait()


def measure(name: str, runs: int, folder: Path) -> list[float]:
    environment = private_environment(folder / name)
    window_name = WINDOW_NAMES[name]
    if visible_window(window_name):  # a window left from elsewhere would end every run at once
        sys.exit(f"measure_startup: a {name} window is already open on this display; close it first")
    if name == "ClassChat-Server":
        command = [str(BY_NAME[name].dist_path), "--host", "127.0.0.1", "--port", "0"]
        return [time_to_window(command, window_name, environment) for _ in range(runs)]
    server, port = start_server(environment)
    try:
        seconds = []
        for run in range(runs):
            command = [str(BY_NAME[name].dist_path), "--host", "127.0.0.1", "--port", str(port)]
            command += ["--nick", f"timer{run}", "--room", "timing"]
            seconds.append(time_to_window(command, window_name, environment))
        return seconds
    finally:
        server.terminate()
        server.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", choices=sorted(WINDOW_NAMES), action="append", help="measure just this one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="classchat-startup-") as temporary:
        for name in args.only or sorted(WINDOW_NAMES):
            seconds = measure(name, args.runs, Path(temporary))
            print(f"{name}: start to window, seconds: " + ", ".join(f"{value:.2f}" for value in seconds))
            print(
                f"{name}: median {statistics.median(seconds):.2f} s, min {min(seconds):.2f} s, "
                f"max {max(seconds):.2f} s over {len(seconds)} runs"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
