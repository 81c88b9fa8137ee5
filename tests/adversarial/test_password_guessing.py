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
from tests.integration.identity_support import PASSWORD, add_account
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


def test_a_class_behind_one_address_is_told_whose_failed_logins_hold_it(plain, caplog):
    """A school's NAT: five students mistype within a minute, and the sixth, with the right password, was told
    "Too many failed logins" as if they were hers; the admin was told to ban the address, the whole class."""
    caplog.set_level(logging.INFO, logger="chat_server")
    for number in range(6):
        add_account(plain, f"pupil{number}")
    for number in range(5):
        assert computer(plain, 20).error(f"LOGIN pupil{number} Mistyped-words") == ErrorCode.BAD_LOGIN
    sixth = computer(plain, 20).reply(f"LOGIN pupil5 {PASSWORD}")
    assert sixth.get("code") == ErrorCode.RATE_LIMITED, sixth
    assert "from your address" in sixth["content"] and "try again in" in sixth["content"], sixth
    wait_until(lambda: any("accounts" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING))
    (spray,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "accounts" in r.getMessage()]
    assert "whole class shares it" in spray, spray
    held_for_her_name = computer(plain, 21)  # held by one nickname's count only: the text blames nobody's address
    for _ in range(5):
        held_for_her_name.error("LOGIN pupil5 Mistyped-words")
    refused = computer(plain, 22).reply(f"LOGIN pupil5 {PASSWORD}")
    assert refused.get("code") == ErrorCode.RATE_LIMITED and "from your address" not in refused["content"], refused
