"""One person on two computers or in two programs at once, against a real server (client cores on fake schedulers).

Found by the fifteenth review: a student logged in (password kept) in the window on one computer and then on
another; the first took the name back by itself after its `bye` (`replaced`), the second did the same, and the
two took turns for good (8 take-overs in 20 s, each one a connection, a scrypt check and a catch-up).
"""

from __future__ import annotations

import socket

import pytest

import chat_gui.core.connection as connection_module
from chat_gui.core.events import Received, State, StateChanged
from tests.integration.identity_support import add_account
from tests.integration.test_client_core import Core

pytestmark = pytest.mark.usefixtures("no_server_errors")

PASSWORD = "correct horse battery"  # identity_support's
OTHER_COMPUTER = "127.0.4.2"


@pytest.fixture
def other_computer(monkeypatch):
    """The client core's connections to OTHER_COMPUTER reach the server's 127.0.0.1 from that source address."""
    connect = socket.create_connection

    def create_connection(address, timeout=None, source_address=None, **options):
        host, port = address
        if host == OTHER_COMPUTER:
            return connect(("127.0.0.1", port), timeout=timeout, source_address=(host, 0), **options)
        return connect(address, timeout=timeout, source_address=source_address, **options)

    monkeypatch.setattr(connection_module.socket, "create_connection", create_connection)


@pytest.fixture
def cores():
    made: list[Core] = []

    def make() -> Core:
        made.append(Core())
        return made[-1]

    yield make
    for one in made:
        one.close()


def logged_in(core: Core, host: str, port: int, nick: str = "ann") -> Core:
    core.session.sign_in.log_in(nick, PASSWORD, keep=True)
    core.session.start(host, port, nick, "general")
    core.ready(timeout=30)
    return core


def byes(core: Core) -> list[dict]:
    return [event.frame for event in core.events if isinstance(event, Received) and event.frame["type"] == "bye"]


def let_time_pass(*cores: Core, seconds: float = 120.0) -> None:
    """`seconds` of fake time on each core, in half-second steps so the real sockets answer the keepalive meanwhile."""
    for core in cores:
        until = core.scheduler.now + seconds
        core.scheduler.run_until(lambda core=core, until=until: core.scheduler.now >= until, timeout=60, step=0.5)


def connects(core: Core) -> int:
    return sum(1 for event in core.events if isinstance(event, StateChanged) and event.state is State.CONNECTING)


def test_a_login_on_the_other_computer_stops_the_first_window_instead_of_taking_turns(
    start_server, cores, other_computer
):
    server = start_server()
    add_account(server, "ann")
    port = server.address[1]
    first = logged_in(cores(), "127.0.0.1", port)
    second = logged_in(cores(), OTHER_COMPUTER, port)

    first.run_until(lambda: first.session.state is State.REMOVED, timeout=30)
    assert first.session.signed_in_elsewhere
    text = byes(first)[-1]["content"]
    assert "You logged in as ann from another computer (127.0.4.2)" in text
    assert "does not reconnect by itself" in text and "If that was not you" in text

    let_time_pass(first, second)  # two minutes (fake), far past every reconnect delay
    assert first.session.state is State.REMOVED and connects(first) == 1
    assert second.session.state is State.READY and connects(second) == 1 and not byes(second)
    assert [(client.nick, client.address.rsplit(":", 1)[0]) for client in server.clients()] == [("ann", OTHER_COMPUTER)]


def test_reconnect_now_takes_the_name_back_once_and_the_other_window_stops(start_server, cores, other_computer):
    server = start_server()
    add_account(server, "ann")
    port = server.address[1]
    first = logged_in(cores(), "127.0.0.1", port)
    second = logged_in(cores(), OTHER_COMPUTER, port)
    first.run_until(lambda: first.session.state is State.REMOVED, timeout=30)

    first.session.reconnect_now()  # the person, back at the first computer, takes it back by hand
    first.ready(timeout=30)
    second.run_until(lambda: second.session.state is State.REMOVED, timeout=30)
    assert "in another window or program on this computer" not in byes(second)[-1]["content"]
    assert "from another computer (127.0.0.1)" in byes(second)[-1]["content"]
    let_time_pass(first, second)
    assert first.session.state is State.READY and second.session.state is State.REMOVED
    assert [(client.nick, client.address.rsplit(":", 1)[0]) for client in server.clients()] == [("ann", "127.0.0.1")]


def test_a_second_window_on_the_same_computer_is_named_as_such(start_server, cores):
    server = start_server()
    add_account(server, "ann")
    port = server.address[1]
    first = logged_in(cores(), "127.0.0.1", port)
    logged_in(cores(), "127.0.0.1", port)
    first.run_until(lambda: first.session.state is State.REMOVED, timeout=30)
    assert "You logged in as ann in another window or program on this computer" in byes(first)[-1]["content"]
