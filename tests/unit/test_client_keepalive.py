"""When the client pings and when it gives its server up (chat_gui/core/keepalive.py)."""

from __future__ import annotations

from chat_gui.core.keepalive import Keepalive, Verdict


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_silence_brings_a_ping_then_death_and_any_word_resets_it():
    clock = Clock()
    alive = Keepalive(clock, 30.0)
    assert alive.check_every_ms == 7500
    assert alive.check(activity=1) is Verdict.FINE
    clock.now = 29.9
    assert alive.check(activity=1) is Verdict.FINE
    clock.now = 30.0
    assert alive.check(activity=1) is Verdict.PING
    clock.now = 45.0
    assert alive.check(activity=1) is Verdict.FINE  # one PING, then wait
    clock.now = 59.0
    assert alive.check(activity=2) is Verdict.FINE  # the answer (or anything) came
    clock.now = 88.0
    assert alive.check(activity=2) is Verdict.FINE
    clock.now = 89.0
    assert alive.check(activity=2) is Verdict.PING
    clock.now = 119.0
    assert alive.check(activity=2) is Verdict.DEAD
    assert alive.silent_for() == 60.0


def test_a_new_connection_starts_heard():
    clock = Clock()
    alive = Keepalive(clock, 10.0)
    clock.now = 100.0
    alive.restart()
    assert alive.check(activity=0) is Verdict.FINE
    clock.now = 109.0
    assert alive.check(activity=0) is Verdict.FINE
