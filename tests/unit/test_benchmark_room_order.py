"""The benchmark's room-order check: members that got a room's whole stream must agree on its order (CRC)."""

from __future__ import annotations

from benchmarks.scenarios import Result, Scenario, _compare_room_orders


def member(index: int, crc: int, *, sender: bool = False, others: int = 10, own: int = 0, sent: int = 0) -> dict:
    return {"index": index, "room": "r", "sender": sender, "others": others, "own": own, "sent": sent, "crc": crc}


def compare(clients: list[dict], echoes_sender: bool = True) -> Result:
    result = Result(Scenario("order", "fanout", clients=len(clients)), "classchat")
    expected = {c["index"]: c["others"] for c in clients}
    _compare_room_orders(result, clients, expected, echoes_sender)
    return result


def test_members_that_agree_make_no_violation() -> None:
    result = compare([member(0, 7, sender=True, others=5, own=5, sent=5), member(1, 7), member(2, 7)])
    assert (result.order_compared, result.order_violations) == (3, 0)


def test_a_member_that_saw_another_order_is_one_violation() -> None:
    result = compare([member(0, 7, sender=True, others=5, own=5, sent=5), member(1, 7), member(2, 8)])
    assert (result.order_compared, result.order_violations) == (3, 1)


def test_a_sender_still_waiting_for_its_last_echo_is_not_compared() -> None:
    # Its stream lacks its own last message, so its CRC differs without any reordering (CI saw this once).
    clients = [member(0, 9, sender=True, others=5, own=4, sent=5), member(1, 7), member(2, 7)]
    result = compare(clients)
    assert (result.order_compared, result.order_violations) == (2, 0)


def test_without_echoes_senders_are_left_out() -> None:
    result = compare([member(0, 9, sender=True, others=5, own=0, sent=5), member(1, 7), member(2, 7)], False)
    assert (result.order_compared, result.order_violations) == (2, 0)
