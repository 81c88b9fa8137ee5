"""Accounts, bans and mutes, rooms and files: kept across a restart, looked up by name key, no policy."""

from __future__ import annotations

import time

import pytest

from chat_server.storage import Account, FileRecord, RoomRecord, Sanction, StoredMessage, open_storage
from shared.names import name_key
from tests.support import wait_until

HOUR_MS = 3_600_000
# Real times: the writer thread purges ended bans by the real clock.
NOW_MS = int(time.time() * 1000)


@pytest.fixture
def data(tmp_path):
    return tmp_path / "data"


def reopened(data):
    return open_storage(data)


def test_accounts_survive_a_restart_and_are_found_by_any_spelling_of_the_name(data):
    with open_storage(data) as storage:
        storage.accounts.put(Account("Alice", "scrypt$n=131072,r=8,p=1$salt$hash", "student", 1000))
        storage.accounts.put(Account("Teacher_Ng", "pbkdf2$600000$salt$hash", "teacher", 2000))
        assert storage.accounts.get("ALICE") is not None
    with open_storage(data) as storage:
        alice = storage.accounts.get("ａｌｉｃｅ")
        assert alice == Account("Alice", "scrypt$n=131072,r=8,p=1$salt$hash", "student", 1000)
        assert alice is not None and alice.key == "alice"
        assert [a.nick for a in storage.accounts.list_all()] == ["Alice", "Teacher_Ng"]
        promoted = storage.accounts.set_role("alice", "teacher")
        assert promoted is not None and promoted.role == "teacher"
        assert storage.accounts.set_role("nobody", "teacher") is None
        storage.accounts.put(Account("alice", "new-hash", "teacher", 1000))
        assert storage.accounts.delete("teacher_ng")
        assert not storage.accounts.delete("teacher_ng")
    with open_storage(data) as storage:
        assert storage.accounts.list_all() == [Account("alice", "new-hash", "teacher", 1000)]


def test_an_unknown_role_is_refused():
    with pytest.raises(ValueError):
        Account("mallory", "hash", "admin")  # type: ignore[arg-type]


def test_bans_and_mutes_survive_a_restart_and_are_found_by_nickname_or_address(data):
    now = NOW_MS
    with open_storage(data) as storage:
        ban = storage.moderation.add(Sanction("ban", "mallory", "192.0.2.7", "spam", now + HOUR_MS, "teacher", now))
        mute = storage.moderation.add(Sanction("mute", "eve", None, "shouting", None, "teacher", now))
        assert ban.id != mute.id and ban.id > 0
    with open_storage(data) as storage:
        moderation = storage.moderation
        assert moderation.find("ban", nick_key="mallory", now_ms=now) == ban
        assert moderation.find("ban", address="192.0.2.7", now_ms=now) == ban
        assert moderation.find("ban", nick_key="someone", address="192.0.2.7", now_ms=now) == ban
        assert moderation.find("ban", nick_key=name_key("MALLORY"), now_ms=now) == ban
        assert moderation.find("ban", nick_key="eve", now_ms=now) is None
        assert moderation.find("mute", nick_key="eve", now_ms=now + 1000 * HOUR_MS) == mute
        assert moderation.find("mute", nick_key="mallory", now_ms=now) is None
        assert moderation.find("ban", nick_key="mallory", now_ms=now + HOUR_MS) is None
        assert moderation.active(now, "ban") == [ban]
        assert moderation.active(now) == [ban, mute]
        third = moderation.add(Sanction("ban", None, "192.0.2.99", "", None, "console", now))
        assert third.id > mute.id


def test_the_longest_ban_wins_and_lifting_removes_every_match(data):
    with open_storage(data) as storage:
        moderation = storage.moderation
        short = moderation.add(Sanction("ban", "mallory", None, "", 2 * HOUR_MS, "t", 0))
        forever = moderation.add(Sanction("ban", None, "192.0.2.7", "", None, "t", 0))
        assert moderation.find("ban", nick_key="mallory", address="192.0.2.7", now_ms=HOUR_MS) == forever
        assert moderation.lift("ban", nick_key="mallory", address="192.0.2.7") == [short, forever]
        assert moderation.find("ban", nick_key="mallory", address="192.0.2.7", now_ms=HOUR_MS) is None
        kept = moderation.add(Sanction("mute", "mallory", None, "", None, "t", 0))
        assert moderation.remove(kept.id) == kept
        assert moderation.remove(kept.id) is None
    with open_storage(data) as storage:
        assert storage.moderation.active(0) == []


def test_ended_bans_are_purged(data):
    with open_storage(data) as storage:
        storage.moderation.add(Sanction("ban", "a", None, "", NOW_MS + 5, "t", 0))
        storage.moderation.add(Sanction("mute", "b", None, "", NOW_MS + HOUR_MS, "t", 0))
        storage.moderation.add(Sanction("ban", "c", None, "", None, "t", 0))
        assert storage.moderation.purge_expired(NOW_MS + 10) == 1
        assert storage.moderation.purge_expired(NOW_MS + 10) == 0
    with open_storage(data) as storage:
        assert [s.nick_key for s in storage.moderation.active(NOW_MS)] == ["b", "c"]


def test_bans_that_ended_while_the_server_was_down_are_purged_in_the_background(data):
    with open_storage(data) as storage:
        storage.moderation.add(Sanction("ban", "a", None, "", NOW_MS - HOUR_MS, "t", 0))
        storage.moderation.add(Sanction("ban", "b", None, "", None, "t", 0))
    with open_storage(data) as storage:
        wait_until(lambda: [s.nick_key for s in storage.moderation.active(0)] == ["b"], message="ended ban purged")


def test_a_clock_set_a_day_ahead_ends_no_ban_for_good(data):
    """The ban is not in force while the clock is wrong (reads go by it), but it is not purged: set right, it holds."""
    offset = [0.0]

    def clock() -> float:
        return time.time() + offset[0]

    with open_storage(data, clock=clock) as storage:
        storage.moderation.add(Sanction("ban", "mallory", None, "", NOW_MS + HOUR_MS, "t", NOW_MS))
        # the purge's witness: it ends in a second, and the pass at the next start drops it (and would drop
        # mallory's ban too)
        ends = int(time.time() * 1000) + 1000
        storage.moderation.add(Sanction("ban", "ended", None, "", ends, "t", NOW_MS))
        wait_until(lambda: time.time() * 1000 > ends, message="the witness's ban ended")
        storage.messages.append(StoredMessage.public(1, "lab", "alice", "the lesson goes on", int(time.time() * 1000)))
    offset[0] = 86400.0
    with open_storage(data, clock=clock) as storage:
        wait_until(lambda: [s.nick_key for s in storage.moderation.active(0)] != ["mallory", "ended"])
        assert [s.nick_key for s in storage.moderation.active(0)] == ["mallory"]
    offset[0] = 0.0
    with open_storage(data, clock=clock) as storage:
        assert [s.nick_key for s in storage.moderation.active(NOW_MS)] == ["mallory"]


def test_a_sanction_names_a_nickname_or_an_address():
    with pytest.raises(ValueError):
        Sanction("ban", None, None, "", None, "t", 0)
    with pytest.raises(ValueError):
        Sanction("kick", "a", None, "", None, "t", 0)  # type: ignore[arg-type]


def test_rooms_outlive_their_members_and_a_restart(data):
    with open_storage(data) as storage:
        storage.rooms.put(RoomRecord("Physics", "alice", "Waves today", "scrypt$room-key", 1000))
        storage.rooms.put(RoomRecord("general", None, "", None, 2000))
    with open_storage(data) as storage:
        physics = storage.rooms.get("PHYSICS")
        assert physics == RoomRecord("Physics", "alice", "Waves today", "scrypt$room-key", 1000)
        storage.rooms.put(RoomRecord("physics", "alice", "Optics", None, 1000))
        assert [room.key for room in storage.rooms.list_all()] == ["general", "physics"]
        assert storage.rooms.delete("General") and not storage.rooms.delete("general")
    with open_storage(data) as storage:
        assert storage.rooms.list_all() == [RoomRecord("physics", "alice", "Optics", None, 1000)]


def test_file_records_keep_their_metadata_and_state(data):
    record = FileRecord(
        "f-3b1c", 41, "0041-f-3b1c.bin", "notes; rm -rf.pdf", 12_345, "ab" * 32, "Alice", 5000, room="Physics"
    )
    private = FileRecord("f-9", 42, "0042-f-9.bin", "answers.txt", 10, "cd" * 32, "Bob", 9000, recipient="Alice")
    with open_storage(data) as storage:
        storage.files.put(record)
        storage.files.put(private)
        ready = storage.files.set_state("f-3b1c", "ready")
        assert ready is not None and ready.state == "ready"
        assert storage.files.set_state("missing", "ready") is None
    with open_storage(data) as storage:
        kept = storage.files.get("f-3b1c")
        assert kept is not None and kept.state == "ready" and kept.room_key == "physics"
        assert kept.original_name == "notes; rm -rf.pdf" and kept.size == 12_345
        assert storage.files.get("f-9") == private and private.recipient_key == "alice"
        assert [r.file_id for r in storage.files.older_than(6000)] == ["f-3b1c"]
        assert [r.file_id for r in storage.files.list_all()] == ["f-3b1c", "f-9"]
        assert storage.files.delete("f-3b1c") and not storage.files.delete("f-3b1c")
    with open_storage(data) as storage:
        assert [r.file_id for r in storage.files.list_all()] == ["f-9"]


def test_a_file_goes_to_a_room_or_a_person():
    with pytest.raises(ValueError):
        FileRecord("f", 1, "s", "o", 1, "x", "a", 0)
    with pytest.raises(ValueError):
        FileRecord("f", 1, "s", "o", 1, "x", "a", 0, room="r", recipient="b")


def test_without_a_database_the_tables_work_for_this_run_and_say_so(data):
    with open_storage(data, persist=False) as storage:
        storage.accounts.put(Account("alice", "hash"))
        storage.moderation.add(Sanction("ban", "mallory", None, "", None, "t", 0))
        assert storage.accounts.get("Alice") is not None
        assert storage.moderation.find("ban", nick_key="mallory", now_ms=0) is not None
        status = storage.status()
        assert status.state == "memory" and status.changes_not_saved == 2
        assert "2 other changes not saved" in status.describe()
