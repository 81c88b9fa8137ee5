"""Unit tests for chat_server/rate_limit.py: the token bucket, driven by a fake clock."""

from __future__ import annotations

from chat_server.rate_limit import TokenBucket
from tests.support import FakeClock


def allowed(bucket: TokenBucket, attempts: int) -> int:
    return sum(bucket.allow() for _ in range(attempts))


def test_a_full_bucket_allows_a_burst_then_refuses():
    clock = FakeClock(100.0)
    bucket = TokenBucket(10, 30, clock)
    assert allowed(bucket, 30) == 30
    assert not bucket.allow()


def test_tokens_come_back_at_the_rate():
    clock = FakeClock(100.0)
    bucket = TokenBucket(10, 30, clock)
    allowed(bucket, 31)
    clock.now += 0.5
    assert allowed(bucket, 10) == 5


def test_the_bucket_never_holds_more_than_the_burst():
    clock = FakeClock(100.0)
    bucket = TokenBucket(10, 5, clock)
    clock.now += 3600
    assert allowed(bucket, 100) == 5


def test_a_refused_command_costs_nothing():
    clock = FakeClock(100.0)
    bucket = TokenBucket(1, 1, clock)
    assert bucket.allow()
    for _ in range(10):
        assert not bucket.allow()
    clock.now += 1.0
    assert bucket.allow()


def test_rate_zero_turns_the_limit_off():
    assert allowed(TokenBucket(0, 30, FakeClock(100.0)), 10_000) == 10_000


def test_a_burst_of_zero_still_allows_one_command_at_a_time():
    clock = FakeClock(100.0)
    bucket = TokenBucket(2, 0, clock)
    assert bucket.allow() and not bucket.allow()
    clock.now += 0.5
    assert bucket.allow()


# -- the answer to going past the rate: FloodGuard --
from chat_server.config import ServerConfig  # noqa: E402
from chat_server.rate_limit import FLOOD_PAUSE_SECONDS, FloodGuard, Refusal  # noqa: E402
from shared.errors import ErrorCode, ProtocolError  # noqa: E402


def run_flood(guard: FloodGuard, clock: FakeClock, seconds: float, per_second: int) -> list[Refusal]:
    """Refusals of a client refused `per_second` times a second for `seconds`."""
    answers = []
    for _ in range(int(seconds * per_second)):
        answers.append(guard.refuse_command())
        clock.now += 1 / per_second
    return answers


def test_at_most_one_report_a_second_the_rest_dropped():
    clock = FakeClock(100.0)
    guard = FloodGuard(10, clock)
    answers = run_flood(guard, clock, 5, 1000)
    assert answers.count(Refusal.REPORT) == 5 and answers.count(Refusal.DROP) == 4995


def test_ten_seconds_of_flooding_by_default_disconnects():
    clock = FakeClock(100.0)
    guard = FloodGuard(ServerConfig().flood_seconds, clock)
    answers = run_flood(guard, clock, 9.9, 100)
    assert Refusal.DISCONNECT not in answers and guard.refuse_command() is not Refusal.DISCONNECT  # 9.9 s in
    clock.now += 0.15
    assert guard.refuse_command() is Refusal.DISCONNECT  # 10 s in


def test_one_refusal_a_second_is_still_a_flood():
    clock = FakeClock(100.0)
    guard = FloodGuard(10, clock)
    answers = run_flood(guard, clock, 11, 1)  # e.g. 11 commands a second against a rate of 10
    assert answers[-1] is Refusal.DISCONNECT


def test_a_pause_ends_a_flood():
    clock = FakeClock(100.0)
    guard = FloodGuard(10, clock)
    for _ in range(5):
        answers = run_flood(guard, clock, 8, 50)  # bursts of 8 s...
        assert Refusal.DISCONNECT not in answers
        clock.now += FLOOD_PAUSE_SECONDS + 0.1  # ...each followed by a pause
    assert guard.refuse_command() is Refusal.REPORT


def test_refusals_that_do_not_count_towards_a_flood():
    clock = FakeClock(100.0)
    guard = FloodGuard(2, clock)
    answers = []
    for _ in range(1000):
        answers.append(guard.refuse_quietly())
        clock.now += 0.01
    assert Refusal.DISCONNECT not in answers and answers.count(Refusal.REPORT) == 10


def test_zero_flood_seconds_never_disconnects():
    clock = FakeClock(100.0)
    guard = FloodGuard(0, clock)
    assert Refusal.DISCONNECT not in run_flood(guard, clock, 60, 20)


def test_refuse_or_drop_raises_rate_limited_once_a_second_with_the_reason():
    clock = FakeClock(100.0)
    guard = FloodGuard(2, clock)
    raised: list[ProtocolError] = []
    for _ in range(300):
        try:
            guard.refuse_or_drop("/list is answered once every 5 s")
        except ProtocolError as refusal:
            raised.append(refusal)
        clock.now += 0.01
    assert len(raised) == 3
    assert {(error.code, error.message) for error in raised} == {
        (ErrorCode.RATE_LIMITED, "/list is answered once every 5 s")
    }
