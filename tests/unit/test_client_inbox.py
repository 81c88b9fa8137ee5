"""The client connection's bounded inbox (chat_gui/core/connection.py: Inbox, frame_weight)."""

from __future__ import annotations

import queue
import threading
import time

from chat_gui.core.connection import Disconnected, Inbox, frame_weight


def test_offer_waits_for_room_by_count_and_gives_up_after_its_timeout():
    inbox = Inbox(max_frames=2, max_weight=10**9)
    assert inbox.offer({"n": 1}, 10, 0.1) and inbox.offer({"n": 2}, 10, 0.1)
    started = time.monotonic()
    assert not inbox.offer({"n": 3}, 10, 0.05)
    assert time.monotonic() - started >= 0.05
    threading.Timer(0.05, inbox.get).start()
    assert inbox.offer({"n": 3}, 10, 5)
    assert [inbox.get_nowait()["n"] for _ in range(2)] == [2, 3]


def test_offer_waits_by_weight_but_an_empty_inbox_takes_any_one_frame():
    inbox = Inbox(max_frames=100, max_weight=1000)
    assert inbox.offer("huge", 5000, 0.01)  # one frame heavier than the budget still gets through...
    assert not inbox.offer("small", 1, 0.01)  # ...but nothing beside it
    inbox.get()
    assert inbox.weight == 0
    assert inbox.offer("a", 600, 0.01) and not inbox.offer("b", 600, 0.01)
    assert inbox.peak_weight == 5000


def test_put_never_waits_so_the_end_always_gets_in():
    inbox = Inbox(max_frames=1, max_weight=1)
    inbox.offer("frame", 1, 0.01)
    inbox.put(Disconnected("gone"))
    assert inbox.qsize() == 2 and inbox.get() == "frame" and isinstance(inbox.get(), Disconnected)
    try:
        inbox.get_nowait()
    except queue.Empty:
        pass
    else:
        raise AssertionError("the inbox should be empty")


def test_brackets_weigh_like_objects():
    plain = b'{"type":"message","content":"' + b"x" * 300 + b'"}'
    bomb = b'{"type":"x","junk":[' + b"{}," * 100 + b"{}]}"
    assert frame_weight(plain) == len(plain) + 64
    assert frame_weight(bomb) > 64 * 100
