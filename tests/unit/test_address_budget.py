"""One computer's budget for messages, all its connections together (chat_server/address_budget.py)."""

from __future__ import annotations

from chat_server.address_budget import CHARS_BURST, CHARS_PER_SECOND, AddressBudget, AddressBudgets


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
