"""Near copies of a teacher's name taken before her account was made, or before it was made a teacher's (a probe).

A guest could not take "MrBell" beside the teacher Mr_Bell, but a student
who registered it first, or sat online under it, kept it: after the admin
made the teacher's account they logged in under it and wrote as
near-teacher.  A real server on port 0; "other computers" are connections
bound to 127.0.6.x (tests never send traffic outside 127.0.0.0/8).
"""

from __future__ import annotations

import pytest

from chat_server.console import AdminConsole
from shared.errors import ErrorCode
from tests.integration.identity_support import PASSWORD, add_account, login
from tests.integration.wire import WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

TEACHER_PASSWORD = "blackboard-42"  # the console takes a password without spaces
COPIES = ["MrBell", "Mr-Bell", "Mr_BeII"]  # no underscore, a dash, capital i's


def computer(server, number: int) -> WireClient:
    return WireClient(server.address, source=f"127.0.6.{number}")


@pytest.fixture
def plain(start_server):
    return start_server(allow_plain_passwords=True, max_per_address=0)


def _registered_then_gone(server, number: int, nick: str) -> None:
    student = computer(server, number).register(nick)
    assert student.reply(f"REGISTER {PASSWORD}")["type"] == "nick"
    student.send("QUIT")
    student.rest_until_closed()


def test_accounts_registered_before_the_teachers_can_no_longer_log_in(plain):
    for number, nick in enumerate(COPIES):
        _registered_then_gone(plain, 10 + number, nick)
    answer = AdminConsole(plain).execute(f"/account Mr_Bell {TEACHER_PASSWORD} teacher")
    assert answer.startswith("Made the account Mr_Bell (teacher)."), answer
    assert all(nick in answer for nick in COPIES) and "can no longer be used" in answer, answer
    for number, nick in enumerate(COPIES):
        student = computer(plain, 10 + number)
        refused = student.reply(f"LOGIN {nick} {PASSWORD}")
        assert refused.get("code") == ErrorCode.BAD_NICK, refused
        assert "could pass for the teacher Mr_Bell" in refused["content"], refused
        assert plain.registry.find_nick(nick) is None
    assert login(computer(plain, 40), "Mr_Bell", TEACHER_PASSWORD)["role"] == "teacher"


def test_making_an_account_a_teacher_sends_away_those_online_under_copies_of_it(plain):
    add_account(plain, "Ms_Khan")  # the teacher registered herself; the admin makes her a teacher later
    guest = computer(plain, 20).register("MsKhan", "lesson")
    _registered_then_gone(plain, 21, "Ms-Khan")
    logged_in = computer(plain, 21)
    login(logged_in, "Ms-Khan")
    bystander = computer(plain, 22).register("Ravi", "lesson")
    khan = computer(plain, 23)
    login(khan, "Ms_Khan")
    answer = AdminConsole(plain).execute("/teacher Ms_Khan")
    assert "Ms_Khan is now a teacher" in answer, answer
    assert "MsKhan (127.0.6.20" in answer and "Ms-Khan (127.0.6.21" in answer and "2 disconnected" in answer, answer
    for client in (guest, logged_in):
        frames = client.rest_until_closed()
        farewell = [frame for frame in frames if frame["type"] == "bye"]
        assert farewell and farewell[-1]["reason"] == "name", frames
        assert "could pass for the teacher Ms_Khan" in farewell[-1]["content"], farewell
    wait_until(lambda: plain.registry.find_nick("MsKhan") is None and plain.registry.find_nick("Ms-Khan") is None)
    bystander.expect(lambda frame: frame.get("event") == "leave" and frame.get("user") == "MsKhan")  # the room hears
    assert plain.registry.find_nick("Ravi") is not None and plain.registry.find_nick("Ms_Khan") is not None
    back = computer(plain, 20)  # the guest's window comes back: the name is refused, with the reason
    refused = back.reply("NICK MsKhan")
    assert refused.get("code") == ErrorCode.BAD_NICK and "Ms_Khan" in refused["content"], refused
    assert back.reply("NICK Sana")["type"] == "nick"


def test_a_guest_name_kept_at_the_server_computer_cannot_be_registered_once_it_copies_a_teacher(plain):
    """The server's own computer may call itself anything as a guest, but such a name becomes no account."""
    guest = WireClient(plain.address).register("MrBell")  # 127.0.0.1: not sent away
    answer = AdminConsole(plain).execute(f"/account Mr_Bell {TEACHER_PASSWORD} teacher")
    assert "MrBell (127.0.0.1" in answer and "disconnected" not in answer, answer
    refused = guest.reply(f"REGISTER {PASSWORD}")
    assert refused.get("code") == ErrorCode.BAD_NICK and "Mr_Bell" in refused["content"], refused
    assert [account.nick for account in plain.accounts()] == ["Mr_Bell"]


def test_a_dropped_session_of_a_copy_cannot_resume_once_the_teachers_account_exists(plain):
    _registered_then_gone(plain, 30, "MrBell")
    student = computer(plain, 30)
    token = login(student, "MrBell")["token"]
    student.close()  # dropped, not QUIT: parked for RESUME
    wait_until(lambda: plain.registry.find_nick("MrBell") is None)
    AdminConsole(plain).execute(f"/account Mr_Bell {TEACHER_PASSWORD} teacher")
    refused = computer(plain, 30).reply(f"RESUME MrBell {token}")
    assert refused.get("code") == ErrorCode.BAD_NICK and "Mr_Bell" in refused["content"], refused
    assert plain.registry.find_nick("MrBell") is None


def test_a_teacher_may_still_log_in_and_change_her_own_password(plain):
    add_account(plain, "Mr_Bell", "teacher")
    add_account(plain, "MrBell_2", "teacher")  # the admin made both teachers on purpose: neither is refused
    teacher = computer(plain, 40)
    assert login(teacher, "MrBell_2")["role"] == "teacher"
    assert teacher.reply("REGISTER another-good-phrase")["type"] == "nick"
