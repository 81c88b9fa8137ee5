"""Reconnect delays and the send budget (chat_gui/core/pacing.py)."""

from __future__ import annotations

from chat_gui.core.pacing import (
    FIRST_DELAY,
    REFUSED_DELAY,
    REFUSED_FAST_SECONDS,
    REFUSED_SLOW_DELAY,
    SILENT_DELAYS,
    STABLE_SECONDS,
    Backoff,
    SendBudget,
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_refused_address_is_retried_twice_a_second_for_minutes():
    clock = Clock()
    backoff = Backoff(clock, jitter=lambda: 0.0)
    delays = []
    while clock.now < 100 + REFUSED_FAST_SECONDS - 1:
        delays.append(backoff.next_delay(refused=True))
        clock.now += delays[-1]
    assert delays[0] == FIRST_DELAY and set(delays[1:]) == {REFUSED_DELAY}
    clock.now += 2
    assert backoff.next_delay(refused=True) == REFUSED_SLOW_DELAY


def test_no_answer_at_all_backs_off_to_15_s():
    backoff = Backoff(Clock(), jitter=lambda: 0.0)
    delays = [backoff.next_delay(refused=False) for _ in range(10)]
    assert delays[0] == FIRST_DELAY
    assert delays[1:7] == list(SILENT_DELAYS) and max(delays) == 15.0


def test_jitter_only_shortens_and_reset_starts_over():
    backoff = Backoff(Clock(), jitter=lambda: 1.0)
    assert backoff.next_delay(refused=True) == FIRST_DELAY * 0.8
    assert backoff.next_delay(refused=True) == REFUSED_DELAY * 0.8
    backoff.reset()
    assert backoff.attempts == 0 and backoff.next_delay(refused=False) == FIRST_DELAY * 0.8


def test_the_send_budget_allows_a_burst_then_the_rate():
    clock = Clock()
    budget = SendBudget(rate=8.0, burst=25, clock=clock)
    assert all(budget.take() for _ in range(25))
    assert not budget.take()
    assert abs(budget.seconds_until_next() - 1 / 8) < 1e-9
    clock.now += 0.5
    assert sum(budget.take() for _ in range(10)) == 4
    assert budget.take(force=True) and budget.tokens < 0


def test_a_session_ends_the_outage_only_once_it_has_lasted():
    clock = Clock()
    backoff = Backoff(clock, jitter=lambda: 0.0)
    delays = []
    for _ in range(4):  # ready, and lost again at once: the delays grow as after failed connects
        backoff.connected()
        clock.now += 1
        delays.append(backoff.next_delay(refused=False))
    assert delays == [FIRST_DELAY, *SILENT_DELAYS[:3]]
    backoff.connected()
    clock.now += STABLE_SECONDS
    assert backoff.next_delay(refused=False) == FIRST_DELAY and backoff.attempts == 1
