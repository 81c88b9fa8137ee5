"""The server admin window with a real server started from it and real clients connected (Xvfb)."""

from __future__ import annotations

import gc
import logging
import tkinter as tk

import pytest

from chat_gui.connection import ChatConnection, Disconnected, NotConnected
from chat_server.admin_gui.window import AdminWindow
from chat_server.config import ServerConfig
from chat_server.netinfo import join_addresses
from tests.support import connect_client, wait_until

TIMEOUT = 10.0


class Dialogs:
    """Answers the window's questions the way an admin would, and remembers what was asked."""

    def __init__(self) -> None:
        self.text_answers: list[str | None] = []
        self.yes_no_answers: list[bool] = []
        self.asked: list[str] = []

    def ask_text(self, title: str, prompt: str) -> str | None:
        self.asked.append(prompt)
        return self.text_answers.pop(0)

    def ask_yes_no(self, title: str, prompt: str) -> bool:
        self.asked.append(prompt)
        return self.yes_no_answers.pop(0)


@pytest.fixture
def dialogs() -> Dialogs:
    return Dialogs()


@pytest.fixture
def window(tk_root: tk.Tk, dialogs: Dialogs):
    admin = AdminWindow(
        tk_root, ServerConfig(host="127.0.0.1", port=0), ask_text=dialogs.ask_text, ask_yes_no=dialogs.ask_yes_no
    )
    wait_until(tk_root.winfo_ismapped, TIMEOUT, pump=tk_root.update)
    yield admin
    admin.close()
    del admin
    gc.collect()  # collect the window's Tk variables here, on the Tk thread, not later on some server thread


@pytest.fixture
def clients():
    """connect(window, nick, room) -> a registered ChatConnection; all closed afterwards."""
    made: list[ChatConnection] = []

    def connect(window: AdminWindow, nick: str | None = None, room: str | None = None) -> ChatConnection:
        assert window.server is not None
        client = connect_client(window.server.address, nick, room)
        made.append(client)
        return client

    yield connect
    for client in made:
        client.close()


def pump_until(window: AdminWindow, condition, message: str = ""):
    return wait_until(condition, TIMEOUT, pump=window.root.update, message=message)


def started(window: AdminWindow) -> int:
    assert window.start_server(), window.status.get()
    assert window.server is not None
    return window.server.address[1]


def row_of(window: AdminWindow, nick: str) -> tuple[str, ...]:
    for client in window.clients_view.clients.values():
        if client.nick == nick:
            return window.clients_view.row_values(client.session_id)
    return ()


def frame_where(client: ChatConnection, frame_type: str, **fields) -> dict:
    return client.wait_for(
        lambda frame: frame.get("type") == frame_type and all(frame.get(k) == v for k, v in fields.items()), TIMEOUT
    )


def wait_disconnected(client: ChatConnection) -> None:
    with pytest.raises(NotConnected):
        client.wait_for(lambda frame: False, TIMEOUT)


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
    assert window.rooms_view.row_values("general")[:3] == ("#general", "2", "alice, bob")
    for number in range(3):
        alice.send_command(f"SAY hello {number}")
    pump_until(
        window,
        lambda: row_of(window, "alice")[4] == "3" and window.rooms_view.row_values("general")[3] == "3",
        "message counters did not reach 3",
    )
    assert row_of(window, "bob")[4] == "0"
    alice.send_command("JOIN maths")
    pump_until(window, lambda: window.rooms_view.row_values("general")[1] == "1" and "maths" in window.rooms_view.rooms)
    assert row_of(window, "alice")[2] == "#maths"
    alice.close()
    pump_until(window, lambda: not row_of(window, "alice") and "maths" not in window.rooms_view.rooms)


def test_kick_with_reason(window: AdminWindow, dialogs: Dialogs, clients) -> None:
    started(window)
    clients(window, "alice", "general")
    bob = clients(window, "bob", "general")
    pump_until(window, lambda: row_of(window, "bob"))
    window.clients_view.select_nick("bob")
    dialogs.text_answers.append("spamming the room")
    window.kick_button.invoke()
    bye = frame_where(bob, "bye")
    assert "spamming the room" in bye["content"]
    wait_disconnected(bob)
    pump_until(window, lambda: not row_of(window, "bob"))
    assert row_of(window, "alice")
    pump_until(window, lambda: "admin kicked bob: spamming the room" in window.log_pane.shown_text())


def test_kick_cancelled_keeps_the_client(window: AdminWindow, dialogs: Dialogs, clients) -> None:
    started(window)
    bob = clients(window, "bob")
    pump_until(window, lambda: row_of(window, "bob"))
    window.clients_view.select_nick("bob")
    dialogs.text_answers.append(None)
    window.kick_button.invoke()
    assert dialogs.asked
    bob.send_command("PING still-here")
    assert frame_where(bob, "pong")["token"] == "still-here"


def test_mute_and_unmute(window: AdminWindow, clients) -> None:
    started(window)
    alice = clients(window, "alice", "general")
    pump_until(window, lambda: row_of(window, "alice"))
    window.clients_view.select_nick("alice")
    window.mute_button.invoke()
    assert frame_where(alice, "system", event="muted")
    pump_until(window, lambda: row_of(window, "alice")[5] == "muted")
    alice.send_command("SAY can anyone hear me")
    assert frame_where(alice, "error")["code"] == "muted"
    window.unmute_button.invoke()
    assert frame_where(alice, "system", event="unmuted")
    pump_until(window, lambda: row_of(window, "alice")[5] == "")
    alice.send_command("SAY back again")
    assert frame_where(alice, "message")["content"] == "back again"


def test_broadcast_reaches_everyone(window: AdminWindow, clients) -> None:
    started(window)
    people = [clients(window, "alice", "general"), clients(window, "bob", "maths"), clients(window, "carol")]
    window.announcement.set("Lab starts in five minutes")
    window.broadcast_button.invoke()
    for person in people:
        notice = frame_where(person, "system", event="announcement")
        assert "Lab starts in five minutes" in notice["content"]
    assert window.announcement.get() == ""


def test_close_room_moves_members_out(window: AdminWindow, dialogs: Dialogs, clients) -> None:
    started(window)
    alice = clients(window, "alice", "general")
    bob = clients(window, "bob", "general")
    clients(window, "carol", "maths")
    pump_until(window, lambda: "general" in window.rooms_view.rooms and "maths" in window.rooms_view.rooms)
    window.rooms_view.select_room("general")
    dialogs.text_answers.append("lesson over")
    window.close_room_button.invoke()
    for member in (alice, bob):
        assert "lesson over" in frame_where(member, "system", event="room_closed")["content"]
        assert frame_where(member, "left")["room"] == "general"
    pump_until(window, lambda: "general" not in window.rooms_view.rooms and row_of(window, "alice")[2] == "")
    assert "maths" in window.rooms_view.rooms


def test_stop_notifies_everyone_then_start_again_on_the_same_port(window: AdminWindow, clients) -> None:
    port = started(window)
    people = [clients(window, "alice", "general"), clients(window, "bob")]
    pump_until(window, lambda: len(window.clients_view.clients) == 2)
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


def test_actions_need_a_selection(window: AdminWindow, dialogs: Dialogs) -> None:
    started(window)
    window.kick_button.invoke()
    assert "Select a client" in window.status.get()
    window.close_room_button.invoke()
    assert "Select a room" in window.status.get()
    assert not dialogs.asked
    assert not window.kick("nobody", "x")
    assert "Nobody called nobody" in window.status.get()


def test_closing_with_clients_asks_first(window: AdminWindow, dialogs: Dialogs, clients) -> None:
    started(window)
    alice = clients(window, "alice")
    pump_until(window, lambda: row_of(window, "alice"))
    dialogs.yes_no_answers.append(False)
    assert not window.on_close_request()
    assert "1 client is connected" in dialogs.asked[-1]
    assert window.phase == "running" and not window.closed
    dialogs.yes_no_answers.append(True)
    assert window.on_close_request()
    assert window.closed
    assert frame_where(alice, "system", event="shutdown")


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
