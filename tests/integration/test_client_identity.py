"""The client core's identity steps against a real server (fake scheduler, real sockets): code, login, restart, keys."""

from __future__ import annotations

import pytest

from chat_gui.core.events import Problem, Received, State, StateChanged
from chat_server import ChatServer, ServerConfig
from tests.integration.test_client_core import Core

pytestmark = pytest.mark.usefixtures("no_server_errors")

PASSWORD = "blackboard-42"


@pytest.fixture
def core():
    made: list[Core] = []

    def make() -> Core:
        made.append(Core())
        return made[-1]

    yield make
    for one in made:
        one.close()


def problems(one: Core) -> list[Problem]:
    return [e.problem for e in one.events if isinstance(e, StateChanged) and e.problem is not None]


def test_join_code_required_wrong_and_right(start_server, core):
    server = start_server(join_code="K7P4XQ")
    one = core()
    one.session.start(*server.address, "ann", "general")
    one.run_until(lambda: Problem.JOIN_CODE in problems(one))
    one.session.sign_in.set_code(*server.address, "WRONG2")
    one.session.start(*server.address, "ann", "general")
    one.run_until(lambda: problems(one).count(Problem.JOIN_CODE) == 2)
    assert one.session.sign_in.code_for(*server.address) == "", "a wrong code is forgotten"
    one.session.sign_in.set_code(*server.address, "k7p4xq")
    one.session.start(*server.address, "ann", "general")
    one.ready()


def test_a_teacher_logs_in_and_after_a_restart_logs_in_again_by_itself(tmp_path, core):
    data = str(tmp_path / "data")
    first = ChatServer(ServerConfig(host="127.0.0.1", port=0, data_dir=data)).start()
    port = first.address[1]
    try:
        first.create_account("Teach", PASSWORD, "teacher")
        one = core()
        one.session.sign_in.log_in("Teach", PASSWORD, keep=True)
        one.session.start("127.0.0.1", port, "Teach", "general")
        one.ready()
        assert one.session.sign_in.is_teacher
    finally:
        first.stop()
    one.run_until(lambda: one.session.state is State.RECONNECTING)
    second = ChatServer(ServerConfig(host="127.0.0.1", port=port, data_dir=data)).start()
    try:
        one.run_until(lambda: one.states()[-1] is State.READY and one.session.ever_ready, timeout=30)
        assert one.session.sign_in.is_teacher and one.session.room == "general"
        assert one.session.nick == "Teach"
    finally:
        second.stop()


def test_a_login_not_kept_asks_after_a_restart(tmp_path, core):
    data = str(tmp_path / "data")
    first = ChatServer(ServerConfig(host="127.0.0.1", port=0, data_dir=data)).start()
    port = first.address[1]
    try:
        first.create_account("ann", PASSWORD)
        one = core()
        one.session.sign_in.log_in("ann", PASSWORD, keep=False)
        one.session.start("127.0.0.1", port, "ann", "general")
        one.ready()
    finally:
        first.stop()
    one.run_until(lambda: one.session.state is State.RECONNECTING)
    second = ChatServer(ServerConfig(host="127.0.0.1", port=port, data_dir=data)).start()
    try:
        one.run_until(lambda: Problem.NICK_REGISTERED in problems(one), timeout=30)
    finally:
        second.stop()


def test_a_room_key_wrong_then_right_is_remembered(server, core, make_client):
    owner = make_client(server, "olga", "lab")
    owner.send_command("KEY s3cret")
    owner.send_command("PING key-set")
    owner.wait_for(lambda f: f.get("type") == "pong" and f.get("content") == "key-set")
    one = core()
    one.session.start(*server.address, "ann", None)
    one.ready()
    one.session.send("JOIN lab")
    one.run_until(lambda: any(f["code"] == "bad_room_key" for f in one.frames("error")))
    assert one.session.sign_in.joining == "lab"
    one.session.send("JOIN lab guess")
    one.run_until(lambda: [f["code"] for f in one.frames("error")].count("bad_room_key") == 2)
    one.session.send("JOIN lab s3cret")
    one.run_until(lambda: one.session.room == "lab")
    joined = one.frames("joined")[-1]
    assert joined["locked"] is True and joined["owner"] == "olga"
    assert one.session.sign_in.has_key(*server.address, "lab")


def test_a_ban_from_a_teacher_stops_the_student_reconnecting(start_server, core, make_client):
    server = start_server()
    server.create_account("Teach", PASSWORD, "teacher")
    student = core()
    student.session.start(*server.address, "mallory", "general")
    student.ready()
    teacher = make_client(server)
    teacher.send_command(f"LOGIN Teach {PASSWORD}")
    teacher.wait_for("nick", timeout=20)
    teacher.send_command("BAN mallory 10 flooding")
    student.run_until(lambda: student.session.state is State.REMOVED)
    assert "10 more minutes" in student.session.removed_reason
    student.scheduler.advance(120)
    assert student.session.state is State.REMOVED
    assert not any(isinstance(e, Received) and e.frame["type"] == "welcome" for e in student.events[-3:])
