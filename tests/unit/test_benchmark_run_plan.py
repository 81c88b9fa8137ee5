"""The benchmark's run checks and plans: members of a room agree on its order (CRC); senders do not write together."""

from __future__ import annotations

from benchmarks.procstat import MachineTicks, machine_ticks
from benchmarks.scenarios import Result, Scenario, _compare_room_orders, plan_clients


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


def test_senders_are_spread_over_the_interval_across_load_processes() -> None:
    # fanout100's ten senders, shared by two load processes as run_scenario shares them (every other client):
    # each sender has its own moment in the 50 ms interval, in either process.
    plans = plan_clients(Scenario("fanout100", "fanout", clients=100, senders=10, rate=20, messages=200))
    phases = sorted(plan.send_phase for plan in plans if plan.sender)
    assert phases == [rank / 10 for rank in range(10)]
    for share in (plans[0::2], plans[1::2]):
        assert len({plan.send_phase for plan in share if plan.sender}) == 5
    assert all(plan.send_phase == 0 for plan in plans if not plan.sender)


def test_steal_is_the_share_of_all_cpu_time_taken_between_two_samples() -> None:
    before, after = MachineTicks(steal=10, total=1000), MachineTicks(steal=40, total=1600)
    assert after.steal_percent_since(before) == 5.0
    assert before.steal_percent_since(before) != before.steal_percent_since(before)  # no time passed: NaN
    now = machine_ticks()
    assert now.total >= now.steal >= 0
