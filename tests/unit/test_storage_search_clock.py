"""A search stops when its SearchClock runs out, with the newest matches found until then (a real SQLite file)."""

from __future__ import annotations

import time

import pytest

from chat_server.storage import Conversation, StoredMessage, open_storage
from chat_server.storage.history import SqliteMessageStore
from chat_server.storage.search_clock import SearchClock
from tests.support import wait_until

NOW_MS = int(time.time() * 1000)
MESSAGES = 3000


class StopsAfter(SearchClock):
    """A clock that runs out after SQLite has looked at it `checks` times (instead of after some seconds)."""

    def __init__(self, checks: int) -> None:
        super().__init__(seconds=3600)
        self.left = checks

    def _over(self) -> int:
        self.left -= 1
        if self.left > 0:
            return 0
        self.ran_out = True
        return 1


def history(storage) -> SqliteMessageStore:
    assert isinstance(storage.messages, SqliteMessageStore)
    return storage.messages


@pytest.fixture(params=["indexed", "not yet indexed"])
def store(request, tmp_path, monkeypatch):
    """MESSAGES room messages (every third has "ab" and "数学课"), and as many private ones from kim to lee."""
    if request.param == "not yet indexed":
        monkeypatch.setattr(SqliteMessageStore, "index_step", lambda self, connection: False)
    storage = open_storage(tmp_path / "data")
    for number in range(1, MESSAGES + 1):
        text = f"line {number} " + ("ab 今天数学课 " if number % 3 == 0 else "xy 今天物理 ") + "padding " * 20
        storage.messages.append(StoredMessage.public(2 * number - 1, "general", "kim", text, NOW_MS))
        storage.messages.append(StoredMessage.private(2 * number, "kim", "lee", text, NOW_MS))
    storage.flush()
    if request.param == "indexed":
        wait_until(lambda: history(storage).index_lag() == 0, timeout=60, message="indexed")
    yield storage
    storage.close()


SEARCHES = {
    "short word (scan)": dict(text="ab", room="general"),
    "long word (index)": dict(text="数学课", room="general"),
    "private": dict(text="数学课", include_private=True),
}


@pytest.mark.parametrize("kind", SEARCHES)
def test_a_search_that_runs_out_of_time_gives_its_newest_matches_and_says_so(store, kind):
    arguments = SEARCHES[kind]
    asker = "lee" if arguments.get("include_private") else "someone"
    everything = [m.id for m in store.messages.search(asker, **arguments, limit=10_000)]
    assert len(everything) == MESSAGES // 3

    for checks in (1, 2, 4):
        clock = StopsAfter(checks)
        found = [m.id for m in store.messages.search(asker, **arguments, limit=10_000, clock=clock)]
        assert clock.ran_out, f"{kind}: the clock was never asked ({checks} checks)"
        assert len(found) < len(everything), f"{kind}: a stopped search still found everything"
        assert found == everything[: len(found)], f"{kind}: not the newest matches, in order"

    roomy = StopsAfter(10**9)  # never runs out
    assert [m.id for m in store.messages.search(asker, **arguments, limit=10_000, clock=roomy)] == everything
    assert not roomy.ran_out


def test_a_pooled_connection_forgets_the_clock_of_the_search_before(store):
    for _ in range(8):  # more searches than the pool has readers: each connection was used under a stopped clock
        store.messages.search("someone", "ab", room="general", clock=StopsAfter(1))
    assert len(store.messages.search("someone", "ab", room="general", limit=10_000)) == MESSAGES // 3
    page = store.messages.page(Conversation.of_room("general"), limit=200)
    assert len(page.messages) == 200


def test_a_clock_with_no_time_left_ends_the_search_at_once(store):
    clock = SearchClock(seconds=0)
    found = store.messages.search("someone", "ab", room="general", clock=clock)
    assert clock.ran_out
    assert found == [] or [m.id for m in found] == sorted((m.id for m in found), reverse=True)
