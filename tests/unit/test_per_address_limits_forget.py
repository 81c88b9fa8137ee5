"""The per-address limits of new rooms and new accounts forget addresses with nothing left in their window.

Noticed in a review: an address that made one room or one account stayed
in memory for the server's life, so a class behind a router handing out
many addresses (IPv6 counts each full address) could grow them without end.
"""

from __future__ import annotations

from chat_server.files.limits import SenderRateLimit
from chat_server.identity.new_rooms import RoomsMade
from tests.support import FakeClock


def test_rooms_made_forgets_addresses_whose_rooms_left_the_window_and_keeps_the_others_counted():
    clock = FakeClock()
    made = RoomsMade(limit=2, window=600.0, clock=clock)
    for number in range(500):
        assert made.acquire(f"2001:db8::{number:x}", "room") == 0.0
    assert len(made) == 500
    clock.now += 300
    assert made.acquire("busy", "a") == 0.0 and made.acquire("busy", "b") == 0.0
    clock.now += 301  # the 500 made their room 601 s ago; "busy" 301 s ago
    assert made.acquire("newcomer", "c") == 0.0
    assert len(made) == 2, "only the addresses with a room made in the last ten minutes are left"
    assert made.acquire("busy", "third") > 0, "forgetting others did not forget what busy made"
    assert made.acquire("busy", "a") == 0.0, "a room it made lately is still not counted again"


def test_the_sender_rate_limit_forgets_idle_senders_by_itself_once_a_window():
    clock = FakeClock()
    rate = SenderRateLimit(3, 86400.0, clock)
    for number in range(300):
        assert rate.acquire(f"10.0.{number // 250}.{number % 250}") == 0.0
    assert len(rate) == 300
    clock.now += 3600
    assert [rate.acquire("steady") for _ in range(3)] == [0.0] * 3
    assert len(rate) == 301, "nobody is forgotten inside the window"
    clock.now += 86400 - 3600
    assert rate.acquire("late") == 0.0
    assert len(rate) == 2, "the 300 are gone, steady (23 hours ago) and late stay"
    assert rate.acquire("steady") > 0, "steady's three accounts still count"
