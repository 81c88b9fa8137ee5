"""The admin window's poller never holds the Tk thread for long: a look hands back after its time, and never waits for the server's lock."""

from __future__ import annotations

import logging
import threading

import pytest

from chat_server.admin_gui import window as window_module
from chat_server.admin_gui.window import AdminWindow
from tests.gui.admin.helpers import TIMEOUT, started
from tests.support import wait_until

STUDENTS = 20  # max_per_address: all from 127.0.0.1


def arrival_order(window: AdminWindow) -> list[str]:
    """The nicknames in the Clients table, top to bottom (unsorted: the order they came in)."""
    clients = {str(session_id): client for session_id, client in window.clients_view.clients.items()}
    return [clients[iid].nick or "" for iid in window.clients_view.tree.get_children()]


def test_a_look_hands_back_after_its_time_and_the_rest_appears_in_order(
    window: AdminWindow, clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    started(window)
    nicks = [f"s{number:02d}" for number in range(STUDENTS)]
    for nick in nicks:  # the window is not pumped meanwhile: every arrival waits in the feed
        clients(window, nick, "hall")
    server = window.server
    assert server is not None
    wait_until(lambda: sum(client.room == "hall" for client in server.clients()) == STUDENTS, TIMEOUT)
    monkeypatch.setattr(window_module, "PUMP_SECONDS", 0.0)  # a machine so slow that one slice spends the look's time
    monkeypatch.setattr(window_module, "EVENT_SLICE", 5)
    assert window.pump() is True  # one slice, then control goes back to Tk: more waits
    assert 0 < len(window.clients_view.clients) <= 5
    looks = 1
    while window.pump():
        looks += 1
        assert looks < 100, "the backlog never ran out"
    assert looks >= STUDENTS // 5  # it really came in slices
    assert arrival_order(window) == nicks  # nothing lost, in the order they came
    assert {client.nick: client.room for client in window.clients_view.clients.values()} == dict.fromkeys(nicks, "hall")
    assert sorted(window.rooms_view.rooms["hall"][0].members) == nicks


def test_the_poller_does_not_wait_for_the_servers_registry_lock(window: AdminWindow, clients) -> None:
    started(window)
    clients(window, "amy", "hall")
    server = window.server
    assert server is not None
    held, looked = threading.Event(), threading.Event()
    outcome: list[str] = []

    def hold_the_lock() -> None:  # as a server thread busy with 600 students leaving at once would
        with server.registry.lock:
            held.set()
            outcome.append("released after the look" if looked.wait(TIMEOUT) else "released by the deadline")

    holder = threading.Thread(target=hold_the_lock, name="busy-server")
    holder.start()
    assert held.wait(TIMEOUT)
    window.pump()  # the Mute class button is checked on every look
    looked.set()
    holder.join(TIMEOUT)
    assert outcome == ["released after the look"]  # the look was over while the server still held its lock
    assert window.class_button.cget("text") == "Mute class"


def test_a_burst_of_log_lines_is_shown_in_slices_all_of_them_in_order(
    window: AdminWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    started(window)
    while window.pump():  # the start's own lines
        pass
    server_log = logging.getLogger("chat_server.probe")
    lines = [f"line {number:03d} of the burst" for number in range(120)]
    for line in lines:  # as 600 students leaving at once log a line each
        server_log.info(line)
    monkeypatch.setattr(window_module, "PUMP_SECONDS", 0.0)
    monkeypatch.setattr(window_module, "LOG_SLICE", 50)
    assert window.pump() is True  # one slice, then control goes back to Tk
    assert sum(line in window.log_pane.shown_text() for line in lines) == 50
    looks = 1
    while window.pump():
        looks += 1
        assert looks < 100, "the log backlog never ran out"
    shown = [text for text in window.log_pane.shown_text().splitlines() if "of the burst" in text]
    assert [text.split("INFO", 1)[1].strip() for text in shown] == lines  # all of them, once each, in order
