"""Search asks the index for the rare trigrams only, and still finds exactly what a full scan finds (real SQLite)."""

from __future__ import annotations

import random
import time

import pytest

from chat_server.storage import StoredMessage, open_storage
from chat_server.storage.history import SqliteMessageStore
from chat_server.storage.search_terms import TrigramStats
from tests.support import wait_until

NOW_MS = int(time.time() * 1000)
SYLLABLES = ["ka", "ri", "to", "mu", "sen", "dal", "vor", "ex"]


def history(storage) -> SqliteMessageStore:
    assert isinstance(storage.messages, SqliteMessageStore)
    return storage.messages


@pytest.fixture
def indexed_store(tmp_path):
    storage = open_storage(tmp_path / "data", history_days=0)
    yield storage
    storage.close()


def fill(storage, texts: list[tuple[str, str]]) -> None:
    for message_id, (room, text) in enumerate(texts, start=1):
        storage.messages.append(StoredMessage.public(message_id, room, "ann", text, NOW_MS))
    assert storage.flush()
    wait_until(lambda: history(storage).index_lag() == 0, message="everything indexed")


def test_a_trigram_in_every_message_is_left_out_and_a_rare_one_kept(indexed_store):
    texts = [("general", f"the lesson number {n}") for n in range(1, 1001)]
    texts[500] = ("general", "the lesson with zqxj in it")
    fill(indexed_store, texts)
    stats = TrigramStats()
    with indexed_store._database.reading() as connection:
        upto = connection.execute("SELECT value FROM meta WHERE key = 'fts_upto'").fetchone()[0]
        assert stats.choose(connection, ["the", "les", "zqx", "qxj"], upto) == ["zqx", "qxj"]
        # Only common ones: the rarest is still asked for (the index must narrow something).
        assert stats.choose(connection, ["the", "les"], upto) in (["the"], ["les"])
        assert stats.choose(connection, [], upto) == []


def test_shares_are_measured_again_after_the_refresh_time(indexed_store):
    fill(indexed_store, [("general", f"plain words {n}") for n in range(1, 201)])
    now = [0.0]
    stats = TrigramStats(clock=lambda: now[0])
    with indexed_store._database.reading() as connection:
        upto = connection.execute("SELECT value FROM meta WHERE key = 'fts_upto'").fetchone()[0]
        assert stats.choose(connection, ["pla", "zzz"], upto) == ["zzz"]  # in no message: enough alone
    for message_id in range(201, 1201):
        indexed_store.messages.append(StoredMessage.public(message_id, "general", "ann", "zzz zzz", NOW_MS))
    assert indexed_store.flush()
    wait_until(lambda: history(indexed_store).index_lag() == 0, message="everything indexed")
    with indexed_store._database.reading() as connection:
        upto = connection.execute("SELECT value FROM meta WHERE key = 'fts_upto'").fetchone()[0]
        assert stats.choose(connection, ["pla", "zzz"], upto)[0] == "zzz"  # the cached shares: not yet measured
        now[0] += 301.0
        assert stats.choose(connection, ["pla", "zzz"], upto)[0] == "pla"  # zzz is now in 5 of 6 messages


def test_search_finds_exactly_what_a_full_scan_finds_whatever_trigrams_it_picks(indexed_store):
    # Made-up words of few syllables: most trigrams are common, some rare; every query is checked
    # against a plain scan of the same messages (newest first, at most 50, one room).
    rng = random.Random(7)
    words = sorted({"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(400)})
    rooms = ["general", "maths", "art"]
    texts = [(rng.choice(rooms), " ".join(rng.choice(words) for _ in range(rng.randint(2, 8)))) for _ in range(3000)]
    fill(indexed_store, texts)
    for _ in range(120):
        room = rng.choice(rooms)
        picked = [rng.choice(words) for _ in range(rng.randint(1, 2))]
        if rng.random() < 0.3:
            picked[0] = picked[0][1:5]  # the middle of a word
        query = " ".join(picked)
        expected = [
            message_id
            for message_id, (message_room, text) in reversed(list(enumerate(texts, start=1)))
            if message_room == room and all(word.lower() in text.lower() for word in picked)
        ][:50]
        found = [message.id for message in indexed_store.messages.search("ann", query, room=room)]
        assert found == expected, query
