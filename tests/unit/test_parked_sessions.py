"""ParkedSessions: RESUME's table of dropped connections; one address's drops push out only its own entries."""

from __future__ import annotations

from chat_server.resume_tokens import ParkedSessions


def park(table: ParkedSessions, key: str, address: str, now: float = 0.0) -> None:
    table.park(key, key, f"token-{key}", "lab", False, now, address=address)


def test_one_address_dropping_many_names_pushes_out_only_its_own_oldest():
    table = ParkedSessions(600, capacity=100, per_address=3)
    park(table, "alice", "127.0.0.3")
    for number in range(1000):
        park(table, f"churn{number}", "127.0.0.2")
    assert table.check("alice", "token-alice", 1.0) is not None
    assert [key for key in ("churn997", "churn998", "churn999") if table.peek(key)] == [
        "churn997",
        "churn998",
        "churn999",
    ]
    assert table.peek("churn996") is None
    assert len(table) == 4


def test_the_whole_table_still_has_its_capacity_across_addresses():
    table = ParkedSessions(600, capacity=5, per_address=3)
    for number in range(8):
        park(table, f"user{number}", f"127.0.1.{number}")
    assert len(table) == 5
    assert table.peek("user2") is None and table.peek("user3") is not None


def test_taken_forgotten_and_expired_entries_leave_their_address_share_too():
    table = ParkedSessions(10, capacity=100, per_address=2)
    park(table, "a", "127.0.0.2")
    park(table, "b", "127.0.0.2")
    assert table.take("a", "token-a", 1.0) is not None
    table.forget("b")
    park(table, "c", "127.0.0.2", now=0.0)
    table.expire(20.0)
    assert len(table) == 0
    park(table, "d", "127.0.0.2", now=20.0)
    park(table, "e", "127.0.0.2", now=20.0)
    assert table.peek("d") is not None and table.peek("e") is not None  # the share was freed, not leaked


def test_parking_a_name_again_moves_it_to_its_new_address():
    table = ParkedSessions(600, capacity=100, per_address=1)
    park(table, "bob", "127.0.0.2")
    park(table, "bob", "127.0.0.3")  # bob dropped again, from another computer
    park(table, "carol", "127.0.0.2")
    assert table.peek("bob") is not None and table.peek("bob").address == "127.0.0.3"
    assert table.peek("carol") is not None


def test_sending_a_parked_session_to_another_room_keeps_its_time_and_its_place():
    table = ParkedSessions(10, capacity=100)
    park(table, "ann", "127.0.0.2", now=0.0)
    park(table, "bob", "127.0.0.3", now=5.0)
    table.send_to("ann", "general", None)  # MOVE general * while ann's connection was down
    moved = table.check("ann", "token-ann", 1.0)
    assert moved is not None and moved.room == "general"
    table.expire(11.0)  # ann's time is up, bob's is not
    assert table.peek("ann") is None and table.peek("bob") is not None
    assert table.kept_for_another("bob", "127.0.0.9", 11.0) is not None  # bob's name is still held for him
