"""`python -m benchmarks`: pick scenarios and servers, run each pair, print the tables (main thread of the controller)."""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import time
from pathlib import Path

from benchmarks.procstat import load_average, machine_description
from benchmarks.report import (
    CONNECT_HEADER,
    FILES_HEADER,
    TRAFFIC_HEADER,
    TYPING_HEADER,
    connect_row,
    failure_notes,
    files_row,
    format_table,
    traffic_row,
    typing_row,
)
from benchmarks.scenarios import Result, Scenario, run_scenario
from benchmarks.servers import (
    REPO_ROOT,
    SERVER_KINDS,
    ServerChoice,
    ServerUnavailable,
    free_port,
    start_server,
    unpack_revision,
)
from benchmarks.typing_load import TypingMix

# Issue 16: 20 typists in a room of 200, half at the chat window's pace, half on every keystroke.
TYPISTS = TypingMix(window=10, hostile=10)
# The reference workloads; --quick shortens the timed ones and shrinks the connect one.
STANDARD = {
    "fanout100": Scenario("fanout100", "fanout", clients=100, senders=10, rate=20, messages=200),
    "fanout500": Scenario("fanout500", "fanout", clients=500, senders=10, rate=20, messages=200),
    "fanout-flat": Scenario("fanout-flat", "fanout", clients=100, senders=10, messages=2000),
    "rooms-flat": Scenario("rooms-flat", "rooms", clients=200, rooms=20, messages=500),
    "connect5000": Scenario("connect5000", "connect", clients=5000, idle_seconds=5, connect_window=0),
    "idle3000": Scenario("idle3000", "connect", clients=3000, idle_seconds=5, connect_window=4),
    # Issue 14: 1,000 clients hand-shake TLS and register all at once (against a server that offers TLS
    # beside plain, its default); the plain variant is the same without TLS.
    "tls-register1000": Scenario(
        "tls-register1000", "connect", clients=1000, idle_seconds=2, connect_window=0, tls_clients=True
    ),
    "register1000": Scenario("register1000", "connect", clients=1000, idle_seconds=2, connect_window=0),
    # Issue 15: 25 MiB up and down alone, and fanout100 while such transfers run.
    "files25": Scenario("files25", "files", clients=0, transfer_mib=25),
    "fanout100-files": Scenario(
        "fanout100-files", "fanout", clients=100, senders=10, rate=20, messages=200, transfer_mib=25
    ),
    # Issue 16: fanout100's chat in a room of 200 while 20 type, and the same without typists (the chat p99 to
    # compare with, typing frames counted all the same).
    "typing200": Scenario("typing200", "fanout", clients=200, senders=10, rate=20, messages=200, typing=TYPISTS),
    "typing200-off": Scenario(
        "typing200-off", "fanout", clients=200, senders=10, rate=20, messages=200, typing=TypingMix()
    ),
}
QUICK = {
    "fanout100": Scenario("fanout100", "fanout", clients=100, senders=10, rate=20, messages=40),
    "fanout500": Scenario("fanout500", "fanout", clients=500, senders=10, rate=20, messages=40),
    "fanout-flat": Scenario("fanout-flat", "fanout", clients=100, senders=10, messages=300),
    "rooms-flat": Scenario("rooms-flat", "rooms", clients=200, rooms=20, messages=100),
    "connect5000": Scenario("connect5000", "connect", clients=1000, idle_seconds=2, connect_window=0),
    "idle3000": Scenario("idle3000", "connect", clients=600, idle_seconds=2, connect_window=4),
    "tls-register1000": Scenario(
        "tls-register1000", "connect", clients=1000, idle_seconds=1, connect_window=0, tls_clients=True
    ),
    "register1000": Scenario("register1000", "connect", clients=1000, idle_seconds=1, connect_window=0),
    "files25": Scenario("files25", "files", clients=0, transfer_mib=25),
    "fanout100-files": Scenario(
        "fanout100-files", "fanout", clients=100, senders=10, rate=20, messages=40, transfer_mib=25
    ),
    "typing200": Scenario("typing200", "fanout", clients=200, senders=10, rate=20, messages=40, typing=TYPISTS),
    "typing200-off": Scenario(
        "typing200-off", "fanout", clients=200, senders=10, rate=20, messages=40, typing=TypingMix()
    ),
}
CUSTOM_KINDS = ("fanout", "rooms", "connect")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Start a chat server in its own process, drive it from load processes on loopback, print a table.",
        epilog="Standard scenarios: "
        + "; ".join(f"{name}: {scenario.describe()}" for name, scenario in STANDARD.items())
        + ". Custom: fanout, rooms or connect, shaped by --clients, --senders, --rooms, --rate, --messages, --idle-seconds.",
    )
    parser.add_argument(
        "scenarios",
        nargs="*",
        metavar="SCENARIO",
        help=f"any of {', '.join([*STANDARD, *CUSTOM_KINDS])} (default: every standard scenario)",
    )
    parser.add_argument(
        "--servers",
        default="classchat",
        help=f"comma-separated, from {', '.join(SERVER_KINDS)}, or 'all' (default classchat); "
        "classchat@REV runs ClassChat as of a git revision, classchat[OPTIONS] adds server options, "
        "e.g. --servers 'classchat@HEAD~5,classchat,classchat[--no-history]' compares before and after in one run",
    )
    parser.add_argument(
        "--quick", action="store_true", help="short runs (a few seconds each), 1,000 clients for connect"
    )
    parser.add_argument("--processes", type=int, default=2, help="load processes (default 2)")
    parser.add_argument("--clients", type=int, default=100, help="custom scenarios: clients (default 100)")
    parser.add_argument("--senders", type=int, default=10, help="custom fanout: senders (default 10)")
    parser.add_argument("--rooms", type=int, default=10, help="custom rooms: rooms (default 10)")
    parser.add_argument(
        "--rate", type=float, default=0, help="custom: messages per second per sender, 0 = flat out (default 0)"
    )
    parser.add_argument("--messages", type=int, default=1000, help="custom: messages per sender (default 1000)")
    parser.add_argument("--idle-seconds", type=float, default=5, help="custom connect: idle time measured (default 5)")
    parser.add_argument(
        "--connect-window", type=int, default=0, help="custom connect: clients connecting at once, 0 = all (default 0)"
    )
    parser.add_argument(
        "--ports", default="41000-41999", help="loopback port range for the servers (default 41000-41999)"
    )
    return parser


def chosen_scenarios(args: argparse.Namespace) -> list[Scenario]:
    table = QUICK if args.quick else STANDARD
    names = args.scenarios or list(STANDARD)
    scenarios = []
    for name in names:
        if name in table:
            scenarios.append(table[name])
        elif name in CUSTOM_KINDS:
            scenarios.append(
                Scenario(
                    name,
                    name,
                    clients=args.clients,
                    senders=args.senders if name == "fanout" else 0,
                    rooms=args.rooms if name == "rooms" else 1,
                    rate=args.rate,
                    messages=args.messages,
                    idle_seconds=args.idle_seconds,
                    connect_window=args.connect_window if name == "connect" else Scenario.connect_window,
                )
            )
        else:
            raise SystemExit(f"unknown scenario {name!r}; see --help")
    return scenarios


def chosen_servers(text: str) -> list[ServerChoice]:
    if text == "all":
        return [ServerChoice(kind) for kind in SERVER_KINDS]
    # split on commas outside [...], so options may hold commas
    parts, depth, current = [], 0, ""
    for char in text:
        depth += (char == "[") - (char == "]")
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    try:
        return [ServerChoice.parse(part.strip()) for part in parts if part.strip()]
    except ValueError as exc:
        raise SystemExit(str(exc)) from None


def run_one(scenario: Scenario, choice: ServerChoice, args: argparse.Namespace, roots: dict[str, Path]) -> Result:
    first, last = (int(part) for part in args.ports.split("-"))
    try:
        root = roots.get(choice.revision, REPO_ROOT)
        server = start_server(choice, free_port(first, last), max_clients=scenario.clients + 100, source_root=root)
    except ServerUnavailable as exc:
        return Result(scenario, choice.label, error=str(exc))
    try:
        return run_scenario(scenario, server, args.processes)
    except (OSError, EOFError) as exc:
        return Result(scenario, choice.label, error=f"{type(exc).__name__}: {exc}")
    finally:
        server.stop()


def raise_open_file_limit(wanted: int) -> str:
    """Many systems start programs with 1,024 open files; the connect scenarios need more (inherited by the servers)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return f"open files allowed: {soft}"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    scenarios = chosen_scenarios(args)
    servers = chosen_servers(args.servers)
    # Each client costs a descriptor in a load process and one in the server (plus a margin).
    limit_note = raise_open_file_limit(max(s.clients for s in scenarios) + 1000)
    print(f"machine: {machine_description()}; {limit_note}")
    print(f"load average before: {load_average()}  ({time.strftime('%Y-%m-%d %H:%M:%S %Z')})")
    for scenario in scenarios:
        print(f"  {scenario.name}: {scenario.describe()}")
    sys.stdout.flush()
    roots: dict[str, Path] = {}
    for choice in servers:
        if choice.revision and choice.revision not in roots:
            try:
                roots[choice.revision] = Path(unpack_revision(choice.revision))
            except ServerUnavailable as exc:
                raise SystemExit(str(exc)) from None
    print("servers: " + ", ".join(choice.label for choice in servers))
    results = []
    try:
        for scenario in scenarios:
            for choice in servers:
                results.append(run_one(scenario, choice, args, roots))
                result = results[-1]
                if scenario.kind == "files":
                    row = files_row(result)
                else:
                    row = connect_row(result) if scenario.kind == "connect" else traffic_row(result)
                print("  done:", " ".join(cell for cell in row if cell), flush=True)
    finally:
        for root in roots.values():
            shutil.rmtree(root, ignore_errors=True)
    traffic = [traffic_row(r) for r in results if r.scenario.kind not in ("connect", "files")]
    connect = [connect_row(r) for r in results if r.scenario.kind == "connect"]
    files = [files_row(r) for r in results if r.scenario.transfer_mib]
    typing = [typing_row(r) for r in results if r.scenario.typing is not None]
    print()
    if traffic:
        print(format_table(TRAFFIC_HEADER, traffic))
        print()
    if connect:
        print(format_table(CONNECT_HEADER, connect))
        print()
    if files:
        print(format_table(FILES_HEADER, files))
        print()
    if typing:
        print(format_table(TYPING_HEADER, typing))
        print()
    for note in failure_notes(results):
        print("note:", note)
    print(f"load average after: {load_average()}")
    return 0
