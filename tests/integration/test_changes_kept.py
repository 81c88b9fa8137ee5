"""Answers that promise a change is kept (BAN, MUTE, TOPIC, KEY, REGISTER) come once it is on disk, or say it is not.

Found by a probe: a `kill -9` just after a BAN, KEY or TOPIC answer undid the
change (written behind, like messages); with the disk refusing writes,
REGISTER, BAN and DELETE were confirmed as kept and a normal stop lost them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.integration.identity_support import PASSWORD, moderate, teacher
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")


def _rows(server, sql: str, *params: object) -> list[tuple]:
    connection = sqlite3.connect(Path(server.config.data_dir) / "classchat.db")
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def test_a_ban_and_a_mute_are_on_disk_when_the_teacher_is_told(start_server, wire):
    server = start_server()
    lee = teacher(server, wire, room="lab")
    for number in range(3):
        wire(server, f"loud{number}", "lab", source="127.0.0.2")
        wire(server, f"rude{number}", "lab", source=f"127.0.0.{3 + number}")
        assert moderate(lee, f"MUTE loud{number}")["action"] == "mute"
        assert _rows(server, "SELECT 1 FROM sanctions WHERE kind = 'mute' AND nick_key = ?", f"loud{number}")
        assert moderate(lee, f"BAN rude{number} 10 spam")["action"] == "ban"
        assert _rows(server, "SELECT 1 FROM sanctions WHERE kind = 'ban' AND nick_key = ?", f"rude{number}")
        assert moderate(lee, f"UNMUTE loud{number}")["action"] == "unmute"
        assert not _rows(server, "SELECT 1 FROM sanctions WHERE kind = 'mute' AND nick_key = ?", f"loud{number}")


def test_a_topic_and_a_key_are_on_disk_when_the_room_hears_them(start_server, wire):
    server = start_server()
    owner = wire(server, "owner", "den")
    for number in range(3):
        owner.send(f"TOPIC plan {number}")
        assert owner.expect("system")["event"] == "topic"
        assert _rows(server, "SELECT topic FROM rooms WHERE key = 'den'") == [(f"plan {number}",)]
        owner.send(f"KEY sesame{number}")
        assert owner.expect("system")["event"] == "key"
        (key_hash,) = _rows(server, "SELECT key_hash FROM rooms WHERE key = 'den'")[0]
        assert key_hash, "the room's key was answered before it was written"
        owner.send("KEY")
        owner.expect("system")
        assert _rows(server, "SELECT key_hash FROM rooms WHERE key = 'den'") == [(None,)]


def test_with_the_database_locked_the_changes_hold_and_their_makers_are_told_they_are_not_saved(
    start_server, wire, monkeypatch
):
    monkeypatch.setattr("chat_server.storage.database.BUSY_TIMEOUT", 0.1)
    server = start_server()
    lee = teacher(server, wire, room="lab")
    student = wire(server, "newbie", "lab")  # this computer: REGISTER over plain is allowed here
    rude = wire(server, "rude", "lab", source="127.0.0.3")
    other = sqlite3.connect(Path(server.config.data_dir) / "classchat.db", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        lee.send("SAY this waits in memory")
        said = lee.expect("message")["id"]
        wait_until(lambda: server.storage.status().state == "retrying", message="the writer never met the lock")

        student.send(f"REGISTER {PASSWORD}")
        assert student.expect("nick", timeout=60)["registered"] is True
        warning = student.expect(lambda frame: frame.get("event") == "not_saved")
        assert "The account newbie" in warning["content"] and "not saved" in warning["content"]
        assert "locked" in warning["content"], warning  # the reason the store gives

        assert moderate(lee, "BAN rude spam")["action"] == "ban"
        warning = lee.expect(lambda frame: frame.get("event") == "not_saved")
        assert "The ban of rude" in warning["content"]
        rude.rest_until_closed()  # the ban holds meanwhile
        assert wire(server).error("NICK rude") == "banned"

        lee.send(f"DELETE {said}")
        assert lee.expect("deleted")["id"] == said
        assert f"The deletion of message {said}" in lee.expect(lambda f: f.get("event") == "not_saved")["content"]

        lee.send("TOPIC quiet please")
        assert lee.expect("system")["event"] == "topic"
        assert "The topic of #lab" in lee.expect(lambda frame: frame.get("event") == "not_saved")["content"]
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert server.storage.flush(timeout=30)
    assert _rows(server, "SELECT 1 FROM accounts WHERE key = 'newbie'")  # saved once the lock went
    assert _rows(server, "SELECT 1 FROM sanctions WHERE kind = 'ban' AND nick_key = 'rude'")
