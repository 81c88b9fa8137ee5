"""chat-term and /ignore: the list is the server's answer, an ignored classmate's private lines never print, /unignore undoes it."""

from __future__ import annotations

import pytest

from tests.integration.test_terminal_client import terminals  # noqa: F401  (the fixture)

pytestmark = pytest.mark.usefixtures("no_server_errors")


def test_ignore_from_the_terminal_stops_his_private_lines_and_is_undone(server, terminals, wire):  # noqa: F811
    ann = terminals(server.address, "--nick", "ann", "--room", "lab")
    ann.expect(r"You joined #lab")
    bob, cy = wire(server, "bob", "lab"), wire(server, "cy", "lab")
    ann.type("/ignore bob")
    ann.expect(
        r"You ignore bob: their private messages, files and typing no longer reach you, whatever name they take\. "
        r"Their room messages still reach the room and everyone in it\. .* You ignore: bob\.$"
    )
    bob.send("PM ann you cannot get rid of me")
    assert bob.expect("error")["code"] == "ignored"
    bob.send("SAY hello lab")  # his room lines fold to a placeholder, live and in /history
    ann.expect(r"#lab \[hidden: a message from someone you ignore; /unignore bob shows them\]$")
    assert not [line for line in ann.lines if "hello lab" in line]
    ann.type("/history")
    ann.expect(r"\[hidden: a message from someone you ignore; /unignore bob shows them\]  \(id \d+\)$")
    assert not [line for line in ann.lines if "hello lab" in line]
    cy.send("PM ann are you ok?")
    ann.expect(r"\*cy -> ann\* are you ok\?$")
    assert not [line for line in ann.lines if "get rid of me" in line]
    ann.type("/ignore Ms_Lee")  # nobody of that name: a clear refusal, nothing else
    ann.expect(r"Nobody called Ms_Lee is online")
    ann.type("/unignore bob")
    ann.expect(r"You no longer ignore bob\. You ignore nobody\.$")
    bob.send("PM ann sorry")
    ann.expect(r"\*bob -> ann\* sorry$")
    ann.type("/history")  # unignored: his room lines read in full again
    ann.expect(r"<bob> hello lab")
    assert ann.finish() == 0


def test_a_file_he_shares_in_the_room_prints_as_the_placeholder_not_its_name_or_id(
    start_server,
    terminals,  # noqa: F811
    wire,
    tmp_path,
):
    from tests.adversarial.test_file_abuse import _finish, offer

    server = start_server(files_keep_free_mb=0)
    ann = terminals(server.address, "--nick", "ann", "--room", "lab")
    ann.expect(r"You joined #lab")
    bob, cy = wire(server, "bob", "lab"), wire(server, "cy", "lab")
    ann.type("/ignore bob")
    ann.expect(r"You ignore: bob\.$")
    ticket = offer(bob, target="#lab", name="rude.txt")
    assert ticket["type"] == "upload", ticket
    assert _finish(server, ticket, tmp_path) is None
    ann.expect(r"#lab \[hidden: a message from someone you ignore; /unignore bob shows them\]$")
    cy.send("SAY after his file")
    ann.expect(r"after his file$")
    assert not [line for line in ann.lines if "rude.txt" in line]
    assert ann.finish() == 0
