"""On a real store: a purge gives back the search index's pages, not only the rows'; the -wal file is cut back.

Found by a probe (docs/reliability.md, the seventh hostile review): deleting 15,000 of 20,000
messages grew the search index from 9.5 to 22 MB (FTS5 keeps a delete
marker per row until its segments are merged), so a retention purge made
the database bigger, not smaller.
"""

from __future__ import annotations

import random
import sqlite3
import string
import time
from pathlib import Path

from chat_server.storage import open_storage
from chat_server.storage.models import room_message
from tests.support import wait_until

DAY_MS = 86_400_000


def text(number: int) -> str:
    pick = random.Random(number)
    words = " ".join("".join(pick.choice(string.ascii_lowercase) for _ in range(pick.randint(3, 9))) for _ in range(80))
    return f"n{number} {words}"[:400]


def sizes(folder: Path) -> tuple[int, int, int]:
    """The file's bytes, the bytes of its pages in use, and the search index's bytes."""
    connection = sqlite3.connect(folder / "classchat.db")
    try:
        size, pages, free = (
            connection.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_size", "page_count", "freelist_count")
        )
        index = connection.execute("SELECT sum(pgsize) FROM dbstat WHERE name = 'messages_fts_data'").fetchone()[0]
        return pages * size, (pages - free) * size, int(index or 0)
    finally:
        connection.close()


def test_a_retention_purge_gives_back_the_search_index_pages(tmp_path):
    now = int(time.time() * 1000)
    with open_storage(tmp_path, history_days=1) as storage:
        messages = storage.messages
        for number in range(1, 20_001):
            age = 2 * DAY_MS if number <= 15_000 else 0
            messages.append(room_message(number, "lab", "lab", "amy", "amy", text(number), now - age, None))
        assert storage.flush(timeout=60)
        wait_until(lambda: messages.index_lag() == 0, timeout=120, message="the index never caught up")
        _, _, index_before = sizes(tmp_path)
        storage.purge_now()
        wait_until(lambda: messages.count() == 5_000, timeout=120)
        # The purge is done; the index merges its delete markers away a step at a time.
        wait_until(lambda: sizes(tmp_path)[2] < index_before * 0.6, timeout=120, message=str(sizes(tmp_path)))
        assert [m.id for m in messages.search("amy", "n20000", room="lab")] == [20_000]
        assert messages.search("amy", "n15000 ", room="lab") == []


def test_the_wal_file_is_cut_back_after_a_flood_of_long_messages(tmp_path):
    """It kept its largest size for good (54 MB after a minute of long rare-character messages)."""
    wal = tmp_path / "classchat.db-wal"
    now = int(time.time() * 1000)
    pick = random.Random(7)
    with open_storage(tmp_path) as storage:
        messages = storage.messages
        for number in range(1, 3_001):  # 2,000 characters U+20000 and up: about 30 KB on disk each
            long = "".join(chr(pick.randint(0x20000, 0x2A6DF)) for _ in range(2_000))
            messages.append(room_message(number, "lab", "lab", "amy", "amy", long, now, None))
        assert storage.flush(timeout=60)
        wait_until(lambda: messages.index_lag() == 0, timeout=120, message="the index never caught up")
        largest = wal.stat().st_size
        assert largest > 8 * 1024 * 1024  # the index's steps are large transactions
        messages.append(room_message(3_001, "lab", "lab", "amy", "amy", "after the flood", now, None))
        assert storage.flush(timeout=30)
        wait_until(lambda: wal.stat().st_size <= 8 * 1024 * 1024, timeout=60, message=f"{wal.stat().st_size}")


def test_the_size_limit_keeps_about_as_many_messages_as_fit(tmp_path):
    """Found by a probe: with a 15 MB limit on 60,000 messages, 42 were left where 16,000 fit; each deletion's
    delete markers kept the pages in use up, and the writer deleted again and again."""
    now = int(time.time() * 1000)
    with open_storage(tmp_path) as storage:
        for number in range(1, 20_001):
            storage.messages.append(room_message(number, "lab", "lab", "amy", "amy", text(number), now, None))
        assert storage.flush(timeout=60)
        wait_until(lambda: storage.messages.index_lag() == 0, timeout=120, message="the index never caught up")
    per_message = sizes(tmp_path)[1] / 20_000
    limit_mb = 6
    fit = int(limit_mb * 1024 * 1024 / per_message)
    assert fit < 10_000
    with open_storage(tmp_path, history_max_mb=limit_mb) as storage:
        messages = storage.messages
        wait_until(lambda: messages.count() < 20_000, timeout=60, message="nothing was deleted")
        wait_until(lambda: sizes(tmp_path)[1] <= limit_mb * 1024 * 1024, timeout=120, message=str(sizes(tmp_path)))
        kept = messages.count()
        storage.flush(timeout=30)
        assert fit * 0.8 <= kept <= fit, (kept, fit)
        assert [m.id for m in messages.search("amy", "n20000", room="lab")] == [20_000]


def test_the_size_limit_deletes_about_the_excess_when_ids_jumped_at_a_restart(tmp_path):
    """Ids begin at the clock in ms at every start, so a history of two runs a day apart has a gap of 86 million
    ids. Found by a probe (the ninth review): the limit estimated the rows to delete from the span of ids (taken as
    dense) and deleted 10,000 oldest messages, the batch's cap, where a few hundred were over the limit."""
    now = int(time.time() * 1000)
    with open_storage(tmp_path) as storage:
        for number in range(1, 12_001):
            number_id = number if number <= 6_000 else number + DAY_MS  # the second run began a day later
            storage.messages.append(room_message(number_id, "lab", "lab", "amy", "amy", text(number), now, None))
        assert storage.flush(timeout=60)
        wait_until(lambda: storage.messages.index_lag() == 0, timeout=120, message="the index never caught up")
    used = sizes(tmp_path)[1]
    limit_mb = max(1, int(used * 0.95) // (1024 * 1024))
    fit = int(limit_mb * 1024 * 1024 / (used / 12_000))
    assert fit < 12_000
    with open_storage(tmp_path, history_max_mb=limit_mb) as storage:
        messages = storage.messages
        wait_until(lambda: messages.count() < 12_000, timeout=60, message="nothing was deleted")
        wait_until(lambda: sizes(tmp_path)[1] <= limit_mb * 1024 * 1024, timeout=120, message=str(sizes(tmp_path)))
        storage.flush(timeout=30)
        kept = messages.count()
        assert fit * 0.8 <= kept <= fit, (kept, fit)


def test_a_retention_purge_across_a_restart_gap_compacts_the_search_index(tmp_path):
    """What is left of a history of runs a day apart spans 86 million ids for each: a purge of half the history
    never counted as worth a compaction (a twentieth of the span), so the index kept every purged row's entries
    (found by a probe)."""
    now = int(time.time() * 1000)
    with open_storage(tmp_path) as storage:  # three runs, a day apart, without a retention
        for number in range(1, 12_001):
            old = number <= 6_000
            number_id = number if old else number + DAY_MS if number <= 9_000 else number + 2 * DAY_MS
            age = 2 * DAY_MS if old else 0
            storage.messages.append(room_message(number_id, "lab", "lab", "amy", "amy", text(number), now - age, None))
        assert storage.flush(timeout=60)
        wait_until(lambda: storage.messages.index_lag() == 0, timeout=120, message="the index never caught up")
    _, _, index_before = sizes(tmp_path)
    with open_storage(tmp_path, history_days=1) as storage:  # a third run keeps one day
        messages = storage.messages
        wait_until(lambda: messages.count() == 6_000, timeout=120)
        wait_until(lambda: sizes(tmp_path)[2] < index_before * 0.7, timeout=60, message=str(sizes(tmp_path)))
