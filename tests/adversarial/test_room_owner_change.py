"""A room a student made first and keeps locked, given back by the admin (found by a probe).

A student's account made #homework with a topic and a key before the
lesson; the teacher took the key off and the owner put a new one on at
once, and /clear, /close and restarts left the owner.  The admin's
`/owner ROOM NAME|none` (and the admin window's Owner… button) gives the
room to someone else or to nobody.  A real server on port 0 with a real
SQLite file in a temporary data folder; the student connects from
127.0.8.2, standing for another computer.
"""

from __future__ import annotations

import pytest

from chat_server.console import AdminConsole
from shared.errors import ErrorCode
from tests.integration.identity_support import add_account, login
from tests.integration.wire import WireClient

pytestmark = pytest.mark.usefixtures("no_server_errors")

KEY = "lockedout-key-9"


def _squatted(server) -> WireClient:
    add_account(server, "squatter")
    squatter = WireClient(server.address, source="127.0.8.2")
    login(squatter, "squatter")
    squatter.send("JOIN homework")
    assert squatter.expect("joined")["owner"] == "squatter"
    squatter.send("TOPIC Homework answers: ask squatter")
    squatter.expect(lambda frame: frame.get("event") == "topic")
    squatter.send(f"KEY {KEY}")
    squatter.expect(lambda frame: frame.get("event") == "key", timeout=30)
    return squatter


def test_the_admin_gives_a_squatted_room_to_the_teacher_and_it_stays_hers_after_a_restart(start_server, tmp_path):
    data = str(tmp_path / "data")
    server = start_server(allow_plain_passwords=True, data_dir=data)
    add_account(server, "Ms_Lee", "teacher")
    squatter = _squatted(server)
    answer = AdminConsole(server).execute("/owner homework Ms_Lee")
    assert answer == "#homework now belongs to Ms_Lee.", answer
    notice = squatter.expect(lambda frame: frame.get("event") == "owner")
    assert notice["owner"] == "Ms_Lee" and notice["room"] == "homework", notice
    refused = squatter.reply(f"KEY another-{KEY}")
    assert refused.get("code") == ErrorCode.NOT_ALLOWED and "Ms_Lee" in refused["content"], refused
    server.stop()
    restarted = start_server(allow_plain_passwords=True, data_dir=data)
    squatter = WireClient(restarted.address, source="127.0.8.2")
    login(squatter, "squatter")
    squatter.send(f"JOIN homework {KEY}")
    assert squatter.expect("joined")["owner"] == "Ms_Lee"
    assert squatter.error("KEY") == ErrorCode.NOT_ALLOWED
    assert squatter.error("TOPIC mine again") == ErrorCode.NOT_ALLOWED
    teacher = WireClient(restarted.address)
    login(teacher, "Ms_Lee")
    teacher.send("JOIN homework")  # its owner needs no key
    assert teacher.expect("joined")["owner"] == "Ms_Lee"


def test_the_admin_takes_a_room_from_its_owner_for_nobody(start_server):
    server = start_server(allow_plain_passwords=True)
    squatter = _squatted(server)
    squatter.send("LEAVE")
    squatter.expect("left")  # kept (it has a key and a topic) while nobody is in it
    assert AdminConsole(server).execute("/owner #homework none") == "Nobody owns #homework now."
    squatter.send(f"JOIN homework {KEY}")
    assert squatter.expect("joined")["owner"] == ""
    assert squatter.error("KEY") == ErrorCode.NOT_ALLOWED


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/owner nowhere squatter", "There is no room #nowhere"),
        ("/owner homework nobody_here", "nobody_here has no account and is not online"),
        ("/owner homework", "Usage: /owner ROOM NAME"),
    ],
)
def test_owner_refusals_say_why_and_change_nothing(start_server, command, answer):
    server = start_server(allow_plain_passwords=True)
    squatter = _squatted(server)
    said = AdminConsole(server).execute(command)
    assert answer in said, said
    assert squatter.reply(f"KEY {KEY}-2")["type"] == "system"  # still theirs
