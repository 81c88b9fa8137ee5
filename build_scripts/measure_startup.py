"""Measures the time from starting dist/ClassChat to its window being shown; runs in the main thread, needs X and xdotool.

Starts dist/chat-server on a free port, then starts the client executable
several times against it and polls `xdotool search --onlyvisible` every few
milliseconds until a window named "ClassChat..." is mapped (xdotool's own
--sync polls only twice a second, too coarse for this).  Prints each run and
the median, for docs/executables.md:

    DISPLAY=:13 python3 build_scripts/measure_startup.py --runs 7
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from build_scripts.executables import BY_NAME  # noqa: E402

POLL_INTERVAL = 0.005
WINDOW_TIMEOUT = 30.0


def start_server() -> tuple[subprocess.Popen, int]:
    server = subprocess.Popen(
        [str(BY_NAME["chat-server"].dist_path), "--port", "0"],
        stdin=subprocess.PIPE,  # kept open: the admin console waits on it
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert server.stdout is not None
    for line in server.stdout:
        match = re.search(r"listening on \S+:(\d+)", line)
        if match:
            return server, int(match.group(1))
    raise RuntimeError("the server executable ended without printing its address")


def visible_window() -> bool:
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", "^ClassChat"], capture_output=True, text=True
    )
    return bool(found.stdout.strip())


def time_to_window(port: int, run: int) -> float:
    started = time.perf_counter()
    client = subprocess.Popen(
        [
            str(BY_NAME["ClassChat"].dist_path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--nick",
            f"timer{run}",
            "--room",
            "timing",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while not visible_window():
            if time.perf_counter() - started > WINDOW_TIMEOUT:
                raise RuntimeError(f"no ClassChat window within {WINDOW_TIMEOUT} s")
            time.sleep(POLL_INTERVAL)
        return time.perf_counter() - started
    finally:
        client.terminate()
        client.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    server, port = start_server()
    try:
        if visible_window():  # a window left from elsewhere would end every run at once
            sys.exit("measure_startup: a ClassChat window is already open on this display; close it first")
        seconds = [time_to_window(port, run) for run in range(args.runs)]
    finally:
        server.terminate()
        server.wait()
    print("start to window, seconds: " + ", ".join(f"{value:.2f}" for value in seconds))
    print(
        f"median {statistics.median(seconds):.2f} s, min {min(seconds):.2f} s, max {max(seconds):.2f} s over {len(seconds)} runs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
