"""The history store's benchmark: fill N messages in a temporary folder, then time its reads (main thread).

    python -m benchmarks.history_bench [--messages 1000000] [--rooms 20] [--samples 200] [--keep DIR]

Prints one table: append (the caller's cost and the writer's rate), reopen,
replay, page and search timings, p50 and p99, measured in this process
against a real SQLite file. No network.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from chat_server.storage import Conversation, Storage, StoredMessage, open_storage
from chat_server.storage.history import SqliteMessageStore

SYLLABLES = [
    "ka",
    "ri",
    "to",
    "mu",
    "sen",
    "dal",
    "vor",
    "ex",
    "pli",
    "quon",
    "ber",
    "nat",
    "ghi",
    "lo",
    "ste",
    "fyr",
    "um",
    "ap",
    "zu",
    "wel",
]
CJK = "你好世界今天学习数学物理化学老师同学作业考试问题答案"


def make_words(rng: random.Random, count: int) -> list[str]:
    words = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(count * 2)}
    return sorted(words)[:count]


def make_text(rng: random.Random, words: list[str]) -> str:
    if rng.random() < 0.05:
        start = rng.randrange(len(CJK) - 6)
        return CJK[start : start + rng.randint(3, 6)] + " " + rng.choice(words)
    return " ".join(rng.choice(words) for _ in range(rng.randint(3, 15)))


def writer_waiting(store: Storage) -> int:
    writer = store._writer  # the benchmark looks inside on purpose: the queue length is not public API
    return writer.waiting if writer is not None else 0


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered), p99


def timed(action: Callable[[], object], samples: int) -> tuple[float, float]:
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return percentiles(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--rooms", type=int, default=20)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="use (and keep) this folder instead of a temporary one")
    args = parser.parse_args(argv)
    rng = random.Random(12)
    words = make_words(rng, 3000)
    rooms = [f"room{n}" for n in range(args.rooms)]
    people = [f"user{n}" for n in range(200)]
    folder = args.keep or Path(tempfile.mkdtemp(prefix="classchat-bench-"))
    rows: list[tuple[str, str, str]] = []
    pairs: list[tuple[str, str]] = []
    try:
        store = open_storage(folder, history_days=0)
        start_id = store.messages.highest_id()
        now_ms = int(time.time() * 1000) - args.messages * 10
        call_times = []
        append_seconds = 0.0
        started = time.perf_counter()
        chunk = 10_000
        for first in range(1, args.messages + 1, chunk):
            # Made before the clock runs, so the figures are the store's, not the text generator's.
            batch = []
            for n in range(first, min(first + chunk, args.messages + 1)):
                sender = rng.choice(people)
                text = make_text(rng, words)
                if rng.random() < 0.1:
                    recipient = rng.choice(people)
                    if len(pairs) < 1000:
                        pairs.append((sender, recipient))
                    batch.append(StoredMessage.private(start_id + n, sender, recipient, text, now_ms + n * 10))
                else:
                    batch.append(StoredMessage.public(start_id + n, rng.choice(rooms), sender, text, now_ms + n * 10))
            before_batch = time.perf_counter()
            for index, message in enumerate(batch):
                if index % 100 == 0:
                    before = time.perf_counter()
                    store.messages.append(message)
                    call_times.append((time.perf_counter() - before) * 1000)
                else:
                    store.messages.append(message)
            append_seconds += time.perf_counter() - before_batch
            # Keep the writer's queue short of its limit (it refuses past MAX_WAITING and counts the loss):
            # this run fills the table for the read figures, and measures how fast the writer commits.
            while store.status().state == "ok" and writer_waiting(store) > 50_000:
                time.sleep(0.05)
        queued = time.perf_counter() - started
        store.flush(timeout=3600)
        written = time.perf_counter() - started
        p50, p99 = percentiles(call_times)
        rows.append(("append() call (caller's cost)", f"{p50 * 1000:.1f} us", f"{p99 * 1000:.1f} us"))
        rows.append(("appends per second (the caller's loop alone)", f"{args.messages / append_seconds:,.0f}", ""))
        rows.append(("committed per second, sustained", f"{args.messages / written:,.0f}", ""))
        status = store.status()
        kept = store.messages.count()
        if status.not_saved or kept != args.messages:
            raise SystemExit(f"lost messages: {status.describe()}, {kept} kept")
        assert isinstance(store.messages, SqliteMessageStore)
        history = store.messages
        while history.index_lag():
            time.sleep(0.5)
        indexed = time.perf_counter() - started
        rows.append(("search index caught up (after the last append)", f"{indexed - queued:,.1f} s", ""))
        rows.append(("  = messages indexed per second, overall", f"{args.messages / indexed:,.0f}", ""))
        store.close()
        size_mb = sum(f.stat().st_size for f in folder.iterdir() if f.is_file()) / 1e6
        rows.append(("database size", f"{size_mb:,.0f} MB", ""))

        started = time.perf_counter()
        connection = sqlite3.connect(folder / "classchat.db")
        connection.execute("PRAGMA quick_check").fetchall()
        connection.close()
        rows.append(("PRAGMA quick_check (part of open)", f"{(time.perf_counter() - started) * 1000:,.0f} ms", ""))
        started = time.perf_counter()
        store = open_storage(folder, history_days=0)
        rows.append(("open (lock, WAL, schema, check, load)", f"{(time.perf_counter() - started) * 1000:,.0f} ms", ""))
        highest = store.messages.highest_id()
        messages = store.messages

        def add(label: str, action: Callable[[], object], digits: int) -> None:
            p50, p99 = timed(action, args.samples)
            rows.append((label, f"{p50:.{digits}f}", f"{p99:.{digits}f}"))

        cold = []
        for room in rooms:
            before = time.perf_counter()
            messages.replay(room, 50)
            cold.append((time.perf_counter() - before) * 1000)
        cold_p50, cold_p99 = percentiles(cold)
        rows.append(("replay 50, first time per room (ms)", f"{cold_p50:.2f}", f"{cold_p99:.2f}"))
        add("replay 50, tail in memory (ms)", lambda: messages.replay(rng.choice(rooms), 50), 3)
        add(
            "page of 100 before a random id (ms)",
            lambda: messages.page(Conversation.of_room(rng.choice(rooms)), before=rng.randint(1, highest), limit=100),
            2,
        )
        add(
            "page of 100 after a random id (ms)",
            lambda: messages.page(Conversation.of_room(rng.choice(rooms)), after=rng.randint(1, highest), limit=100),
            2,
        )
        add(
            "private page of 100, a pair that talked (ms)",
            lambda: messages.page(Conversation.between(*rng.choice(pairs)), limit=100),
            2,
        )
        searches: list[tuple[str, Callable[[], str]]] = [
            ("search a room, one word (ms)", lambda: rng.choice(words)),
            ("search a room, middle of a word (ms)", lambda: rng.choice(words)[1:5]),
            ("search a room, two words (ms)", lambda: rng.choice(words) + " " + rng.choice(words)),
            ("search a room, CJK phrase (ms)", lambda: CJK[(s := rng.randrange(len(CJK) - 3)) : s + 3]),
            ("search a room, 2 characters (scan) (ms)", lambda: rng.choice(words)[:2]),
            ("search a room, no match (ms)", lambda: "zzqqxx"),
        ]

        def room_search(query: Callable[[], str]) -> Callable[[], object]:
            return lambda: messages.search("user1", query(), room=rng.choice(rooms))

        for label, query in searches:
            add(label, room_search(query), 1)

        def older_page(query: Callable[[], str]) -> Callable[[], object]:
            """SEARCHBEFORE: the same search's matches below a random id (a page far back costs as the first)."""
            return lambda: messages.search("user1", query(), room=rng.choice(rooms), before=rng.randint(1, highest))

        add("search a room, one word, older than a random id (ms)", older_page(lambda: rng.choice(words)), 1)
        add("search a room, 2 characters, older than a random id (ms)", older_page(lambda: rng.choice(words)[:2]), 1)
        add(
            "search own private messages, one word (ms)",
            lambda: messages.search(rng.choice(people), rng.choice(words), include_private=True),
            1,
        )
        store.close()
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)

    print(f"history store, {args.messages:,} messages in {args.rooms} rooms (10% private), {args.samples} samples each")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )
    width = max(len(row[0]) for row in rows)
    print(f"{'measure':<{width}}  {'p50':>12}  {'p99':>12}")
    for label, p50_text, p99_text in rows:
        print(f"{label:<{width}}  {p50_text:>12}  {p99_text:>12}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
