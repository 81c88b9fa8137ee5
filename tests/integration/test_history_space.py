"""The history's room on disk, on real servers: a size limit, a disk left with room, a full disk that frees itself.

Found by a probe (docs/reliability.md, the seventh hostile review): a class within every rate
limit grew the database by 2.2 GB an hour of plain words and 13 GB an hour
of rare characters, with nothing but `--history-days` to bound it; once it
filled the disk, accounts, bans and room keys were not saved either, and
nothing freed the disk again, so they were lost at the next stop.
"""

from __future__ import annotations

import random
import sqlite3
import string
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.history_wire import answer, ids
from tests.integration.wire import WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

MIB = 1024 * 1024
PASSWORD = "correct-horse-battery"


def used_bytes(folder: Path) -> int:
    """Bytes of the database's pages in use (its free pages not counted), as the committed state shows them."""
    connection = sqlite3.connect(folder / "classchat.db")
    try:
        size = connection.execute("PRAGMA page_size").fetchone()[0]
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        free = connection.execute("PRAGMA freelist_count").fetchone()[0]
        return int((pages - free) * size)
    finally:
        connection.close()


def file_bytes(folder: Path) -> int:
    """The database's size as its committed state has it (the -wal file not yet copied back included)."""
    connection = sqlite3.connect(folder / "classchat.db")
    try:
        size = connection.execute("PRAGMA page_size").fetchone()[0]
        return int(size * connection.execute("PRAGMA page_count").fetchone()[0])
    finally:
        connection.close()


def kept_ids(folder: Path) -> list[int]:
    connection = sqlite3.connect(folder / "classchat.db")
    try:
        return [row[0] for row in connection.execute("SELECT id FROM messages ORDER BY id")]
    finally:
        connection.close()


def long_text(number: int, length: int = 1900) -> str:
    """Words no other message repeats much, so the search index grows as it does with real chat."""
    pick = random.Random(number)
    words = []
    while sum(len(word) + 1 for word in words) < length:
        words.append("".join(pick.choice(string.ascii_lowercase) for _ in range(pick.randint(3, 9))))
    return (f"n{number} " + " ".join(words))[:length]


def flood(sender: WireClient, count: int, start: int = 0, between: Callable[[], object] | None = None) -> list[int]:
    """`count` long messages to the sender's room, answered in windows of 100 (the outbox never fills);
    `between` runs after each window (a pace: the class's limits let a flood come only so fast)."""
    said: list[int] = []
    for first in range(start, start + count, 100):
        window = range(first, min(first + 100, start + count))
        for number in window:
            sender.send(f"SAY {long_text(number)}")
        said += [sender.expect(lambda f: f["type"] == "message" and not f.get("history"))["id"] for _ in window]
        if between is not None:
            between()
    return said


def test_a_flood_cannot_grow_the_history_past_its_size_limit(start_server, wire, tmp_path):
    folder = tmp_path / "data"
    server = start_server(data_dir=str(folder), rate_per_second=0, history_max_mb=1)
    alice = wire(server, "alice", "lab")
    said = flood(alice, 1500)  # about 7 MB on disk without a limit
    assert server.storage.flush(timeout=30)
    server.storage.purge_now()
    wait_until(lambda: used_bytes(folder) <= 1 * MIB, timeout=60, message="the history stayed past 1 MB")
    kept = kept_ids(folder)
    assert kept and kept[-1] == said[-1] and kept[0] > said[0]
    assert kept == said[said.index(kept[0]) :]  # the oldest went, and only they
    settled = file_bytes(folder)

    def within_the_limit() -> None:
        assert server.storage.flush(timeout=30)
        server.storage.purge_now()
        wait_until(lambda: used_bytes(folder) <= 1 * MIB, timeout=60, message="the history stayed past 1 MB")

    # As much again, at a pace: the file grows no more, as new rows take the pages the oldest left.
    said += flood(alice, 1500, start=1500, between=within_the_limit)
    assert file_bytes(folder) <= settled + 1 * MIB
    bob = wire(server, "bob", "lab")
    messages, _ = answer(bob, "HISTORY 20")
    assert ids(messages) == said[-20:]
    notices = " ".join(server.storage.status().notices)
    assert "size limit of 1 MB (--history-max-mb)" in notices and "oldest messages are deleted" in notices
