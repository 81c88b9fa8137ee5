"""One computer's budget for messages, all its connections together (chat_server/address_budget.py)."""

from __future__ import annotations

from chat_server.address_budget import (
    CHARS_BURST,
    CHARS_PER_SECOND,
    PAGES_BURST,
    PAGES_PER_CONNECTION,
    PAGES_PER_SECOND,
    AddressBudget,
    AddressBudgets,
    page_burst,
)


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def test_twice_a_connections_burst_of_short_messages_then_twice_its_rate():
    clock = Clock()
    budget = AddressBudget(rate=10, burst=30, clock=clock)
    assert sum(budget.allow(5) for _ in range(100)) == 60
    clock.now += 1.0
    assert sum(budget.allow(5) for _ in range(100)) == 20


def test_long_messages_run_out_of_characters_first():
    clock = Clock()
    budget = AddressBudget(rate=10, burst=30, clock=clock)
    assert sum(budget.allow(2000) for _ in range(60)) == CHARS_BURST // 2000
    clock.now += 1.0
    assert sum(budget.allow(2000) for _ in range(60)) == CHARS_PER_SECOND // 2000
    assert budget.allow(0) is True, "a refused long message did not spend the message count"


def test_the_servers_own_computer_and_rate_zero_have_no_budget_and_budgets_end_with_their_connections():
    budgets = AddressBudgets(rate=10, burst=30)
    assert budgets.join("127.0.0.1") is None and budgets.join("::1") is None
    assert AddressBudgets(rate=0, burst=30).join("10.0.0.5") is None
    first, second = budgets.join("10.0.0.5"), budgets.join("10.0.0.5")
    assert first is second and first is not None
    assert budgets.join("10.0.0.6") is not first
    budgets.leave("10.0.0.5")
    assert len(budgets) == 2
    budgets.leave("10.0.0.5")
    budgets.leave("10.0.0.6")
    assert len(budgets) == 0
    assert budgets.join("10.0.0.5") is not first  # a fresh budget for a computer that comes back


def pages_now(budget: AddressBudget) -> int:
    """How many pages go at once (no wait); the first that must wait is asked too and borrows one page ahead."""
    count = 0
    while budget.reserve_page() == 0.0:
        count += 1
    return count


def test_the_page_burst_grows_with_the_most_connections_and_the_rate_stays():
    clock = Clock()
    budget = AddressBudget(rate=10, burst=30, clock=clock)
    for count in range(1, 37):  # a class of 36 behind one address comes back
        budget.connections_now(count)
    assert page_burst(36) == PAGES_BURST + 35 * PAGES_PER_CONNECTION
    assert pages_now(budget) == page_burst(36)
    clock.now += 2.0
    assert pages_now(budget) == 2 * PAGES_PER_SECOND - 1  # the rate did not grow (one was borrowed)


def test_closing_and_reopening_a_connection_mints_no_pages():
    clock = Clock()
    budget = AddressBudget(rate=10, burst=30, clock=clock)
    budget.connections_now(2)
    assert pages_now(budget) == page_burst(2)
    for _ in range(50):
        budget.connections_now(1)
        budget.connections_now(2)
    assert pages_now(budget) == 0
    budget.connections_now(3)  # a new most: one connection's catch-up more (less the two borrowed)
    assert pages_now(budget) == PAGES_PER_CONNECTION - 2


def test_an_address_budget_follows_its_connections_through_join():
    budgets = AddressBudgets(rate=10, burst=30)
    for _ in range(5):
        budget = budgets.join("10.0.0.7")
    assert budget is not None
    assert pages_now(budget) >= page_burst(5)
