"""A student naming themselves "Server", "Admin" or "Teacher" (in any disguise) is refused; an account the admin made keeps it.

A real server on port 0. The names are tried as a first NICK, as a
rename inside a room (whose members must hear nothing), in text mode,
and by a teacher who would otherwise step out of their account.  What
must still work: the refused connection picks another name and talks,
and a "Teacher" account the admin made logs in under that name.
"""

from __future__ import annotations

import pytest

from shared.errors import ErrorCode
from tests.integration.identity_support import add_account, login, teacher
from tests.integration.test_text_mode import text_user
from tests.integration.wire import nothing_more

pytestmark = pytest.mark.usefixtures("no_server_errors")

DISGUISES = [
    "Server",
    "SERVER_",
    "ＡＤＭＩＮ",
    "Adrnin",
    "teachér",
    "Teache\u0280",
    "Teacher2",
    "-System-",
    "Moderator",
]


@pytest.mark.parametrize("disguise", DISGUISES)
def test_a_first_nickname_that_passes_for_staff_is_refused_and_another_works(server, wire, disguise):
    student = wire(server)
    refused = student.reply(f"NICK {disguise}")
    assert (refused["type"], refused.get("code")) == ("error", ErrorCode.BAD_NICK), refused
    assert "kept for the server" in refused["content"]
    assert [c.nick for c in server.clients() if c.nick] == []
    assert student.reply("NICK sam")["type"] == "nick"
    student.send("JOIN lab")
    student.expect("joined")
    assert student.reply("SAY still here")["sender"] == "sam"


@pytest.mark.parametrize("disguise", ["Admin", "TEACHER", "Server_1"])
def test_a_rename_into_a_staff_name_is_refused_and_the_room_hears_nothing(server, wire, disguise):
    bob = wire(server, "bob", "lab")
    sam = wire(server, "sam", "lab")
    nothing_more(bob)  # sam's join notice
    assert sam.error(f"NICK {disguise}") == ErrorCode.BAD_NICK
    assert nothing_more(bob) == []
    assert sorted(c.nick for c in server.clients()) == ["bob", "sam"]


@pytest.mark.parametrize("disguise", ["Server", "admin_", "Teacher"])
def test_text_mode_is_refused_the_same_way(server, disguise):
    client = text_user(server)
    try:
        client.send_line(f"NICK {disguise}", "\r\n")
        client.expect(r"kept for the server")
        assert [c.nick for c in server.clients() if c.nick] == []
    finally:
        client.close()


def test_an_account_the_admin_made_under_a_staff_name_logs_in_and_keeps_it(server, wire):
    add_account(server, "Teacher", "teacher")
    impostor = wire(server)
    assert impostor.error("NICK teacher") == ErrorCode.NICK_REGISTERED  # the account's name: its own refusal
    real = wire(server)
    answer = login(real, "Teacher")
    assert (answer["nick"], answer["role"]) == ("Teacher", "teacher")
    assert real.reply("NICK Teacher")["type"] == "nick"  # taking one's own name again is allowed


def test_a_teacher_cannot_step_out_of_their_account_into_a_staff_name(server, wire):
    lee = teacher(server, wire, "Ms_Lee", room="lab")
    assert lee.error("NICK Teacher") == ErrorCode.BAD_NICK
    assert [(c.nick, c.role) for c in server.clients()] == [("Ms_Lee", "teacher")]
