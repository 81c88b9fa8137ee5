"""A real server with a data folder it cannot write or a damaged database: it chats on, warns once, and says what it lost."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.integration.history_wire import answer, ids, join_with_replay, say_many
from tests.integration.test_headless_script import ScriptRun
from tests.integration.wire import DEADLINE, WireClient
from tests.support import fill_disk, wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

POSIX = os.name == "posix"


def storage_warnings(caplog) -> list[str]:
    """The server's warnings but the TLS certificate's own (an unwritable folder also means a certificate for this
    run only: docs/encryption.md; tests/unit/test_certificate.py tests that one) and the one about a database file
    this test wrote with the umask's mode (tests/integration/test_storage_start.py tests that one)."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING
        and r.name.startswith("chat_server")
        and not r.getMessage().startswith("TLS certificate:")
        and "other users of this computer can reach" not in r.getMessage()
    ]


def keeps_chatting(server, wire) -> list[int]:
    """Two people talk; a third joins and gets the replay; HISTORY and SEARCH answer. Returns the ids said."""
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    sent = ids(say_many(alice, 5, "word"))
    assert [bob.expect("message")["id"] for _ in range(5)] == sent
    carol = wire(server, "carol", replays=True)
    _, replayed, _ = join_with_replay(carol, "lab")
    assert ids(replayed) == sent
    messages, closing = answer(carol, "HISTORY 3")
    assert (ids(messages), closing["more"]) == (sent[-3:], True)
    carol.send("SEARCH word4")
    assert [r["id"] for r in carol.expect("search")["results"]] == [sent[-1]]
    return sent


def _read_only_tmpfs(tmp_path: Path) -> Path:
    if not POSIX or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a read-only filesystem needs root")
    point = tmp_path / "ro"
    point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(point)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    return point


@pytest.mark.parametrize("kind", ["a file in the way", "a read-only filesystem", "a folder without permission"])
def test_an_unwritable_data_folder_keeps_the_chat_going_in_memory(start_server, wire, tmp_path, caplog, kind):
    caplog.set_level(logging.WARNING)
    mounted = None
    if kind == "a file in the way":
        (tmp_path / "a-file").write_text("not a folder")
        folder = tmp_path / "a-file" / "data"
    elif kind == "a read-only filesystem":
        mounted = _read_only_tmpfs(tmp_path)
        folder = mounted / "classchat"
    else:
        if not POSIX or os.geteuid() == 0:
            pytest.skip("root writes in any folder (test_storage_faults.py covers this as another user)")
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o500)
    try:
        server = start_server(data_dir=str(folder))
        info = server.history_info()
        assert info.state == "memory" and info.path is None
        assert "memory only" in info.describe()
        warnings = storage_warnings(caplog)
        assert len(warnings) == 1 and "memory only" in warnings[0] and str(folder) in warnings[0], warnings
        keeps_chatting(server, wire)
        assert server.history_info().messages == 5
        assert storage_warnings(caplog) == warnings  # chatting added no more warnings
        server.stop()
        assert "5 messages not saved" in server.storage.status().describe()
    finally:
        if mounted is not None:
            subprocess.run(["umount", "-l", str(mounted)], capture_output=True)
        if kind == "a folder without permission":
            folder.chmod(0o700)


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_database_is_set_aside_and_the_chat_goes_on_with_a_fresh_one(
    start_server, wire, tmp_path, caplog, damage
):
    folder = tmp_path / "data"
    highest = 0
    if damage == "garbage":
        folder.mkdir()
        (folder / "classchat.db").write_bytes(os.urandom(50_000))
    else:
        first = start_server(data_dir=str(folder), rate_per_second=0)
        highest = ids(say_many(wire(first, "old", "lab"), 400, "x" * 200))[-1]
        first.stop()
        database = folder / "classchat.db"
        database.write_bytes(database.read_bytes()[: database.stat().st_size // 2])
    caplog.set_level(logging.WARNING)
    server = start_server(data_dir=str(folder))
    warnings = storage_warnings(caplog)
    assert len(warnings) == 1 and "damaged" in warnings[0], warnings
    info = server.history_info()
    assert info.state == "ok" and info.path == str(folder / "classchat.db")
    assert "was damaged" in info.status and "started a fresh one" in info.status  # what it lost, for the admin
    assert list(folder.glob("classchat.db.corrupt-*")), "the damaged file was not kept aside"
    sent = keeps_chatting(server, wire)
    assert sent[0] > highest  # ids go on after what the damaged file showed, or from the clock if it shows nothing
    server.storage.flush()
    assert server.history_info().messages == 5


def test_a_disk_that_fills_up_while_chatting_keeps_the_chat_going(start_server, wire, tmp_path, caplog):
    if not POSIX or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a small filesystem to fill needs root")
    point = tmp_path / "small"
    point.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(point)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    server = None
    try:
        server = start_server(data_dir=str(point / "classchat"), rate_per_second=0)
        filler = point / "filler"
        fill_disk(filler)  # what is left of the disk
        caplog.set_level(logging.WARNING)
        alice = wire(server, "alice", "lab")
        sent = ids(say_many(alice, 300, "y" * 1500))
        bob = wire(server, "bob", replays=True)
        _, replayed, _ = join_with_replay(bob, "lab")
        assert ids(replayed) == sent[-50:]
        messages, _ = answer(bob, f"HISTORY BEFORE {sent[-50]} 100")
        assert ids(messages) == sent[-150:-50]
        wait_until(lambda: server.history_info().state == "retrying", timeout=15)
        # The writer logs its warning just after it sets the state, on its own thread.
        wait_until(lambda: "cannot write" in " ".join(storage_warnings(caplog)), timeout=5)
        filler.unlink()  # space again: everything waiting is written
        assert server.storage.flush(timeout=30)
        wait_until(lambda: server.history_info().state == "ok", timeout=15)
        assert server.history_info().messages == 300
    finally:
        if server is not None:
            server.stop()
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def test_a_database_locked_by_another_program_while_chatting_keeps_the_chat_going(
    start_server, wire, tmp_path, caplog, monkeypatch
):
    monkeypatch.setattr("chat_server.storage.database.BUSY_TIMEOUT", 0.1)
    folder = tmp_path / "data"
    server = start_server(data_dir=str(folder), rate_per_second=0)
    caplog.set_level(logging.WARNING)
    other = sqlite3.connect(folder / "classchat.db", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        dora = wire(server, "dora", "notes")
        early = ids(say_many(dora, 120, "early"))
        wait_until(lambda: server.history_info().state == "retrying", message="the writer never met the lock")
        assert "locked by another program" in server.history_info().status
        sent = keeps_chatting(server, wire)
        erin = wire(server, "erin", "lab")
        messages, closing = answer(erin, f"HISTORY #notes AFTER {early[0]} 100")
        assert ids(messages) == early[1:101] and closing["more"] is True
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert server.storage.flush(timeout=30)
    wait_until(lambda: server.history_info().state == "ok", message="the writer did not catch up")
    assert server.history_info().messages == 125
    assert any("locked" in warning for warning in storage_warnings(caplog))
    server.stop()
    kept = sqlite3.connect(folder / "classchat.db")
    try:
        assert kept.execute("SELECT max(id) FROM messages").fetchone()[0] == sent[-1]
    finally:
        kept.close()


@pytest.mark.skipif(not POSIX, reason="SIGKILL")
def test_a_server_killed_mid_flood_comes_back_says_what_it_lost_and_never_reuses_an_id(tmp_path):
    folder = tmp_path / "data"
    clients: list[WireClient] = []

    def connect(run: ScriptRun, nick: str, room: str | None = None, replays: bool = False) -> WireClient:
        clients.append(WireClient(run.address(), replays=replays))
        return clients[-1].register(nick, room)

    first = ScriptRun("--port", "0", "--rate", "0", "--data-dir", str(folder))
    second = None
    try:
        alice = connect(first, "alice", "lab")
        bob = connect(first, "bob", "lab")
        for number in range(3000):
            alice.send(f"SAY flood {number}")
        seen = [bob.expect("message")["id"] for _ in range(1500)]  # mid-flood: half of it has reached bob
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(DEADLINE)
        first.end()
        # --rate 0: dave pages through up to 30 pages of 100 as fast as they come, which can go past the
        # default 10 commands a second (burst 30): one page was refused `rate_limited` in a full run.
        second = ScriptRun("--port", "0", "--rate", "0", "--data-dir", str(folder))
        banner = second.wait_for_line(r"^History: .*").group(0)
        assert "stopped without closing it" in banner and "were not saved" in banner, banner
        carol = connect(second, "carol", replays=True)
        _, replayed, _ = join_with_replay(carol, "lab")
        kept: list[int] = []
        dave = connect(second, "dave")
        while True:  # every kept message of the room, paged from the first
            page, closing = answer(dave, f"HISTORY #lab AFTER {kept[-1] if kept else 0} 100")
            kept += ids(page)
            if not closing["more"]:
                break
        assert kept == list(range(seen[0], seen[0] + len(kept)))  # a prefix of what was said: no hole
        assert ids(replayed) == kept[-50:]
        # The welcome names the ids handed out and never written, so clients say "not saved", not "deleted".
        welcome = next(frame for frame in carol.received if frame["type"] == "welcome")
        low, high = welcome["unsaved_ids"]
        assert low == (kept[-1] if kept else 0) + 1 and high >= max(seen)
        assert all(low <= number <= high for number in set(seen) - set(kept))
        carol.send("SAY after the crash")
        new_id = carol.expect(lambda f: f["type"] == "message" and not f.get("history"))["id"]
        assert new_id > max([*seen, *kept])  # never an id someone saw before the kill
        assert new_id > (kept[-1] if kept else 0) + 1_000_000  # past whatever the writer may have held
    finally:
        for client in clients:
            client.close()
        first.end()
        if second is not None:
            assert "Traceback" not in second.end()


@pytest.mark.skipif(not POSIX, reason="SIGKILL")
@pytest.mark.parametrize("flood", [0, 2000])
def test_a_deletion_confirmed_just_before_a_kill_stays_deleted(tmp_path, flood):
    """`deleted` goes out only once the deletion is on disk, even while the writer is busy with a flood."""
    folder = tmp_path / "data"
    clients: list[WireClient] = []

    def connect(run: ScriptRun, nick: str, room: str | None = None, replays: bool = False) -> WireClient:
        clients.append(WireClient(run.address(), replays=replays))
        return clients[-1].register(nick, room)

    first = ScriptRun("--port", "0", "--rate", "0", "--data-dir", str(folder))
    second = None
    try:
        bob = connect(first, "bob", "lab")
        victims = ids(say_many(bob, 3, "oops"))
        first_flood = connect(first, "alice", "noise")
        for number in range(flood):
            first_flood.send(f"SAY noise {number}")
        for victim in victims:
            bob.send(f"DELETE {victim}")
        confirmed = [bob.expect("deleted")["id"] for _ in victims]
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(DEADLINE)
        assert confirmed == victims
        first.end()
        second = ScriptRun("--port", "0", "--data-dir", str(folder))
        carol = connect(second, "carol", replays=True)
        _, replayed, _ = join_with_replay(carol, "lab")
        assert not set(ids(replayed)) & set(victims)
        page, _ = answer(connect(second, "dave"), "HISTORY #lab AFTER 0")
        assert not set(ids(page)) & set(victims)
        carol.send("SEARCH oops")
        assert carol.expect("search")["results"] == []
    finally:
        for client in clients:
            client.close()
        first.end()
        if second is not None:
            assert "Traceback" not in second.end()
