"""Group work from chat-term: a teacher's /move sends students into a room; a moved student's chat-term says so."""

from __future__ import annotations

from tests.integration.test_terminal_client import terminals  # noqa: F401  # the fixture
from tests.integration.test_terminal_identity import PASSWORD


def test_a_teacher_moves_a_student_from_chat_term_and_the_students_chat_term_follows(
    start_server,
    terminals,  # noqa: F811
    wire,
):
    server = start_server()
    server.create_account("Teach", PASSWORD, "teacher")
    teach = terminals(server.address, "--nick", "Teach", "--login", "--room", "general")
    teach.type(PASSWORD)
    teach.expect(r"You joined #general")
    ann = terminals(server.address, "--nick", "ann", "--room", "general")
    ann.expect(r"You joined #general")
    bob = wire(server, "bob", "general", source="127.0.0.10")
    teach.type("/move g1 ann,bob Group 1: fractions")
    teach.expect(r"Moved 2 to #g1: ann, bob\.")
    ann.expect(r"You joined #g1")
    ann.expect(r"Teach \(teacher\) moved you to #g1: .Group 1: fractions.")
    ann.type("hello group")
    said = bob.expect(lambda frame: frame["type"] == "message")
    assert (said["room"], said["content"]) == ("g1", "hello group")
    teach.type("/move general * time is up")
    ann.expect(r"You joined #general")
    teach.type("/move g1 ann, bob")  # a space after the comma: refused before it goes
    teach.expect(r"commas, no spaces")
    assert teach.finish() == 0 and ann.finish() == 0
