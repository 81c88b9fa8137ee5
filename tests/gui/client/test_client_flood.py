"""A flood of 5,000 messages: every one reaches the pane, in order, and the poller keeps ticking in bounded batches."""

from __future__ import annotations

from chat_gui.core.session import BATCH_LIMIT
from tests.gui.client.conftest import WAIT
from tests.support import wait_until

FLOOD = 5000


def test_5000_incoming_messages_all_arrive_while_the_poller_ticks(start_server, open_window, make_client, tk_root):
    server = start_server(rate_per_second=0)
    alice = open_window(server, "alice")
    alice.room_view.max_lines = FLOOD + 100  # keep them all, so the test can count them
    sender = make_client(server, "flooder", "general")
    stats = alice.session.stats
    stats.reset()
    shown_when_a_click_could_run: list[int] = []

    def probe() -> None:  # stands for a click: it runs only when the poller gives the event loop a turn
        shown_when_a_click_could_run.append(alice.room_view.all_text().count("  flooder  flood "))

    for number in range(FLOOD):
        sender.send_command(f"SAY flood {number}")
    wait_until(lambda: alice.session.backlog() > 500, timeout=WAIT, message="the flood did not arrive")
    tk_root.after(1, probe)
    wait_until(
        lambda: f"flood {FLOOD - 1}\n" in alice.room_view.all_text(),
        pump=tk_root.update,
        timeout=60,
        message="not every message reached the pane",
    )
    lines = [line for line in alice.room_view.all_text().splitlines() if "  flooder  flood " in line]
    assert [int(line.rsplit(" ", 1)[1]) for line in lines] == list(range(FLOOD))
    assert shown_when_a_click_could_run and shown_when_a_click_could_run[0] < FLOOD, (
        "the event loop got a turn in the middle of the flood"
    )
    assert stats.frames >= FLOOD
    assert stats.ticks >= FLOOD // BATCH_LIMIT, "each tick handles a bounded batch"
    assert alice.room_view.is_following(), "the pane follows new lines when not scrolled up"
