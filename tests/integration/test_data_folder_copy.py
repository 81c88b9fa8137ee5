"""A data folder restored from a backup or brought from another computer, on real servers: the start says so."""

from __future__ import annotations

import shutil
import threading

import pytest

from tests.integration.test_headless_script import ScriptRun
from tests.integration.wire import WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

COPY_WARNING = "classchat.db is a copy"


def started(folder) -> str:
    """Start a server on `folder`, let one client in, kill it (as a crash would); return its log."""
    run = ScriptRun("--port", "0", "--data-dir", str(folder))
    try:
        client = WireClient(run.address())
        client.register("alice")
        client.close()
    finally:
        log = run.end()
    assert "Traceback" not in log
    return log


def test_a_restored_copy_of_the_data_folder_says_what_it_brings_back_once(tmp_path):
    """The teacher restores last week's backup: bans lifted and passwords reset since are back, and she is told."""
    folder = tmp_path / "data"
    assert COPY_WARNING not in started(folder)  # a new folder
    backup = tmp_path / "backup"
    shutil.copytree(folder, backup)  # while the server is stopped, as docs/admin.md says
    assert COPY_WARNING not in started(folder)  # the same file again
    shutil.rmtree(folder)
    shutil.copytree(backup, folder)  # the restore
    log = started(folder)
    assert COPY_WARNING in log and "bans lifted, passwords reset and accounts deleted since then are back" in log
    assert COPY_WARNING not in started(folder)  # said once: the copy is the folder's file from now on


REPLACED_ERROR = "classchat.db was replaced or removed while the server runs"


def test_a_backup_put_in_place_while_the_server_runs_is_reported(tmp_path):
    """The teacher restores a backup without stopping the server first: the server says so, as an error."""
    folder = tmp_path / "data"
    started(folder)
    shutil.copytree(folder, tmp_path / "backup")
    run = ScriptRun("--port", "0", "--data-dir", str(folder))
    log: list[str] = []
    assert run.process.stderr is not None
    reader = threading.Thread(target=lambda: log.extend(run.process.stderr), daemon=True)  # type: ignore[arg-type]
    reader.start()
    try:
        client = WireClient(run.address())
        alice = client.register("alice", "lab")
        (tmp_path / "backup" / "classchat.db").replace(folder / "classchat.db")  # a file manager's copy
        alice.send("SAY after the restore")  # the writer looks in the quiet after writes, and every minute
        alice.expect("message")
        wait_until(lambda: any(REPLACED_ERROR in line for line in log), timeout=20, message="the error logged")
        client.close()
    finally:
        run.process.kill()
        reader.join(10)
        run.end()
    assert any(f"ERROR chat_server.storage: storage: {REPLACED_ERROR}" in line for line in log)


def test_a_restore_that_left_an_empty_database_file_says_so(tmp_path):
    """The disk filled up as the backup was copied back: classchat.db is there but empty. SQLite took it for a new
    database and the term started again without a word; now the start says the file was empty."""
    folder = tmp_path / "data"
    assert "was an empty file" not in started(folder)  # a new folder is no news
    (folder / "classchat.db").write_bytes(b"")
    for leftover in ("classchat.db-wal", "classchat.db-shm"):
        (folder / leftover).unlink(missing_ok=True)
    log = started(folder)
    assert "was an empty file (a copy or restore that did not finish? a full disk?)" in log
    assert "no accounts, bans, room keys or messages came from it" in log
    assert "was an empty file" not in started(folder)
