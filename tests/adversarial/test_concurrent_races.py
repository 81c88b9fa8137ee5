"""Two people acting on the same room or name at the same moment (found by a concurrent race probe, review 8).

A real server on port 0 with a real SQLite file; students connect from
127.0.0.2, standing for other computers.  A race needs one command to be
inside its slow part (done with the registry lock released: a disk read, a
hash) while another command changes what the first one checked.  Waiting
for the right instant by chance would make a test that rarely fails, so a
test holds the slow part at its start: the server's own disk read is
wrapped to say it began and to wait until the test lets it go on.  Nothing
of the server is replaced; only the moment is chosen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from chat_server.console import AdminConsole
from chat_server.handlers import room_settings
from shared.errors import ErrorCode
from tests.integration.wire import DEADLINE, WireClient

pytestmark = pytest.mark.usefixtures("no_server_errors")


class HeldRead:
    """Wraps a store method so each call says it started and waits for `release` (deadline-bound) before it runs."""

    def __init__(self, method: Callable[..., object]) -> None:
        self.method = method
        self.started = threading.Event()
        self.go_on = threading.Event()

    def __call__(self, *args: object, **kwargs: object) -> object:
        self.started.set()
        assert self.go_on.wait(DEADLINE), "the test never let the held read go on"
        return self.method(*args, **kwargs)

    def wait_started(self) -> None:
        assert self.started.wait(DEADLINE), "the command never reached its disk read"


def _room_needing_the_disk(server, wire, room: str) -> WireClient:
    """The owner in `room` with more messages than the replay can take from memory, so each JOIN reads the disk."""
    owner = wire(server, "alice", room)
    for number in range(server.config.replay + 5):
        owner.send(f"SAY line {number}")
    last = f"line {server.config.replay + 4}"
    owner.expect(lambda frame: frame["type"] == "message" and frame["content"] == last)
    return owner


def test_a_key_set_while_a_join_reads_the_replay_keeps_the_joiner_out(start_server, wire, monkeypatch):
    server = start_server(replay=100, rate_per_second=1000, rate_burst=1000)
    owner = _room_needing_the_disk(server, wire, "lab")
    student = wire(server, "bob", source="127.0.0.2")
    held = HeldRead(server.storage.messages.load_recent)
    monkeypatch.setattr(server.storage.messages, "load_recent", held)
    student.send("JOIN lab")
    held.wait_started()  # the student's JOIN is reading the room's last messages, lock released
    owner.send("KEY lab-secret-1")
    assert owner.expect(lambda frame: frame.get("event") == "key", timeout=DEADLINE)["locked"] is True
    held.go_on.set()
    answer = student.expect(lambda frame: frame["type"] in ("joined", "error"))
    assert answer["type"] == "error" and answer["code"] == ErrorCode.BAD_ROOM_KEY, answer
    with server.registry.lock:
        members = [member.nick for member in server.registry.rooms["lab"].members]
    assert members == ["alice"], members
    student.send("JOIN lab lab-secret-1")  # with the key the student gets in, replay and all
    joined = student.expect("joined")
    assert joined["locked"] is True and joined["users"] == ["alice", "bob"], joined


@pytest.mark.parametrize(
    ("command", "store_method"),
    [("HISTORY #lab AFTER {first}", "page"), ("SEARCH #lab plan", "search")],
    ids=["history", "search"],
)
def test_an_outsiders_read_that_waited_while_the_room_was_locked_shows_nothing_said_behind_the_key(
    start_server, wire, monkeypatch, command, store_method
):
    """A page waits its computer's turn (up to 5 s) before it is read; the room must still be readable then."""
    server = start_server()
    owner = wire(server, "alice", "lab")
    member = wire(server, "carol", "lab", source="127.0.0.4")
    owner.send("SAY the plan before the key")
    first = owner.expect(lambda frame: frame["type"] == "message" and frame["content"] == "the plan before the key")
    outsider = wire(server, "spy", source="127.0.0.3")
    store = server.storage.messages
    held = HeldRead(getattr(store, store_method))
    monkeypatch.setattr(store, store_method, held)
    outsider.send(command.format(first=first["id"]))
    held.wait_started()  # allowed when asked: #lab had no key yet
    owner.send("KEY lab-secret-2")
    owner.expect(lambda frame: frame.get("event") == "key")
    member.send("SAY the secret plan behind the key")
    member.expect(lambda frame: frame["type"] == "message" and "behind the key" in frame["content"])
    assert server.storage.flush(DEADLINE)  # on disk, so a search would find it
    held.go_on.set()
    answer = outsider.expect(lambda frame: frame["type"] in ("history", "search", "error"))
    seen = [frame.get("content") for frame in outsider.received if frame["type"] == "message"]
    seen += [result["content"] for result in answer.get("results", [])]
    assert "the secret plan behind the key" not in seen, seen
    assert answer["type"] == "error" and answer["code"] == ErrorCode.BAD_ROOM_KEY, answer


@pytest.mark.parametrize(
    ("admin_command", "refusal"),
    [("/owner study none", ErrorCode.NOT_ALLOWED), ("/mute bob", ErrorCode.MUTED)],
    ids=["room-given-away", "owner-muted"],
)
def test_a_key_whose_hash_was_overtaken_by_the_admin_is_not_set(
    start_server, wire, monkeypatch, admin_command, refusal
):
    """KEY hashes the key off the lock; the owner may have lost the room, or been muted, by the time it is done."""
    server = start_server()
    owner = wire(server, "bob", "study", source="127.0.0.2")
    member = wire(server, "carol", "study", source="127.0.0.4")
    held = HeldRead(room_settings.hash_room_key)
    monkeypatch.setattr(room_settings, "hash_room_key", held)
    owner.send("KEY bob-keeps-out-1")
    held.wait_started()
    answer = AdminConsole(server).execute(admin_command)
    assert "study" in answer or "bob" in answer, answer
    held.go_on.set()
    refused = owner.expect(lambda frame: frame["type"] == "error" or frame.get("event") == "key")
    assert refused["type"] == "error" and refused["code"] == refusal, refused
    with server.registry.lock:
        assert not server.registry.rooms["study"].locked
    member.send("LEAVE")
    member.expect("left")
    member.send("JOIN study")  # no key needed: none was set
    assert member.expect("joined")["locked"] is False
