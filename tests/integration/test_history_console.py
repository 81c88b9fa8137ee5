"""The console's history commands (/delete, /clear, /export, /history-info) on real servers and real clients.

Also what the headless server's banner says when its history cannot be kept on disk.
"""

from __future__ import annotations

import datetime
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chat_server.console import AdminConsole
from tests.integration.history_wire import answer, ids, say_many
from tests.integration.test_console import ROOT, HeadlessServer, frame_where
from tests.support import connect_client, stop_process

pytestmark = pytest.mark.usefixtures("no_server_errors")


def today() -> str:
    """Read when used, not at import: a run that passes midnight must not compare with yesterday."""
    return datetime.date.today().isoformat()


def test_console_history_commands_through_stdin(tmp_path: Path) -> None:
    headless = HeadlessServer()
    clients = []
    try:
        alice = connect_client(headless.address, "alice", "physics")
        bob = connect_client(headless.address, "bob", "physics")
        clients += [alice, bob]
        for text in ("first", "second", "third"):
            alice.send_command(f"SAY {text}")
            frame_where(bob, "message", content=text)
        alice.send_command("MSG bob: private-note")
        frame_where(bob, "private")
        headless.type("/history-info")
        assert "4 messages kept (30 days)" in headless.expect(r"^Database: ")
        second = frame_where(alice, "message", content="second")["id"]
        headless.type("/find physics ECON")
        assert headless.expect(r"found in #physics") == "1 found in #physics, newest first:"
        assert re.fullmatch(rf"  {second}  \d{{4}}-\d\d-\d\d \d\d:\d\d  alice: second", headless.expect(r"alice: "))
        headless.type("/find physics private-note")
        assert headless.expect(r"^Nothing found") == "Nothing found in #physics."
        headless.type(f"/delete {second}")
        assert headless.expect(r"^Deleted message") == f"Deleted message {second} (#physics, from alice)."
        assert frame_where(bob, "deleted")["id"] == second
        target = tmp_path / "lesson.csv"
        headless.type(f"/export #physics today {today()} {target}")
        assert headless.expect(r"^Wrote ") == f"Wrote 2 messages of #physics to {target}."
        text = target.read_text(encoding="utf-8")
        assert "first" in text and "third" in text and "second" not in text and "private-note" not in text
        headless.type("/clear physics")
        assert headless.expect(r"^Cleared") == "Cleared the history of #physics."
        assert frame_where(alice, "system", event="history_cleared")
        alice.send_command("HISTORY")
        assert frame_where(alice, "history")["count"] == 0
    finally:
        for client in clients:
            client.close()
        assert headless.stop() == 0


def test_console_history_commands_answer_usage_and_refusals(server, wire, tmp_path: Path, caplog) -> None:
    caplog.set_level(logging.WARNING, "chat_server")
    console = AdminConsole(server)
    alice = wire(server, "alice", "lab")
    sent = ids(say_many(alice, 2))
    for wrong in ("/delete", "/delete abc", "/delete -1", "/delete 1.5", "/delete ٣"):
        assert console.execute(wrong) == "Usage: /delete ID (the message's id, a whole number)", wrong
    assert console.execute("/delete 999999").startswith("Not done: There is no message 999999")
    assert console.execute("/find lab").startswith("Usage: /find ROOM WORDS")
    assert console.execute("/find lab   ").startswith("Usage: /find ROOM WORDS")
    assert console.execute("/find #bad$name words").startswith("Not done:")
    assert console.execute("/find lab zebra") == "Nothing found in #lab."
    assert console.execute("/clear") == "Usage: /clear ROOM"
    assert console.execute("/clear two words") == "Usage: /clear ROOM"
    assert console.execute("/clear #bad$name").startswith("Not done:")
    assert console.execute("/export lab today").startswith("Usage: /export ROOM FROM TO FILE")
    assert console.execute(f"/export lab 30.11.2026 today {tmp_path / 'a.txt'}").startswith("Not done: '30.11.2026'")
    assert "before it starts" in console.execute(f"/export lab today yesterday {tmp_path / 'a.txt'}")
    assert ".txt, .csv or .html" in console.execute(f"/export lab today today {tmp_path / 'a.pdf'}")
    assert "Cannot write" in console.execute(f"/export lab today today {tmp_path / 'none' / 'a.txt'}")
    assert not list(tmp_path.iterdir())
    assert console.execute(f"/delete {sent[0]}") == f"Deleted message {sent[0]} (#lab, from alice)."
    assert console.execute(f"/delete {sent[0]}").startswith("Not done: There is no message")
    messages, _ = answer(alice, "HISTORY")
    assert ids(messages) == sent[1:]
    target = tmp_path / "with spaces in it.txt"
    assert console.execute(f"/export lab yesterday today {target}") == f"Wrote 1 message of #lab to {target}."
    assert (
        target.read_text(encoding="utf-8").splitlines()[0]
        == f"#lab, {datetime.date.today() - datetime.timedelta(days=1)} to {today()}"
    )


def test_a_room_typed_wrong_or_days_with_nothing_in_them_are_said_and_nothing_is_lost(
    server, wire, tmp_path: Path, caplog
) -> None:
    """Before: `/clear phsyics` answered "Cleared the history of #phsyics." (#physics kept everything), and an
    export of nothing replaced last week's transcript with an empty one ("Wrote 0 messages")."""
    caplog.set_level(logging.WARNING, "chat_server")
    console = AdminConsole(server)
    alice = wire(server, "alice", "physics")
    sent = ids(say_many(alice, 2))
    answer_text = console.execute("/clear phsyics")
    assert answer_text.startswith("Not done: There is no room #phsyics") and "nothing was cleared" in answer_text
    messages, _ = answer(alice, "HISTORY")
    assert ids(messages) == sent
    kept = tmp_path / "lesson.txt"
    kept.write_text("last week", encoding="utf-8")
    for line in (f"/export phsyics today today {kept}", f"/export physics 2020-01-06 2020-01-10 {kept}"):
        said = console.execute(line)
        assert said.startswith("Not done: #") and "no file was written" in said, said
    assert kept.read_text(encoding="utf-8") == "last week" and [p.name for p in tmp_path.iterdir()] == [kept.name]
    assert "from 2020-01-06 to 2020-01-10" in said
    assert "admin cleared" not in caplog.text and "admin exported" not in caplog.text
    alice.send("LEAVE")
    alice.expect("left")
    assert console.execute("/clear physics") == "Cleared the history of #physics."  # kept messages, nobody in it


def test_purge_removes_a_flooders_room_messages_for_everyone_and_leaves_the_rest(server, wire, caplog) -> None:
    caplog.set_level(logging.WARNING, "chat_server")
    console = AdminConsole(server)
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "art")
    troll = wire(server, "troll", "lab", source="127.0.0.2")
    flood = ids(say_many(troll, 5, prefix="spam"))
    troll.send("JOIN art")
    troll.expect("joined")
    flood += ids(say_many(troll, 3, prefix="more-spam"))
    troll.send("MSG alice: a private word")
    private_id = alice.expect("private")["id"]
    kept = ids(say_many(alice, 2, prefix="alice-says"))
    for wrong in ("/purge", "/purge troll ten", "/purge troll 5 6", "/purge troll -5"):
        assert console.execute(wrong).startswith("Usage: /purge NAME [MINUTES]"), wrong
    assert console.execute("/purge troll 0").startswith("Not done: Say how many minutes back")
    assert console.execute("/purge troll 10081").startswith("Not done: Say how many minutes back")

    assert console.execute("/purge TROLL") == "Deleted 8 room messages of TROLL from the last 60 minutes."
    told_alice = {alice.expect("deleted")["id"] for _ in range(5)}
    told_bob = {bob.expect("deleted")["id"] for _ in range(3)}
    assert told_alice | told_bob == set(flood) and told_alice == set(flood[:5])
    messages, _ = answer(alice, "HISTORY")
    assert ids(messages) == kept
    messages, _ = answer(bob, "HISTORY #art")
    assert ids(messages) == []
    messages, _ = answer(alice, "HISTORY @troll")
    assert ids(messages) == [private_id]
    assert console.execute("/purge troll 30") == "Deleted 0 room messages of troll from the last 30 minutes."
    assert "admin deleted 8 room messages of TROLL (the last 60 minutes)" in caplog.text


def test_console_history_commands_with_history_off(start_server, tmp_path: Path) -> None:
    console = AdminConsole(start_server(history=False))
    assert console.execute("/history-info") == "History is off (--no-history): no messages are kept."
    assert console.execute("/delete 1").startswith("Not done: There is no message 1")
    assert console.execute("/purge alice").startswith("Not done: History is off")


def test_the_banner_says_when_history_is_kept_in_memory_only(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("in the way")
    folder = tmp_path / "a-file" / "data"
    process = subprocess.Popen(
        [sys.executable, "-m", "chat_server", "--no-console", "--port", "0", "--data-dir", str(folder)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        banner = []
        for line in process.stdout:  # the banner ends with this line; a dead process ends the loop too
            banner.append(line.rstrip("\n"))
            if line.startswith("Press Ctrl+C"):
                break
        history = [line for line in banner if line.startswith("History: ")]
        assert len(history) == 1 and "memory only" in history[0] and str(folder) in history[0], banner
    finally:
        stop_process(process)
        if process.stdout is not None:
            process.stdout.close()
        if process.stderr is not None:
            warnings = process.stderr.read()
            process.stderr.close()
            assert "Traceback" not in warnings
