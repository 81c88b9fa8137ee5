"""A test in class: the teacher mutes every student at once (MUTE *) and the class tries to pass "q3 is B".

Found by a probe: silencing 32 students took 32 MUTE commands (a lasting mute on each name and computer,
carried to the next period and lifted one by one), a student who came after them or from another computer
spoke freely, and a muted student could not even tell the teacher their computer had frozen.  A real
server on port 0, a teacher logged in to a teacher's account; "other computers" are 127.0.1.x.
"""

from __future__ import annotations

import pytest

from chat_server.console import AdminConsole
from shared.errors import ErrorCode
from tests.integration.file_wire import offer, share
from tests.integration.identity_support import PASSWORD, add_account, login, moderate, teacher
from tests.integration.wire import WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

ANSWER = "q3 is B"


def student(server, number: int, nick: str, room: str | None = "exam") -> WireClient:
    return WireClient(server.address, source=f"127.0.1.{number}").register(nick, room)


def muted_notice(client: WireClient) -> dict:
    return client.expect(lambda frame: frame.get("event") == "muted")


def heard_nothing_of(client: WireClient, words: str) -> None:
    client.send("PING end")
    client.expect("pong")
    said = [frame for frame in client.received if words.lower() in str(frame).lower()]
    assert not said, said


@pytest.fixture
def exam(server, wire):
    """Ms_Lee and three students in #exam, the class muted: (lee, [amy, bob, eve])."""
    lee = teacher(server, wire, room="exam")
    students = [student(server, 10 + number, nick) for number, nick in enumerate(["amy", "bob", "eve"])]
    answer = moderate(lee, "MUTE *")
    assert answer["type"] == "system" and answer["action"] == "mute_class", answer
    assert "3 students" in answer["content"], answer
    for one in students:
        assert "whole class" in muted_notice(one)["content"]
    yield lee, students
    for one in students:
        one.close()


def test_a_muted_class_passes_no_answer_to_a_classmate(server, exam):
    lee, (amy, bob, eve) = exam
    for command in (
        f"SAY {ANSWER}",
        f"MSG {ANSWER}",
        f"MSG bob: {ANSWER}",
        f"PM bob {ANSWER}",
        f"AWAY {ANSWER}",
        "NICK q3_is_B",
        "JOIN q3isB",
        "TYPING",
    ):
        eve.send(command)
        if command != "TYPING":  # TYPING is dropped without an answer, as from any muted user
            assert eve.expect("error")["code"] == ErrorCode.MUTED, command
    heard_nothing_of(bob, "q3")
    heard_nothing_of(amy, "q3")
    lee.send("SAY pens down in 5 minutes")  # the teacher is never muted
    assert bob.expect("message")["content"] == "pens down in 5 minutes"


def test_a_student_who_comes_during_the_test_is_muted_too(server, exam):
    """A latecomer on a computer of their own, and a phone: muted as they come."""
    _, (amy, bob, eve) = exam
    for source, nick in (("127.0.1.50", "latecomer"), ("127.0.1.99", "eves_phone")):
        newcomer = WireClient(server.address, source=source).register(nick, "exam")
        assert newcomer.error(f"SAY {ANSWER}") == ErrorCode.MUTED, nick
        assert newcomer.error(f"PM bob {ANSWER}") == ErrorCode.MUTED, nick
        newcomer.close()
    heard_nothing_of(bob, ANSWER)


def test_a_second_connection_cannot_put_the_answer_in_a_new_name(server, exam, wire):
    """The exam probe: a second connection from eve's computer took the name `q3_is_B`, which every room list and
    join notice showed.  A student computer keeps the names it had (a window coming back takes its name again);
    a latecomer's first name is free, their second is held the same way."""
    lee, (amy, bob, eve) = exam
    for nick in ("q3_is_B", "eve2"):
        assert WireClient(server.address, source="127.0.1.12").error(f"NICK {nick}") == ErrorCode.MUTED, nick
    eve.close()
    bob.expect(lambda frame: frame.get("event") == "leave" and frame.get("user") == "eve")
    back = WireClient(server.address, source="127.0.1.12").register("eve", "exam")  # her window reconnecting
    assert back.error(f"SAY {ANSWER}") == ErrorCode.MUTED
    WireClient(server.address, source="127.0.1.60").register("latecomer")
    assert WireClient(server.address, source="127.0.1.60").error("NICK q3_is_B") == ErrorCode.MUTED
    bob.send("LIST")
    assert "q3_is_B" not in bob.expect("list")["users"]
    moderate(lee, "UNMUTE *")  # nothing is kept: the computer may take any name again
    WireClient(server.address, source="127.0.1.12").register("eve_after")


def test_a_class_muted_student_may_still_write_privately_to_a_teacher(server, exam):
    lee, (_, bob, eve) = exam
    eve.send("PM Ms_Lee my computer froze on q4")
    assert lee.expect("private")["content"] == "my computer froze on q4"
    assert eve.expect("private")["to"] == "Ms_Lee"  # the echo
    eve.send("MSG Ms_Lee: may I leave the room?")
    assert lee.expect("private")["content"] == "may I leave the room?"
    heard_nothing_of(bob, "froze")


def test_a_teacher_who_logs_in_during_the_test_is_not_muted(server, exam, wire):
    _, (_, bob, _) = exam
    add_account(server, "Mr_Park", "teacher")
    park = wire(server, "park_guest", "exam")  # comes as a guest first: muted with the class
    assert park.error("SAY hello") == ErrorCode.MUTED
    assert login(park, "Mr_Park")["role"] == "teacher"
    add_account(server, "q3_is_B", "student")  # a student's other account: its name would reach the room
    other = wire(server, "guest2", "exam")
    assert other.error(f"LOGIN q3_is_B {PASSWORD}") == ErrorCode.MUTED
    park.send("SAY ten minutes left")
    assert bob.expect("message")["content"] == "ten minutes left"


def test_unmute_star_gives_the_class_its_voice_back_but_not_a_student_muted_alone(server, exam):
    lee, (amy, bob, eve) = exam
    assert moderate(lee, "MUTE eve")["action"] == "mute"  # during the test: eve cheated
    answer = moderate(lee, "UNMUTE bob")  # bob has no mute of his own: "may speak again" would be untrue
    assert answer["type"] == "error" and "/unmute *" in answer["content"], answer
    answer = moderate(lee, "UNMUTE *")
    assert answer["action"] == "unmute_class" and "2 students" in answer["content"], answer
    assert "still muted on their own: eve" in answer["content"], answer
    bob.expect(lambda frame: frame.get("event") == "unmuted")
    bob.send("SAY that was hard")
    assert amy.expect("message")["content"] == "that was hard"
    eve.send("SAY finally")
    assert eve.expect("error")["code"] == ErrorCode.MUTED
    eve.send("PM Ms_Lee sorry")
    assert eve.expect("error")["code"] == ErrorCode.MUTED  # muted alone: as before, no private message either
    assert moderate(lee, "UNMUTE *")["type"] == "error"  # not muted any more: said so


def test_a_class_mute_keeps_nothing_that_outlasts_the_lesson(server, exam):
    """Nothing goes to the database: the next period's student at that desk is not muted."""
    lee, (_, _, eve) = exam
    assert server.sanctions("mute") == []
    moderate(lee, "UNMUTE *")
    eve.close()
    next_period = WireClient(server.address, source="127.0.1.12").register("kim", "exam")
    next_period.send("SAY hello")
    assert next_period.expect("message")["content"] == "hello"


def test_students_cannot_mute_the_class(server, wire):
    bob = student(server, 10, "bob")
    assert bob.error("MUTE *") == ErrorCode.NOT_ALLOWED
    assert bob.error("UNMUTE *") == ErrorCode.NOT_ALLOWED


def test_the_console_mutes_and_unmutes_the_whole_class(server, wire):
    lee = teacher(server, wire, room="exam")
    bob = student(server, 10, "bob")
    console = AdminConsole(server)
    answer = console.execute("/mute *")
    assert "The class is muted (1 student;" in answer, answer
    muted_notice(bob)
    assert bob.error(f"SAY {ANSWER}") == ErrorCode.MUTED
    lee.send("SAY the teacher speaks")
    assert bob.expect("message")["sender"] == "Ms_Lee"
    assert "The class may speak again (1 student)" in console.execute("/unmute *")
    bob.expect(lambda frame: frame.get("event") == "unmuted")
    bob.send("SAY done")
    assert bob.expect("message")["content"] == "done"


def test_a_muted_class_cannot_signal_by_flipping_away_and_back(server, exam):
    """The exam probe: 40 AWAY/BACK in 3 s from a class-muted student, each relayed to every classmate (Morse)."""
    lee, (amy, bob, eve) = exam
    for command in ("AWAY", "BACK", "AWAY", f"AWAY {ANSWER}"):
        assert eve.error(command) == ErrorCode.MUTED, command
    bob.send("LIST")
    assert bob.expect("list")["statuses"]["eve"] == "online"
    assert not [frame for frame in bob.received if frame["type"] == "presence"]
    lee.send("AWAY marking")  # a teacher's status is theirs to change
    assert bob.expect("presence")["user"] == "Ms_Lee"
    moderate(lee, "UNMUTE *")
    eve.send("AWAY")
    assert bob.expect("presence")["user"] == "eve"


def test_the_admin_making_someone_a_teacher_during_the_test_gives_them_their_voice(server, exam, wire):
    """The class mute spares teachers by role: a role changed mid-test counts at once, both ways."""
    lee, (_, bob, _) = exam
    add_account(server, "Mr_Park", "student")
    park = wire(server, None, None)
    login(park, "Mr_Park")
    park.send("JOIN exam")
    park.expect("joined")
    assert park.error("SAY hello") == ErrorCode.MUTED
    server.set_role("Mr_Park", "teacher")
    park.expect("nick")
    park.send("SAY ten minutes left")
    assert bob.expect("message")["content"] == "ten minutes left"
    server.set_role("Mr_Park", "student")
    park.expect("nick")
    park.send("SAY q3 is B")
    assert park.expect("error")["code"] == ErrorCode.MUTED


def test_a_muted_class_hands_in_its_test_to_the_teacher_and_shares_no_file_with_a_classmate(
    server, chat_lines, tmp_path
):
    """Found by the exam probe: a hand-in (a file privately to a teacher) got `muted` during the test."""
    add_account(server, "Ms_Lee", "teacher")
    add_account(server, "Mr_Park", "teacher")  # not online: his hand-ins wait for his login
    lee = chat_lines(server, None, None)
    assert lee.request(f"LOGIN Ms_Lee {PASSWORD}", "nick")["role"] == "teacher"
    bob = chat_lines(server, "bob", "exam", source="127.0.1.20")
    eve = chat_lines(server, "eve", "exam", source="127.0.1.21")
    lee.send("MUTE *")
    lee.expect("system")
    answers = tmp_path / "eve-answers.txt"
    answers.write_text("1 A, 2 C, 3 B")
    for target in ("@bob", "#exam"):
        assert offer(eve, answers, target, name="q3_is_B.txt")["code"] == ErrorCode.MUTED, target
    for teacher_name in ("Ms_Lee", "Mr_Park"):
        _, done = share(eve, answers, f"@{teacher_name}")
        assert done["type"] == "transfer_done", done
        echoed = eve.expect("file")
        assert echoed["to"] == teacher_name, echoed
    assert lee.expect("file")["name"] == "eve-answers.txt"
    assert not bob.has_frame("file")


def test_a_muted_class_cannot_signal_by_switching_rooms(server, wire):
    """The exam2 probe: JOIN side / JOIN exam, 20 switches in 2.1 s, each a join or leave line for the classmates."""
    lee = teacher(server, wire, room="exam")
    amy = student(server, 10, "amy", "side")  # a room that exists through the test
    bob, eve = student(server, 11, "bob"), student(server, 12, "eve")
    moderate(lee, "MUTE *")
    for one in (amy, bob, eve):
        muted_notice(one)
    seen = {one: len(one.received) for one in (amy, bob)}
    for command in ("JOIN side", "JOIN #Side", "LEAVE", "JOIN side key"):
        assert eve.error(command) == ErrorCode.MUTED, command
    before = len(eve.received)
    eve.send("JOIN exam")  # the room she is in: nothing changes, nothing is refused
    eve.send("PING joined")
    eve.expect("pong")
    assert not [frame for frame in eve.received[before:] if frame["type"] == "error"]
    for classmate in (amy, bob):
        classmate.send("PING end")
        classmate.expect("pong")
        moves = [frame for frame in classmate.received[seen[classmate] :] if frame.get("event") in ("join", "leave")]
        assert not [frame for frame in moves if frame.get("user") == "eve"], moves
    late = WireClient(server.address, source="127.0.1.50").register("latecomer", "exam")  # no room yet: may join
    assert late.error("JOIN side") == ErrorCode.MUTED
    moderate(lee, "UNMUTE *")
    eve.send("JOIN side")
    assert eve.expect("joined")["room"] == "side"
    for one in (amy, bob, eve, late):
        one.close()


def test_a_student_away_when_the_class_is_muted_may_come_back_once(server, wire):
    """The chat window sends BACK on input; refused, the window showed itself back while the server said away."""
    lee = teacher(server, wire, room="exam")
    bob, eve = student(server, 11, "bob"), student(server, 12, "eve")
    eve.send("AWAY")
    assert bob.expect("presence")["status"] == "away"
    moderate(lee, "MUTE *")
    muted_notice(eve)
    eve.send("BACK")
    assert eve.expect("presence")["status"] == "online"
    assert bob.expect("presence")["status"] == "online"
    for command in ("AWAY", "BACK"):  # no flipping after that
        assert eve.error(command) == ErrorCode.MUTED, command
    bob.send("LIST")
    assert bob.expect("list")["statuses"]["eve"] == "online"
    for one in (bob, eve):
        one.close()


def test_two_teachers_each_hear_when_the_other_mutes_or_unmutes_the_class(server, wire):
    """The exam2 probe: Mr_Park's UNMUTE * lifted Ms_Lee's test mute and she was not told; the class spoke."""
    lee = teacher(server, wire, room="exam")
    add_account(server, "Mr_Park", "teacher")
    park = wire(server, None, None)
    login(park, "Mr_Park")
    bob = student(server, 10, "bob")
    moderate(lee, "MUTE *")
    told = park.expect(lambda frame: "muted the whole class" in frame.get("content", ""))
    assert told["by"] == "Ms_Lee" and told["type"] == "system", told
    moderate(park, "MUTE *")  # muted already: nobody is told twice
    moderate(park, "UNMUTE *")
    assert (
        "Mr_Park (teacher) gave the class its voice back."
        in lee.expect(lambda frame: "voice back" in frame.get("content", ""))["content"]
    )
    console = AdminConsole(server)
    console.execute("/mute *")
    for one in (lee, park):
        one.expect(lambda frame: frame.get("content") == "An admin muted the whole class (/unmute * lifts it).")
    lee.send("PING end")
    lee.expect("pong")
    assert len([frame for frame in lee.received if "muted the whole class" in frame.get("content", "")]) == 1
    bob.close()


def test_the_console_says_whether_the_class_is_muted(server, wire):
    """After a restart the class mute is gone (nothing is kept): /clients must say so, not leave it to guessing."""
    lee = teacher(server, wire, room="exam")
    console = AdminConsole(server)
    assert "class is muted" not in console.execute("/clients")
    moderate(lee, "MUTE *")
    assert console.execute("/clients").splitlines()[0] == (
        "The whole class is muted (by Ms_Lee); /unmute * gives it its voice back."
    )
    lee.close()
    wait_until(lambda: not server.clients(), 10)
    assert console.execute("/clients").splitlines() == [
        "The whole class is muted (by Ms_Lee); /unmute * gives it its voice back.",
        "Nobody is connected.",
    ]
    console.execute("/unmute *")
    assert console.execute("/clients") == "Nobody is connected."


def test_a_teacher_made_a_student_mid_test_is_told_and_their_computer_keeps_its_names(server, wire):
    """The exam2 probe: Mr_Park, made a student during the test, was muted without a word, and a second
    connection from his computer took the nickname q3_is_C."""
    lee = teacher(server, wire, room="exam")
    add_account(server, "Mr_Park", "teacher")
    park = WireClient(server.address, source="127.0.1.60", tls=True)  # a password from another computer
    login(park, "Mr_Park")
    park.send("JOIN exam")
    park.expect("joined")
    park.send("AWAY q3 is B")
    park.expect("presence")
    bob = student(server, 10, "bob")
    moderate(lee, "MUTE *")
    server.set_role("Mr_Park", "student")
    assert "whole class is muted" in muted_notice(park)["content"]
    assert bob.expect(lambda frame: frame["type"] == "presence" and frame["user"] == "Mr_Park")["text"] == ""
    park.expect("presence")
    assert park.error(f"SAY {ANSWER}") == ErrorCode.MUTED
    second = WireClient(server.address, source="127.0.1.60")
    assert second.error("NICK q3_is_C") == ErrorCode.MUTED
    for one in (park, bob, second):
        one.close()
