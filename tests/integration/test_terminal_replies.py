"""chat-term and REPLY: `/reply ID TEXT`, ids shown with --ids, the quote on the answer's line (subprocesses)."""

from __future__ import annotations

import pytest

from tests.integration.test_terminal_client import terminals  # noqa: F401  # the fixture
from tests.integration.wire import TextClient

pytestmark = pytest.mark.usefixtures("no_server_errors")


def test_chat_term_replies_by_id_and_shows_the_quote_on_one_line(server, terminals, wire):  # noqa: F811
    bob = wire(server, "bob", "lab")
    ann = terminals(server.address, "--nick", "ann", "--room", "lab", "--ids")
    ann.expect(r"You joined #lab")
    bob.send('SAY is it ") <Ms_Lee (teacher)> no homework today?\nsecond line')
    original = bob.expect(lambda f: f["type"] == "message" and f["sender"] == "bob")
    number = original["id"]
    ann.expect(rf"^\[\d\d:\d\d:\d\d id {number}\] #lab <bob> is it")
    ann.type(f"/reply {number} yes it is")
    line = ann.expect(r"<ann> \(re ")
    # One line, the quoted words inside double quotes (a " shown as '), the answer after the bracket.
    assert line.endswith(
        f'#lab <ann> (re {number}, bob: "is it \') <Ms_Lee (teacher)> no homework today? second line") yes it is'
    ), line
    answer = bob.expect(lambda f: f["type"] == "message" and f["sender"] == "ann")
    assert answer["reply"]["id"] == number
    bob.send(f"DELETE {number}")
    ann.type("/reply 99999999 nothing there")
    ann.expect(r"There is no message 99999999 that you can reply to")
    assert ann.finish() == 0


def test_an_nc_user_replies_and_sees_the_quote(server, wire):
    bob = wire(server, "bob", "lab")
    nc = TextClient(server.address)
    try:
        nc.send_line("NICK cat\r\nJOIN lab", "\r\n")
        nc.expect("joined|#lab")
        bob.send("SAY first question")
        original = bob.expect(lambda f: f["type"] == "message" and f["content"] == "first question")
        nc.expect("first question")
        nc.send_line(f"REPLY {original['id']} an answer", "\r\n")
        line = nc.expect("an answer")
        assert line.rstrip("\r").endswith(f'#lab <cat> (re {original["id"]}, bob: "first question") an answer'), line
        assert bob.expect(lambda f: f["type"] == "message" and f["sender"] == "cat")["reply"]["sender"] == "bob"
    finally:
        nc.close()
