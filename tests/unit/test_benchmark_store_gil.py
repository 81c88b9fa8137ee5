"""benchmarks/store_gil.py drives a real store in a temporary folder and counts the chat thread's work."""

from __future__ import annotations

import threading

from benchmarks.store_gil import run_once


def test_a_short_run_appends_at_the_rate_and_counts_chat_work_then_stops_every_thread():
    before = set(threading.enumerate())
    outcome = run_once(history=True, rate=2_000, seconds=0.5)
    assert outcome.chat_work > 0
    assert 500 <= outcome.messages <= 1_500  # about rate x seconds, after the highest id already kept (none)
    assert not [t for t in threading.enumerate() if t not in before and t.is_alive()]
