"""One server for several periods: a new join code keeps the last period's students out, RESUME included.

The teacher changes the code between periods (live, or by a restart on the same data folder); a period-1
student whose window kept its RESUME token came back into period 2 without the new code (found by the
twelfth review's probe). Real server on port 0, real sockets; 127.0.0.2 stands for a student's computer.
"""

from __future__ import annotations

import pytest

from shared.errors import ErrorCode
from tests.integration.identity_support import add_account, login
from tests.integration.test_resume import token_of
from tests.integration.wire import WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

DESK = "127.0.0.2"


def in_period_one(server, wire, nick: str = "alice") -> tuple[WireClient, str]:
    student = wire(server, source=DESK)
    assert student.reply("PASS PERIOD1")["event"] == "code_accepted"
    if nick == "alice":
        assert student.reply(f"NICK {nick}")["type"] == "nick"
    else:
        login(student, nick)
    student.send("JOIN lab")
    student.expect("joined")
    return student, token_of(student)


def dropped(server, student: WireClient) -> None:
    student.close()
    wait_until(lambda: "alice" not in server.registry.by_nick and "bob" not in server.registry.by_nick)


@pytest.mark.parametrize("new_code", ["PERIOD2", "new"])
def test_a_dropped_student_cannot_resume_into_the_next_period_without_its_code(start_server, wire, new_code):
    server = start_server(join_code="PERIOD1", allow_plain_passwords=True)
    student, token = in_period_one(server, wire)
    dropped(server, student)
    shown = server.set_join_code(new_code)
    back = wire(server, source=DESK)
    refused = back.reply(f"RESUME alice {token}")
    assert (refused["type"], refused["code"]) == ("error", ErrorCode.CODE_REQUIRED)
    assert "changed" in refused["content"]
    assert back.error("PASS PERIOD1") == ErrorCode.BAD_CODE
    assert "alice" not in server.registry.by_nick
    assert back.reply(f"PASS {shown}")["event"] == "code_accepted"  # a student of period 2 after all
    answer = back.reply(f"RESUME alice {token}")  # the token was kept for that
    assert (answer["type"], answer["resumed"]) == ("nick", True)
    assert back.expect("joined")["room"] == "lab"


def test_a_code_set_where_there_was_none_is_asked_of_a_resume(start_server, wire):
    server = start_server(allow_plain_passwords=True)
    student = wire(server, "alice", "lab", source=DESK)
    token = token_of(student)
    dropped(server, student)
    server.set_join_code("PERIOD2")
    assert wire(server, source=DESK).error(f"RESUME alice {token}") == ErrorCode.CODE_REQUIRED


def test_a_take_over_of_a_connection_still_open_needs_the_new_code_too(start_server, wire):
    server = start_server(join_code="PERIOD1", allow_plain_passwords=True)
    student, token = in_period_one(server, wire)
    server.set_join_code("PERIOD2")
    assert wire(server, source=DESK).error(f"RESUME alice {token}") == ErrorCode.CODE_REQUIRED
    student.send("SAY still here")  # those already in stay, as documented
    assert student.expect(lambda frame: frame.get("content") == "still here")["sender"] == "alice"


def test_an_account_holders_resume_needs_the_new_code(start_server, wire):
    server = start_server(join_code="PERIOD1", allow_plain_passwords=True)
    add_account(server, "bob")
    student, token = in_period_one(server, wire, "bob")
    dropped(server, student)
    server.set_join_code("PERIOD2")
    assert wire(server, source=DESK).error(f"RESUME bob {token}") == ErrorCode.CODE_REQUIRED


def test_the_same_code_still_needs_nothing_live_or_across_a_restart(start_server, wire):
    server = start_server(join_code="PERIOD1", allow_plain_passwords=True)
    student, token = in_period_one(server, wire)
    dropped(server, student)
    server.set_join_code("period-1")  # the same code, typed otherwise
    back = wire(server, source=DESK)
    assert back.reply(f"RESUME alice {token}")["resumed"] is True
    token = token_of(back)
    folder = server.config.data_dir
    server.stop()
    server = start_server(data_dir=folder, join_code="PERIOD1", allow_plain_passwords=True)
    again = wire(server, source=DESK)
    assert again.reply(f"RESUME alice {token}")["resumed"] is True  # and it keeps the code for the next drop
    token = token_of(again)
    dropped(server, again)
    again = wire(server, source=DESK)
    assert again.reply(f"RESUME alice {token}")["resumed"] is True


def test_a_restart_with_a_new_code_asks_it_of_last_periods_tokens(start_server, wire):
    server = start_server(join_code="PERIOD1", allow_plain_passwords=True)
    _, token = in_period_one(server, wire)
    folder = server.config.data_dir
    server.stop()
    with open(f"{folder}/resume-handoff.json", encoding="utf-8") as handoff:
        assert "PERIOD1" not in handoff.read().upper()  # sealed, never as typed
    server = start_server(data_dir=folder, join_code="PERIOD2", allow_plain_passwords=True)
    back = wire(server, source=DESK)
    assert back.error(f"RESUME alice {token}") == ErrorCode.CODE_REQUIRED
    assert back.reply("PASS PERIOD2")["event"] == "code_accepted"
    assert back.reply(f"RESUME alice {token}")["resumed"] is True


def private_lines(client: WireClient, command: str) -> list[str]:
    client.received.clear()
    client.send(command)
    client.expect("history")
    return [frame["content"] for frame in client.received if frame.get("type") == "private" and frame.get("history")]


@pytest.mark.parametrize("restart", [False, True])
def test_the_teachers_conversation_with_this_periods_alice_holds_none_of_last_periods(start_server, wire, restart):
    """Period 1's alice told the teacher something private; period 2's alice (another guest, another computer)
    must not appear to have said it: the teacher's `HISTORY @alice` showed both as one conversation."""
    server = start_server()
    add_account(server, "Ms_Khan", role="teacher")
    teacher = wire(server)
    login(teacher, "Ms_Khan")
    first = wire(server, "alice", "lab", source=DESK)
    first.send("PM Ms_Khan my mum is ill, I will hand in tonight")
    first.expect("private")
    first.send("QUIT")
    first.rest_until_closed()
    wait_until(lambda: "alice" not in server.registry.by_nick)
    if restart:
        folder = server.config.data_dir
        server.stop()
        server = start_server(data_dir=folder)
        teacher = wire(server)
        login(teacher, "Ms_Khan")
    assert private_lines(teacher, "HISTORY @alice") == ["my mum is ill, I will hand in tonight"]  # nobody is alice
    second = wire(server, "alice", "lab", source="127.0.0.3")
    second.send("PM Ms_Khan hello miss")
    teacher.expect(lambda frame: frame.get("content") == "hello miss")
    assert private_lines(teacher, "HISTORY @alice") == ["hello miss"]
    assert private_lines(second, "HISTORY @Ms_Khan") == ["hello miss"]
    teacher.send("SEARCH mum")  # the teacher still finds her own conversation with the earlier alice
    assert [result["content"] for result in teacher.expect("search")["results"]] == [
        "my mum is ill, I will hand in tonight"
    ]
    second.send("QUIT")
    second.rest_until_closed()
    wait_until(lambda: "alice" not in server.registry.by_nick)
    assert private_lines(teacher, "HISTORY @alice") == ["my mum is ill, I will hand in tonight", "hello miss"]
