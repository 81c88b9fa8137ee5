"""The join code (PASS) and secrets over plain connections (tls_required), on a real server over real sockets.

"Another computer" is a connection from 127.0.0.2: the client socket is
bound to it (tests never send traffic outside 127.0.0.0/8).
"""

from __future__ import annotations

import pytest

from shared.errors import ErrorCode
from tests.integration.identity_support import PASSWORD, add_account, login
from tests.integration.wire import TextClient, WireClient

pytestmark = pytest.mark.usefixtures("no_server_errors")

NETWORK = "127.0.0.2"


@pytest.fixture
def coded(start_server):
    return start_server(join_code="K7M-XR4")


def test_with_a_code_nick_and_login_need_pass_first(coded, wire):
    client = wire(coded)
    refused = client.reply("NICK alice")
    assert refused["code"] == ErrorCode.CODE_REQUIRED and "/pass" in refused["content"]
    assert client.error(f"LOGIN alice {PASSWORD}") == ErrorCode.CODE_REQUIRED
    assert client.error("JOIN lab") == ErrorCode.NOT_REGISTERED
    assert client.reply("PING still-open")["type"] == "pong"


@pytest.mark.parametrize("wrong", ["K7M-XR5", "K7MXR", "nonsense", "K7M-XR44", "K7M-XR4K7M-XR4"])
def test_a_wrong_code_gets_bad_code(coded, wire, wrong):
    client = wire(coded)
    assert client.error(f"PASS {wrong}") == ErrorCode.BAD_CODE
    assert client.error("NICK alice") == ErrorCode.CODE_REQUIRED


@pytest.mark.parametrize("typed", ["K7M-XR4", "k7mxr4", "K7M XR4", "ｋ７ｍｘｒ４"])
def test_the_right_code_in_any_case_width_or_spacing_lets_in(coded, wire, typed):
    client = wire(coded)
    accepted = client.reply(f"PASS {typed}")
    assert (accepted["type"], accepted["event"]) == ("system", "code_accepted")
    assert client.reply("NICK alice")["type"] == "nick"


def test_the_right_code_lets_login_in_too(coded, wire):
    add_account(coded, "alice")
    client = wire(coded)
    client.reply("PASS K7M-XR4")
    assert login(client, "alice")["nick"] == "alice"


def test_wrong_codes_are_throttled_per_address_and_then_not_checked(coded, wire):
    guesser = wire(coded)
    for attempt in range(5):
        assert guesser.error(f"PASS WRONG{attempt}") == ErrorCode.BAD_CODE
    assert guesser.error("PASS K7M-XR4") == ErrorCode.RATE_LIMITED  # even the right one: not looked at
    assert wire(coded).error("PASS K7M-XR4") == ErrorCode.RATE_LIMITED  # a new connection from the same address


def test_resume_needs_no_code_and_a_code_set_later_asks_nothing_of_those_in(coded, wire):
    client = wire(coded)
    client.reply("PASS K7M-XR4")
    token = client.reply("NICK alice")["token"]
    client.close()
    back = wire(coded)
    assert back.reply(f"RESUME alice {token}")["resumed"] is True
    coded.set_join_code("new")
    assert back.reply("NICK alicia")["nick"] == "alicia"  # a rename asks for no code
    assert wire(coded).error("NICK carol") == ErrorCode.CODE_REQUIRED


def test_the_admin_changes_and_removes_the_code(coded, wire):
    shown = coded.set_join_code("new")
    assert shown is not None and shown != "K7M-XR4" and coded.join_code() == shown
    assert wire(coded).error("PASS K7M-XR4") == ErrorCode.BAD_CODE
    ok = wire(coded)
    ok.reply(f"PASS {shown}")
    assert ok.reply("NICK alice")["type"] == "nick"
    assert coded.set_join_code(None) is None
    assert wire(coded).reply("NICK bob")["type"] == "nick"
    with pytest.raises(ValueError):
        coded.set_join_code("no!")


def test_pass_without_a_code_on_the_server_is_accepted(server, wire):
    assert wire(server).reply("PASS anything")["event"] == "code_accepted"


def test_text_mode_users_pass_the_code_too(coded):
    client = TextClient(coded.address)
    try:
        client.send_line("NICK alice")
        client.expect(r"\(code_required\)")
        client.send_line("PASS k7m-xr4")
        client.expect(r"Join code accepted")
        client.send_line("NICK alice")
        client.expect(r"You are alice")
    finally:
        client.close()


# -- tls_required: secrets over a plain connection from another computer --


@pytest.mark.parametrize("command", ["PASS K7M-XR4", f"LOGIN alice {PASSWORD}"])
def test_secrets_from_another_computer_over_plain_tcp_get_tls_required(coded, command):
    add_account(coded, "alice")
    client = WireClient(coded.address, source=NETWORK)
    try:
        assert client.error(command) == ErrorCode.TLS_REQUIRED
    finally:
        client.close()


def test_register_from_another_computer_over_plain_tcp_gets_tls_required(server):
    client = WireClient(server.address, source=NETWORK)
    try:
        client.register("alice")
        refused = client.reply(f"REGISTER {PASSWORD}")
        assert refused["code"] == ErrorCode.TLS_REQUIRED and "encrypt" in refused["content"]
        assert server.accounts() == []  # nothing was registered
    finally:
        client.close()


def test_from_this_computer_plain_tcp_is_fine(coded, wire):
    client = wire(coded)
    assert client.reply("PASS K7M-XR4")["event"] == "code_accepted"


def test_allow_plain_passwords_lets_another_computer_send_them(start_server):
    server = start_server(join_code="K7M-XR4", allow_plain_passwords=True)
    add_account(server, "alice")
    client = WireClient(server.address, source=NETWORK)
    try:
        assert client.reply("PASS K7M-XR4")["event"] == "code_accepted"
        assert login(client, "alice")["nick"] == "alice"
    finally:
        client.close()


def test_an_encrypted_connection_from_another_computer_may_send_secrets(coded):
    """The TLS layer marks a session `encrypted`; stand for it by marking the session the server made."""
    client = WireClient(coded.address, source=NETWORK)
    try:
        with coded.registry.lock:
            (session,) = [s for s in coded.registry.sessions if s.host == NETWORK]
            session.encrypted = True
        assert client.reply("PASS K7M-XR4")["event"] == "code_accepted"
    finally:
        client.close()


def test_the_welcome_asks_for_the_join_code_first(coded, start_server, wire):
    """Found by the eleventh review: the welcome said "Choose a nickname" and only NICK's refusal asked for the code."""
    welcome = wire(coded).received[0]
    assert welcome["type"] == "welcome" and "/pass CODE" in welcome["content"], welcome
    assert welcome["content"].index("/pass") < welcome["content"].index("/nick"), welcome
    telnet = TextClient(coded.address)
    telnet.send_raw(bytes([0xFF, 0xFB, 3]))  # telnet's WILL SGA first: its welcome is a readable line
    try:
        assert "/pass CODE" in telnet.expect("Welcome to")
        assert "/pass CODE" in telnet.expect("Text mode")
    finally:
        telnet.close()
    plain = wire(start_server()).received[0]
    assert "/pass" not in plain["content"] and "Choose a nickname: /nick NAME" in plain["content"], plain
