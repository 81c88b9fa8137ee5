"""The per-address budget of connection log lines: a flood is counted, the next line says how much was held back."""

from __future__ import annotations

from chat_server.address_log import FORGET_AFTER, AddressLogBudget, held_back_note


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_lines_past_the_budget_are_held_and_counted_until_the_next_window():
    clock = Clock()
    budget = AddressLogBudget(lines=3, window=60, clock=clock)
    assert [budget.take("10.0.0.5") for _ in range(3)] == [0, 0, 0]
    assert [budget.take("10.0.0.5") for _ in range(5)] == [None] * 5
    assert budget.take("10.0.0.6") == 0  # another address has its own budget
    clock.now += 59.9
    assert budget.take("10.0.0.5") is None
    clock.now += 0.2
    assert budget.take("10.0.0.5") == 6  # the first line of the new window tells what was held back
    assert budget.take("10.0.0.5") == 0


def test_many_addresses_do_not_grow_the_table_without_end():
    clock = Clock()
    budget = AddressLogBudget(lines=1, window=60, clock=clock)
    for n in range(3 * FORGET_AFTER):
        assert budget.take(f"fd00::{n:x}") == 0
    assert len(budget._hosts) <= FORGET_AFTER


def test_the_note_names_the_count_and_the_address():
    assert held_back_note(0, "10.0.0.5") == ""
    assert held_back_note(1, "10.0.0.5") == " (1 more line about 10.0.0.5 not logged: too many connections)"
    assert "950 more lines" in held_back_note(950, "10.0.0.5")
