"""The timer thread chat-term runs its core on (chat_gui/core/scheduler.py: ThreadScheduler)."""

from __future__ import annotations

import threading

import pytest

from chat_gui.core.scheduler import ThreadScheduler
from tests.support import wait_until


@pytest.fixture
def scheduler():
    running = ThreadScheduler(name="test-core").start()
    yield running
    running.stop()


def test_callbacks_run_in_due_order_on_its_own_thread(scheduler):
    ran: list[tuple[str, str]] = []
    for name, ms in (("late", 60), ("soon", 1), ("middle", 30)):
        scheduler.after(ms, lambda name=name: ran.append((name, threading.current_thread().name)))
    wait_until(lambda: len(ran) == 3)
    assert ran == [("soon", "test-core"), ("middle", "test-core"), ("late", "test-core")]


def test_a_cancelled_callback_never_runs_and_cancelling_twice_or_late_is_harmless(scheduler):
    ran: list[str] = []
    timer = scheduler.after(30, lambda: ran.append("cancelled"))
    scheduler.cancel(timer)
    scheduler.cancel(timer)
    done = scheduler.after(60, lambda: ran.append("kept"))
    wait_until(lambda: ran)
    scheduler.cancel(done)
    scheduler.cancel("not a timer")
    assert ran == ["kept"]


def test_work_handed_over_from_many_threads_all_runs(scheduler):
    ran: list[int] = []
    threads = [
        threading.Thread(target=lambda n=n: [scheduler.call_soon(lambda i=i: ran.append(i)) for i in range(100)])
        for n in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wait_until(lambda: len(ran) == 400)


def test_a_failing_callback_is_reported_and_the_others_go_on(scheduler, capsys):
    ran: list[str] = []
    scheduler.call_soon(lambda: 1 / 0)
    scheduler.after(20, lambda: ran.append("after the failure"))
    wait_until(lambda: ran)
    assert "ZeroDivisionError" in capsys.readouterr().err


def test_stop_drops_what_has_not_run():
    scheduler = ThreadScheduler().start()
    ran: list[str] = []
    scheduler.after(10_000, lambda: ran.append("never"))
    scheduler.stop()
    assert ran == [] and not scheduler.on_own_thread
