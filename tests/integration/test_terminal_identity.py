"""chat-term logging in and registering against a real server: passwords read from the keyboard, never printed."""

from __future__ import annotations

import pytest

from tests.integration.test_terminal_client import terminals  # noqa: F401  # the fixture
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

PASSWORD = "blackboard-42"


def test_login_at_start_reads_the_password_and_never_prints_it(start_server, terminals):  # noqa: F811
    server = start_server()
    server.create_account("Teach", PASSWORD, "teacher")
    teach = terminals(server.address, "--nick", "Teach", "--login", "--room", "general")
    teach.type(PASSWORD)  # not a terminal: the password is the next line of input
    teach.expect(r"You joined #general")
    teach.type("/kick nobody-here")
    teach.expect(r"nobody-here")  # a teacher's command reaches the server (and is refused for a name not online)
    assert teach.finish() == 0
    assert all(PASSWORD not in line for line in teach.lines)


def test_a_registered_nickname_says_how_to_log_in_and_slash_login_asks_for_the_password(
    start_server,
    terminals,  # noqa: F811
):
    server = start_server()
    server.create_account("ann", PASSWORD)
    ann = terminals(server.address, "--nick", "ann", "--room", "lab")
    ann.expect(r"! The nickname \w+ is registered\.")
    ann.expect(r"/login NICK")
    ann.type("/login ann")
    ann.type("a-wrong-password")
    ann.expect(r"bad_login|[Ww]rong")
    ann.type("/login ann")
    ann.type(PASSWORD)
    ann.expect(r"You joined #lab|logged in as ann")
    assert ann.finish() == 0
    assert all(PASSWORD not in line and "a-wrong-password" not in line for line in ann.lines)


def test_register_asks_twice_and_keeps_the_name(start_server, terminals, wire):  # noqa: F811
    server = start_server()
    bea = terminals(server.address, "--nick", "bea", "--room", "lab")
    bea.expect(r"You joined #lab")
    bea.type("/register")
    bea.type(PASSWORD)
    bea.type(PASSWORD + "-not-the-same")
    bea.expect(r"not the same")
    bea.type("/register")
    bea.type(PASSWORD)
    bea.type(PASSWORD)
    bea.expect(r"[Rr]egistered")
    other = wire(server)
    other.send("NICK bea2")
    other.expect("nick")
    other.send("NICK bea")
    assert other.expect("error")["code"] in ("nick_taken", "nick_registered")
    assert bea.finish() == 0
    assert all(PASSWORD not in line for line in bea.lines)


def test_a_join_code_given_on_the_command_line_lets_it_in(start_server, terminals):  # noqa: F811
    server = start_server(join_code="K7P4XQ")
    without = terminals(server.address, "--nick", "cy")
    without.expect(r"! This server needs the join code first")
    without.expect(r"/pass CODE")
    with_code = terminals(server.address, "--nick", "di", "--room", "lab", "--join-code", "k7p4xq")
    with_code.expect(r"You joined #lab")
    assert with_code.finish() == 0
    wait_until(lambda: without.process.poll() is None)


def test_a_login_on_another_computer_stops_chat_term_saying_so_once(start_server, terminals, wire):  # noqa: F811
    """Found by the fifteenth review: chat-term logged in again by itself and sent the other computer away, which
    did the same; and the bye's words were printed twice."""
    server = start_server(allow_plain_passwords=True)  # the other computer's LOGIN, in plain from 127.0.0.2
    server.create_account("ann", PASSWORD)
    ann = terminals(server.address, "--nick", "ann", "--login", "--room", "general")
    ann.type(PASSWORD)
    ann.expect(r"You joined #general")
    other = wire(server, source="127.0.0.2")
    assert other.reply(f"LOGIN ann {PASSWORD}", timeout=60)["type"] == "nick"
    ann.expect(r"Not reconnecting: you are signed in somewhere else\. Type /reconnect to take the name back here")
    assert sum("You logged in as ann from another computer (127.0.0.2)" in line for line in ann.lines) == 1
    other.send("PING still-mine")
    assert other.expect("pong")["content"] == "still-mine"  # nothing took it back meanwhile
    assert [client.address.startswith("127.0.0.2:") for client in server.clients() if client.nick == "ann"] == [True]
    assert ann.finish() == 0


def test_a_ban_is_said_once_in_the_pane_and_once_where_it_stops(server, terminals, wire):  # noqa: F811
    """Found by the fifteenth review: "You are banned ... for 1 more minute" was printed three times running
    (the `banned` error, the `bye` with the same words, then why nothing reconnects)."""
    from tests.integration.identity_support import teacher

    lee = teacher(server, wire, room="general")
    ann = terminals(server.address, "--nick", "ann")
    ann.expect(r"You joined #general")
    lee.send("BAN ann 1 spamming")
    ann.expect(
        r"^\*\*\* You are banned from this server for 1 more minute: spamming \(until \d\d:\d\d\)\. Not reconnecting"
    )
    said = [line for line in ann.lines if "You are banned from this server" in line]
    assert len(said) == 2, said  # the refusal as it came, and the reason nothing reconnects
    assert said[0].endswith("! You are banned from this server for 1 more minute: spamming"), said
