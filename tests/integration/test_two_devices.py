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
from tests.integration.cut_relay import CutRelay
from tests.integration.identity_support import add_account, login
from tests.integration.test_client_core import Core
from tests.support import wait_until

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


def test_a_laptop_back_from_sleep_does_not_take_the_name_from_the_computer_in_use(start_server, cores, other_computer):
    """The laptop's connection dropped (lid closed), the person logged in at the desktop; when the lid opened, the
    laptop's RESUME was refused as any expired token, it logged in again with the kept password and the desktop
    was sent away."""
    server = start_server()
    add_account(server, "ann")
    port = server.address[1]
    relay = CutRelay(server.address)
    try:
        laptop = logged_in(cores(), "127.0.0.1", relay.address[1])
        relay.cut()  # the lid closes
        laptop.run_until(lambda: laptop.session.state is State.RECONNECTING)
        desktop = logged_in(cores(), OTHER_COMPUTER, port)
        relay.restore()  # the lid opens
        laptop.run_until(lambda: laptop.session.state in (State.READY, State.REMOVED), timeout=30)
        let_time_pass(laptop, desktop, seconds=60)
        assert laptop.session.state is State.REMOVED and laptop.session.signed_in_elsewhere
        assert "you logged in as ann from another computer (127.0.4.2)" in laptop.session.removed_reason
        assert desktop.session.state is State.READY and not byes(desktop)
        assert [(client.nick, client.address.rsplit(":", 1)[0]) for client in server.clients()] == [
            ("ann", OTHER_COMPUTER)
        ]
    finally:
        relay.close()


def test_a_laptop_back_from_sleep_logs_in_again_when_the_other_computer_has_gone(start_server, cores, other_computer):
    server = start_server()
    add_account(server, "ann")
    port = server.address[1]
    relay = CutRelay(server.address)
    try:
        laptop = logged_in(cores(), "127.0.0.1", relay.address[1])
        relay.cut()
        laptop.run_until(lambda: laptop.session.state is State.RECONNECTING)
        desktop = logged_in(cores(), OTHER_COMPUTER, port)
        desktop.session.disconnect()  # the person went home: nobody is on the account now
        wait_until(lambda: not server.clients(), timeout=30)
        relay.restore()
        laptop.run_until(lambda: laptop.session.state is State.READY and laptop.session.ever_ready, timeout=30)
        assert laptop.session.nick == "ann" and laptop.session.sign_in.account is not None
    finally:
        relay.close()


def test_resume_of_a_token_a_login_took_over_says_so_only_while_that_login_is_there(start_server, wire):
    server = start_server(allow_plain_passwords=True)  # LOGIN in plain from 127.0.0.2
    add_account(server, "ann")
    laptop = wire(server)
    token = login(laptop, "ann")["token"]
    desktop = wire(server, source="127.0.0.2")
    login(desktop, "ann")  # the laptop's connection had dropped without the server noticing: it is replaced
    assert laptop.rest_until_closed()[-1]["reason"] == "replaced"

    woken = wire(server)
    refusal = woken.reply(f"RESUME ann {token}")
    assert (refusal["type"], refusal["code"], refusal.get("elsewhere")) == ("error", "bad_login", True)
    assert "you logged in as ann from another computer (127.0.0.2), and it is connected there now" in refusal["content"]
    stranger = wire(server, source="127.0.0.3")
    assert "elsewhere" not in stranger.reply("RESUME ann not-the-token")  # a wrong token is only wrong

    desktop.send("QUIT")
    desktop.rest_until_closed()
    wait_until(lambda: all(client.nick != "ann" for client in server.clients()), timeout=30)
    refusal = woken.reply(f"RESUME ann {token}")  # nobody is on the account: nothing to say about elsewhere
    assert refusal["code"] == "bad_login" and "elsewhere" not in refusal


def test_a_guest_name_taken_by_a_second_window_on_the_same_computer_is_named_as_such(start_server, wire):
    server = start_server()
    first = wire(server)
    first.send("NICK bob")
    token = first.expect("nick")["token"]
    first.close()  # the first window's network drops: bob is kept for its RESUME
    wait_until(lambda: all(client.nick != "bob" for client in server.clients()), timeout=30)
    wire(server, "bob")  # a second window on the same computer takes the name afresh
    back = wire(server)
    refusal = back.reply(f"RESUME bob {token}")
    assert refusal["code"] == "nick_taken"
    assert refusal["content"].startswith("Another window or program on this computer took the nickname bob")
    other = wire(server, source="127.0.0.2")
    assert other.reply(f"RESUME bob {token}")["content"].startswith("Someone else took the nickname bob")


def test_a_token_a_login_took_over_still_says_so_after_a_normal_restart(start_server, wire):
    """Found by the fifteenth review: the record of taken-over tokens was memory only, so after a restart the
    laptop waking from sleep got a plain `bad_login`, logged in again and took the name from the desktop once."""
    server = start_server(allow_plain_passwords=True)
    add_account(server, "ann")
    laptop = wire(server)
    token = login(laptop, "ann")["token"]
    desktop = wire(server, source="127.0.0.2")
    desktop_token = login(desktop, "ann")["token"]
    assert laptop.rest_until_closed()[-1]["reason"] == "replaced"
    folder = server.config.data_dir
    server.stop()  # a normal stop: the handoff file carries the parked desktop and the laptop's taken-over token
    with open(f"{folder}/resume-handoff.json", encoding="utf-8") as handoff:
        assert token not in handoff.read()  # only its digest
    again = start_server(data_dir=folder, allow_plain_passwords=True)

    woken = wire(again)
    refusal = woken.reply(f"RESUME ann {token}")  # the desktop is not back yet: logging in here takes nothing
    assert refusal["code"] == "bad_login" and "elsewhere" not in refusal
    desktop_again = wire(again, source="127.0.0.2")  # its greeting read here, so the next frame answers RESUME
    back = desktop_again.reply(f"RESUME ann {desktop_token}")
    assert (back["type"], back.get("resumed")) == ("nick", True)
    refusal = woken.reply(f"RESUME ann {token}")
    assert (refusal["type"], refusal["code"], refusal.get("elsewhere")) == ("error", "bad_login", True)
    assert "from another computer (127.0.0.2), and it is connected there now" in refusal["content"]
