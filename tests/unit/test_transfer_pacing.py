"""chat_server.files.pacing: a transfer pauses between pieces only while chat frames are going out (fake clocks)."""

from __future__ import annotations

import pytest

from chat_server.files.pacing import CHAT_ACTIVE_SECONDS, MAX_PAUSE_SECONDS, NoPacing, TransferCrowd, TransferPacer


class Clocks:
    def __init__(self) -> None:
        self.wall = 100.0
        self.cpu = 5.0
        self.last_chat = float("-inf")
        self.sleeps: list[float] = []

    def pacer(self) -> TransferPacer:
        return TransferPacer(lambda: self.last_chat, self.sleeps.append, lambda: self.cpu, lambda: self.wall)


def test_without_chat_a_transfer_never_pauses() -> None:
    clocks = Clocks()
    pacer = clocks.pacer()
    for _ in range(5):
        started = pacer.now()
        clocks.cpu += 0.002
        clocks.wall += 0.002
        pacer.after_piece(started)
    assert clocks.sleeps == []


@pytest.mark.parametrize("cpu_used", [0.0005, 0.001, 0.004])
def test_while_chat_is_active_each_piece_is_followed_by_a_pause_as_long_as_its_cpu_time(cpu_used) -> None:
    clocks = Clocks()
    pacer = clocks.pacer()
    clocks.last_chat = clocks.wall - CHAT_ACTIVE_SECONDS / 4
    started = pacer.now()
    clocks.cpu += cpu_used
    clocks.wall += CHAT_ACTIVE_SECONDS / 2  # waiting in recv for a slow client costs wall time, not CPU: not paid back
    pacer.after_piece(started)
    assert clocks.sleeps == [pytest.approx(cpu_used)]
    assert pacer.paused_seconds == pytest.approx(cpu_used)


def test_chat_that_stopped_a_while_ago_no_longer_slows_a_transfer() -> None:
    clocks = Clocks()
    pacer = clocks.pacer()
    clocks.last_chat = clocks.wall - CHAT_ACTIVE_SECONDS - 0.01
    started = pacer.now()
    clocks.cpu += 0.003
    pacer.after_piece(started)
    assert clocks.sleeps == []


def test_one_slow_piece_pauses_at_most_the_cap() -> None:
    clocks = Clocks()
    pacer = clocks.pacer()
    clocks.last_chat = clocks.wall
    started = pacer.now()
    clocks.cpu += 3.0
    pacer.after_piece(started)
    assert clocks.sleeps == [MAX_PAUSE_SECONDS]


def test_no_pacing_never_pauses() -> None:
    pacer = NoPacing()
    pacer.after_piece(pacer.now() - 10)
    assert pacer.paused_seconds == 0


@pytest.mark.parametrize("running", [1, 2, 5, 40])
def test_transfers_running_together_share_one_half_core_while_chat_is_active(running) -> None:
    """Found by a probe: 95 downloads at once each took half a core, and the class's messages waited 0.8 s."""
    clocks = Clocks()
    crowd = TransferCrowd()
    pacer = TransferPacer(
        lambda: clocks.last_chat, clocks.sleeps.append, lambda: clocks.cpu, lambda: clocks.wall, crowd
    )
    clocks.last_chat = clocks.wall
    entered = [crowd.one() for _ in range(running)]
    for transfer in entered:
        transfer.__enter__()
    started = pacer.now()
    clocks.cpu += 0.001
    pacer.after_piece(started)
    for transfer in entered:
        transfer.__exit__(None, None, None)
    # Each of `running` transfers works 1 part and pauses 2n - 1: together they work half of the time.
    assert clocks.sleeps == [pytest.approx(0.001 * (2 * running - 1))]
    assert running * 0.001 / (0.001 + clocks.sleeps[0]) == pytest.approx(0.5, rel=0.01)
    assert crowd.running == 0


def test_a_transfer_alone_pauses_as_before_and_a_slow_piece_still_has_its_cap() -> None:
    clocks = Clocks()
    crowd = TransferCrowd()
    pacer = TransferPacer(
        lambda: clocks.last_chat, clocks.sleeps.append, lambda: clocks.cpu, lambda: clocks.wall, crowd
    )
    clocks.last_chat = clocks.wall
    with crowd.one():
        started = pacer.now()
        clocks.cpu += 0.002
        pacer.after_piece(started)
        started = pacer.now()
        clocks.cpu += 10.0  # a stalled disk
        pacer.after_piece(started)
    assert clocks.sleeps == [pytest.approx(0.002), MAX_PAUSE_SECONDS]
