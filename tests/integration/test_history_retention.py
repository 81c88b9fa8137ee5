"""Retention (--history-days) and deletion over a restart, on real servers: what is too old or deleted never comes back.

Old messages are written into the data folder with the store itself (a
server cannot be made to send a message 40 days ago), then a real server
opens that folder.
"""

from __future__ import annotations

import datetime
import sqlite3
import time
from pathlib import Path

import pytest

from chat_server.console import AdminConsole
from chat_server.storage import StoredMessage, open_storage
from tests.integration.history_wire import answer, ids, join_with_replay, say_many
from tests.integration.shifted_clock import ShiftedClock
from tests.integration.wire import WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

DAY_MS = 86_400_000


def kept_on_disk(folder: Path) -> list[int]:
    connection = sqlite3.connect(folder / "classchat.db")
    try:
        return [row[0] for row in connection.execute("SELECT id FROM messages ORDER BY id")]
    finally:
        connection.close()


def old_and_recent(folder: Path) -> tuple[list[int], list[int]]:
    """Ids 1-4 sent 40 days ago (three in #lab, one private alice -> bob), 5-7 sent yesterday in #lab."""
    now = int(time.time() * 1000)
    old = now - 40 * DAY_MS
    recent = now - DAY_MS
    with open_storage(folder) as storage:
        for number in (1, 2, 3):
            storage.messages.append(StoredMessage.public(number, "lab", "alice", f"ancient walrus {number}", old))
        storage.messages.append(StoredMessage.private(4, "alice", "bob", "ancient walrus secret", old))
        for number in (5, 6, 7):
            storage.messages.append(StoredMessage.public(number, "lab", "alice", f"recent walrus {number}", recent))
    return [1, 2, 3, 4], [5, 6, 7]


@pytest.mark.parametrize("days", [30, 7])
def test_messages_older_than_history_days_are_never_shown_and_are_purged(start_server, wire, tmp_path, days):
    folder = tmp_path / "data"
    old, recent = old_and_recent(folder)
    server = start_server(data_dir=str(folder), history_days=days)
    bob = wire(server, "bob", replays=True)
    _, replayed, closing = join_with_replay(bob, "lab")
    assert (ids(replayed), closing["more"]) == (recent, False)
    messages, closing = answer(bob, f"HISTORY BEFORE {recent[0]}")
    assert (messages, closing["more"]) == ([], False)
    outside = wire(server, "dave")
    messages, _ = answer(outside, "HISTORY #lab AFTER 0")
    assert ids(messages) == recent
    bob.send("SEARCH walrus")
    assert [r["id"] for r in bob.expect("search")["results"]] == recent[::-1]
    forty_days_ago = datetime.date.today() - datetime.timedelta(days=40)
    export = tmp_path / "old.txt"
    answer_text = AdminConsole(server).execute(
        f"/export lab {forty_days_ago - datetime.timedelta(days=1)} today {export}"
    )
    assert answer_text == f"Wrote 3 messages of #lab to {export}."
    assert "ancient" not in export.read_text(encoding="utf-8")
    bob.send("SAY new")
    new = bob.expect("message")["id"]
    assert new > recent[-1]  # ids go on after the newest kept (from the clock: server.py)
    server.storage.purge_now()
    # The new line may reach the writer after the purge: wait for both, not just the purge.
    wait_until(lambda: kept_on_disk(folder) == [*recent, new], timeout=20, message="the old rows were not purged")
    assert server.history_info().messages == 4


def test_history_days_0_keeps_everything(start_server, wire, tmp_path):
    folder = tmp_path / "data"
    old, recent = old_and_recent(folder)
    server = start_server(data_dir=str(folder), history_days=0)
    bob = wire(server, "bob", replays=True)
    _, replayed, _ = join_with_replay(bob, "lab")
    assert ids(replayed) == [1, 2, 3, *recent]
    bob.send("SEARCH ancient")
    assert [r["id"] for r in bob.expect("search")["results"]] == [3, 2, 1]  # not 4: bob took his name later
    server.storage.purge_now()
    server.storage.flush()
    assert kept_on_disk(folder) == [*old, *recent]
    assert "kept (forever)" in server.history_info().describe()


@pytest.mark.parametrize("how", ["by the sender", "by the admin", "cleared by the admin"])
def test_deleted_messages_stay_gone_after_a_restart(start_server, wire, tmp_path, how):
    folder = str(tmp_path / "data")
    server = start_server(data_dir=folder)
    alice = wire(server, "alice", "lab")
    sent = ids(say_many(alice, 4, "okapi"))
    alice.send("PM bob-not-here hi")  # nobody of that name: an error, nothing kept
    alice.expect("error")
    victims = sent if how == "cleared by the admin" else sent[1:3]
    if how == "by the sender":
        for victim in victims:
            alice.send(f"DELETE {victim}")
            assert alice.expect("deleted")["id"] == victim
    elif how == "by the admin":
        for victim in victims:
            server.delete_message(victim)
            assert alice.expect("deleted")["id"] == victim
    else:
        server.clear_history("lab")
        notice = alice.expect(lambda f: f["type"] == "system" and f.get("event") == "history_cleared")
        assert notice["upto"] == max(sent), "the notice says up to which message the history went"
    server.stop()  # at once: the deletions are written on the way out

    again = start_server(data_dir=folder)
    carol = wire(again, "carol", replays=True)
    _, replayed, _ = join_with_replay(carol, "lab")
    survivors = [message_id for message_id in sent if message_id not in victims]
    assert ids(replayed) == survivors
    messages, _ = answer(wire(again, "dave"), "HISTORY #lab AFTER 0")  # from outside: the whole room
    assert ids(messages) == survivors
    carol.send("SEARCH okapi")
    assert [r["id"] for r in carol.expect("search")["results"]] == survivors[::-1]
    carol.send("SAY next")
    assert carol.expect("message")["id"] > sent[-1]  # a deleted id is never given out again


def test_messages_said_while_the_server_s_clock_says_1970_stay_in_the_history_once_it_is_set_right(tmp_path):
    """A dead CMOS battery: the clock falls back to 1970 mid-lesson, then NTP sets it right; nothing said vanishes."""
    clock = ShiftedClock(tmp_path / "clock")
    run = clock.run("--port", "0", "--data-dir", str(tmp_path / "data"))
    clients: list[WireClient] = []
    try:
        clients.append(WireClient(run.address()))
        alice = clients[-1].register("alice", "lab")
        before = say_many(alice, 2, "before")
        clock.set(3600.0 - time.time())  # an hour after the epoch
        during = say_many(alice, 3, "during")
        times = [frame["time"] for frame in before + during]
        assert times == sorted(times) and not any(t.startswith("1970") for t in times), times
        clock.set(0.0)
        clients.append(WireClient(run.address()))
        bob = clients[-1].register("bob")
        messages, _ = answer(bob, "HISTORY #lab AFTER 0")
        assert ids(messages) == ids(before + during)
    finally:
        for client in clients:
            client.close()
        assert "Traceback" not in run.end()
