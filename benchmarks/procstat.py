"""CPU time, memory and thread count of a process, read from /proc (controller and load processes).

Linux only: the figures come from /proc/<pid>/stat and /proc/<pid>/status,
so the benchmark needs no third-party package.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ProcSample:
    cpu_seconds: float  # user + system, whole life of the process
    rss_bytes: int
    peak_rss_bytes: int
    threads: int


def sample(pid: int) -> ProcSample:
    with open(f"/proc/{pid}/stat", "rb") as stat_file:
        stat = stat_file.read()
    # The command name may hold spaces and parentheses; the fields after the last ')' do not.
    fields = stat[stat.rindex(b")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])
    rss = peak = threads = 0
    with open(f"/proc/{pid}/status", "rb") as status_file:
        for line in status_file:
            if line.startswith(b"VmRSS:"):
                rss = int(line.split()[1]) * 1024
            elif line.startswith(b"VmHWM:"):
                peak = int(line.split()[1]) * 1024
            elif line.startswith(b"Threads:"):
                threads = int(line.split()[1])
    return ProcSample((utime + stime) / CLOCK_TICKS, rss, peak, threads)


@dataclass(frozen=True)
class MachineTicks:
    """The whole machine's CPU time so far, in clock ticks (the first line of /proc/stat)."""

    steal: int  # time the hypervisor ran something else while this machine's CPUs had work
    total: int

    def steal_percent_since(self, earlier: MachineTicks) -> float:
        """Stolen time between `earlier` and this sample, in % of all CPU time (vmstat's `st`); NaN if none passed."""
        total = self.total - earlier.total
        return 100 * (self.steal - earlier.steal) / total if total > 0 else float("nan")


def machine_ticks() -> MachineTicks:
    """On a virtual machine, stolen CPU time shows as latency no server change can remove: the table reports it."""
    try:
        with open("/proc/stat", "rb") as stat_file:
            fields = [int(value) for value in stat_file.readline().split()[1:9]]
    except (OSError, ValueError):
        return MachineTicks(0, 0)
    steal = fields[7] if len(fields) > 7 else 0  # user nice system idle iowait irq softirq steal
    return MachineTicks(steal, sum(fields))


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def machine_description() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs, {model}, Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"
