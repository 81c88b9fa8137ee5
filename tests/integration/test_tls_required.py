"""`tls_required`: PASS, REGISTER and LOGIN in plain only from this computer (real server, real sockets, real TLS).

"Another computer" is a connection from 127.0.0.2; nothing leaves the loopback range.
"""

from __future__ import annotations

import pytest

from tests.integration.wire import TextClient, WireClient

NETWORK = "127.0.0.2"
SECRET_LINES = (
    "REGISTER ann hunter2hunter2",
    "LOGIN ann hunter2hunter2",
    "PASS 4711",
    "/register ann pw",
    "login ann pw",
)


def not_tls_required(frame) -> bool:
    return not (frame["type"] == "error" and frame.get("code") == "tls_required")


@pytest.mark.parametrize("line", SECRET_LINES)
def test_a_secret_in_plain_from_another_computer_gets_tls_required(server, line: str) -> None:
    student = WireClient(server.address, source=NETWORK)
    assert student.error(line) == "tls_required"
    student.register("ann", "lab")  # the connection goes on: only the secret was refused
    assert student.error(line) == "tls_required", "registered or not, the rule holds"


def test_text_mode_from_another_computer_is_told_to_encrypt(server) -> None:
    nc = TextClient(server.address, source=NETWORK)
    nc.send_line("/register ann hunter2hunter2")
    assert "encrypted connection" in nc.expect(r"[Pp]asswords")


@pytest.mark.parametrize("line", SECRET_LINES)
def test_the_same_secret_over_tls_from_another_computer_is_not_refused_for_it(server, line: str) -> None:
    student = WireClient(server.address, source=NETWORK, tls=True)
    assert not_tls_required(student.reply(line))


@pytest.mark.parametrize("line", SECRET_LINES)
def test_plain_from_this_computer_is_not_refused_for_it(server, line: str) -> None:
    assert not_tls_required(WireClient(server.address).reply(line))


def test_allow_plain_passwords_lets_the_network_send_them_in_plain(start_server) -> None:
    lax = start_server(allow_plain_passwords=True)
    for line in SECRET_LINES:
        assert not_tls_required(WireClient(lax.address, source=NETWORK).reply(line))


def test_a_server_with_tls_off_still_refuses_secrets_from_the_network_and_says_why(start_server) -> None:
    plain_only = start_server(tls=False)
    student = WireClient(plain_only.address, source=NETWORK)
    frame = student.reply("REGISTER ann hunter2hunter2")
    assert frame["type"] == "error" and frame["code"] == "tls_required" and "--no-tls" in frame["content"]
    assert not_tls_required(WireClient(plain_only.address).reply("REGISTER ann hunter2hunter2"))


def test_other_commands_from_the_network_in_plain_are_untouched(server) -> None:
    student = WireClient(server.address, source=NETWORK)
    student.register("ann", "lab")
    student.send("SAY hello")
    assert student.expect("message")["content"] == "hello"
    assert student.error("PASSWORD x") == "unknown_command", "only the exact command names are secrets"
