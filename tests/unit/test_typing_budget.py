"""The server-wide budget of typing frames: a token bucket that may be overdrawn once (chat_server/typing_budget.py)."""

from __future__ import annotations

from chat_server.typing_budget import TypingBudget


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_relays_are_allowed_until_a_seconds_worth_is_spent_then_as_it_refills():
    clock = Clock()
    budget = TypingBudget(per_second=10, clock=clock)
    assert [budget.allow(4) for _ in range(4)] == [True, True, True, False]  # 4 + 4 + 4 overdraws 10 by 2
    clock.now += 0.1  # refills 1: still in debt
    assert not budget.allow(1)
    clock.now += 0.2  # debt paid, 1 token
    assert budget.allow(4)


def test_over_a_long_run_frames_stay_within_the_rate_plus_one_burst():
    clock = Clock()
    budget = TypingBudget(per_second=200, clock=clock)
    delivered = 0
    for _tick in range(10_000):  # 10 s of 20 typists in a room of 200, each TYPING every 3 s: 6.7 a second offered
        clock.now += 0.001
        if _tick % 150 == 0 and budget.allow(199):
            delivered += 199
    assert delivered <= 200 * 10 + 200 + 199
    assert delivered >= 199 * 9, "a room larger than the budget still hears typing, about once a second"


def test_a_room_larger_than_the_budget_still_hears_typing():
    clock = Clock()
    budget = TypingBudget(per_second=50, clock=clock)
    assert budget.allow(400)
    assert not budget.allow(1)
    clock.now += 350 / 50 - 0.01  # 50 - 400 = -350: not yet paid back
    assert not budget.allow(1)
    clock.now += 0.1
    assert budget.allow(400)


def test_zero_means_no_budget():
    budget = TypingBudget(per_second=0, clock=Clock())
    assert all(budget.allow(10_000) for _ in range(100))
