"""Benchmark of the client window: a real server floods a real window; prints shown/s, poller gaps, memory (main thread).

Run (needs a display; on a headless machine use xvfb-run):
    PYTHONPATH=. xvfb-run -a python3 benchmarks/gui_benchmark.py
    PYTHONPATH=. python3 benchmarks/gui_benchmark.py --messages 50000 --rates 2000,0 --senders 4

    feeder process:  a ChatServer (rate limit off) plus sender threads that say
                     numbered lines in one room at a steady rate (0: as fast as they can)
    this process:    the Tk window (ChatController), reading from that server as a student's would

For each rate it prints: messages per second shown in the pane, the longest
gap between two ticks of the window's poller (how long the window could not
answer the mouse or keyboard), and this process's memory after all messages.
The server lives in another process, so its work is not charged to the window.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
import os
import socket
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.procstat import sample  # noqa: E402
from shared.frames import command_frame, encode_frame  # noqa: E402

ROOM = "bench"


TEXTS = {
    "fox": "the quick brown fox jumps over the lazy dog",
    # a probe's flood: 1,980 characters of short links, folded to 400 in the pane (44 links on show)
    "links": " ".join(f"www.{letter}.io" for letter in "abcdefghij" * 23)[:1980],
}


# -- feeder process --
def _feeder(
    port_out: mp.connection.Connection,
    go: mp.synchronize.Event,
    messages: int,
    rate: float,
    senders: int,
    text: str = TEXTS["fox"],
) -> None:
    from chat_server import ChatServer, ServerConfig

    server = ChatServer(ServerConfig(host="127.0.0.1", port=0, rate_per_second=0)).start()
    sockets = []
    for number in range(senders):
        sock = socket.create_connection(server.address)
        sock.sendall(encode_frame(command_frame(f"NICK feeder{number}")) + encode_frame(command_frame(f"JOIN {ROOM}")))
        sockets.append(sock)
        threading.Thread(target=_drain, args=(sock,), daemon=True).start()
    port_out.send(server.address[1])
    go.wait()
    share = [messages // senders + (1 if number < messages % senders else 0) for number in range(senders)]
    threads = [
        threading.Thread(target=_send, args=(sock, number, count, rate / senders if rate else 0.0, text))
        for number, (sock, count) in enumerate(zip(sockets, share, strict=False))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    port_out.recv()  # the window says when it has shown everything
    server.stop()


def _drain(sock: socket.socket) -> None:
    try:
        while sock.recv(65536):
            pass
    except OSError:
        pass


def _send(sock: socket.socket, sender: int, count: int, rate: float, text: str = TEXTS["fox"]) -> None:
    start = time.perf_counter()
    batch = 20
    for first in range(0, count, batch):
        lines = b"".join(
            encode_frame(command_frame(f"SAY bench {sender}.{seq} {text}"))
            for seq in range(first, min(first + batch, count))
        )
        sock.sendall(lines)
        if rate:
            ahead = (first + batch) / rate - (time.perf_counter() - start)
            if ahead > 0:
                time.sleep(ahead)


# -- the window --
@dataclass
class Result:
    rate: str
    shown_per_second: float
    longest_gap_ms: float
    slow_gaps: int
    ticks: int
    rss_mib: float
    seconds: float
    outcome: str  # empty when every message was shown


def run_one(messages: int, rate: float, senders: int, text: str = "fox") -> Result:
    import tkinter as tk

    from chat_gui.settings import ClientSettings
    from chat_gui.window.controller import ChatController

    context = mp.get_context("spawn")
    parent_end, child_end = context.Pipe()
    go = context.Event()
    feeder = context.Process(target=_feeder, args=(child_end, go, messages, rate, senders, TEXTS[text]), daemon=True)
    feeder.start()
    port = parent_end.recv()
    root = tk.Tk()
    controller = ChatController(root, ClientSettings(), save=False)
    controller.start("127.0.0.1", port, "reader", ROOM)
    _pump(root, lambda: controller.session.state == "ready", 20)
    shown = {"count": 0}
    original = controller.room_view.show_message

    def counting_show_message(*args, **kwargs) -> None:
        shown["count"] += 1
        original(*args, **kwargs)

    controller.room_view.show_message = counting_show_message  # count what the pane really showed
    stats = controller.session.stats
    _pump(root, lambda: False, 0.5)  # let the joins and LIST settle
    stats.reset()
    started = time.perf_counter()
    go.set()
    complete = _pump(
        root, lambda: shown["count"] >= messages or controller.session.state != "ready", max(60.0, messages / 500)
    )
    elapsed = time.perf_counter() - started
    complete = complete and shown["count"] >= messages
    outcome = "" if complete else f"  (INCOMPLETE after {shown['count']}: {controller.window.status.cget('text')})"
    result = Result(
        f"{rate:g}/s" if rate else "as fast as sent",
        shown["count"] / elapsed,
        stats.longest_gap * 1000,
        stats.slow_gaps,
        stats.ticks,
        sample(os.getpid()).rss_bytes / 2**20,
        elapsed,
        outcome,
    )
    parent_end.send("done")
    controller.shutdown()
    root.destroy()
    del counting_show_message
    controller = root = original = None  # drop the last references here, so gc frees the Tk objects on this thread
    gc.collect()  # free the Tk objects here, on the Tk thread
    feeder.join(30)
    return result


def _pump(root, condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        root.update()
        if condition():
            return True
        time.sleep(0.002)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--rates", default="2000,0", help="messages per second to send, comma-separated; 0: flat out")
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument(
        "--text", choices=sorted(TEXTS), default="fox", help="what each message says (links: 44 links on show)"
    )
    args = parser.parse_args(argv)
    if not os.environ.get("DISPLAY") and sys.platform.startswith("linux"):
        print("No DISPLAY: run it under xvfb-run -a, or on a desktop.", file=sys.stderr)
        return 2
    rss_start = sample(os.getpid()).rss_bytes / 2**20
    print(
        f"ClassChat window benchmark: {args.messages} messages ({args.text}) from {args.senders} senders per run; "
        f"memory before any window {rss_start:.1f} MiB"
    )
    header = (
        f"{'send rate':>16} | {'shown/s':>8} | {'longest poller gap':>18} | {'gaps > 50 ms':>12} | "
        f"{'ticks':>6} | {'memory after':>12} | {'time':>7}"
    )
    print(header)
    print("-" * len(header))
    for rate in (float(part) for part in args.rates.split(",")):
        result = run_one(args.messages, rate, args.senders, args.text)
        print(
            f"{result.rate:>16} | {result.shown_per_second:8.0f} | {result.longest_gap_ms:15.1f} ms | "
            f"{result.slow_gaps:12d} | {result.ticks:6d} | {result.rss_mib:8.1f} MiB | {result.seconds:5.1f} s{result.outcome}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
