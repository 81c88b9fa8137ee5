"""A window far behind its frames says so: "catching up…" while behind, and never "Connected" over a lost connection.

Found by a probe: a window that had fallen minutes behind a flood kept
saying "Connected" while it replayed old messages, also after the server
had cut it off (the loss is handled only once the frames before it are shown).
"""

from __future__ import annotations

from chat_gui.core.session import BATCH_LIMIT, BEHIND_FRAMES
from tests.gui.client.conftest import WAIT
from tests.support import wait_until

MESSAGES = BEHIND_FRAMES + 2 * BATCH_LIMIT  # still behind after the first tick's batch


def queue_messages(server, make_client, alice) -> None:
    """Messages from another window arrive while this one's Tk thread does nothing (the test does not pump)."""
    sender = make_client(server, "bob", "general")
    for number in range(MESSAGES):
        sender.send_command(f"SAY queued {number}")
    wait_until(lambda: alice.session.backlog() >= MESSAGES, timeout=WAIT, message="the messages did not queue up")


def test_the_status_bar_says_catching_up_while_far_behind_and_stops_after(
    start_server, open_window, make_client, tk_root
):
    server = start_server(rate_per_second=0)
    alice = open_window(server, "alice")
    queue_messages(server, make_client, alice)
    status = alice.window.status_bar
    wait_until(lambda: "catching up…" in status.text(), pump=tk_root.update, timeout=WAIT)
    assert "Connected to" in status.text()
    wait_until(lambda: f"queued {MESSAGES - 1}\n" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    wait_until(lambda: "catching up" not in status.text(), pump=tk_root.update, timeout=WAIT)
    assert status.text().startswith("Connected to"), status.text()


def test_a_connection_lost_behind_a_backlog_is_said_at_once_and_in_the_pane(
    start_server, open_window, make_client, tk_root
):
    server = start_server(rate_per_second=0)
    alice = open_window(server, "alice")
    queue_messages(server, make_client, alice)
    server.stop()  # the window's connection ends behind the frames it has not shown yet
    wait_until(lambda: not alice.session.connection.connected, timeout=WAIT)
    status = alice.window.status_bar
    wait_until(lambda: "Connection lost" in status.text(), pump=tk_root.update, timeout=WAIT)
    assert alice.session.state == "ready" and "Connected" not in status.text(), status.text()
    wait_until(
        lambda: "Connection lost. Reconnecting by itself" in alice.room_view.all_text(),
        pump=tk_root.update,
        timeout=WAIT,
        message="the pane never said the connection was lost",
    )
