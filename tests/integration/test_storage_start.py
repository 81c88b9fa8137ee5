"""A real server whose store is in trouble: a data folder in use, a locked or damaged database, a read-only folder.

Found by a fault probe: in each case the server used to run memory-only or
from a fresh file, and every safeguard went with it (bans lifted, the
teacher's name free for anyone, locked rooms open, kept files announced
again to anyone). Each test keeps a real SQLite file in a temporary data
folder and talks to a real server on port 0.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from chat_server import ChatServer, ServerConfig
from chat_server.storage.folder_lock import FolderBusy
from shared.errors import ErrorCode
from tests.integration.file_wire import ChatLine, offer, share
from tests.integration.identity_support import add_account, login
from tests.integration.test_bans_and_mutes import STUDENT
from tests.integration.test_storage_faults import tmpfs  # noqa: F401  # a fixture
from tests.integration.wire import WireClient
from tests.support import stop_process, wait_until

ROOT = Path(__file__).resolve().parents[2]


def first_run(start_server, data: Path) -> ChatServer:
    """A teacher's account, a ban on mallory, #staffroom locked with a key and 300 messages said there."""
    server = start_server(data_dir=str(data), rate_per_second=0)
    add_account(server, "msmith", "teacher")
    server.ban("mallory", None, "cheating")
    owner = WireClient(server.address)
    login(owner, "msmith")
    owner.send("JOIN staffroom")
    owner.expect("joined")
    assert owner.reply("KEY staffonly", timeout=30)["locked"] is True
    for number in range(1, 301):
        owner.send(f"SAY exam answer {number} " + "x" * 60)
    owner.expect(lambda frame: frame.get("content", "").startswith("exam answer 300 "))
    owner.close()
    assert server.storage.flush()
    return server


def safeguards_hold(server: ChatServer) -> None:
    """The ban, the teacher's name and the room key are what they were."""
    mallory = WireClient(server.address, source=STUDENT)
    mallory.send("NICK mallory")
    assert mallory.expect("error")["code"] == ErrorCode.BANNED
    mallory.close()
    student = WireClient(server.address, source="127.0.0.3")
    student.send("NICK msmith")
    assert student.expect("error")["code"] == ErrorCode.NICK_REGISTERED
    student.register("student1")
    student.send("JOIN staffroom")
    assert student.expect(lambda frame: frame["type"] in ("joined", "error"))["code"] == ErrorCode.BAD_ROOM_KEY
    student.close()
    teacher = WireClient(server.address)
    assert login(teacher, "msmith")["role"] == "teacher"
    teacher.close()


# -- a second server on the same folder --
def test_a_second_server_on_a_data_folder_in_use_refuses_to_start_and_frees_its_port(start_server, tmp_path):
    data = tmp_path / "data"
    first = start_server(data_dir=str(data))
    with pytest.raises(FolderBusy, match=f"in use by another ClassChat server \\(pid {os.getpid()}\\)"):
        ChatServer(ServerConfig(host="127.0.0.1", port=0, data_dir=str(data)))
    assert first.storage.status().ok
    first.stop()
    again = start_server(data_dir=str(data))  # the folder is free once the first has stopped
    assert again.storage.status().ok


def test_the_headless_server_on_a_data_folder_in_use_exits_with_the_reason(start_server, tmp_path):
    data = tmp_path / "data"
    start_server(data_dir=str(data))
    command = [sys.executable, "-m", "chat_server", "--port", "0", "--no-console", "--no-announce"]
    process = subprocess.Popen(
        [*command, "--data-dir", str(data)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        _, errors = process.communicate(timeout=60)
    finally:
        stop_process(process)
    assert process.returncode == 2
    assert f"in use by another ClassChat server (pid {os.getpid()})" in errors and "--data-dir" in errors


# -- a database another program holds --
class Holder:
    """Another program (a backup tool, DB Browser) holding a write transaction on the database."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.connection.execute("BEGIN IMMEDIATE")
        self.connection.execute("UPDATE meta SET value = value WHERE key = 'last_id'")

        self.holding = True

    def let_go(self) -> None:
        if self.holding:
            self.holding = False
            self.connection.execute("ROLLBACK")
            self.connection.close()


class Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_a_database_locked_for_a_few_seconds_at_start_is_waited_for_and_the_safeguards_hold(start_server, tmp_path):
    data = tmp_path / "data"
    first_run(start_server, data).stop()
    holder = Holder(data / "classchat.db")
    warnings = Warnings()
    logging.getLogger("chat_server.storage").addHandler(warnings)
    started: list[ChatServer] = []
    try:
        opening = threading.Thread(target=lambda: started.append(start_server(data_dir=str(data))))
        opening.start()
        wait_until(lambda: any("is locked by another program" in line for line in warnings.lines), timeout=30)
        holder.let_go()  # a few seconds after the start, as a backup tool would
        opening.join(60)
    finally:
        holder.let_go()
        logging.getLogger("chat_server.storage").removeHandler(warnings)
    [server] = started
    assert server.storage.status().ok, server.storage.status().describe()
    assert any("is free again" in line for line in warnings.lines)
    safeguards_hold(server)


def test_a_server_left_memory_only_shares_no_file_from_the_folder(start_server, tmp_path, monkeypatch):
    monkeypatch.setattr("chat_server.storage.database.BUSY_TIMEOUT", 0.2)
    monkeypatch.setattr("chat_server.storage.database.LOCKED_AT_START_SECONDS", 0.5, raising=False)
    data = tmp_path / "data"
    server = start_server(data_dir=str(data))
    bob = ChatLine(server.address, "bob", "staffroom")
    assert bob.request("KEY teachers-only", "system")["locked"] is True
    exam = tmp_path / "exam.txt"
    exam.write_text("EXAM ANSWERS: 1b 2c 3a\n")
    share(bob, exam, "#staffroom")
    bob.close()
    server.stop()
    holder = Holder(data / "classchat.db")
    try:
        again = start_server(data_dir=str(data))
    finally:
        holder.let_go()
    assert "files" not in again.features
    status = again.storage.status()
    assert status.state == "memory" and "room keys were read from it and hold" in status.reason
    assert "shared files are off" in status.reason
    mallory = ChatLine(again.address, "mallory")
    try:
        assert mallory.request("JOIN staffroom", "joined").get("code") == "bad_room_key"  # the key read holds
        assert mallory.request("JOIN lobby", "joined")["type"] == "joined"
        assert not mallory.has_frame("file", wait=1.0)
        mallory.send("UPLOAD 5 " + "0" * 64 + " #staffroom x.txt")
        assert mallory.expect("error")["code"] in ("not_allowed", "unknown_command")
    finally:
        mallory.close()


# -- a damaged database --
def damage_one_page_of_messages(path: Path) -> None:
    """Overwrite one leaf page of the messages table in the middle of the file (the rest stays readable)."""
    connection = sqlite3.connect(path)
    pages = [
        row[0]
        for row in connection.execute(
            "SELECT pageno FROM dbstat WHERE name = 'messages' AND pagetype = 'leaf' ORDER BY pageno"
        )
    ]
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    connection.close()
    assert len(pages) >= 5
    with open(path, "r+b") as file:
        file.seek((pages[len(pages) // 2] - 1) * page_size)
        file.write(b"\xde\xad" * (page_size // 2))


def test_a_damaged_database_keeps_what_its_copy_still_gives_up(start_server, tmp_path):
    data = tmp_path / "data"
    first_run(start_server, data).stop()
    damage_one_page_of_messages(data / "classchat.db")
    server = start_server(data_dir=str(data))
    [notice] = server.storage.status().notices
    assert "moved it to classchat.db.corrupt-" in notice
    assert "salvaged from it: 1 account, 1 ban or mute, 1 room" in notice, notice
    assert "messages (1 unreadable part lost)" in notice, notice
    safeguards_hold(server)
    connection = sqlite3.connect(data / "classchat.db")
    texts = [row[0] for row in connection.execute("SELECT text FROM messages WHERE room = 'staffroom' ORDER BY id")]
    assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    connection.close()
    kept = [int(text.split()[2]) for text in texts if text.startswith("exam answer ")]
    lost = sorted(set(range(1, 301)) - set(kept))
    # One page's rows are gone, one run of them; everything before and after it is back, in order.
    assert kept == sorted(kept) and 0 < len(lost) < 80 and lost == list(range(lost[0], lost[-1] + 1)), lost
    assert 1 in kept and 300 in kept


# -- a disk that turns read-only --
def test_an_upload_to_a_folder_turned_read_only_is_refused_with_that_reason(start_server, tmpfs, tmp_path):  # noqa: F811
    point = tmpfs("disk", "size=3m")  # a small disk: less free than the 64 MB uploads keep free
    server = start_server(data_dir=str(point / "data"))
    uploads = point / "data" / "uploads"
    subprocess.run(["mount", "--bind", str(uploads), str(uploads)], check=True)
    alice = ChatLine(server.address, "alice", "general")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(uploads)], check=True)
        homework = tmp_path / "homework.txt"
        homework.write_text("homework\n")
        answer = offer(alice, homework)
        assert answer["type"] == "error" and answer["code"] == "storage_full", answer
        assert "its disk is read-only" in answer["content"] and "free space" not in answer["content"], answer
        alice.send("SAY still talking")
        alice.expect("message")
    finally:
        alice.close()
        server.stop()
        subprocess.run(["umount", str(uploads)], check=False)


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_a_new_data_folder_and_its_database_are_for_the_servers_user_alone(start_server, tmp_path):
    """Found by a probe: on a shared school computer the database (password hashes, every private message)
    was -rw-r--r-- in a drwxr-xr-x folder, so the next person to log in could copy it; only the TLS key was private."""
    data = tmp_path / "home" / ".local" / "share" / "classchat"
    server = start_server(data_dir=str(data))
    add_account(server, "msmith", "teacher")
    wait_until(lambda: (data / "classchat.db-wal").exists() and (data / "classchat.db-shm").exists())
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in (data, *data.glob("classchat.db*"))}
    assert sorted(modes) == ["classchat", "classchat.db", "classchat.db-shm", "classchat.db-token", "classchat.db-wal"]
    assert {name: mode & 0o077 for name, mode in modes.items()} == dict.fromkeys(modes, 0), oct_modes(modes)


def oct_modes(modes: dict[str, int]) -> str:
    return ", ".join(f"{name} {mode:o}" for name, mode in sorted(modes.items()))


def test_a_data_folder_others_can_read_is_kept_as_it_is_and_said(start_server, tmp_path, caplog):
    """From the notes: a folder and database made before they were private stayed 755/644 without a word."""
    data = tmp_path / "older"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)  # whatever the umask
    sqlite3.connect(data / "classchat.db").close()
    os.chmod(data / "classchat.db", 0o644)
    with caplog.at_level(logging.WARNING, logger="chat_server.storage"):
        start_server(data_dir=str(data)).stop()
    warned = [record.getMessage() for record in caplog.records if "other users of this computer" in record.getMessage()]
    assert len(warned) == 1 and "mode 755" in warned[0] and "mode 644" in warned[0], warned
    assert stat.S_IMODE(data.stat().st_mode) == 0o755, "tightened without asking"
    caplog.clear()
    os.chmod(data, 0o700)
    os.chmod(data / "classchat.db", 0o600)
    with caplog.at_level(logging.WARNING, logger="chat_server.storage"):
        start_server(data_dir=str(data)).stop()
    assert not [record for record in caplog.records if "other users of this computer" in record.getMessage()]
