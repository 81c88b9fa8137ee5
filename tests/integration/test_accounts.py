"""Accounts (PROTOCOL.md, Version 2, Identity): REGISTER, LOGIN, and a registered nickname nobody else can take."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from shared.errors import ErrorCode
from tests.integration.identity_support import PASSWORD, add_account, login
from tests.integration.wire import WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")


def test_welcome_says_the_server_keeps_accounts(server, wire):
    assert "accounts" in wire(server, welcome=False).next()["features"]


def test_register_keeps_the_name_and_login_takes_it_back_on_another_connection(server, wire):
    alice = wire(server, "alice", "lab")
    answer = alice.reply(f"REGISTER {PASSWORD}", timeout=60)
    assert (answer["type"], answer["nick"], answer["account"], answer["registered"], answer["role"]) == (
        "nick",
        "alice",
        True,
        True,
        "student",
    )
    alice.send("QUIT")
    alice.rest_until_closed()
    stranger = wire(server)
    assert stranger.error("NICK alice") == ErrorCode.NICK_REGISTERED
    again = wire(server)
    answer = login(again, "alice")
    assert (answer["nick"], answer["account"], answer["role"]) == ("alice", True, "student")
    assert again.reply("JOIN lab")["type"] == "joined"


@pytest.mark.parametrize(
    "attempt, code",
    [
        ("Mr_Smith", ErrorCode.NICK_REGISTERED),
        ("MR_SMITH", ErrorCode.NICK_REGISTERED),  # case
        ("mr_smith", ErrorCode.NICK_REGISTERED),
        ("Ｍｒ_Ｓｍｉｔｈ", ErrorCode.NICK_REGISTERED),  # full width
        ("Mr_Smith\u200b", ErrorCode.NICK_REGISTERED),  # an invisible character
        ("Mr_\u00adSmith", ErrorCode.NICK_REGISTERED),  # a soft hyphen, invisible
        ("Мr_Smith", ErrorCode.NICK_TAKEN),  # Cyrillic М among Latin letters: a look-alike, named
        ("Mr_Smіth", ErrorCode.NICK_TAKEN),  # Cyrillic і
        ("Μr_Smith", ErrorCode.NICK_TAKEN),  # Greek Μ
        ("Mr_Smıth", ErrorCode.NICK_TAKEN),  # a dotless i: a look-alike
        ("MR_SMlTH", ErrorCode.NICK_TAKEN),  # small L in a capital name
        ("Mr_Srnith", ErrorCode.NICK_TAKEN),  # rn for m
        ("Mr_Smíth", ErrorCode.NICK_TAKEN),  # an accent
        ("𝐌𝐫_𝐒𝐦𝐢𝐭𝐡", ErrorCode.NICK_REGISTERED),  # mathematical bold: NFKC makes it the same name
    ],
)
def test_a_registered_nickname_cannot_be_taken_in_any_spelling(server, wire, attempt, code):
    add_account(server, "Mr_Smith", "teacher")
    intruder = wire(server)
    frame = intruder.reply(f"NICK {attempt}")
    assert (frame["type"], frame.get("code")) == ("error", code), frame
    if code == ErrorCode.NICK_TAKEN:
        assert "Mr_Smith" in frame["content"]  # the message names the look-alike
    assert not [client for client in server.clients() if client.nick]


def test_an_all_cyrillic_look_alike_of_a_registered_name_is_taken(server, wire):
    add_account(server, "cop")
    assert wire(server).error("NICK сор") == ErrorCode.NICK_TAKEN  # three Cyrillic letters


def test_a_wrong_password_and_an_unknown_name_get_the_same_bad_login(server, wire):
    add_account(server, "alice")
    client = wire(server)
    wrong_password = client.reply("LOGIN alice not-the-password", timeout=60)
    unknown_user = client.reply(f"LOGIN nobody_here {PASSWORD}", timeout=60)
    assert wrong_password["code"] == unknown_user["code"] == ErrorCode.BAD_LOGIN
    assert wrong_password["content"] == unknown_user["content"]
    assert client.error("NICK alice") == ErrorCode.NICK_REGISTERED


def test_login_before_nick_and_after_nick_renames_and_the_room_hears_it(server, wire):
    add_account(server, "alice")
    bob = wire(server, "bob", "lab")
    guest = wire(server, "guest7", "lab")
    bob.expect("system")
    answer = login(guest, "alice")
    assert (answer["nick"], answer["old"]) == ("alice", "guest7")
    notice = bob.expect("system")
    assert (notice["event"], notice["user"], notice["old"]) == ("nick", "alice", "guest7")


def test_a_login_elsewhere_closes_the_old_connection_and_takes_its_place(server, wire):
    add_account(server, "alice")
    bob = wire(server, "bob", "lab")
    first = wire(server)
    login(first, "alice")
    first.send("JOIN lab")
    first.expect("joined")
    bob.expect("system")
    second = wire(server)
    login(second, "alice")
    assert second.expect("joined")["room"] == "lab"  # the old connection's place, as RESUME gives
    assert [(f["type"], f.get("reason")) for f in first.rest_until_closed()][-1] == ("bye", "replaced")
    second.send("SAY still me")
    assert bob.next()["content"] == "still me"  # the room heard no leave and no join


def test_renaming_away_from_an_account_logs_out_of_it(server, wire):
    add_account(server, "Ms_Lee", "teacher")
    client = wire(server)
    assert login(client, "Ms_Lee")["role"] == "teacher"
    answer = client.reply("NICK lee_incognito")
    assert (answer["role"], answer["account"]) == ("student", False)
    assert client.error("KICK anyone") == ErrorCode.NOT_ALLOWED


def test_password_length_and_missing_words_are_bad_arguments(server, wire):
    client = wire(server, "alice")
    for command in ["REGISTER short", "REGISTER " + "x" * 129, "REGISTER", "LOGIN alice", "LOGIN"]:
        assert client.error(command) == ErrorCode.BAD_ARGUMENT, command
    assert wire(server).error(f"REGISTER {PASSWORD}") == ErrorCode.NOT_REGISTERED  # a nickname first


def test_the_owner_logged_in_changes_the_password_with_register(server, wire):
    add_account(server, "alice")
    client = wire(server)
    login(client, "alice")
    assert client.reply("REGISTER a brand new password", timeout=60)["registered"] is True
    other = wire(server)
    assert other.reply(f"LOGIN alice {PASSWORD}", timeout=60)["code"] == ErrorCode.BAD_LOGIN
    assert login(other, "alice", "a brand new password")["nick"] == "alice"


def test_brute_force_the_sixth_try_in_a_minute_is_refused_without_checking(server, wire, monkeypatch):
    add_account(server, "alice")
    checks: list[str] = []
    from chat_server.handlers import accounts

    real = accounts.verify_password
    monkeypatch.setattr(
        accounts, "verify_password", lambda pw, stored, **how: checks.append(pw) or real(pw, stored, **how)
    )
    attacker = wire(server)
    for attempt in range(5):
        assert attacker.reply(f"LOGIN alice guess-number-{attempt}", timeout=60)["code"] == ErrorCode.BAD_LOGIN
    assert len(checks) == 5
    refused = attacker.reply(f"LOGIN alice {PASSWORD}", timeout=60)  # even the right password
    assert refused["code"] == ErrorCode.RATE_LIMITED and "Nothing was checked" in refused["content"]
    assert len(checks) == 5  # the sixth was not looked at
    assert wire(server).reply(f"LOGIN alice {PASSWORD}", timeout=60)["code"] == ErrorCode.RATE_LIMITED  # per name


def test_brute_force_across_names_is_limited_per_address(server, wire):
    attacker = wire(server)
    for attempt in range(5):
        assert attacker.reply(f"LOGIN user{attempt} {PASSWORD}", timeout=60)["code"] == ErrorCode.BAD_LOGIN
    assert attacker.reply(f"LOGIN user9 {PASSWORD}", timeout=60)["code"] == ErrorCode.RATE_LIMITED


def test_resume_cannot_take_a_registered_name_without_the_accounts_token(server, wire):
    mallory = wire(server, "alice")  # before alice registers
    token = [f for f in mallory.received if f["type"] == "nick"][-1]["token"]
    mallory.close()  # her connection drops: the name and token are parked
    wait_until(lambda: not [client for client in server.clients() if client.nick == "alice"])
    add_account(server, "alice")
    owner = wire(server)
    login(owner, "alice")
    owner.send("QUIT")
    owner.rest_until_closed()
    assert wire(server).error(f"RESUME alice {token}") == ErrorCode.BAD_LOGIN
    assert wire(server).error("NICK alice") == ErrorCode.NICK_REGISTERED


def test_a_logged_in_account_resumes_with_its_role(server, wire):
    add_account(server, "Ms_Lee", "teacher")
    first = wire(server)
    token = login(first, "Ms_Lee")["token"]
    first.close()
    second = wire(server)
    answer = second.reply(f"RESUME Ms_Lee {token}")
    assert (answer["resumed"], answer["role"], answer["account"]) == (True, "teacher", True)


def test_passwords_never_reach_the_log_even_at_debug(start_server, wire, caplog):
    server = start_server()
    caplog.set_level(logging.DEBUG, logger="chat_server")
    secret = "Tr0ub4dor&3-unique-secret"
    client = wire(server, "alice", "lab")
    client.reply(f"REGISTER {secret}", timeout=60)
    other = wire(server)
    other.reply(f"LOGIN alice {secret}x", timeout=60)
    other.reply(f"LOGIN alice {secret}", timeout=60)  # alice's first connection is closed: she is here now
    other.reply("REGISTER short")  # refused: bad_argument, logged at DEBUG
    other.reply(f"PASS {secret}")
    other.send("JOIN lab")
    other.expect("joined")
    other.send("SAY done")
    other.expect("message")
    # The log is written off the handler threads: wait for the DEBUG line of the last message to arrive.
    wait_until(lambda: "done" in "\n".join(record.getMessage() for record in caplog.records))
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert secret not in text
    for frame in [*client.received, *other.received]:
        assert secret not in str(frame)


def test_a_server_without_a_database_offers_no_accounts(start_server, wire, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    server = start_server(data_dir=str(blocked / "data"))
    client = WireClient(server.address, welcome=False)
    try:
        assert "accounts" not in client.next()["features"]
        client.register("alice")
        assert client.error(f"REGISTER {PASSWORD}") == ErrorCode.NOT_ALLOWED
        assert client.error(f"LOGIN alice {PASSWORD}") == ErrorCode.NOT_ALLOWED
    finally:
        client.close()


def _kept_on_disk(server, key: str) -> bool:
    connection = sqlite3.connect(Path(server.config.data_dir) / "classchat.db")
    try:
        return connection.execute("SELECT 1 FROM accounts WHERE key = ?", (key,)).fetchone() is not None
    finally:
        connection.close()


def test_the_answer_to_register_comes_once_the_account_is_on_disk(start_server, wire, tmp_path):
    """Found by a probe: a kill -9 a few ms after "registered to you" lost the account (written behind)."""
    server = start_server(data_dir=str(tmp_path / "data"))
    for number in range(5):
        client = wire(server, f"keeper{number}")
        assert client.reply(f"REGISTER {PASSWORD}", timeout=60)["type"] == "nick"
        assert _kept_on_disk(server, f"keeper{number}"), "answered before the account was written"
