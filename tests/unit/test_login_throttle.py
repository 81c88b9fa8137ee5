"""Unit tests for chat_server/identity/login_throttle.py: 5 failed logins a minute per nickname and per address."""

from __future__ import annotations

import threading

from hypothesis import given, settings
from hypothesis import strategies as st

from chat_server.identity.login_throttle import MAX_FAILURES, WINDOW_SECONDS, LoginThrottle
from tests.support import FakeClock


def fail(throttle: LoginThrottle, nick: str, address: str) -> bool:
    """One try that turns out wrong; True if it was let through to the password check."""
    return throttle.try_begin(nick, address) is not None


def test_the_contract_numbers():
    assert (MAX_FAILURES, WINDOW_SECONDS) == (5, 60.0)


def test_the_sixth_try_on_one_nickname_is_refused_from_any_address():
    clock = FakeClock()
    throttle = LoginThrottle(clock=clock)
    for i in range(5):
        clock.now += 1
        assert fail(throttle, "teacher", f"127.0.0.{i + 1}")
    assert not fail(throttle, "teacher", "127.0.0.9")
    assert fail(throttle, "teacher", "127.0.0.1")  # the server's own computer: only its own count holds it
    assert fail(throttle, "alice", "127.0.0.9")  # other nicknames from fresh addresses are untouched


def test_the_sixth_try_from_one_address_is_refused_for_any_nickname():
    clock = FakeClock()
    throttle = LoginThrottle(clock=clock)
    for i in range(5):
        assert fail(throttle, f"victim{i}", "127.0.0.2")
    assert not fail(throttle, "victim9", "127.0.0.2")
    assert not fail(throttle, "victim0", "127.0.0.2")
    assert fail(throttle, "victim9", "127.0.0.3")  # the same nickname from elsewhere is fine


def test_the_window_slides_and_refused_tries_do_not_extend_it():
    clock = FakeClock()
    throttle = LoginThrottle(clock=clock)
    start = clock.now
    for i in range(5):
        clock.now = start + 10 * i  # failures at 0, 10, 20, 30, 40 s
        assert fail(throttle, "bob", "127.0.0.2")
    for moment in (41, 45, 50, 59.9):
        clock.now = start + moment
        assert not fail(throttle, "bob", "127.0.0.2")  # refused, and not counted
    clock.now = start + 60.0  # the first failure is a minute old
    assert throttle.retry_after("bob", "127.0.0.2") == 0.0
    assert fail(throttle, "bob", "127.0.0.2")
    assert not fail(throttle, "bob", "127.0.0.2")
    clock.now = start + 69.9
    assert not fail(throttle, "bob", "127.0.0.2")
    clock.now = start + 70.0
    assert fail(throttle, "bob", "127.0.0.2")


def test_retry_after_says_how_long_to_wait():
    clock = FakeClock()
    throttle = LoginThrottle(clock=clock)
    assert throttle.retry_after("bob", "127.0.0.2") == 0.0
    for _ in range(5):
        fail(throttle, "bob", "127.0.0.2")
        clock.now += 2
    assert throttle.retry_after("bob", "127.0.0.2") == WINDOW_SECONDS - 10
    assert throttle.retry_after("bob", "127.0.0.3") == WINDOW_SECONDS - 10  # the nickname is blocked
    assert throttle.retry_after("carol", "127.0.0.2") == WINDOW_SECONDS - 10  # so is the address
    assert throttle.retry_after("carol", "127.0.0.3") == 0.0


def test_a_right_password_forgets_the_nicknames_failures_but_not_the_addresses():
    clock = FakeClock()
    throttle = LoginThrottle(clock=clock)
    for _ in range(4):
        fail(throttle, "alice", "127.0.0.2")
    attempt = throttle.try_begin("alice", "127.0.0.2")
    assert attempt is not None
    throttle.succeeded(attempt)  # the fifth try was right: it does not count
    assert fail(throttle, "bob", "127.0.0.2")  # the address had 4 failures: one more is allowed...
    assert not fail(throttle, "carol", "127.0.0.2")  # ...and then no more
    for i in range(4):
        assert fail(throttle, "alice", f"127.0.1.{i}")  # alice's own count started again


def test_logging_in_to_ones_own_account_between_guesses_does_not_reset_the_address():
    clock = FakeClock()
    throttle = LoginThrottle(clock=clock)
    guesses = 0
    for _ in range(10):
        if fail(throttle, "teacher", "127.0.0.2"):
            guesses += 1
        own = throttle.try_begin("mallory", "127.0.0.2")
        if own is not None:
            throttle.succeeded(own)
    assert guesses == 5


def test_tries_at_the_same_moment_cannot_slip_past_the_limit():
    throttle = LoginThrottle()
    start = threading.Barrier(40)
    let_through = []
    lock = threading.Lock()

    def attacker(i: int) -> None:
        start.wait(10)
        if throttle.try_begin("teacher", f"127.0.2.{i}") is not None:
            with lock:
                let_through.append(i)

    threads = [threading.Thread(target=attacker, args=(i,)) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(let_through) == MAX_FAILURES


def test_old_entries_expire():
    clock = FakeClock()
    throttle = LoginThrottle(clock=clock)
    for i in range(500):
        fail(throttle, f"nick{i}", f"10.0.{i // 250}.{i % 250}")
    assert throttle.entry_count() == 1000
    clock.now += WINDOW_SECONDS + 1
    fail(throttle, "one_more", "127.0.0.2")
    assert throttle.entry_count() == 2


def test_a_flood_of_made_up_nicknames_is_capped():
    clock = FakeClock()
    throttle = LoginThrottle(max_entries=1000, clock=clock)
    for i in range(20_000):
        clock.now += 0.001  # 20,000 tries inside one window
        fail(throttle, f"made_up_{i}", f"127.{i // 65536}.{i // 256 % 256}.{i % 256}")
    assert throttle.entry_count() <= 2 * 1000
    # The most recent failures are the ones kept.
    for _ in range(4):
        fail(throttle, "made_up_19999", "127.0.0.2")
    assert not fail(throttle, "made_up_19999", "127.0.0.3")


class Model:
    """The rule as the contract says it, with unbounded memory."""

    def __init__(self) -> None:
        self.failures: dict[str, list[float]] = {}

    def recent(self, key: str, now: float) -> int:
        return sum(1 for stamp in self.failures.get(key, []) if stamp > now - WINDOW_SECONDS)

    def try_begin(self, nick: str, address: str, now: float) -> bool:
        if self.recent("n:" + nick, now) >= MAX_FAILURES or self.recent("a:" + address, now) >= MAX_FAILURES:
            return False
        self.failures.setdefault("n:" + nick, []).append(now)
        self.failures.setdefault("a:" + address, []).append(now)
        return True


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.lists(
        st.tuples(st.sampled_from(["alice", "bob", "teacher"]), st.sampled_from(["a1", "a2", "a3"]), st.floats(0, 20)),
        max_size=80,
    )
)
def test_the_throttle_agrees_with_the_plain_rule(tries):
    clock = FakeClock()
    throttle = LoginThrottle(clock=clock)
    model = Model()
    for nick, address, pause in tries:
        clock.now += pause
        assert (throttle.try_begin(nick, address) is not None) == model.try_begin(nick, address, clock.now)


def test_the_nicknames_count_does_not_hold_back_an_address_that_logged_in_to_it_before():
    """A student's wrong passwords from other computers must not keep the teacher out of her account."""
    clock = FakeClock()
    throttle = LoginThrottle(clock=clock)
    laptop = throttle.try_begin("teacher", "10.0.0.5")
    assert laptop is not None
    throttle.succeeded(laptop)  # the teacher's laptop logged in this morning
    for i in range(12):
        clock.now += 1
        fail(throttle, "teacher", f"10.0.1.{i}")
    assert not fail(throttle, "teacher", "10.0.9.9")  # a computer that never logged in to it is still held
    assert throttle.retry_after("teacher", "10.0.9.9") > 0
    assert throttle.retry_after("teacher", "10.0.0.5") == 0
    assert throttle.try_begin("teacher", "10.0.0.5") is not None  # her laptop is let through to the password check
    assert throttle.try_begin("teacher", "10.0.7.7") is None  # any other computer is held
    assert throttle.try_begin("teacher", "127.0.0.1") is not None  # but not the server's own (::1 neither)
    assert throttle.try_begin("teacher", "::1") is not None
    for _ in range(4):
        fail(throttle, "teacher", "10.0.0.5")
    assert not fail(throttle, "teacher", "10.0.0.5")  # a known address still counts its own failures
    assert throttle.retry_after("teacher", "10.0.0.5") > 0


def test_known_addresses_are_bounded():
    throttle = LoginThrottle(max_entries=10)
    for i in range(50):
        attempt = throttle.try_begin(f"nick{i}", f"10.0.0.{i}")
        assert attempt is not None
        throttle.succeeded(attempt)
    assert throttle.entry_count() <= 10 + 10 + 10


def test_the_try_that_reaches_a_nicknames_limit_raises_one_alarm_a_window():
    clock = FakeClock()
    throttle = LoginThrottle(clock=clock)
    alarms = []
    for number in range(MAX_FAILURES + 3):  # the tries past the limit are refused (None)
        attempt = throttle.try_begin("ms_lee", f"10.0.0.{number}")
        if attempt is not None:
            alarms.append(attempt.alarm)
    assert alarms == [False] * (MAX_FAILURES - 1) + [True]
    clock.now += WINDOW_SECONDS / 2
    assert throttle.try_begin("ms_lee", "10.0.0.99") is None  # held, and no second alarm
    clock.now += WINDOW_SECONDS / 2 + 1
    again = [throttle.try_begin("ms_lee", f"10.0.1.{n}") for n in range(MAX_FAILURES)]
    assert [attempt.alarm for attempt in again if attempt] == [False] * (MAX_FAILURES - 1) + [True]
    other = [throttle.try_begin("bob", f"10.0.2.{n}") for n in range(MAX_FAILURES)]
    assert [attempt.alarm for attempt in other if attempt][-1], "each nickname has its own alarm"
