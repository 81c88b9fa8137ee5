"""A data folder restored from a backup or brought from another computer, on real servers: the start says so."""

from __future__ import annotations

import os
import shutil
import signal
import threading

import pytest

from tests.integration.test_headless_script import ScriptRun
from tests.integration.wire import DEADLINE, WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

COPY_WARNING = "classchat.db is a copy"


def started(folder, stop: bool = False) -> str:
    """Start a server on `folder`, let one client in, kill it (as a crash would) or with `stop` stop it as the
    teacher does (which leaves no write-ahead log beside the database); return its log."""
    run = ScriptRun("--port", "0", "--data-dir", str(folder))
    try:
        client = WireClient(run.address())
        client.register("alice")
        client.close()
        if stop:
            run.process.send_signal(signal.SIGTERM)
            assert run.process.wait(DEADLINE) == 0
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


def test_a_backup_copied_over_the_old_file_in_place_is_noticed_too(tmp_path):
    """The same restore, but the backup's classchat.db is copied over the old file (the same file, new contents):
    the inode is the old one, the token beside the file is newer than the one inside it."""
    folder = tmp_path / "data"
    started(folder, stop=True)
    backup = tmp_path / "backup.db"
    shutil.copyfile(folder / "classchat.db", backup)  # while the server is stopped
    assert COPY_WARNING not in started(folder, stop=True)  # a lesson after the backup
    inode = os.stat(folder / "classchat.db").st_ino
    shutil.copyfile(backup, folder / "classchat.db")  # the restore, in place
    assert os.stat(folder / "classchat.db").st_ino == inode
    log = started(folder, stop=True)
    assert COPY_WARNING in log and "bans lifted, passwords reset and accounts deleted since then are back" in log
    assert COPY_WARNING not in started(folder, stop=True)  # said once


def test_another_servers_database_copied_in_place_is_noticed(tmp_path):
    """A colleague's classchat.db copied over this folder's file: its token is not the one beside the file."""
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    started(mine, stop=True)
    started(theirs, stop=True)
    shutil.copyfile(theirs / "classchat.db", mine / "classchat.db")
    assert COPY_WARNING in started(mine, stop=True)


def test_a_missing_damaged_or_odd_token_file_is_no_copy(tmp_path):
    """Only a copy the server can prove is reported: no token beside the file, one it cannot read, a named pipe
    in its place (which must not stop the start) or a folder there says nothing, and the next start is quiet."""
    folder = tmp_path / "data"
    token = folder / "classchat.db-token"
    started(folder, stop=True)
    assert token.is_file() and len(token.read_text().strip()) == 32
    token.unlink()
    assert COPY_WARNING not in started(folder, stop=True)
    token.write_bytes(b"\xff\x00 not a token " * 10)
    assert COPY_WARNING not in started(folder, stop=True)
    token.unlink()
    os.mkfifo(token)
    assert COPY_WARNING not in started(folder, stop=True)
    assert token.is_file()  # the pipe was replaced by a token file
    token.unlink()
    token.mkdir()
    assert COPY_WARNING not in started(folder, stop=True)
    token.rmdir()
    assert COPY_WARNING not in started(folder, stop=True)
    assert COPY_WARNING not in started(folder, stop=True)


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
