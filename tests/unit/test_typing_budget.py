"""The budget of typing frames: a server-wide bucket that may be overdrawn once, and a fair share for each room that types."""

from __future__ import annotations

from chat_server.typing_budget import ACTIVE_SECONDS, TypingBudget


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_relays_are_allowed_until_a_seconds_worth_is_spent_then_as_it_refills():
    clock = Clock()
    budget = TypingBudget(per_second=10, clock=clock)
    assert [budget.allow("a", 4) for _ in range(4)] == [True, True, True, False]  # 4 + 4 + 4 overdraws 10 by 2
    clock.now += 0.1  # refills 1: still in debt
    assert not budget.allow("a", 1)
    clock.now += 0.2  # debt paid, 1 token
    assert budget.allow("a", 4)


def test_over_a_long_run_frames_stay_within_the_rate_plus_one_burst():
    clock = Clock()
    budget = TypingBudget(per_second=200, clock=clock)
    delivered = 0
    for _tick in range(10_000):  # 10 s of 20 typists in a room of 200, each TYPING every 3 s: 6.7 a second offered
        clock.now += 0.001
        if _tick % 150 == 0 and budget.allow("big", 199):
            delivered += 199
    assert delivered <= 200 * 10 + 200 + 199
    assert delivered >= 199 * 9, "a room larger than the budget still hears typing, about once a second"


def test_a_room_larger_than_the_budget_still_hears_typing():
    clock = Clock()
    budget = TypingBudget(per_second=50, clock=clock)
    assert budget.allow("big", 400)
    assert not budget.allow("big", 1)
    clock.now += 350 / 50 - 0.01  # 50 - 400 = -350: not yet paid back
    assert not budget.allow("big", 400)
    clock.now += 0.1
    assert budget.allow("big", 400)


def test_a_quiet_spell_does_not_wipe_an_overdraft():
    clock = Clock()
    budget = TypingBudget(per_second=50, clock=clock)
    assert budget.allow("big", 400)
    clock.now += ACTIVE_SECONDS + 0.5  # quiet long enough to stop sharing, but 350 - 175 still owed
    assert budget.allow("small", 1), "a room within its share is allowed while the server's bucket is in debt"
    assert not budget.allow("big", 400), "a relay larger than the room's share waits for the server's bucket"
    clock.now += 175 / 50 + 0.1
    assert budget.allow("big", 400)


def test_a_flood_in_one_room_leaves_a_small_room_its_share():
    clock = Clock()
    budget = TypingBudget(per_second=160, clock=clock)
    small_allowed = small_asked = big_delivered = 0
    for tick in range(30_000):  # 30 s: 60 typists in a room of 60 (one TYPING every 50 ms), 2 people next door
        clock.now += 0.001
        if tick % 50 == 0 and budget.allow("big", 59):
            big_delivered += 59
        if tick % 3000 == 1700:  # the small room's typist, every 3 s, at no particular moment
            small_asked += 1
            small_allowed += budget.allow("small", 1)
    assert small_allowed == small_asked == 10
    assert big_delivered <= 160 * 30 + 160 + 59, "the big room still gets no more than the whole budget"
    assert big_delivered >= 59 * 60, "and keeps most of it"


def test_the_budget_is_split_evenly_among_rooms_that_all_want_more():
    clock = Clock()
    budget = TypingBudget(per_second=100, clock=clock)
    delivered = {"a": 0, "b": 0, "c": 0, "d": 0}
    for tick in range(20_000):
        clock.now += 0.001
        for room in delivered:
            if tick % 10 == 0 and budget.allow(room, 20):
                delivered[room] += 20
    assert sum(delivered.values()) <= 100 * 20 + 100 + 4 * 20
    for room, frames in delivered.items():
        assert 0.8 * 500 <= frames <= 1.2 * 500, (room, delivered)


def test_quiet_rooms_stop_counting_and_a_lone_room_gets_everything():
    clock = Clock()
    budget = TypingBudget(per_second=100, clock=clock)
    for room in "abcd":
        assert budget.allow(room, 1)
    assert budget.rooms_sharing == 4
    clock.now += ACTIVE_SECONDS + 0.01
    assert budget.allow("a", 1)
    assert budget.rooms_sharing == 1
    clock.now += 1
    assert [budget.allow("a", 30) for _ in range(5)] == [True, True, True, True, False]  # 100 a second, all of it


def test_zero_means_no_budget():
    budget = TypingBudget(per_second=0, clock=Clock())
    assert all(budget.allow("a", 10_000) for _ in range(100))
