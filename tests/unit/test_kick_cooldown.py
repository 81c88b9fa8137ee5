"""KickCooldown: a kicked name waits a while before its computer may take it again (chat_server/kick_cooldown.py)."""

from __future__ import annotations

from chat_server.kick_cooldown import KICKS_KEPT, KickCooldown


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_name_waits_on_its_computer_only_and_only_for_a_while():
    clock = Clock()
    cooldown = KickCooldown(60.0, clock)
    cooldown.kicked(["eve", "eve_account"], "10.0.0.5")
    assert cooldown.wait("eve", "10.0.0.5") == 60.0
    assert cooldown.wait("eve_account", "10.0.0.5") == 60.0
    assert cooldown.wait("eve", "10.0.0.6") == 0.0  # another computer
    assert cooldown.wait("kim", "10.0.0.5") == 0.0  # another name on the same computer (a classmate)
    assert sorted(cooldown.waiting_on("10.0.0.5")) == [("eve", 60.0), ("eve_account", 60.0)]
    assert cooldown.waiting_on("10.0.0.6") == []
    clock.now += 59.5
    assert cooldown.wait("eve", "10.0.0.5") == 0.5
    clock.now += 0.5
    assert cooldown.wait("eve", "10.0.0.5") == 0.0


def test_this_computer_and_unknown_computers_are_never_held():
    cooldown = KickCooldown(60.0, Clock())
    cooldown.kicked(["eve"], "127.0.0.1")
    cooldown.kicked(["eve"], "::1")
    cooldown.kicked(["eve"], None)
    assert cooldown.wait("eve", "127.0.0.1") == 0.0 and cooldown.wait("eve", "::1") == 0.0


def test_nothing_is_held_with_no_wait_and_the_table_stays_bounded():
    clock = Clock()
    assert KickCooldown(0.0, clock).wait("eve", "10.0.0.5") == 0.0
    cooldown = KickCooldown(60.0, clock)
    for number in range(KICKS_KEPT + 10):
        cooldown.kicked([f"name{number}"], "10.0.0.5")
    assert cooldown.wait("name0", "10.0.0.5") == 0.0  # the oldest went first
    assert cooldown.wait(f"name{KICKS_KEPT + 9}", "10.0.0.5") == 60.0
