"""The search gate: a few searches at once for the whole server, one at a time per computer."""

from __future__ import annotations

import threading

import pytest

from chat_server.history.search_gate import SearchBusy, SearchGate
from tests.support import wait_until


def test_one_search_per_computer_and_the_computer_is_free_again_after():
    gate = SearchGate(slots=2)
    with gate.entered("10.0.0.5"):
        with pytest.raises(SearchBusy), gate.entered("10.0.0.5"):
            pass
        with gate.entered("10.0.0.6"):  # another computer
            assert gate.searching() == 2
    with gate.entered("10.0.0.5"):
        pass
    assert gate.searching() == 0


def test_a_failed_search_frees_its_computer():
    gate = SearchGate(slots=1)
    with pytest.raises(RuntimeError), gate.entered("10.0.0.5"):
        raise RuntimeError("the disk")
    with gate.entered("10.0.0.5"):
        pass


def test_past_the_slots_searches_wait_their_turn():
    gate = SearchGate(slots=2)
    release = threading.Event()
    inside: list[str] = []
    lock = threading.Lock()

    def search(host: str) -> None:
        with gate.entered(host):
            with lock:
                inside.append(host)
            release.wait(10)

    threads = [threading.Thread(target=search, args=(f"10.0.0.{n}",)) for n in range(5)]
    for thread in threads:
        thread.start()
    wait_until(lambda: len(inside) == 2 and gate.searching() == 5)
    assert len(inside) == 2, "only two read at once; the other three wait"
    release.set()
    for thread in threads:
        thread.join(10)
    assert sorted(inside) == [f"10.0.0.{n}" for n in range(5)]


def test_no_host_means_no_limit_per_computer():
    gate = SearchGate(slots=2)
    with gate.entered(None), gate.entered(None):
        assert gate.searching() == 0
