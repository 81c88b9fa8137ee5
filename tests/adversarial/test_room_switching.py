"""Going back to a room is not making one: the new-rooms limit counts only really new rooms (handlers/room_entry.py).

Found by a probe: a student switching between two quiet rooms (nobody
else in them, nothing kept, so each emptied room lost its record) was told
"You made 10 new rooms in 10 minutes" on the 11th switch and could not
change rooms for ten minutes; rooms with 12,500 kept messages but no
record counted as new too.  The student is another computer (127.0.0.9).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chat_server.identity.service import NEW_ROOMS_PER_ADDRESS
from shared.errors import ErrorCode
from tests.integration.wire import WireClient

pytestmark = pytest.mark.usefixtures("no_server_errors")

STUDENT = "127.0.0.9"


def join(client: WireClient, room: str) -> dict:
    client.send(f"JOIN {room}")
    return client.expect(lambda frame: frame["type"] in ("joined", "error"))


def test_switching_back_and_forth_between_two_quiet_rooms_never_runs_out(server):
    amira = WireClient(server.address, source=STUDENT).register("amira")
    for switch in range(2 * NEW_ROOMS_PER_ADDRESS + 2):  # within the connection's own burst of commands
        room = ("maths", "physics")[switch % 2]
        assert join(amira, room)["type"] == "joined", switch
    # the limit still holds for rooms that are really new: two made, eight more, then refused (from the same
    # computer; another connection, so that its own command rate is not what refuses)
    again = WireClient(server.address, source=STUDENT).register("amira2")
    for number in range(NEW_ROOMS_PER_ADDRESS - 2):
        assert join(again, f"group{number}")["type"] == "joined"
    refused = join(again, "one_too_many")
    assert refused.get("code") == ErrorCode.RATE_LIMITED, refused


def test_rooms_with_kept_messages_but_no_record_are_not_new(start_server, tmp_path):
    """A database whose rooms lost their records (or from before the rooms table): read from disk after a restart."""
    data = tmp_path / "data"
    rooms = [f"old{number}" for number in range(NEW_ROOMS_PER_ADDRESS + 3)]
    first = start_server(data_dir=str(data))
    local = WireClient(first.address).register("keeper")
    for room in rooms:
        assert join(local, room)["type"] == "joined"
        local.send(f"SAY kept in {room}")
        local.expect("message")
    local.close()
    first.stop()
    [database] = list(Path(data).glob("*.db"))
    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM rooms")
    db.close()
    second = start_server(data_dir=str(data))
    amira = WireClient(second.address, source=STUDENT, replays=True).register("amira")
    for room in rooms:
        assert join(amira, room)["type"] == "joined", room
        replayed = amira.expect(lambda frame: frame["type"] == "message" and frame.get("history"))
        assert replayed["content"] == f"kept in {room}"
    assert join(amira, "really_new")["type"] == "joined"  # and the allowance for new ones is still whole
