"""The server admin window with a real server started from it and real clients connected (Xvfb)."""

from __future__ import annotations

import logging
import socket
import sqlite3
import tkinter as tk

from chat_gui.core.connection import ChatConnection, Disconnected
from chat_server.admin_gui.window import AdminWindow
from chat_server.config import ServerConfig
from chat_server.netinfo import join_addresses
from chat_server.storage import default_data_dir
from chat_server.storage.database import DB_FILE_NAME
from tests.gui.admin.helpers import (
    Dialogs,
    enabled,
    frame_where,
    pump_until,
    row_of,
    started,
    wait_disconnected,
)


def test_title_and_join_address_after_start(window: AdminWindow) -> None:
    assert window.root.title().startswith("ClassChat Server")
    assert window.form.stop_button.instate(["disabled"])
    port = started(window)
    assert window.banner.addresses == [f"127.0.0.1:{port}"]
    assert window.form.start_button.instate(["disabled"]) and not window.form.stop_button.instate(["disabled"])
    window.banner.copy(window.banner.addresses[0])
    assert window.root.clipboard_get() == f"127.0.0.1:{port}"
    assert "Only this computer" in window.banner.note.cget("text")


def test_lan_host_shows_every_join_address(window: AdminWindow, clients) -> None:
    window.form.host.set("0.0.0.0")
    port = started(window)
    assert window.banner.addresses == join_addresses("0.0.0.0", port)
    clients(window, "alice")
    pump_until(window, lambda: row_of(window, "alice"))


def test_clients_and_rooms_appear_and_count_messages(window: AdminWindow, clients) -> None:
    started(window)
    alice = clients(window, "alice", "general")
    clients(window, "bob", "general")
    clients(window, "carol")
    pump_until(window, lambda: len(window.clients_view.clients) == 3 and row_of(window, "carol"))
    assert row_of(window, "alice")[2] == "#general"
    assert row_of(window, "carol")[2] == ""
    assert window.rooms_view.row_values("general")[:2] == ("#general", "2")
    assert window.rooms_view.row_values("general")[3] == "alice, bob"
    for number in range(3):
        alice.send_command(f"SAY hello {number}")
    pump_until(
        window,
        lambda: row_of(window, "alice")[4] == "3" and window.rooms_view.row_values("general")[2] == "3",
        "message counters did not reach 3",
    )
    assert row_of(window, "bob")[4] == "0"
    alice.send_command("JOIN maths")
    pump_until(window, lambda: window.rooms_view.row_values("general")[1] == "1" and "maths" in window.rooms_view.rooms)
    assert row_of(window, "alice")[2] == "#maths"
    alice.close()
    pump_until(window, lambda: not row_of(window, "alice") and "maths" not in window.rooms_view.rooms)


def test_stop_notifies_everyone_then_start_again_on_the_same_port(
    window: AdminWindow, dialogs: Dialogs, clients
) -> None:
    port = started(window)
    people = [clients(window, "alice", "general"), clients(window, "bob")]
    pump_until(window, lambda: len(window.clients_view.clients) == 2)
    dialogs.yes_no_answers.append(True)
    window.form.stop_button.invoke()
    for person in people:
        assert frame_where(person, "system", event="shutdown")
        assert frame_where(person, "bye")
        wait_disconnected(person)
    pump_until(window, lambda: window.phase == "stopped", "the window did not notice the server stopped")
    assert not window.clients_view.clients and not window.rooms_view.rooms and not window.banner.addresses
    window.form.port.set(str(port))
    window.form.start_button.invoke()
    assert window.phase == "running", window.status.get()
    assert window.server is not None and window.server.address[1] == port
    clients(window, "dana", "general")
    pump_until(window, lambda: row_of(window, "dana"))


def test_start_refuses_a_busy_port_and_bad_fields(window: AdminWindow, start_server) -> None:
    other = start_server()
    window.form.port.set(str(other.address[1]))
    assert not window.start_server()
    assert "Cannot listen" in window.status.get() and window.phase == "stopped"
    window.form.port.set("seventy")
    assert not window.start_server()
    assert "port" in window.status.get()
    window.form.port.set("0")
    window.form.limits["max_clients"].set("-3")
    assert not window.start_server()
    assert "negative" in window.status.get()
    window.form.limits["max_clients"].set("1000")
    for nowhere in ("nan", "inf", "-inf"):  # the ninth review: "nan" started a server, as --idle-timeout nan did
        window.form.limits["idle_timeout"].set(nowhere)
        assert not window.start_server()
        assert "Idle timeout" in window.status.get() and window.phase == "stopped"


def test_closing_with_clients_asks_first(window: AdminWindow, dialogs: Dialogs, clients, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="chat_server")
    started(window)
    alice = clients(window, "alice")
    pump_until(window, lambda: row_of(window, "alice"))
    dialogs.yes_no_answers.append(False)
    assert not window.on_close_request()
    assert "1 person is connected" in dialogs.asked[-1]
    assert window.phase == "running" and not window.closed
    dialogs.yes_no_answers.append(True)
    assert window.on_close_request()
    assert window.closed
    assert frame_where(alice, "system", event="shutdown")
    closing = [r for r in caplog.records if r.getMessage().startswith("admin closed the window")]
    assert [(r.levelname, r.getMessage()) for r in closing] == [
        ("WARNING", "admin closed the window: stopping the server (1 person connected)")
    ]


def test_closing_when_stopped_does_not_ask(window: AdminWindow, dialogs: Dialogs) -> None:
    assert window.on_close_request()
    assert window.closed and not dialogs.asked


def test_disconnected_client_leaves_the_view(window: AdminWindow) -> None:
    started(window)
    assert window.server is not None
    raw = ChatConnection(*window.server.address).connect()
    try:
        pump_until(window, lambda: len(window.clients_view.clients) == 1)
        assert window.clients_view.row_values(next(iter(window.clients_view.clients)))[0] == "(no nickname yet)"
    finally:
        raw.close()
    assert isinstance(raw.inbox.queue[-1], Disconnected)
    pump_until(window, lambda: not window.clients_view.clients)


def test_destroying_the_root_cancels_the_poller_and_detaches_logging(tk_root: tk.Tk) -> None:
    admin = AdminWindow(tk_root, ServerConfig(host="127.0.0.1", port=0))
    assert admin.start_server()
    server = admin.server
    assert server is not None
    handler = admin.log_handler
    assert handler in logging.getLogger("chat_server").handlers
    assert admin.polling
    tk_root.update()
    tk_root.destroy()
    assert admin.destroyed and not admin.polling
    assert handler not in logging.getLogger("chat_server").handlers
    admin.close()  # the server still stops, though the widgets are gone
    assert not server.running


def test_stop_asks_first_when_people_are_connected(window: AdminWindow, dialogs: Dialogs, clients) -> None:
    started(window)
    alice = clients(window, "alice", "general")
    clients(window, "bob")
    pump_until(window, lambda: len(window.clients_view.clients) == 2)
    dialogs.yes_no_answers.append(False)
    window.form.stop_button.invoke()
    assert dialogs.titles == ["Stop the server?"] and "2 people are connected" in dialogs.asked[0]
    assert window.phase == "running" and "Still running" in window.status.get()
    alice.send_command("PING still-here")
    assert frame_where(alice, "pong")["token"] == "still-here"
    dialogs.yes_no_answers.append(True)
    window.form.stop_button.invoke()
    assert len(dialogs.asked) == 2 and window.phase == "stopping"
    assert frame_where(alice, "system", event="shutdown")
    pump_until(window, lambda: window.phase == "stopped")


def test_stop_asks_even_before_the_table_shows_the_newcomer(window: AdminWindow, dialogs: Dialogs, clients) -> None:
    started(window)
    clients(window, "alice")  # registered on the server; the window has not polled since
    dialogs.yes_no_answers.append(False)
    assert not window.on_stop_clicked()
    assert "1 person is connected" in dialogs.asked[0]


def test_stop_does_not_ask_when_nobody_with_a_nickname_is_connected(
    window: AdminWindow, dialogs: Dialogs, clients
) -> None:
    started(window)
    clients(window)  # a connection that has not chosen a nickname is nobody to warn about
    pump_until(window, lambda: len(window.clients_view.clients) == 1)
    window.form.stop_button.invoke()
    assert not dialogs.asked
    pump_until(window, lambda: window.phase == "stopped")
    started(window)
    window.form.stop_button.invoke()
    assert not dialogs.asked
    pump_until(window, lambda: window.phase == "stopped")


def test_start_refuses_a_data_folder_another_server_uses(window: AdminWindow, start_server) -> None:
    """Not memory-only beside it, without its accounts, bans and room keys (found by a probe)."""
    other = start_server(data_dir=str(default_data_dir()))  # the folder the window's server would use
    assert not window.start_server()
    assert window.phase == "stopped" and window.server is None
    status = window.status.get()
    assert status.startswith("Cannot start:") and "in use by another ClassChat server" in status, status
    other.stop()
    assert window.start_server(), window.status.get()  # free again once the other has stopped
    assert window.server is not None and window.server.storage.status().ok


def test_port_zero_restarts_on_the_port_it_was_given(window: AdminWindow, dialogs: Dialogs, clients) -> None:
    """Found by a classroom probe: with Port 0, Stop then Start took a new random port and stranded the class."""
    assert window.form.port.get() == "0"
    port = started(window)
    alice = clients(window, "alice", "general")
    pump_until(window, lambda: row_of(window, "alice"))
    dialogs.yes_no_answers.append(True)
    window.form.stop_button.invoke()
    wait_disconnected(alice)
    pump_until(window, lambda: window.phase == "stopped", "the window did not notice the server stopped")
    window.form.start_button.invoke()
    assert window.phase == "running", window.status.get()
    assert window.server is not None and window.server.address[1] == port, "Start took another port"
    assert window.form.port.get() == "0"
    clients(window, "alice", "general")  # back by the address she joined by
    pump_until(window, lambda: row_of(window, "alice"))


def test_port_zero_restart_says_loudly_when_its_port_was_taken(window: AdminWindow) -> None:
    port = started(window)
    window.stop_server()
    pump_until(window, lambda: window.phase == "stopped", "the window did not notice the server stopped")
    squatter = socket.socket()
    try:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        assert window.start_server(), window.status.get()
        assert window.server is not None
        new_port = window.server.address[1]
        assert new_port != port
        assert f"THE ADDRESS CHANGED: port {port} is taken now" in window.status.get()
        assert window.banner.addresses == [f"127.0.0.1:{new_port}"]
        pump_until(
            window, lambda: f"port {port}, which the server had before, is taken" in window.log_pane.shown_text()
        )
    finally:
        squatter.close()


def test_the_window_keeps_drawing_while_start_waits_for_a_locked_database(window: AdminWindow) -> None:
    """From the notes: Start opened the data folder on the Tk thread, and a database another program held
    locked froze the window for up to 15 s (then history was off for the whole lesson)."""
    started(window)
    window.stop_server()
    pump_until(window, lambda: window.phase == "stopped", "the window did not notice the server stopped")
    holder = sqlite3.connect(default_data_dir() / DB_FILE_NAME, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # a backup tool or DB Browser with the file open
    seen: list[tuple[str, str, bool]] = []

    def tick() -> None:  # runs only while the Tk thread draws the window
        seen.append((window.phase, window.status.get(), enabled(window.form.start_button)))
        if len(seen) == 10:
            holder.rollback()
            holder.close()  # the other program lets go once the window has drawn ten times
        else:
            window.after(20, tick)

    window.after(20, tick)
    try:
        assert window.start_server(), window.status.get()
    finally:
        holder.close()
    assert len(seen) == 10, "the window did not draw while the server started"
    assert all(phase == "starting" and status.startswith("Starting") and not start for phase, status, start in seen)
    assert window.phase == "running" and window.server is not None
    assert window.server.storage.status().ok, window.server.storage.status().describe()


def test_closing_the_window_while_the_server_starts_stops_that_server(window: AdminWindow) -> None:
    started(window)
    window.stop_server()
    pump_until(window, lambda: window.phase == "stopped", "the window did not notice the server stopped")
    holder = sqlite3.connect(default_data_dir() / DB_FILE_NAME, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")

    def close_then_let_go() -> None:
        window.close()  # the window's close button, nobody connected yet
        holder.rollback()
        holder.close()

    window.after(50, close_then_let_go)
    try:
        assert not window.start_server()
    finally:
        holder.close()
    assert window.destroyed and window.phase == "stopped"
    server = window.runner.server
    assert server is None or not server.running, "the server started for a closed window is still running"
