"""A student picked on by a classmate ignores him (IGNORE): his private messages, files and typing stop reaching her.

Against a real server: it goes by person (his renames, his logins to his
account, her RESUME), never hides a teacher, and leaves room messages
as the contract has them (chat_server/ignoring.py).
"""

from __future__ import annotations

import pytest

from shared.errors import ErrorCode
from tests.adversarial.test_file_abuse import _finish, offer
from tests.integration.identity_support import PASSWORD, add_account, login, teacher
from tests.integration.wire import nothing_more

pytestmark = pytest.mark.usefixtures("no_server_errors")

HASH = "0" * 64


ANSWERS = ("error", "private", "message", "upload", "nick")


def answer(client, command: str) -> dict:
    """The answer to `command`, past the room's notices and the rooms push that may come first."""
    client.send(command)
    return client.expect(lambda frame: frame["type"] in ANSWERS or frame.get("event") == "ignoring")


def refused(client, command: str) -> str:
    frame = answer(client, command)
    assert frame["type"] == "error", f"{command!r} was not refused: {frame}"
    return frame["code"]


def ignore(client, command: str) -> dict:
    frame = answer(client, command)
    assert frame.get("event") == "ignoring", frame
    return frame


def test_private_messages_of_an_ignored_student_are_refused_across_his_renames(server, wire):
    alice, bob, cy = wire(server, "alice", "lab"), wire(server, "bob", "lab"), wire(server, "cy", "lab")
    assert ignore(alice, "IGNORE bob")["users"] == ["bob"]
    assert refused(bob, "PM alice you again") == ErrorCode.IGNORED
    assert refused(bob, "MSG alice: hi") == ErrorCode.IGNORED
    assert answer(bob, "NICK a1ice_fan")["type"] == "nick"
    assert refused(bob, "PM alice new name, same me") == ErrorCode.IGNORED
    assert answer(cy, "PM alice hello")["type"] == "private"  # others still reach her
    seen = nothing_more(alice)
    assert [f["sender"] for f in seen if f["type"] == "private"] == ["cy"], seen
    # the list shows the name he had; UNIGNORE takes that name or the one he has now
    assert ignore(alice, "IGNORE")["users"] == ["bob"]
    assert ignore(alice, "UNIGNORE a1ice_fan")["users"] == []
    assert answer(bob, "PM alice sorry")["type"] == "private"
    assert alice.expect("private")["content"] == "sorry"


def test_room_messages_still_reach_her_but_his_typing_does_not(server, wire):
    alice, bob, cy = wire(server, "alice", "lab"), wire(server, "bob", "lab"), wire(server, "cy", "lab")
    ignore(alice, "IGNORE bob")
    nothing_more(alice), nothing_more(cy)
    bob.send("TYPING")
    nothing_more(bob)
    assert [f["type"] for f in nothing_more(alice)] == []
    assert [f["type"] for f in nothing_more(cy)] == ["typing"]
    assert answer(bob, "SAY hello room")["type"] == "message"
    assert [f["content"] for f in nothing_more(alice) if f["type"] == "message"] == ["hello room"]


def test_a_private_file_from_an_ignored_student_is_refused(start_server, wire):
    server = start_server(max_file_mb=1)
    alice, bob = wire(server, "alice", "lab"), wire(server, "bob", "lab")
    ignore(alice, "IGNORE bob")
    assert refused(bob, f"UPLOAD 5 {HASH} @alice rude.txt") == ErrorCode.IGNORED
    assert answer(bob, f"UPLOAD 5 {HASH} #lab fine.txt")["type"] == "upload"  # the room is still his


def test_an_account_stays_ignored_on_a_new_connection_and_her_list_follows_her_resume(server, wire):
    add_account(server, "bob")
    alice, bob = wire(server), wire(server)
    token = answer(alice, "NICK alice")["token"]
    login(bob, "bob")
    ignore(alice, "IGNORE bob")
    bob.close()
    again = wire(server)
    login(again, "bob")
    assert refused(again, "PM alice it's me again") == ErrorCode.IGNORED
    alice.close()
    resumed = wire(server)
    assert answer(resumed, f"RESUME alice {token}")["type"] == "nick"
    assert refused(again, "PM alice and again") == ErrorCode.IGNORED
    assert ignore(resumed, "IGNORE")["users"] == ["bob"]


def test_an_offline_account_can_be_ignored_before_it_comes(server, wire):
    add_account(server, "bob")
    alice = wire(server, "alice")
    assert ignore(alice, "IGNORE BOB")["users"] == ["bob"]
    bob = wire(server)
    login(bob, "bob")
    assert refused(bob, "PM alice hi") == ErrorCode.IGNORED


def test_the_teacher_yourself_and_nobody_cannot_be_ignored(server, wire):
    ms_lee = teacher(server, wire, "Ms_Lee", "lab")
    alice = wire(server, "alice", "lab")
    assert refused(alice, "IGNORE Ms_Lee") == ErrorCode.NOT_ALLOWED
    assert refused(alice, "IGNORE alice") == ErrorCode.BAD_ARGUMENT
    assert refused(alice, "IGNORE nobody_here") == ErrorCode.NO_SUCH_USER
    assert refused(alice, "UNIGNORE nobody_here") == ErrorCode.NO_SUCH_USER
    assert answer(ms_lee, "PM alice see me after class")["type"] == "private"
    assert alice.expect("private")["sender"] == "Ms_Lee"


def test_a_student_ignored_then_logged_in_as_a_teacher_is_heard(server, wire):
    add_account(server, "Mr_Ray", "teacher")
    alice, ray = wire(server, "alice"), wire(server, "ray_guest")
    ignore(alice, "IGNORE ray_guest")
    assert refused(ray, "PM alice hi") == ErrorCode.IGNORED
    login(ray, "Mr_Ray")
    assert answer(ray, "PM alice now as your teacher")["type"] == "private"


def test_the_teacher_reads_it_in_the_log_once_however_often_it_is_toggled(server, wire, caplog):
    alice, _bob = wire(server, "alice"), wire(server, "bob")
    with caplog.at_level("WARNING", logger="chat_server"):
        for _ in range(5):
            ignore(alice, "IGNORE bob")
            ignore(alice, "UNIGNORE bob")
        nothing_more(alice)  # each command's warnings are logged before the next command is read
    lines = [record.getMessage() for record in caplog.records if "ignores bob" in record.getMessage()]
    assert lines == ["alice ignores bob (their private messages, files and typing no longer reach them)"]


def test_an_ignored_student_who_keeps_trying_is_in_the_log_without_a_line_a_try(server, wire, caplog, monkeypatch):
    alice, bob = wire(server, "alice"), wire(server, "bob")
    ignore(alice, "IGNORE bob")
    with caplog.at_level("WARNING", logger="chat_server"):
        for number in range(20):
            assert refused(bob, f"PM alice {number}") == ErrorCode.IGNORED
    lines = [record.getMessage() for record in caplog.records if "tried to send" in record.getMessage()]
    assert lines == ["bob tried to send private messages to alice, who ignores them (1 try since the last such line)"]
    # ten minutes on (the pace made nil): the next line counts every try since the last one
    monkeypatch.setattr("chat_server.ignoring.REFUSALS_LOGGED_EVERY", 0.0)
    caplog.clear()
    with caplog.at_level("WARNING", logger="chat_server"):
        assert refused(bob, "PM alice again") == ErrorCode.IGNORED
    lines = [record.getMessage() for record in caplog.records if "tried to send" in record.getMessage()]
    assert lines == [
        "bob tried to send private messages to alice, who ignores them (20 tries since the last such line)"
    ]


def test_a_private_upload_begun_before_the_ignore_is_not_shared_when_its_bytes_are_in(start_server, wire, tmp_path):
    server = start_server(files_keep_free_mb=0)
    alice, bob = wire(server, "alice", "lab"), wire(server, "bob", "lab")
    ticket = offer(bob, target="@alice")
    assert ticket["type"] == "upload", ticket
    ignore(alice, "IGNORE bob")
    refusal = _finish(server, ticket, tmp_path)
    assert refusal is not None and refusal.code == ErrorCode.IGNORED, refusal
    assert not [frame for frame in nothing_more(alice) if frame["type"] == "file"]


def test_a_guest_ignored_before_he_registers_stays_ignored_at_his_accounts_next_login(server, wire):
    alice, bob = wire(server), wire(server, "bob")
    answer(alice, "NICK alice")
    ignore(alice, "IGNORE bob")
    assert answer(alice, f"REGISTER {PASSWORD}")["type"] == "nick"  # her list, made as a guest, is her account's
    assert answer(bob, f"REGISTER {PASSWORD}")["type"] == "nick"
    alice.close(), bob.close()
    bob, alice = wire(server), wire(server)
    login(bob, "bob"), login(alice, "alice")
    assert refused(bob, "PM alice registered now, still me") == ErrorCode.IGNORED
    assert ignore(alice, "IGNORE")["users"] == ["bob"]
