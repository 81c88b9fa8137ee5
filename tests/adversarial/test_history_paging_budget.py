"""HISTORY pages share one budget per computer (chat_server/address_budget.py): paging spam from many connections.

Found by a probe: 20 connections on each of three computers, each asking
for a 100-message page 9 times a second (every one within its own rate),
kept the server at 80-98% CPU and slowed the class's messages a
hundredfold.  Computers are loopback addresses of their own (127.0.0.2...).
"""

from __future__ import annotations

import time

import pytest

from chat_server.address_budget import PAGE_WAIT_SECONDS, PAGES_BURST, PAGES_PER_SECOND, page_burst
from tests.integration.history_wire import answer, say_many
from tests.integration.wire import Collector, WireClient

pytestmark = pytest.mark.usefixtures("no_server_errors")

CONNECTIONS = 4
PAGES_EACH = 25  # within each connection's own burst (30): only the computer's budget can hold them back


def test_many_connections_of_one_computer_get_the_pages_of_one_and_a_neighbour_is_not_held_up(start_server, wire):
    server = start_server()
    say_many(wire(server, "talker", "lab"), 5)
    flooders = [wire(server, f"flood{n}", "lab", source="127.0.0.2") for n in range(CONNECTIONS)]
    collectors = [Collector(client) for client in flooders]
    started = time.monotonic()
    for client in flooders:
        for _ in range(PAGES_EACH):
            client.send("HISTORY #lab 5")

    def answered() -> int:
        return sum(len(collector.of_type("history")) for collector in collectors)

    neighbour = wire(server, "neighbour", "lab", source="127.0.0.3")
    asked = time.monotonic()
    messages, closing = answer(neighbour, "HISTORY #lab 5")
    assert len(messages) == 5 and closing["count"] == 5
    assert time.monotonic() - asked < 1.0  # another computer's page does not queue behind the flood
    # Two seconds in: without the budget all 100 pages were out within a fraction of a second.
    while time.monotonic() - started < 2.0:
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    assert answered() <= page_burst(CONNECTIONS) + PAGES_PER_SECOND * elapsed + 2, (answered(), elapsed)
    assert answered() < CONNECTIONS * PAGES_EACH
    # What went past the budget was held back or refused, never cut short: every page that came is whole.
    for collector in collectors:
        assert all(page["count"] == 5 for page in collector.of_type("history"))
        assert {error["code"] for error in collector.of_type("error")} <= {"rate_limited"}


def test_a_reconnect_catching_up_page_after_page_gets_every_page_without_a_refusal(start_server, wire):
    """An honest client past the burst: its pages wait their turn, none is refused."""
    server = start_server(rate_burst=60)  # the connection's own rate out of the way: only the page budget counts
    ids = [frame["id"] for frame in say_many(wire(server, "talker", "lab"), 20)]
    pager = wire(server, "pager", source="127.0.0.4")
    pages = PAGES_BURST + 10
    started = time.monotonic()
    for number in range(pages):
        at = number % (len(ids) - 1)
        messages, closing = answer(pager, f"HISTORY #lab AFTER {ids[at]} 1")
        assert [frame["id"] for frame in messages] == [ids[at + 1]], closing
    # the ten past the burst waited about two seconds in all, and nothing more
    assert 10 / PAGES_PER_SECOND - 0.5 < time.monotonic() - started < 10 / PAGES_PER_SECOND + 5


def test_this_computer_has_no_page_budget(start_server, wire):
    """The teacher's window and the server's own tools page as they like (as they have no message budget)."""
    server = start_server()
    say_many(wire(server, "talker", "lab"), 3)
    local = wire(server, "local")
    others = [WireClient(server.address) for _ in range(3)]
    for number, client in enumerate(others):
        client.register(f"local{number}")
    started = time.monotonic()
    for client in [local, *others]:
        for _ in range(20):
            client.send("HISTORY #lab 3")
    for client in [local, *others]:
        for _ in range(20):
            assert len(answer(client)[0]) == 3
        client.close()
    assert time.monotonic() - started < PAGES_BURST / PAGES_PER_SECOND


def test_a_class_behind_one_address_catches_up_together_after_the_wi_fi_comes_back(start_server, wire):
    """A school's NAT: 30 students of one address come back at once, each catching up its room and four private
    conversations.  Found by a probe: 36 chat-terms with three partners each waited up to 41 s for their pages
    (5 s without the budget); 150 pages at once, past the burst and five seconds' wait, were refused."""
    server = start_server(max_per_address=40)
    students = [wire(server, f"pupil{n}", "lab", source="127.0.0.5") for n in range(30)]
    ids = [frame["id"] for frame in say_many(students[0], 3)]
    collectors = [Collector(client) for client in students]
    started = time.monotonic()
    for number, client in enumerate(students):
        client.send(f"HISTORY #lab AFTER {ids[0]} 100")
        for partner in range(1, 5):
            client.send(f"HISTORY @pupil{(number + partner) % 30} AFTER 0 100")

    def answered() -> int:
        return sum(len(collector.of_type("history")) for collector in collectors)

    deadline = started + 20
    while answered() < 150 and time.monotonic() < deadline:
        time.sleep(0.05)
    refused = [error for collector in collectors for error in collector.of_type("error")]
    assert (answered(), refused) == (150, [])
    assert time.monotonic() - started < PAGE_WAIT_SECONDS
