"""The headless console's who-is-who commands, on a real server: join code, accounts and roles, bans."""

from __future__ import annotations

import re

import pytest

from chat_server.console import AdminConsole
from shared.errors import ErrorCode
from tests.integration.identity_support import PASSWORD, add_account, login
from tests.integration.test_console import HeadlessServer
from tests.integration.wire import WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")


@pytest.fixture
def console(server) -> AdminConsole:
    return AdminConsole(server)


def test_code_show_new_set_and_off(server, console, wire):
    assert console.execute("/code").startswith("No join code")
    answer = console.execute("/code new")
    code = re.search(r"Join code: (\S+)", answer).group(1)
    assert re.fullmatch(r"[346789ACEFHJKMNPRTUWXY]{3}-[346789ACEFHJKMNPRTUWXY]{3}", code)
    assert console.execute("code") == f"Join code: {code}"
    assert wire(server).error("NICK alice") == ErrorCode.CODE_REQUIRED
    assert "Join code: BIO-LAB" in console.execute("/code set bio lab")
    assert console.execute("/code BIOLAB2").startswith("Join code: BIOL-AB2")
    client = wire(server)
    assert client.reply("PASS biolab2")["event"] == "code_accepted"
    assert console.execute("/code set x!").startswith("Not done: A join code is")
    assert console.execute("/code off").startswith("Join code off")
    assert wire(server).reply("NICK carol")["type"] == "nick"


@pytest.mark.parametrize("slip", ["none", "NONE", "show", "clear", "neww", "nwe", "offf", "of", "sett"])
def test_a_mistyped_code_command_is_not_taken_for_the_code(server, console, wire, slip):
    """Before, `/code none` (meaning "no code") set the code to NONE and kept every newcomer out; `/code neww`
    set NEWW."""
    console.execute("/code set BIOLAB2")
    answer = console.execute(f"/code {slip}")
    assert answer.startswith("Not done:") and "mistyped command" in answer, answer
    assert f"/code set {slip.upper()}" in answer
    assert server.join_code() == "BIOL-AB2"
    chosen = console.execute(f"/code set {slip}")  # said on purpose: the way the answer gives
    assert chosen.startswith("Join code:" if len(slip) >= 4 else "Not done: A join code is"), chosen


def test_teacher_student_accounts_password_and_unregister(server, console, wire):
    assert console.execute("/accounts").startswith("No accounts yet")
    assert console.execute("/teacher nobody").startswith("Not done: nobody has no account")
    add_account(server, "lee")
    lee = wire(server)
    login(lee, "lee")
    assert re.fullmatch(
        r"lee is now a teacher \(account made \d{4}-\d\d-\d\d \d\d:\d\d; logged in now from 127\.0\.0\.1\)\."
        r" Not the teacher's\? /student lee, then /unregister lee\.",
        console.execute("/teacher LEE"),
    )
    assert lee.expect("nick")["role"] == "teacher"
    listing = console.execute("/accounts")
    assert re.search(r"lee\s+teacher\s+since \d{4}-\d\d-\d\d\s+logged in", listing)
    answer = console.execute("/password lee a whole new passphrase")
    assert (
        answer == ("lee has a new password; its connection was closed, so it logs in again with the new one.")
        and "passphrase" not in answer
    )
    assert lee.expect("bye")["reason"] == "password"
    assert console.execute("/password lee a whole new passphrase") == "lee has a new password."  # nobody logged in
    assert wire(server).reply(f"LOGIN lee {PASSWORD}", timeout=60)["code"] == ErrorCode.BAD_LOGIN
    lee = wire(server)
    login(lee, "lee", "a whole new passphrase")
    assert re.fullmatch(
        r"lee is now a student \(account made [-\d: ]+; logged in now from 127\.0\.0\.1\)\.",
        console.execute("/student lee"),
    )
    assert console.execute("/unregister lee") == "Deleted the account lee."
    assert lee.expect(lambda frame: frame["type"] == "nick" and frame["account"] is False)
    assert console.execute("/accounts").startswith("No accounts yet")


def test_teacher_says_who_holds_the_account_so_a_student_who_took_the_name_first_is_seen(server, console):
    """A student registers the teacher's name from their desk before the lesson; /teacher shows it and the hint undoes it."""
    squatter = WireClient(server.address, source="127.0.0.7", tls=True)  # "another computer"; REGISTER needs TLS there
    try:
        assert squatter.reply("NICK Ms_Lee")["type"] == "nick"
        assert squatter.reply(f"REGISTER {PASSWORD}", timeout=60)["type"] == "nick"
        answer = console.execute("/teacher ms_lee")
        assert "logged in now from 127.0.0.7" in answer, answer
        assert answer.endswith("Not the teacher's? /student Ms_Lee, then /unregister Ms_Lee."), answer
        assert squatter.expect("nick")["role"] == "teacher"
        assert "is now a student" in console.execute("/student Ms_Lee")
        assert squatter.expect("nick")["role"] == "student"
        assert console.execute("/unregister Ms_Lee") == "Deleted the account Ms_Lee."
        add_account(server, "Mr_Ode")  # made earlier, nobody logged in to it now
        assert "(account made " in console.execute("/teacher Mr_Ode")
        assert "; not logged in now)." in console.execute("/teacher Mr_Ode")
    finally:
        squatter.close()


def test_account_makes_a_teacher_who_can_log_in(server, console, wire):
    assert console.execute("/account Ms_Lee s3cret-words teacher") == "Made the account Ms_Lee (teacher)."
    assert console.execute("/account Ms_Lee again").startswith("Not done")
    assert console.execute("/account Мs_Lee s3cret-words").startswith("Not done: The nickname")  # mixed scripts
    assert console.execute("/account x short").startswith("Not done: A password is 8")
    assert login(wire(server), "Ms_Lee", "s3cret-words")["role"] == "teacher"


def test_ban_bans_and_unban(server, console, wire):
    bob = WireClient(server.address, source="127.0.0.2")
    bob.register("bob")
    answer = console.execute("/ban bob 15 shouting")
    assert answer == "bob is banned for 15 more minutes: shouting (and the address 127.0.0.2)."
    assert bob.rest_until_closed()[-1]["reason"] == "banned"
    wait_until(lambda: not server.clients())
    console.execute("/ban 127.0.0.9")
    listing = console.execute("/bans")
    assert listing.startswith("2 in force:")
    assert re.search(r"ban\s+bob 127\.0\.0\.2\s+until \d\d:\d\d .* by admin: \"shouting\"", listing)
    assert re.search(r"ban\s+127\.0\.0\.9\s+until lifted\s+by admin", listing)
    assert console.execute("/unban bob") == "Lifted 1 ban on bob."
    assert console.execute("/unban bob").startswith("Not done: bob is not banned")
    assert console.execute("/unban 127.0.0.9") == "Lifted 1 ban on 127.0.0.9."
    assert console.execute("/bans") == "No bans or mutes."
    assert console.execute("/ban bob 0").startswith("Not done: Minutes go from 1")
    assert console.execute("/ban 127.0.0.1").startswith("Not done: This computer's own address")


def test_help_lists_the_identity_commands(console):
    text = console.execute("/help")
    for command in ["/code", "/accounts", "/teacher NAME", "/ban NAME|ADDRESS", "/unban", "/bans", "/password"]:
        assert command in text


def test_the_headless_banner_shows_the_join_code_and_the_console_sets_it(tmp_path):
    headless = HeadlessServer(["--join-code", "bio-lab"])
    try:
        headless.expect(r"^Join code: BIO-LAB ")
        headless.type("/code new")
        line = headless.expect(r"^Join code: ")
        code = re.search(r"Join code: (\S+)", line).group(1)
        client = WireClient(headless.address)
        try:
            assert client.error("PASS BIO-LAB") == ErrorCode.BAD_CODE
            assert client.reply(f"PASS {code}")["event"] == "code_accepted"
        finally:
            client.close()
    finally:
        headless.stop()
