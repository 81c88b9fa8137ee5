"""Measures the time from starting a window executable to its window being shown; runs in the main thread, needs X and xdotool.

    ClassChat          started against dist/chat-server on a free port (as a student with --host/--port/--nick)
    ClassChat-Server   the admin window, started as a teacher does (no --start)

Each run starts the executable and polls `xdotool search --onlyvisible`
every few milliseconds until a window of that name is mapped (xdotool's
own --sync polls only twice a second, too coarse for this).  On Linux it
also reads the processor time the program (the one-file loader and the
Python it starts) had used by then, from /proc: a figure that other work on
a busy machine changes far less than the wall-clock time.  Every program
runs with its settings and data folders in a temporary folder, never the
user's: the server makes its certificate there, the chat window pins it
there.  Prints each run and the median, for docs/executables.md:

    DISPLAY=:13 python3 build_scripts/measure_startup.py --runs 7
    DISPLAY=:13 python3 build_scripts/measure_startup.py --runs 7 --only ClassChat-Server
    DISPLAY=:13 python3 build_scripts/measure_startup.py --runs 11 --dist old-build/ --dist dist/

With --dist given more than once the builds are compared run by run: each
round starts every build's program once, in turn (the chat windows all
connect to the first folder's chat-server).
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

from build_scripts.executables import BY_NAME, DIST  # noqa: E402

POLL_INTERVAL = 0.005
WINDOW_TIMEOUT = 30.0
WINDOW_NAMES = {"ClassChat": "^ClassChat", "ClassChat-Server": "^ClassChat Server"}


def program(name: str, dist: Path) -> str:
    return str(dist / BY_NAME[name].dist_path.name)


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


def start_server(environment: dict[str, str], dist: Path) -> tuple[subprocess.Popen[str], int]:
    server = subprocess.Popen(
        [program("chat-server", dist), "--host", "127.0.0.1", "--port", "0", "--no-announce"],
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


def processor_seconds(pid: int) -> float | None:
    """User and system time of `pid` and its descendants so far (Linux /proc), or None elsewhere."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0
    pending = [pid]
    try:
        while pending:
            current = pending.pop()
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
    except (OSError, ValueError, IndexError):
        return None
    return total / ticks


def visible_window(name: str) -> bool:
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", name], capture_output=True, text=True)
    return bool(found.stdout.strip())


def time_to_window(command: list[str], window_name: str, environment: dict[str, str]) -> tuple[float, float | None]:
    """(seconds from start to the window shown, processor seconds used by then)."""
    started = time.perf_counter()
    program = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    try:
        while not visible_window(window_name):
            if program.poll() is not None:
                raise RuntimeError(f"{command[0]} ended (exit {program.returncode}) before its window showed")
            if time.perf_counter() - started > WINDOW_TIMEOUT:
                raise RuntimeError(f"no {window_name} window within {WINDOW_TIMEOUT} s")
            time.sleep(POLL_INTERVAL)
        return time.perf_counter() - started, processor_seconds(program.pid)
    finally:
        program.terminate()
        program.wait()


def measure(name: str, runs: int, folder: Path, dists: list[Path]) -> list[list[tuple[float, float | None]]]:
    """`runs` rounds; each round starts the program of every build folder in `dists` once, in turn.

    Interleaving keeps a comparison fair on a shared machine: a burst of
    other work falls on every build alike instead of on one block of runs.
    """
    environment = private_environment(folder / name)
    window_name = WINDOW_NAMES[name]
    if visible_window(window_name):  # a window left from elsewhere would end every run at once
        sys.exit(f"measure_startup: a {name} window is already open on this display; close it first")
    results: list[list[tuple[float, float | None]]] = [[] for _ in dists]
    if name == "ClassChat-Server":
        for _run in range(runs):
            for index, dist in enumerate(dists):
                command = [program(name, dist), "--host", "127.0.0.1", "--port", "0"]
                results[index].append(time_to_window(command, window_name, environment))
        return results
    server, port = start_server(environment, dists[0])
    try:
        for run in range(runs):
            for index, dist in enumerate(dists):
                command = [program(name, dist), "--host", "127.0.0.1", "--port", str(port)]
                command += ["--nick", f"timer{run}x{index}", "--room", "timing"]
                results[index].append(time_to_window(command, window_name, environment))
        return results
    finally:
        server.terminate()
        server.wait()


def report(name: str, dist: Path, runs: list[tuple[float, float | None]]) -> None:
    seconds = [wall for wall, _cpu in runs]
    size = Path(program(name, dist)).stat().st_size
    print(
        f"{name} ({dist}, {size:,} bytes): start to window, seconds: " + ", ".join(f"{value:.2f}" for value in seconds)
    )
    print(
        f"{name}: median {statistics.median(seconds):.2f} s, min {min(seconds):.2f} s, "
        f"max {max(seconds):.2f} s over {len(seconds)} runs"
    )
    processor = [cpu for _wall, cpu in runs if cpu is not None]
    if processor:
        print(f"{name}: processor time by then, median {statistics.median(processor):.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", choices=sorted(WINDOW_NAMES), action="append", help="measure just this one")
    parser.add_argument(
        "--dist",
        type=Path,
        action="append",
        help="an executables' folder (default dist/); give it twice or more to compare builds, run in turn",
    )
    args = parser.parse_args()
    dists = args.dist or [DIST]
    with tempfile.TemporaryDirectory(prefix="classchat-startup-") as temporary:
        for name in args.only or sorted(WINDOW_NAMES):
            for dist, runs in zip(dists, measure(name, args.runs, Path(temporary), dists), strict=True):
                report(name, dist, runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
