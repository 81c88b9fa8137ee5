"""The schema's migration steps: a version 1 file upgraded in place with its data kept; newer files left alone."""

from __future__ import annotations

import sqlite3
import time

from chat_server.storage import Account, Conversation, StoredMessage, open_storage
from chat_server.storage.history import SqliteMessageStore
from chat_server.storage.schema import LATEST_VERSION, MIGRATIONS, migrate, schema_version
from tests.support import wait_until


def make_version_1(path, rows: int) -> None:
    """A database as the first history-only release wrote it, with `rows` messages in #general and one private."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, isolation_level=None)
    migrate(connection, MIGRATIONS[:1])
    assert schema_version(connection) == 1
    connection.executemany(
        "INSERT INTO messages (id, conv, room, sender, sender_key, recipient, recipient_key, text, time_ms)"
        " VALUES (?, '#general', 'General', 'Alice', 'alice', NULL, NULL, ?, ?)",
        [(n, f"old message {n} about photosynthesis", 4_102_444_800_000 + n) for n in range(1, rows + 1)],
    )
    connection.execute(
        "INSERT INTO messages (id, conv, room, sender, sender_key, recipient, recipient_key, text, time_ms)"
        " VALUES (?, '@alice@bob', NULL, 'Alice', 'alice', 'Bob', 'bob', 'old secret', 4102444800000)",
        (rows + 1,),
    )
    connection.close()


def test_a_version_1_database_is_upgraded_in_place_with_its_messages_kept(tmp_path):
    path = tmp_path / "data" / "classchat.db"
    make_version_1(path, 1200)
    with open_storage(tmp_path / "data", history_days=0) as storage:
        assert storage.status().ok
        messages = storage.messages
        assert isinstance(messages, SqliteMessageStore)
        assert messages.highest_id() == 1201
        page = messages.page(Conversation.of_room("general"), limit=3)
        assert [m.id for m in page.messages] == [1198, 1199, 1200] and page.more
        assert page.messages[0].kind == "message" and page.messages[0].room == "General"
        assert [m.id for m in messages.page(Conversation.between("bob", "alice")).messages] == [1201]
        # The old rows reach the search index in the background; search finds them before and after.
        assert [m.id for m in messages.search("x", "message 1007", room="general")] == [1007]
        wait_until(lambda: messages.index_lag() == 0, timeout=20, message="old rows indexed")
        assert [m.id for m in messages.search("x", "message 1199", room="general")] == [1199]
        assert [m.id for m in messages.search("bob", "secret", include_private=True)] == [1201]
        storage.accounts.put(Account("Alice", "scrypt$..."))
        messages.append(StoredMessage.public(1202, "general", "Alice", "new", 4_102_444_900_000))
    connection = sqlite3.connect(path)
    assert schema_version(connection) == LATEST_VERSION
    assert connection.execute("SELECT count(*) FROM messages").fetchone()[0] == 1202
    assert connection.execute("SELECT nick FROM accounts").fetchall() == [("Alice",)]
    assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert connection.execute("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')").fetchall() == []
    connection.close()


def test_each_step_runs_once(tmp_path):
    connection = sqlite3.connect(tmp_path / "db", isolation_level=None)
    assert migrate(connection) == (0, LATEST_VERSION)
    assert migrate(connection) == (LATEST_VERSION, LATEST_VERSION)
    connection.close()


def test_a_step_that_fails_leaves_the_previous_version_intact(tmp_path):
    connection = sqlite3.connect(tmp_path / "db", isolation_level=None)
    migrate(connection, MIGRATIONS[:1])

    def broken(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("disk I/O error")

    try:
        migrate(connection, (MIGRATIONS[0], broken))
    except sqlite3.OperationalError:
        pass
    assert schema_version(connection) == 1
    assert connection.execute("SELECT name FROM sqlite_master WHERE name = 'half_done'").fetchall() == []
    connection.close()


def test_a_database_from_a_newer_classchat_is_left_untouched(tmp_path):
    path = tmp_path / "data" / "classchat.db"
    path.parent.mkdir()
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    connection.execute("CREATE TABLE future (x)")
    connection.commit()
    connection.close()
    before = path.read_bytes()
    with open_storage(tmp_path / "data") as storage:
        status = storage.status()
        assert status.state == "memory"
        assert f"schema version {LATEST_VERSION + 1}" in status.reason
    assert path.read_bytes() == before
    assert not list(path.parent.glob("*.corrupt-*"))


def test_a_version_6_database_gains_the_days_new_accounts_with_its_accounts_kept(tmp_path):
    """Version 7 keeps when and from where each new account was made (the day's allowance outlives a restart)."""
    path = tmp_path / "data" / "classchat.db"
    path.parent.mkdir()
    connection = sqlite3.connect(path, isolation_level=None)
    migrate(connection, MIGRATIONS[:6])
    connection.execute(
        "INSERT INTO accounts (key, nick, password_hash, role, created_ms) VALUES ('eve', 'eve', 'x', 'student', 1)"
    )
    connection.execute(
        "INSERT INTO login_addresses (account_key, address, last_ms) VALUES ('eve', '10.0.0.5', ?)",
        (int(time.time() * 1000),),
    )
    connection.close()
    with open_storage(tmp_path / "data", history_days=0) as storage:
        assert storage.status().ok
        assert storage.accounts.get("eve") is not None and storage.accounts.known_logins() == [("eve", "10.0.0.5")]
        assert storage.accounts.accounts_made() == []
        now_ms = int(time.time() * 1000) - 5000
        storage.accounts.made_from("10.0.0.9", now_ms - 90_000_000)  # over a day ago: deleted by the next one
        storage.accounts.made_from("10.0.0.9", now_ms - 1000)
        storage.accounts.made_from("10.0.0.7", now_ms)
    with open_storage(tmp_path / "data", history_days=0) as storage:
        assert storage.accounts.accounts_made() == [("10.0.0.9", now_ms - 1000), ("10.0.0.7", now_ms)]
    connection = sqlite3.connect(path)
    assert schema_version(connection) == LATEST_VERSION == 9
    assert connection.execute("SELECT count(*) FROM accounts_made").fetchone()[0] == 2
    connection.close()


def test_a_version_7_database_gains_the_ignores_table_in_place():
    """Version 8 keeps whom each account ignores (IGNORE); a version 7 file is upgraded where it is."""
    connection = sqlite3.connect(":memory:", isolation_level=None)
    assert migrate(connection, MIGRATIONS[:7]) == (0, 7)
    connection.execute("INSERT INTO accounts_made (computer, made_ms) VALUES ('10.0.0.7', 1)")
    assert migrate(connection) == (7, 9)
    connection.execute("INSERT INTO ignores (ignorer, ignored, name) VALUES ('a:alice:1', 'a:bob:2', 'bob')")
    assert connection.execute("SELECT ignorer, ignored, name FROM ignores").fetchall() == [
        ("a:alice:1", "a:bob:2", "bob")
    ]
    assert connection.execute("SELECT computer FROM accounts_made").fetchall() == [("10.0.0.7",)]


def test_a_version_8_database_gains_the_reply_columns_with_its_messages_kept(tmp_path):
    """Version 9 keeps REPLY's link and quote; a version 8 file's messages come back as answers to nothing."""
    path = tmp_path / "data" / "classchat.db"
    path.parent.mkdir()
    connection = sqlite3.connect(path, isolation_level=None)
    assert migrate(connection, MIGRATIONS[:8]) == (0, 8)
    connection.execute(
        "INSERT INTO messages (id, conv, room, sender, sender_key, text, time_ms) "
        "VALUES (5, '#lab', 'lab', 'alice', 'alice', 'old words', ?)",
        (int(time.time() * 1000),),
    )
    connection.close()
    with open_storage(tmp_path / "data", history_days=0) as storage:
        message = storage.messages.get(5)
        assert message is not None and message.text == "old words"
        assert (message.reply_to, message.reply_sender, message.reply_excerpt) == (None, None, None)
        answer = StoredMessage.public(6, "lab", "bob", "yes", int(time.time() * 1000)).quoting((5, "alice", "old"))
        storage.messages.append(answer)
        assert storage.flush(5.0)
    connection = sqlite3.connect(path, isolation_level=None)
    assert schema_version(connection) == LATEST_VERSION
    assert connection.execute("SELECT reply_to, reply_sender, reply_excerpt FROM messages WHERE id = 6").fetchall() == [
        (5, "alice", "old")
    ]
