"""The client's copy of the tls_required rule (chat_gui/core/plain_secrets.py): which lines are secrets, which
addresses are this computer, and the encryption-blocked verdict (pure; found by a hostile probe)."""

from __future__ import annotations

import pytest

from chat_gui.core import plain_secrets
from chat_gui.core.connection_security import Security, encryption_blocked
from chat_server import plain_secrets as server_rule


def test_the_client_keeps_the_servers_rule() -> None:
    assert plain_secrets.SECRET_COMMANDS == server_rule.SECRET_COMMANDS
    assert plain_secrets.THIS_COMPUTER == server_rule.THIS_COMPUTER


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("LOGIN ann pw", "password"),
        ("  login ann pw", "password"),
        ("/register pw", "password"),
        ("PASS 4711", "join code"),
        ("pass", "join code"),
        ("PASSWORD x", ""),
        ("SAY LOGIN ann pw", ""),
        ("NICK ann", ""),
        ("", ""),
    ],
)
def test_secret_kind(line: str, kind: str) -> None:
    assert plain_secrets.secret_kind(line) == kind


@pytest.mark.parametrize(
    ("address", "local"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("127.0.0.2", False),  # another loopback address stands for another computer, as on the server
        ("192.168.1.20", False),
        ("fe80::1%eth0", False),
        ("not an address", False),
    ],
)
def test_is_this_computer(address: str, local: bool) -> None:
    assert plain_secrets.is_this_computer(address) is local


def test_a_plain_welcome_naming_tls_after_a_refused_tls_opening_is_a_block() -> None:
    refused = Security("127.0.0.2:4000", False, tls_refused=True)
    assert encryption_blocked(refused, ["history", "tls"])
    assert not encryption_blocked(refused, ["history"]), "a --no-tls server names no tls"
    assert not encryption_blocked(refused, None), "an older server names no features"
    chosen_plain = Security("127.0.0.2:4000", False)  # plain by choice: nothing was refused
    assert not encryption_blocked(chosen_plain, ["tls"])
    assert not encryption_blocked(None, ["tls"])


def test_only_a_plain_connection_to_another_computer_exposes_secrets() -> None:
    assert Security("h:1", False).exposes_secrets
    assert not Security("h:1", False, this_computer=True).exposes_secrets
    assert not Security("h:1", True).exposes_secrets
