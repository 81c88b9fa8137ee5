"""NameHolders: who gave up a nickname lately, one entry per person, forgotten after a while and past a capacity."""

from __future__ import annotations

from types import SimpleNamespace

from chat_server.name_holders import NameHolders


def person(number: int, *owners: str) -> SimpleNamespace:
    return SimpleNamespace(id=number, owners=owners or (f"g:{number}",))


def test_one_person_giving_a_name_up_twice_is_one_holder_and_old_ones_are_forgotten():
    holders = NameHolders(keep_seconds=120, capacity=100)
    holders.gave_up("eve", person(1, "g:1"), now=0)  # type: ignore[arg-type]
    holders.gave_up("eve", person(2, "g:1", "a:eve:1"), now=10)  # type: ignore[arg-type]  # the same, on RESUME
    assert [holder.session_id for holder in holders.people("eve", now=20)] == [2]
    holders.gave_up("eve", person(3), now=30)  # type: ignore[arg-type]
    assert [holder.session_id for holder in holders.people("eve", now=40)] == [2, 3]
    assert [holder.session_id for holder in holders.people("eve", now=140)] == [3]
    assert holders.people("eve", now=200) == []


def test_names_past_the_capacity_or_the_time_go_oldest_first():
    holders = NameHolders(keep_seconds=120, capacity=3)
    for number in range(5):
        holders.gave_up(f"name{number}", person(number), now=number)  # type: ignore[arg-type]
    assert [bool(holders.people(f"name{number}", now=5)) for number in range(5)] == [False, False, True, True, True]
    holders.gave_up("late", person(9), now=500)  # type: ignore[arg-type]
    assert len(holders._by_key) == 1
