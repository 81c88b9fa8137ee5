"""Schema versions 4 and 5: owners of private messages, files and rooms, upgraded in place from version 3; pages and searches by owner."""

from __future__ import annotations

import sqlite3

from chat_server.identity.owners import account_owner, new_guest_owner
from chat_server.storage import Account, Conversation, FileRecord, StoredMessage, open_storage
from chat_server.storage.schema import LATEST_VERSION, MIGRATIONS, migrate, schema_version

BASE_MS = 4_102_444_800_000  # in 2100: never past retention


def make_version_3(path) -> None:
    """A database as the identity release wrote it: an account made at BASE_MS + 10, private rows before and after."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, isolation_level=None)
    migrate(connection, MIGRATIONS[:3])
    assert schema_version(connection) == 3
    connection.execute(
        "INSERT INTO accounts (key, nick, password_hash, role, created_ms) VALUES ('alice', 'Alice', 'x', 'teacher', ?)",
        (BASE_MS + 10,),
    )
    insert = (
        "INSERT INTO messages (id, conv, room, sender, sender_key, recipient, recipient_key, text, time_ms, kind)"
        " VALUES (?, '@alice@bob', NULL, ?, ?, ?, ?, ?, ?, 'message')"
    )
    connection.execute(insert, (1, "alice", "alice", "bob", "bob", "from a guest alice", BASE_MS))
    connection.execute(insert, (2, "Alice", "alice", "bob", "bob", "from the account", BASE_MS + 20))
    connection.execute(insert, (3, "bob", "bob", "Alice", "alice", "to the account", BASE_MS + 30))
    connection.execute(
        "INSERT INTO files (file_id, message_id, stored_name, original_name, size, sha256, sender, sender_key,"
        " room, room_key, recipient, recipient_key, time_ms, state)"
        " VALUES ('f1', 4, 'f1', 'essay.txt', 1, ?, 'bob', 'bob', NULL, NULL, 'Alice', 'alice', ?, 'ready')",
        ("0" * 64, BASE_MS + 40),
    )
    room = "INSERT INTO rooms (key, name, owner_key, topic, key_hash, created_ms) VALUES (?, ?, ?, '', 'h', ?)"
    connection.execute(room, ("physics", "Physics", "alice", BASE_MS + 50))  # made by the account
    connection.execute(room, ("den", "den", "alice", BASE_MS))  # by the guest who had the name before it
    connection.execute(room, ("club", "club", "carol", BASE_MS + 60))  # by a guest
    connection.close()


def test_a_version_3_database_gets_owners_from_the_accounts_that_existed_then(tmp_path):
    path = tmp_path / "data" / "classchat.db"
    make_version_3(path)
    with open_storage(tmp_path / "data", history_days=0) as storage:
        assert storage.status().ok
        account = storage.accounts.get("alice")
        assert account is not None
        owner = account_owner(account)
        rows = storage.messages.page(Conversation.between("bob", "alice"), limit=10).messages
        assert [(m.id, m.sender_owner, m.recipient_owner) for m in rows] == [
            (1, None, None),  # the guest who had the name before the account: nobody's now
            (2, owner, None),
            (3, None, owner),
        ]
        mine = storage.messages.page(Conversation.between("alice", "bob", (owner,)), limit=10).messages
        assert [m.id for m in mine] == [2, 3]
        record = storage.files.get("f1")
        assert record is not None and record.recipient_owner == owner and record.sender_owner is None
        assert not record.waiting
        owners = {record.name: record.owner for record in storage.rooms.list_all()}
        assert owners == {"Physics": owner, "den": None, "club": None}  # a guest's room is nobody's now
    connection = sqlite3.connect(path)
    assert schema_version(connection) == LATEST_VERSION == 9
    assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    connection.close()


def test_pages_and_searches_by_owner_see_only_that_person_of_a_nickname(tmp_path):
    first, second, bob = new_guest_owner(), new_guest_owner(), new_guest_owner()
    assert len({first, second, bob}) == 3
    with open_storage(tmp_path / "data", history_days=0) as storage:
        messages = storage.messages
        for n, owner in enumerate((first, first, second), start=1):
            messages.append(
                StoredMessage.private(
                    n, "alice", "bob", f"zebra {n}", BASE_MS + n, sender_owner=owner, recipient_owner=bob
                )
            )
        messages.append(
            StoredMessage.private(4, "bob", "alice", "zebra 4", BASE_MS + 4, sender_owner=bob, recipient_owner=first)
        )

        def page_ids(owners: tuple[str, ...]) -> list[int]:
            return [m.id for m in messages.page(Conversation.between("alice", "bob", owners), limit=10).messages]

        def search_ids(owners: tuple[str, ...]) -> list[int]:
            return [m.id for m in messages.search("alice", "zebra", include_private=True, owners=owners)]

        for read in ("memory", "disk"):  # before the writer wrote them, and after
            assert page_ids((first,)) == [1, 2, 4], read
            assert page_ids((second,)) == [3], read
            assert page_ids((bob,)) == [1, 2, 3, 4], read
            assert page_ids((new_guest_owner(),)) == [], read
            assert search_ids((first,)) == [4, 2, 1], read
            assert search_ids((second,)) == [3], read
            assert search_ids(()) == [], read
            assert storage.flush()


def test_waiting_files_are_handed_out_once_and_stay_handed_out_after_a_restart(tmp_path):
    teacher = account_owner(Account("Ms_Lee", "x", "teacher", 5))
    data = tmp_path / "data"

    def record(file_id: str, waiting: bool, owner: str = teacher) -> FileRecord:
        return FileRecord(
            file_id, 1, file_id, "essay.txt", 1, "0" * 64, "alice", BASE_MS, recipient="Ms_Lee",
            state="ready", recipient_owner=owner, waiting=waiting,
        )  # fmt: skip

    with open_storage(data) as storage:
        storage.files.put(record("a", True))
        storage.files.put(record("b", False))
        storage.files.put(record("c", True, owner=new_guest_owner()))
        storage.files.put(record("d", True))
    with open_storage(data) as storage:
        assert [r.file_id for r in storage.files.waiting_for(teacher)] == ["a", "d"]
        assert storage.files.waiting_for(teacher) == []
    with open_storage(data) as storage:
        assert storage.files.waiting_for(teacher) == []
        assert [r.file_id for r in storage.files.list_all() if r.waiting] == ["c"]
