"""How much Python time the history store leaves the chat threads in a flood (main thread, a spinner and a producer).

    python -m benchmarks.store_gil [--rate 25000] [--seconds 6] [--runs 2]

The server is one process with one interpreter lock (GIL): whatever the
storage writer thread does in Python (or in C code that keeps the lock)
is time the chat threads do not get.  Here a "chat" thread does Python
work in 20 µs slices with a system call between them (as a handler thread
does), while a producer appends room messages at `--rate` a second to a
real store in a temporary folder.  The table shows the chat thread's work
with each store as a share of its work with history off, and the writer
thread's CPU per message (the part of it that ran without the lock could
use another core).  The two stores alternate run by run, so a noisy
machine spreads its noise over both.  No network.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass

from chat_server.storage import open_storage
from chat_server.storage.models import room_message


@dataclass(frozen=True)
class Outcome:
    chat_work: int
    writer_cpu_seconds: float
    messages: int


def thread_cpu_seconds(thread: threading.Thread | None) -> float:
    """CPU time a running thread has used (0.0 for none), from its own POSIX CPU clock."""
    if thread is None or thread.ident is None:
        return 0.0
    return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))


def run_once(history: bool, rate: int, seconds: float) -> Outcome:
    folder = tempfile.mkdtemp(prefix="classchat-store-gil-")
    storage = open_storage(folder, history=history)
    store = storage.messages
    stopping = threading.Event()
    chat_work = 0
    next_id = store.highest_id() + 1

    def chat() -> None:
        nonlocal chat_work
        while not stopping.is_set():
            total = 0
            for number in range(200):  # about 20 µs of Python
                total += number
            time.sleep(0)  # a system call, as a handler thread's recv or send
            chat_work += 1

    def produce() -> None:
        nonlocal next_id
        started, sent = time.monotonic(), 0
        while not stopping.is_set():
            due = int((time.monotonic() - started) * rate)
            while sent < due:
                number = next_id
                next_id += 1
                room = f"room{number % 20}"
                text = f"M{number % 200}.{number}.{time.monotonic_ns()}"
                store.append(
                    room_message(number, room, room, f"s{number % 200}", "k" * 16, text, int(time.time() * 1000), None)
                )
                sent += 1
            time.sleep(0.002)

    writer = next((t for t in threading.enumerate() if t.name == "chat-storage-writer"), None)
    cpu_before = thread_cpu_seconds(writer)
    workers = [threading.Thread(target=chat), threading.Thread(target=produce)]
    for worker in workers:
        worker.start()
    time.sleep(seconds)
    stopping.set()
    for worker in workers:
        worker.join()
    cpu = thread_cpu_seconds(writer) - cpu_before
    storage.close()
    shutil.rmtree(folder, ignore_errors=True)
    return Outcome(chat_work, cpu, next_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=25_000, help="messages a second (default 25000)")
    parser.add_argument("--seconds", type=float, default=6.0, help="seconds per run (default 6)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each store, alternating (default 3)")
    args = parser.parse_args()
    variants = [("history off", False), ("history on", True)]
    results: dict[str, list[Outcome]] = {name: [] for name, _ in variants}
    for _ in range(args.runs):
        for name, history in variants:
            results[name].append(run_once(history, args.rate, args.seconds))
    base = sum(outcome.chat_work for outcome in results["history off"]) or 1
    print(f"{args.rate} messages a second for {args.seconds:g} s, {args.runs} runs each, {os.cpu_count()} CPUs")
    print("| store | chat work | share of history off | writer CPU µs/msg |")
    print("| --- | --- | --- | --- |")
    for name, _ in variants:
        work = sum(outcome.chat_work for outcome in results[name])
        cpu = sum(outcome.writer_cpu_seconds for outcome in results[name])
        per_message = f"{cpu / (args.rate * args.seconds * args.runs) * 1e6:.1f}" if cpu else "-"
        print(f"| {name} | {work:,} | {work / base * 100:.1f}% | {per_message} |")


if __name__ == "__main__":
    main()
