"""A student naming themselves "Server", "Admin" or "Teacher" (in any disguise) is refused; the admin's accounts and computer are not.

A real server on port 0; students are "other computers", connections
bound to 127.0.0.2 and up (tests never send traffic outside 127.0.0.0/8).
The names are tried as a first NICK, as a rename inside a room (whose
members must hear nothing), in text mode, and by a teacher who would
otherwise step out of their account.  What must still work: the refused
connection picks another name and talks, a "Teacher" account the admin
made logs in under that name, and whoever sits at the server's own
computer (127.0.0.1, ::1: the teacher who started it) may take one.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from chat_server import ChatServer
from shared.errors import ErrorCode
from tests.integration.identity_support import add_account, login
from tests.integration.wire import TextClient, WireClient, nothing_more

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

_addresses = (f"127.0.{3 + number // 250}.{number % 250 + 1}" for number in itertools.count())  # 127.0.3.1 on


@pytest.fixture
def student(server: ChatServer, wire) -> Callable[..., WireClient]:
    """Factory: student(nick=None, room=None, tls=False) -> a WireClient from another computer (127.0.3.x)."""

    def make(nick: str | None = None, room: str | None = None, tls: bool = False) -> WireClient:
        return wire(server, nick, room, source=next(_addresses), tls=tls)

    return make


@pytest.mark.parametrize("disguise", DISGUISES)
def test_a_first_nickname_that_passes_for_staff_is_refused_and_another_works(server, student, disguise):
    sam = student()
    refused = sam.reply(f"NICK {disguise}")
    assert (refused["type"], refused.get("code")) == ("error", ErrorCode.BAD_NICK), refused
    assert "kept for the server and its staff" in refused["content"]
    assert [c.nick for c in server.clients() if c.nick] == []
    assert sam.reply("NICK sam")["type"] == "nick"
    sam.send("JOIN lab")
    sam.expect("joined")
    assert sam.reply("SAY still here")["sender"] == "sam"


@pytest.mark.parametrize("disguise", ["Admin", "TEACHER", "Server_1"])
def test_a_rename_into_a_staff_name_is_refused_and_the_room_hears_nothing(server, student, disguise):
    bob = student("bob", "lab")
    sam = student("sam", "lab")
    nothing_more(bob)  # sam's join notice
    assert sam.error(f"NICK {disguise}") == ErrorCode.BAD_NICK
    assert nothing_more(bob) == []
    assert sorted(c.nick for c in server.clients()) == ["bob", "sam"]


@pytest.mark.parametrize("disguise", ["Server", "admin_", "Teacher"])
def test_text_mode_is_refused_the_same_way(server, disguise):
    client = TextClient(server.address, source=next(_addresses))
    try:
        client.next_line()  # the welcome, sent before the mode is known
        client.send_line(f"NICK {disguise}", "\r\n")
        client.expect(r"kept for the server and its staff")
        assert [c.nick for c in server.clients() if c.nick] == []
    finally:
        client.close()


def test_an_account_the_admin_made_under_a_staff_name_logs_in_and_keeps_it(server, student):
    add_account(server, "Teacher", "teacher")
    assert student().error("NICK teacher") == ErrorCode.NICK_REGISTERED  # the account's name: its own refusal
    real = student(tls=True)  # a password from another computer travels encrypted
    answer = login(real, "Teacher")
    assert (answer["nick"], answer["role"]) == ("Teacher", "teacher")
    assert real.reply("NICK Teacher")["type"] == "nick"  # taking one's own name again is allowed


def test_a_teacher_cannot_step_out_of_their_account_into_a_staff_name(server, student):
    add_account(server, "Ms_Lee", "teacher")
    lee = student(tls=True)
    assert login(lee, "Ms_Lee")["role"] == "teacher"
    assert lee.error("NICK Teacher") == ErrorCode.BAD_NICK
    assert [(c.nick, c.role) for c in server.clients()] == [("Ms_Lee", "teacher")]


@pytest.mark.parametrize("name", ["Teacher", "Admin", "Server"])
def test_the_servers_own_computer_may_take_one(server, wire, name):
    """The teacher who started the server from the chat window, on the same computer (127.0.0.1)."""
    here = wire(server)
    assert here.reply(f"NICK {name}")["nick"] == name
    assert student_refused(server, name.upper())


def student_refused(server: ChatServer, name: str) -> bool:
    """Meanwhile a student's look-alike of it is refused as a look-alike of a name online."""
    client = WireClient(server.address, source=next(_addresses))
    try:
        return client.error(f"NICK {name}_") in (ErrorCode.BAD_NICK, ErrorCode.NICK_TAKEN)
    finally:
        client.close()
