"""Hand-ins to a teacher who is not online: kept, listed in the admin window's Hand-ins, given at the teacher's login.

docs/files.md, "Hand-ins".  A private file to a teacher's account (role
`teacher`) is accepted while nobody is logged in to it; a private *text*
message to an offline teacher still gets `no_such_user` (PROTOCOL.md), and
so does a file to an offline student account, to a nickname nobody has,
or to a guest who merely calls themselves like a teacher.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chat_server.admin_gui.handins import handins_of
from shared.errors import ErrorCode
from shared.frames import Frame
from tests.integration.file_wire import ChatLine, fetch, offer, share
from tests.integration.identity_support import PASSWORD, add_account

pytestmark = pytest.mark.usefixtures("no_server_errors")

TEACHER = "Ms_Lee"


def essay(tmp_path: Path, text: str = "my essay about photosynthesis") -> Path:
    path = tmp_path / "essay.txt"
    path.write_text(text)
    return path


def log_in(line: ChatLine, nick: str = TEACHER) -> Frame:
    answer = line.request(f"LOGIN {nick} {PASSWORD}", "nick")
    assert answer["type"] == "nick", answer
    return answer


def history_files(line: ChatLine, command: str) -> list[Frame]:
    line.send(command)
    frames: list[Frame] = []
    while True:
        frame = line.expect("file", "private", "history")
        if frame["type"] == "history":
            return frames
        if frame["type"] == "file" and frame.get("history"):
            frames.append(frame)


def test_a_hand_in_to_an_offline_teacher_is_kept_listed_and_given_at_login(server, chat_lines, tmp_path):
    add_account(server, TEACHER, "teacher")
    alice = chat_lines(server, "alice", "lab")
    assert alice.request(f"PM {TEACHER} are you there?", "private")["code"] == ErrorCode.NO_SUCH_USER
    _, done = share(alice, essay(tmp_path), f"@{TEACHER}")
    echoed = alice.expect("file")  # the sender sees it go
    assert echoed["to"] == TEACHER and echoed["file"] == done["file"]
    listed = handins_of(server)
    assert [(record.file_id, record.sender, record.recipient) for record in listed] == [
        (done["file"], "alice", TEACHER)
    ]
    assert listed[0].waiting
    assert (
        server.files.store is not None
        and server.files.store.path_of(done["file"]).read_bytes() == b"my essay about photosynthesis"
    )

    teacher = chat_lines(server)
    log_in(teacher)
    given = teacher.expect("file")
    assert (given["file"], given["sender"], given["to"], given.get("history")) == (done["file"], "alice", TEACHER, True)
    assert given["id"] == echoed["id"]
    assert [f["file"] for f in history_files(teacher, "HISTORY @alice")] == [done["file"]]
    assert fetch(teacher, done["file"], tmp_path / "fetched.txt").read_text() == "my essay about photosynthesis"
    assert not handins_of(server)[0].waiting
    teacher.send("QUIT")
    teacher.expect("bye")

    again = chat_lines(server)  # the next login does not hand it out twice, but history still has it
    log_in(again)
    assert not again.has_frame("file", wait=1.0)
    assert [f["file"] for f in history_files(again, "HISTORY @alice")] == [done["file"]]


def test_a_hand_in_waits_across_a_server_restart(start_server, chat_lines, tmp_path):
    data = str(tmp_path / "data")
    first = start_server(data_dir=data)
    add_account(first, TEACHER, "teacher")
    alice = chat_lines(first, "alice", "lab")
    _, done = share(alice, essay(tmp_path), f"@{TEACHER}")
    alice.expect("file")
    first.stop()
    second = start_server(data_dir=data)
    assert [record.file_id for record in handins_of(second)] == [done["file"]]
    teacher = chat_lines(second)
    log_in(teacher)
    assert teacher.expect("file")["file"] == done["file"]
    assert fetch(teacher, done["file"], tmp_path / "fetched.txt").read_text() == "my essay about photosynthesis"


def test_a_teacher_online_gets_the_hand_in_live_and_not_again_at_the_next_login(server, chat_lines, tmp_path):
    add_account(server, TEACHER, "teacher")
    teacher = chat_lines(server)
    log_in(teacher)
    alice = chat_lines(server, "alice", "lab")
    _, done = share(alice, essay(tmp_path), f"@{TEACHER}")
    live = teacher.expect("file")
    assert live["file"] == done["file"] and not live.get("history")
    assert [record.file_id for record in handins_of(server)] == [done["file"]]
    teacher.send("QUIT")
    teacher.expect("bye")
    again = chat_lines(server)
    log_in(again)
    assert not again.has_frame("file", wait=1.0)


@pytest.mark.parametrize(
    "who",
    [
        "student account",  # registered, but not a teacher
        "nobody",  # no account, nobody online
        "guest called like a teacher, gone",  # a guest named Mr_Smith was here, has no account, left
        "teacher account in another case",  # still the teacher (names compare without case): accepted
    ],
)
def test_only_a_teachers_account_can_receive_a_file_while_away(server, chat_lines, tmp_path, who):
    add_account(server, TEACHER, "teacher")
    add_account(server, "bob", "student")
    target = {
        "student account": "bob",
        "nobody": "zed",
        "guest called like a teacher, gone": "Mr_Smith",
        "teacher account in another case": TEACHER.upper(),
    }[who]
    if who.startswith("guest"):
        fake = chat_lines(server, "Mr_Smith", "lab")
        fake.send("QUIT")
        fake.expect("bye")
    alice = chat_lines(server, "alice", "lab")
    answer = offer(alice, essay(tmp_path), f"@{target}")
    if who == "teacher account in another case":
        assert answer["type"] == "upload" and answer["to"] == TEACHER, answer
        return
    assert answer["type"] == "error" and answer["code"] == ErrorCode.NO_SUCH_USER, answer
    assert "teacher" in answer["content"]
    assert alice.request(f"PM {target} hello", "private")["code"] == ErrorCode.NO_SUCH_USER


def test_a_guest_online_under_a_teachers_sort_of_name_gets_an_ordinary_file_not_a_hand_in(server, chat_lines, tmp_path):
    add_account(server, TEACHER, "teacher")
    fake = chat_lines(server, "Mr_Smith", "lab")  # no account: nobody made it a teacher
    alice = chat_lines(server, "alice", "lab")
    _, done = share(alice, essay(tmp_path), "@Mr_Smith")
    assert fake.expect("file")["file"] == done["file"]
    assert handins_of(server) == []
    fake.send("QUIT")
    fake.expect("bye")
    assert offer(alice, essay(tmp_path), "@Mr_Smith")["code"] == ErrorCode.NO_SUCH_USER  # and once gone, none wait
