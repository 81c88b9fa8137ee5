"""RESUME across a normal restart of the server (chat_server/resume_handoff.py): a guest takes back their name, room,
private conversation and the right to delete their own messages; nobody else takes the name meanwhile."""

from __future__ import annotations

import os

import pytest

from chat_server.resume_handoff import FILE_NAME
from shared.errors import ErrorCode
from tests.integration.test_resume import token_of

pytestmark = pytest.mark.usefixtures("no_server_errors")


def restarted(start_server, server, *tokens: str):
    """Stop `server` normally and start another on the same data folder; the handoff file exists in between,
    for the server's user alone, without the tokens themselves."""
    folder = server.config.data_dir
    server.stop()
    handoff = os.path.join(folder, FILE_NAME)
    assert os.path.exists(handoff) and os.stat(handoff).st_mode & 0o077 == 0
    with open(handoff, encoding="utf-8") as kept:
        text = kept.read()
    assert tokens and not any(token in text for token in tokens)
    again = start_server(data_dir=folder)
    assert not os.path.exists(handoff), "read once"
    return again


def test_a_guest_takes_back_name_room_private_history_and_own_messages_after_a_restart(start_server, wire):
    server = start_server()
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    alice.send("SAY my answer is 42")
    said = alice.expect(lambda frame: frame.get("content") == "my answer is 42")["id"]
    alice.send("PM bob see you after class")
    alice.expect(lambda frame: frame.get("type") == "private")
    token, bob_token = token_of(alice), token_of(bob)
    server = restarted(start_server, server, token, bob_token)

    thief = wire(server, source="127.0.0.2")  # another computer, during the restart
    assert thief.error("NICK alice") == ErrorCode.NICK_TAKEN
    back = wire(server)
    answer = back.reply(f"RESUME alice {token}")
    assert (answer["type"], answer["nick"], answer["resumed"]) == ("nick", "alice", True)
    assert back.expect("joined")["room"] == "lab"
    back.send("HISTORY @bob")
    private = back.expect(lambda frame: frame.get("type") == "private")
    assert private["content"] == "see you after class"
    back.send(f"DELETE {said}")
    assert back.expect(lambda frame: frame.get("type") in ("deleted", "error"))["type"] == "deleted"
    bob_back = wire(server)
    assert bob_back.reply(f"RESUME bob {bob_token}")["resumed"] is True


def test_an_old_or_wrong_token_is_refused_after_a_restart(start_server, wire):
    server = start_server()
    alice = wire(server, "alice", "lab")
    token = token_of(alice)
    server = restarted(start_server, server, token)
    intruder = wire(server)
    for wrong in [token[:-1], token + "x", token.upper()]:
        assert intruder.error(f"RESUME alice {wrong}") == ErrorCode.BAD_LOGIN
    assert wire(server).reply(f"RESUME alice {token}")["resumed"] is True


def test_a_quit_before_the_restart_hands_nothing_on(start_server, wire):
    server = start_server()
    alice = wire(server, "alice", "lab")
    token = token_of(alice)
    alice.send("QUIT bye")
    alice.rest_until_closed()
    folder = server.config.data_dir
    server.stop()
    assert not os.path.exists(os.path.join(folder, FILE_NAME))
    server = start_server(data_dir=folder)
    assert wire(server).error(f"RESUME alice {token}") == ErrorCode.BAD_LOGIN
