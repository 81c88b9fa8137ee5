"""A relay that strips TLS, and a server without TLS on "another computer": chat-term sends no secret in plain
(real servers, real TLS, real chat-term processes; found by a hostile probe).

The relay (tests/integration/strip_relay.py) listens on 127.0.0.2, answers the
client's TLS opening in plain and relays the plain connection to the real
server over TLS: the server's own `tls_required` rule cannot see the plain hop.
"""

from __future__ import annotations

import pytest

from chat_gui.core.connection import ChatConnection, SecretHeldBack
from chat_gui.core.connection_security import TlsPolicy
from chat_server import ChatServer, ServerConfig
from tests.integration.strip_relay import StripRelay
from tests.integration.test_terminal_client import terminals  # noqa: F401  # the fixture
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

PASSWORD = "correct-horse-battery"
CODE = "K7P4XQ"


def stderr_of(terminal) -> str:
    assert terminal.process.stderr is not None
    return terminal.process.stderr.read().decode("utf-8", "replace")


@pytest.fixture
def relay_to():
    relays: list[StripRelay] = []

    def make(server: ChatServer, hide_tls: bool = False) -> StripRelay:
        relay = StripRelay(server.address, hide_tls)
        relays.append(relay)
        return relay

    yield make
    for relay in relays:
        relay.close()


@pytest.fixture
def plain_server_elsewhere(tmp_path):
    """A real server started with --no-tls, listening on 127.0.0.2: a classroom server without encryption."""
    server = ChatServer(ServerConfig(host="127.0.0.2", port=0, tls=False, data_dir=str(tmp_path / "plain"))).start()
    yield server
    server.stop()


def test_chat_term_through_a_stripping_relay_says_encryption_was_blocked_and_sends_no_secret(
    start_server,
    relay_to,
    terminals,  # noqa: F811
) -> None:
    server = start_server(join_code=CODE)
    server.create_account("alice", PASSWORD)
    relay = relay_to(server)
    alice = terminals(relay.address, "--nick", "alice", "--login", "--join-code", CODE.lower())
    alice.type(PASSWORD)
    assert alice.finish() == 2
    said = stderr_of(alice)  # not connected at all: chat-term says why on stderr, as for any failed start
    assert "something between you and it blocked it" in said and "offers encryption" in said
    assert "does not offer encryption" not in said
    assert relay.tls_openings == 1 and relay.relayed == 1, "the relay did strip TLS"
    assert relay.secrets_seen() == [], "no PASS, LOGIN or REGISTER went through the relay"
    assert all(PASSWORD not in line and CODE not in line.upper() for line in relay.sent)


def test_chat_term_holds_the_password_back_when_the_relay_also_hides_that_the_server_encrypts(
    start_server,
    relay_to,
    terminals,  # noqa: F811
) -> None:
    server = start_server()
    server.create_account("alice", PASSWORD)
    relay = relay_to(server, hide_tls=True)
    alice = terminals(relay.address, "--nick", "alice", "--login")
    alice.type(PASSWORD)
    alice.expect(r"Not encrypted: the server answered without encryption")
    refusal = alice.expect(r"Not sent: the connection to 127\.0\.0\.2:\d+ is not encrypted")
    assert "password" in refusal
    alice.expect(r"--allow-plain-passwords")
    assert alice.finish() == 2
    assert relay.relayed >= 1 and relay.secrets_seen() == []
    assert all(PASSWORD not in line for line in relay.sent)


def test_typed_register_and_pass_are_refused_on_a_plain_connection_to_another_computer(
    plain_server_elsewhere,
    terminals,  # noqa: F811
) -> None:
    bea = terminals(plain_server_elsewhere.address, "--nick", "bea", "--room", "lab")
    bea.expect(r"You joined #lab")
    bea.type("/register")
    bea.type(PASSWORD)
    bea.type(PASSWORD)
    bea.expect(r"Not sent: this connection is not encrypted.*--allow-plain-passwords")
    bea.type("/pass 4711")
    bea.expect(r"Not sent: this connection is not encrypted, and anyone on the network could read your join code")
    bea.type("still here")
    bea.expect(r"#lab <bea> still here")
    assert bea.finish() == 0
    assert plain_server_elsewhere.accounts() == [], "nothing was registered"


def test_a_server_without_tls_on_another_computer_works_for_guests_and_logs_in_only_when_allowed(
    plain_server_elsewhere,
    terminals,  # noqa: F811
) -> None:
    server = plain_server_elsewhere
    server.create_account("alice", PASSWORD)
    guest = terminals(server.address, "--nick", "gus", "--room", "lab")
    said = guest.expect(r"Not encrypted:")
    assert "does not offer encryption" not in said and "--no-tls" in said
    guest.expect(r"You joined #lab")
    assert guest.finish() == 0

    refused = terminals(server.address, "--nick", "alice", "--login", "--room", "lab")
    refused.type(PASSWORD)
    refused.expect(r"Not sent: .* not encrypted")
    refused.expect(r"--allow-plain-passwords")
    assert refused.finish() == 2

    allowed = terminals(server.address, "--nick", "alice", "--login", "--room", "lab", "--allow-plain-passwords")
    allowed.type(PASSWORD)
    allowed.expect(r"You joined #lab")  # alice is registered: only LOGIN gets that name
    assert allowed.finish() == 0
    assert all(PASSWORD not in line for line in refused.lines + allowed.lines)


def test_the_connection_itself_refuses_a_secret_in_plain_to_another_computer(plain_server_elsewhere) -> None:
    connection = ChatConnection(*plain_server_elsewhere.address, policy=TlsPolicy()).connect()
    try:
        connection.wait_for("welcome")
        assert connection.security is not None and connection.security.exposes_secrets
        for line in (f"LOGIN alice {PASSWORD}", "pass 4711", f"/register {PASSWORD}"):
            with pytest.raises(SecretHeldBack):
                connection.send_command(line)
        connection.send_command("NICK gus")  # anything else goes
        assert connection.wait_for("nick")["nick"] == "gus"
        connection.allow_plain_secrets = True
        connection.send_command("LOGIN alice wrong-password-here")  # allowed: it reaches the server
        assert connection.wait_for("error")["code"] in ("bad_login", "no_such_account", "rate_limited")
    finally:
        connection.close()


def test_a_plain_connection_to_this_computer_may_carry_secrets(start_server) -> None:
    server = start_server(tls=False)
    connection = ChatConnection(*server.address, policy=TlsPolicy()).connect()
    try:
        connection.wait_for("welcome")
        assert connection.security is not None and connection.security.this_computer
        assert not connection.exposes_secrets()
        connection.send_command(f"REGISTER {PASSWORD}")  # not refused here: nobody on the network sees loopback
        wait_until(lambda: connection.delivered > 1)
    finally:
        connection.close()
