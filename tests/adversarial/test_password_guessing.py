"""Passwords a guesser tries first, and one computer spraying a common password over many accounts (found by a probe).

A real server on port 0; "other computers" are connections bound to
127.0.5.x (tests never send traffic outside 127.0.0.0/8).  Passwords go
over plain connections with --allow-plain-passwords; the hashes are real.
"""

from __future__ import annotations

import logging

import pytest

from chat_server.console import AdminConsole
from shared.errors import ErrorCode
from tests.integration.identity_support import add_account
from tests.integration.wire import WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")


def computer(server, number: int) -> WireClient:
    return WireClient(server.address, source=f"127.0.5.{number}")


@pytest.fixture
def plain(start_server):
    return start_server(allow_plain_passwords=True, max_per_address=0)


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("12345678", "run"),
        ("password", "common"),
        ("aaaaaaaa", "repeated"),
        ("sara_k12", "nickname"),
        ("abcdefgh", "run"),
        ("iloveyou", "common"),
    ],
)
def test_register_refuses_a_password_a_guesser_tries_first(plain, password, why):
    student = computer(plain, 2).register("Sara_K12")
    refused = student.reply(f"REGISTER {password}")
    assert refused.get("code") == ErrorCode.BAD_ARGUMENT, refused
    assert why in refused["content"] and "choose another" in refused["content"], refused
    assert plain.accounts() == []
    assert student.reply("REGISTER Sara's-own-words")["type"] == "nick"


def test_the_admin_cannot_give_an_account_a_common_password(plain):
    console = AdminConsole(plain)
    answer = console.execute("/account pupil7 password")
    assert "common" in answer and "password" not in answer.replace("That password", ""), answer
    assert plain.accounts() == []


def test_one_computer_trying_a_password_on_several_accounts_warns_the_admin(plain, caplog):
    """One address tried "password" against ten accounts, five a minute: the admin was warned only when one account
    reached five failures, which a spray never does."""
    caplog.set_level(logging.INFO, logger="chat_server")
    for number in range(4):
        add_account(plain, f"pupil{number}")

    def warnings() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "accounts" in r.getMessage()]

    sprayer = computer(plain, 9)
    for number in range(2):
        assert sprayer.error(f"LOGIN pupil{number} password") == ErrorCode.BAD_LOGIN
    assert not warnings()
    lab = computer(plain, 10)  # another computer's wrong passwords are its own
    assert lab.error("LOGIN pupil3 password") == ErrorCode.BAD_LOGIN
    assert not warnings()
    assert sprayer.error("LOGIN pupil2 password") == ErrorCode.BAD_LOGIN
    wait_until(lambda: len(warnings()) == 1, message="no warning for the spray")
    found = warnings()[0]
    assert "127.0.5.9" in found and "pupil0" in found and "pupil2" in found and "pupil3" not in found, found
    assert sprayer.error("LOGIN pupil3 password") == ErrorCode.BAD_LOGIN
    assert len(warnings()) == 1  # one warning, not one a try
