"""The client core when the server's page budget refuses a HISTORY (chat_server/address_budget.py): asked again, nothing lost.

The server gives one computer a few pages a second; a page past that waits
its turn, and one that would wait too long is refused with `rate_limited`
(or, past one refusal a second, dropped without an answer).  Here the
budget is one page with no waiting, so the client's second page is always
refused, and the client (chat_gui/core/history_requests.py) must ask again
by itself: a catch-up after a reconnect still hands on every message once,
and a page the user asked for comes back whole, with no error.  The client
connects through a relay from 127.0.0.2, another computer to the server.
"""

from __future__ import annotations

import pytest

from chat_gui.core.events import HistoryPage, PageKind
from chat_server import address_budget
from tests.integration.cut_relay import CutRelay
from tests.integration.test_client_history import Watched, say_many

pytestmark = pytest.mark.usefixtures("no_server_errors")


@pytest.fixture
def strict_pages(monkeypatch, start_server):
    """A server that gives another computer one page now and then: the next at once is refused."""
    monkeypatch.setattr(address_budget, "PAGES_BURST", 1)
    monkeypatch.setattr(address_budget, "PAGE_WAIT_SECONDS", 0.0)
    return start_server(rate_burst=1000)  # bob says hundreds of lines at once (this computer: no message budget)


def pages(watched: Watched, kind: PageKind) -> list[HistoryPage]:
    return [event for event in watched.events if isinstance(event, HistoryPage) and event.kind is kind]


def test_a_catch_up_refused_for_going_too_fast_asks_again_and_loses_nothing(strict_pages, wire):
    server = strict_pages
    relay = CutRelay(server.address, source="127.0.0.2")
    alice = Watched(relay.address, "alice", "lab")
    try:
        bob = wire(server, "bob", "lab")
        before = say_many(bob, 3, "before")
        alice.run_until(lambda: len(alice.shown()) == 3)
        relay.cut()
        alice.run_until(lambda: alice.session.state.name == "RECONNECTING")
        missed = say_many(bob, 250, "missed")  # three catch-up pages of 100
        relay.restore()
        alice.run_until(lambda: alice.caught_up() and len(alice.shown()) >= 3 + 250, timeout=60)
        assert [number for number, _ in alice.shown()] == before + missed
        assert all(not page.error for page in pages(alice, PageKind.CATCH_UP))
    finally:
        alice.close()
        relay.close()


def test_pages_asked_for_together_all_come_back_whole(strict_pages, wire):
    server = strict_pages
    relay = CutRelay(server.address, source="127.0.0.2")
    alice = Watched(relay.address, "alice", "lab")
    try:
        said = say_many(wire(server, "bob", "lab"), 60, "line")
        asked = [
            alice.session.history.request_page("#lab", before=said[-1 - 10 * n], limit=10, kind=PageKind.EARLIER)
            for n in range(3)
        ]
        alice.run_until(lambda: len(pages(alice, PageKind.EARLIER)) == 3, timeout=60)
        answered = {page.request: page for page in pages(alice, PageKind.EARLIER)}
        assert sorted(answered) == sorted(asked)
        for n, number in enumerate(asked):
            page = answered[number]
            assert not page.error
            assert [frame["id"] for frame in page.frames] == said[-11 - 10 * n : -1 - 10 * n]
    finally:
        alice.close()
        relay.close()
