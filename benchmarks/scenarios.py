"""The scenarios and the controller that runs one: start a server, fork load processes, collect figures (controller process).

    controller --starts--> server process (ClassChat, miniircd or ngIRCd)
    controller --forks---> load processes --loopback TCP--> server
    controller <--pipes--- per-client counts, CRCs, latencies, CPU

A traffic scenario (fanout, rooms) reports deliveries per second, latency
percentiles, lost messages and order violations; the connect scenario
reports the time to register every client, the server's memory per
connection and what the idle server costs; `tls_clients` makes its clients
speak TLS to a server that merely offers it (the register scenarios).
The files scenario times one upload and one download of `transfer_mib`
MiB; a traffic scenario with `transfer_mib` runs such transfers over and
over beside the chat traffic (benchmarks/file_load.py).  A traffic
scenario with `typing` has typists beside the chat senders, and reports the
`typing` frames its receivers counted in the measured window
(benchmarks/typing_load.py); a typing scenario in which no typing frame
arrives fails, and so does its twin without typists if one does.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from benchmarks.file_load import transfer_process_main
from benchmarks.load import load_process_main
from benchmarks.load_client import LATENCY_BUCKET_NS
from benchmarks.load_plan import ClientPlan, RunPlan
from benchmarks.procstat import machine_ticks, sample
from benchmarks.servers import RunningServer
from benchmarks.typing_load import TypingMix
from benchmarks.wire import DIALECTS

PROBES_PER_ROOM = 3  # flat-out runs parse every token only on these receivers
FLAT_OUT_BATCH = 20
FLAT_OUT_WINDOW = 4
RUN_START_AHEAD_NS = 20_000_000  # 20 ms: the load processes start together, however the pipes deliver the plan


@dataclass(frozen=True)
class Scenario:
    name: str
    kind: str  # "fanout", "rooms", "connect" or "files"
    clients: int
    senders: int = 0  # fanout only; in "rooms" everybody sends
    rooms: int = 1
    rate: float = 0.0  # messages per second per sender; 0 means flat out
    messages: int = 0  # per sender
    idle_seconds: float = 5.0  # connect only
    # Clients connecting at once, over all load processes; 0 means everybody.  Traffic scenarios
    # connect a few at a time so that a server with a short listen queue is measured on traffic only.
    connect_window: int = 8
    transfer_mib: int = 0  # files: the file's size; fanout/rooms: a transfer of this size runs throughout
    tls_clients: bool = False  # the clients speak TLS even to a server that also takes plain (its default)
    # fanout at a rate: who types beside the chat (the first clients after the senders); typing frames are
    # counted whenever this is set, so TypingMix() is the twin without typists
    typing: TypingMix | None = None

    def describe(self) -> str:
        if self.kind == "files":
            return f"one {self.transfer_mib} MiB upload, then its download, nothing else running"
        beside = f"; {self.transfer_mib} MiB transfers up and down all the while" if self.transfer_mib else ""
        if self.typing is not None:
            beside += "; " + self.typing.describe()
        return self._describe_chat() + beside

    def _describe_chat(self) -> str:
        if self.kind == "connect":
            pace = f"{self.connect_window} at a time" if self.connect_window else "all at once"
            over = " over TLS" if self.tls_clients else ""
            return f"{self.clients} clients register{over} ({pace}), then sit idle {self.idle_seconds:g} s"
        pace = f"{self.rate:g} msg/s each" if self.rate else "flat out"
        who = f"{self.senders} senders" if self.kind == "fanout" else "everybody sends"
        where = "one room" if self.rooms == 1 else f"{self.rooms} rooms"
        return f"{self.clients} clients in {where}, {who}, {pace}, {self.messages} messages each"


@dataclass
class Result:
    scenario: Scenario
    server: str
    error: str = ""
    deliveries: int = 0
    seconds: float = 0.0
    latency_histogram: dict[int, int] = field(default_factory=dict)  # bucket of LATENCY_BUCKET_NS -> count
    latency_max_ms: float = float("nan")
    lost: int = 0
    order_violations: int = 0
    order_compared: int = 0
    steal_percent: float = float("nan")  # the machine's CPU time the hypervisor took during the run (traffic runs)
    server_cpu_percent: float = 0.0
    server_rss_mb: float = 0.0
    server_rss_before_mb: float = 0.0  # connect: before the first client connected
    server_peak_rss_mb: float = 0.0
    server_threads: int = 0
    load_cpu_percent: float = 0.0
    load_busiest_percent: float = 0.0
    register_seconds: float = 0.0
    setup_cpu_seconds: float = 0.0  # load processes' CPU to connect and register
    load_average: float = 0.0  # the machine's 1-minute load average at the end of the run
    registered: int = 0
    failures: list[str] = field(default_factory=list)
    # typing scenarios: TYPING written, `typing` frames received inside the measured window (all clients), per
    # second of it, and those received after it
    typing_sent: int = 0
    typing_frames: int = 0
    typing_by_second: list[int] = field(default_factory=list)
    typing_late: int = 0
    typing_seconds: float = 0.0
    transfer_speeds: list[tuple[float, float]] = field(default_factory=list)  # (upload, download) MB/s per round

    def latency_ms(self, fraction: float) -> float:
        """Nearest-rank percentile from the histogram (upper edge of the bucket), NaN without samples."""
        total = sum(self.latency_histogram.values())
        if not total:
            return float("nan")
        rank = max(1, round(fraction * total))
        seen = 0
        for bucket in sorted(self.latency_histogram):
            seen += self.latency_histogram[bucket]
            if seen >= rank:
                return (bucket + 1) * LATENCY_BUCKET_NS / 1e6
        return self.latency_max_ms

    @property
    def deliveries_per_second(self) -> float:
        return self.deliveries / self.seconds if self.seconds else 0.0

    @property
    def typing_per_second(self) -> float:
        return self.typing_frames / self.typing_seconds if self.typing_seconds else 0.0

    @property
    def typing_full_seconds(self) -> list[int]:
        """The per-second counts of whole seconds only (a window of 2.5 s has two)."""
        return self.typing_by_second[: int(self.typing_seconds)]

    @property
    def kb_per_connection(self) -> float:
        """Connect: the server's resident memory growth per registered client, in KB (1,000 bytes)."""
        if not self.registered or not self.server_rss_mb:
            return float("nan")
        return (self.server_rss_mb - self.server_rss_before_mb) * 1000 / self.registered


def plan_clients(scenario: Scenario) -> list[ClientPlan]:
    plans = []
    paces = scenario.typing.paces() if scenario.typing is not None else []
    for index in range(scenario.clients):
        if scenario.kind == "connect":
            plans.append(ClientPlan(index, None, False, False))
            continue
        room = f"bench{index % scenario.rooms}"
        sender = scenario.kind == "rooms" or index < scenario.senders
        typist = index - scenario.senders
        typing_every, typing_offset = (
            paces[typist] if scenario.kind == "fanout" and 0 <= typist < len(paces) else (0, 0)
        )
        # At a fixed rate every receiver can afford to check every token; flat out only a few do.
        probe = (
            bool(scenario.rate)
            or index // scenario.rooms < PROBES_PER_ROOM
            or (scenario.kind == "fanout" and scenario.senders <= index < scenario.senders + PROBES_PER_ROOM)
        )
        plans.append(ClientPlan(index, room, sender, probe, typing_every, typing_offset))
    # Each sender its own phase of the interval, counted over the whole run: the load processes take every
    # n-th client, and phases counted per process made their senders write in pairs at the same moment.
    senders = [plan for plan in plans if plan.sender]
    phases = {plan.index: rank / len(senders) for rank, plan in enumerate(senders)}
    return [replace(plan, send_phase=phases[plan.index]) if plan.sender else plan for plan in plans]


def expected_counts(scenario: Scenario, plans: list[ClientPlan]) -> dict[int, int]:
    """Room messages each client should get from others (its own echo is counted apart)."""
    senders_in_room = Counter(plan.room for plan in plans if plan.sender)
    return {plan.index: (senders_in_room[plan.room] - (1 if plan.sender else 0)) * scenario.messages for plan in plans}


def run_scenario(scenario: Scenario, server: RunningServer, processes: int) -> Result:
    result = Result(scenario, server.kind)
    if scenario.transfer_mib and server.dialect != "classchat":
        result.error = "file transfers need a ClassChat server"
        return result
    tls = server.tls or scenario.tls_clients
    if tls and server.dialect != "classchat":
        result.error = "TLS clients need a ClassChat server"
        return result
    if scenario.typing is not None and (
        server.dialect != "classchat" or scenario.kind != "fanout" or not scenario.rate
    ):
        result.error = "typing scenarios need a ClassChat server and a fanout at a fixed rate"
        return result
    if scenario.kind == "files":
        transfers = _start_transfers(server, scenario.transfer_mib, rounds=1)
        _finish_transfers(result, transfers, stop=False)
        return result
    plans = plan_clients(scenario)
    shares = [plans[i::processes] for i in range(processes)]
    # forkserver: children come from a clean one-threaded process, never a fork of this threaded controller
    # (which can deadlock on a lock another thread held; Python 3.12+ warns of it).
    context = multiprocessing.get_context("forkserver")
    pipes, workers = [], []
    for share in shares:
        if not share:
            continue
        parent_end, child_end = context.Pipe()
        worker = context.Process(
            target=load_process_main,
            args=("127.0.0.1", server.port, server.dialect, share, child_end, tls),
            daemon=True,
        )
        worker.start()
        child_end.close()
        pipes.append(parent_end)
        workers.append(worker)
    try:
        window = max(1, scenario.connect_window // len(pipes)) if scenario.connect_window else 0
        result.server_rss_before_mb = sample(server.pid).rss_bytes / 1e6
        for pipe in pipes:
            pipe.send(("connect", window))
        setups = [pipe.recv() for pipe in pipes]
        result.registered = sum(s["registered"] for s in setups)
        result.failures = [f for s in setups for f in s["failures"]]
        result.setup_cpu_seconds = sum(s["cpu"] for s in setups)
        result.register_seconds = max(s["registered_at"] for s in setups) - min(s["started_at"] for s in setups)
        if scenario.kind == "connect":
            _measure_idle(result, server, scenario.idle_seconds)
        else:
            _run_traffic(result, scenario, server, plans, pipes)
        result.load_average = os.getloadavg()[0]
        if server.process.poll() is not None:
            last_words = server.log_tail().splitlines()[-1:] or [""]
            result.failures.insert(
                0, f"the server exited (status {server.process.returncode}) during the run: {last_words[0]}"
            )
    finally:
        for pipe in pipes:
            try:
                pipe.send(("close", None))
                pipe.recv()
            except (EOFError, OSError):
                pass
        for worker in workers:
            worker.join(10)
            if worker.is_alive():
                worker.kill()
    return result


def _measure_idle(result: Result, server: RunningServer, idle_seconds: float) -> None:
    if server.process.poll() is not None:
        return  # nothing left to measure; run_scenario reports the exit
    settle = sample(server.pid)
    time.sleep(idle_seconds)
    after = sample(server.pid)
    result.server_cpu_percent = 100 * (after.cpu_seconds - settle.cpu_seconds) / idle_seconds
    result.server_rss_mb = after.rss_bytes / 1e6
    result.server_peak_rss_mb = after.peak_rss_bytes / 1e6
    result.server_threads = after.threads


def _run_traffic(
    result: Result, scenario: Scenario, server: RunningServer, plans: list[ClientPlan], pipes: list
) -> None:
    expected = expected_counts(scenario, plans)
    duration = scenario.messages / scenario.rate if scenario.rate else 30.0
    typing_seconds = duration if scenario.typing is not None else 0.0  # the typists type while the senders send
    run_plan = RunPlan(
        scenario.messages, scenario.rate, FLAT_OUT_BATCH, FLAT_OUT_WINDOW, expected, duration + 30.0, typing_seconds
    )
    transfers = _start_transfers(server, scenario.transfer_mib, rounds=0) if scenario.transfer_mib else None
    before = sample(server.pid)
    ticks_before = machine_ticks()
    wall_start = time.monotonic()
    # One start for every load process, a moment ahead so that each has its plan by then.
    run_plan = replace(run_plan, start_ns=time.monotonic_ns() + RUN_START_AHEAD_NS)
    for pipe in pipes:
        pipe.send(("run", run_plan))
    reports = [pipe.recv() for pipe in pipes]
    wall = time.monotonic() - wall_start
    after = sample(server.pid)
    result.steal_percent = machine_ticks().steal_percent_since(ticks_before)
    if transfers is not None:
        _finish_transfers(result, transfers, stop=True)
    clients = [c for report in reports for c in report["clients"]]
    start_ns = min(report["start_ns"] for report in reports)
    end_ns = max((c["last_receive_ns"] for c in clients), default=start_ns)
    result.deliveries = sum(c["others"] for c in clients)
    result.seconds = max(1e-9, (end_ns - start_ns) / 1e9)
    for report in reports:
        for bucket, count in report["latency_histogram"].items():
            result.latency_histogram[bucket] = result.latency_histogram.get(bucket, 0) + count
    if result.latency_histogram:
        result.latency_max_ms = max(report["latency_max_ns"] for report in reports) / 1e6
    received = {c["index"]: c for c in clients}
    result.lost = sum(
        max(0, count - received[i]["others"]) if i in received else count for i, count in expected.items()
    )
    result.order_violations = sum(c["order_violations"] for c in clients)
    _compare_room_orders(result, clients, expected, DIALECTS[server.dialect].echoes_sender)
    result.server_cpu_percent = 100 * (after.cpu_seconds - before.cpu_seconds) / wall
    result.server_rss_mb = after.rss_bytes / 1e6
    result.server_peak_rss_mb = after.peak_rss_bytes / 1e6
    result.server_threads = after.threads
    result.load_cpu_percent = 100 * sum(report["cpu"] for report in reports) / wall
    result.load_busiest_percent = 100 * max(report["cpu"] for report in reports) / wall
    if scenario.typing is not None:
        _count_typing(result, scenario.typing, typing_seconds, [report["typing"] for report in reports])


def _count_typing(result: Result, mix: TypingMix, seconds: float, counts: list[dict]) -> None:
    """Add up the load processes' typing counts; a typing run with no typing frame (or its twin with one) fails."""
    result.typing_seconds = seconds
    result.typing_sent = sum(c["sent"] for c in counts)
    result.typing_frames = sum(c["frames"] for c in counts)
    result.typing_late = sum(c["late"] for c in counts)
    result.typing_by_second = [sum(column) for column in zip(*(c["by_second"] for c in counts), strict=True)]
    if mix.typists and not result.typing_frames:
        result.error = (
            f"no typing frame reached any client in the {seconds:g} s measured "
            f"({mix.typists} typists wrote {result.typing_sent} TYPING)"
        )
    elif not mix.typists and (result.typing_frames or result.typing_late):
        result.error = f"{result.typing_frames + result.typing_late} typing frames counted though nobody typed"


def _compare_room_orders(result: Result, clients: list[dict], expected: dict[int, int], echoes_sender: bool) -> None:
    """Every member that got the room's whole stream must have seen it in one order (same CRC)."""
    by_room: dict[str, list[int]] = {}
    for client in clients:
        complete = client["others"] == expected.get(client["index"], -1)
        if client["sender"] and echoes_sender:
            complete = complete and client["own"] == client["sent"]  # its own stream too, or it cannot be compared
        if complete and (echoes_sender or not client["sender"]):
            by_room.setdefault(client["room"], []).append(client["crc"])
    for crcs in by_room.values():
        if len(crcs) < 2:
            continue
        _, agreeing = Counter(crcs).most_common(1)[0]
        result.order_compared += len(crcs)
        result.order_violations += len(crcs) - agreeing


def _start_transfers(server: RunningServer, size_mib: int, rounds: int) -> tuple[BaseProcess, Connection]:
    """Fork the transfer process; returns once its file is made (so the timing starts with the transfers)."""
    context = multiprocessing.get_context("forkserver")
    parent_end, child_end = context.Pipe()
    worker = context.Process(
        target=transfer_process_main,
        args=("127.0.0.1", server.port, size_mib, rounds, child_end, server.tls),
        daemon=True,
    )
    worker.start()
    child_end.close()
    parent_end.recv()  # "ready"
    return worker, parent_end


def _finish_transfers(result: Result, transfers: tuple[BaseProcess, Connection], stop: bool) -> None:
    worker, pipe = transfers
    if stop:
        pipe.send("stop")
    speeds, error = pipe.recv()
    worker.join(30)
    result.transfer_speeds = speeds
    if error:
        result.failures.insert(0, f"transfer: {error}")
        if not speeds:
            result.error = f"transfer failed: {error}"
