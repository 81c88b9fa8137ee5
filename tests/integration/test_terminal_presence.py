"""chat-term and presence (issue 16): /away and /back, presence changes printed quietly, typing never printed, away again after a reconnect."""

from __future__ import annotations

import pytest

from chat_server import ChatServer, ServerConfig
from tests.integration.test_terminal_client import terminals  # noqa: F401  (the fixture)

pytestmark = pytest.mark.usefixtures("no_server_errors")


def test_away_and_back_from_the_terminal_and_others_presence_printed_quietly(server, terminals, wire):  # noqa: F811
    ann = terminals(server.address, "--nick", "ann", "--room", "lab")
    ann.expect(r"You joined #lab")
    bob = wire(server, "bob", "lab")

    ann.type("/away gone to lunch")
    frame = bob.expect("presence")
    assert (frame["user"], frame["status"], frame["text"]) == ("ann", "away", "gone to lunch")
    ann.expect(r'^\[\d\d:\d\d:\d\d\] \* ann is away: "gone to lunch"$')
    ann.type("/back")
    assert bob.expect("presence")["status"] == "online"
    ann.expect(r"^\[\d\d:\d\d:\d\d\] \* ann is back$")

    bob.send("TYPING")
    bob.send("AWAY")
    bob.send("SAY still here")
    ann.expect(r"^\[\d\d:\d\d:\d\d\] \* bob is away$")
    ann.expect(r"#lab <bob> still here$")
    assert not [line for line in ann.lines if "typing" in line]
    assert ann.finish() == 0


def test_the_terminal_is_away_again_after_the_server_restarts(start_server, terminals, wire):  # noqa: F811
    first = start_server()
    ann = terminals(first.address, "--nick", "ann", "--room", "lab")
    ann.expect(r"You joined #lab")
    ann.type("/away in a meeting")
    ann.expect(r"ann is away")
    first.stop()
    ann.expect(r"Connection lost.*Reconnecting by itself")
    second = ChatServer(ServerConfig(host="127.0.0.1", port=first.address[1])).start()
    try:
        watcher = wire(second, "watcher", "lab")
        ann.expect(r"Reconnected to .* as ann in #lab", timeout=20)
        frame = watcher.expect(lambda f: f["type"] == "presence" and f["user"] == "ann")
        assert (frame["status"], frame["text"]) == ("away", "in a meeting")
        assert ann.finish() == 0
    finally:
        second.stop()
