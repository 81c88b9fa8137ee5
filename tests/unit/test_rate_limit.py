"""Unit tests for chat_server/rate_limit.py: the token bucket, driven by a fake clock."""

from __future__ import annotations

from chat_server.rate_limit import TokenBucket


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def allowed(bucket: TokenBucket, attempts: int) -> int:
    return sum(bucket.allow() for _ in range(attempts))


def test_a_full_bucket_allows_a_burst_then_refuses():
    clock = FakeClock()
    bucket = TokenBucket(10, 30, clock)
    assert allowed(bucket, 30) == 30
    assert not bucket.allow()


def test_tokens_come_back_at_the_rate():
    clock = FakeClock()
    bucket = TokenBucket(10, 30, clock)
    allowed(bucket, 31)
    clock.now += 0.5
    assert allowed(bucket, 10) == 5


def test_the_bucket_never_holds_more_than_the_burst():
    clock = FakeClock()
    bucket = TokenBucket(10, 5, clock)
    clock.now += 3600
    assert allowed(bucket, 100) == 5


def test_a_refused_command_costs_nothing():
    clock = FakeClock()
    bucket = TokenBucket(1, 1, clock)
    assert bucket.allow()
    for _ in range(10):
        assert not bucket.allow()
    clock.now += 1.0
    assert bucket.allow()


def test_rate_zero_turns_the_limit_off():
    assert allowed(TokenBucket(0, 30, FakeClock()), 10_000) == 10_000


def test_a_burst_of_zero_still_allows_one_command_at_a_time():
    clock = FakeClock()
    bucket = TokenBucket(2, 0, clock)
    assert bucket.allow() and not bucket.allow()
    clock.now += 0.5
    assert bucket.allow()
