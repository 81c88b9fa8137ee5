"""The database schema as ordered migration steps, and the code that applies them (the opening thread).

`PRAGMA user_version` holds the number of steps applied. Opening a database
applies the missing steps in order, each in its own transaction, so a file
from any earlier version is upgraded in place with its data kept. Never
edit a step that has shipped: add a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

Step = Callable[[sqlite3.Connection], None]


def _v1_messages(db: sqlite3.Connection) -> None:
    """Version 1: history only."""
    db.execute(
        """CREATE TABLE messages (
               id INTEGER PRIMARY KEY,
               conv TEXT NOT NULL,
               room TEXT,
               sender TEXT NOT NULL,
               sender_key TEXT NOT NULL,
               recipient TEXT,
               recipient_key TEXT,
               text TEXT NOT NULL,
               time_ms INTEGER NOT NULL)"""
    )
    db.execute("CREATE INDEX messages_by_conv ON messages (conv, id)")


def _v2_search_and_kinds(db: sqlite3.Connection) -> None:
    """Version 2: message kinds (files later), full-text search, an id high-water mark, private look-ups.

    The trigram index is filled behind the inserts (`fts_upto` in `meta`: every
    row up to that id is indexed, none above it), so a burst of messages costs
    the writer a plain insert; the writer thread catches the index up when
    idle, and searches scan the few rows above `fts_upto` directly. A message
    whose id arrives after a higher one is indexed by its writer (see history.py).
    """
    db.execute("ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'message'")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)")
    db.execute("INSERT INTO meta (key, value) VALUES ('last_id', 0), ('clean_close', 1), ('fts_upto', 0)")
    # Ids must keep increasing even when the newest rows are deleted or purged.
    db.execute(
        """CREATE TRIGGER messages_keep_last_id AFTER DELETE ON messages BEGIN
               UPDATE meta SET value = max(value, old.id) WHERE key = 'last_id';
           END"""
    )
    # Trigrams find any part of a word in any script; the index refers to the rows, it does not copy them.
    # detail=none: no positions, half the size and twice the indexing speed (measured on 1,000,000 messages);
    # a word is looked up as the AND of its trigrams and each candidate is then checked exactly.
    db.execute(
        """CREATE VIRTUAL TABLE messages_fts USING fts5(
               text, content='messages', content_rowid='id', tokenize='trigram', detail=none)"""
    )
    # A row leaves the index only if it is in it (FTS5 must never be told to delete what it lacks).
    db.execute(
        """CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
           WHEN old.id <= (SELECT value FROM meta WHERE key = 'fts_upto') BEGIN
               INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
           END"""
    )
    db.execute("CREATE INDEX messages_to ON messages (recipient_key, id) WHERE recipient_key IS NOT NULL")
    db.execute("CREATE INDEX messages_private_from ON messages (sender_key, id) WHERE recipient_key IS NOT NULL")


def _v3_identity_and_files(db: sqlite3.Connection) -> None:
    """Version 3: accounts, bans and mutes, rooms that outlive their members, shared files."""
    db.execute(
        """CREATE TABLE accounts (
               key TEXT PRIMARY KEY,
               nick TEXT NOT NULL,
               password_hash TEXT NOT NULL,
               role TEXT NOT NULL CHECK (role IN ('teacher', 'student')),
               created_ms INTEGER NOT NULL)"""
    )
    db.execute(
        """CREATE TABLE sanctions (
               id INTEGER PRIMARY KEY,
               kind TEXT NOT NULL CHECK (kind IN ('ban', 'mute')),
               nick_key TEXT,
               address TEXT,
               reason TEXT NOT NULL,
               until_ms INTEGER,
               set_by TEXT NOT NULL,
               created_ms INTEGER NOT NULL,
               CHECK (nick_key IS NOT NULL OR address IS NOT NULL))"""
    )
    db.execute(
        """CREATE TABLE rooms (
               key TEXT PRIMARY KEY,
               name TEXT NOT NULL,
               owner_key TEXT,
               topic TEXT NOT NULL DEFAULT '',
               key_hash TEXT,
               created_ms INTEGER NOT NULL)"""
    )
    db.execute(
        """CREATE TABLE files (
               file_id TEXT PRIMARY KEY,
               message_id INTEGER NOT NULL,
               stored_name TEXT NOT NULL,
               original_name TEXT NOT NULL,
               size INTEGER NOT NULL,
               sha256 TEXT NOT NULL,
               sender TEXT NOT NULL,
               sender_key TEXT NOT NULL,
               room TEXT,
               room_key TEXT,
               recipient TEXT,
               recipient_key TEXT,
               time_ms INTEGER NOT NULL,
               state TEXT NOT NULL CHECK (state IN ('receiving', 'ready', 'removed')))"""
    )


def _account_owner_sql(key_column: str, time_column: str) -> str:
    """The owner (chat_server/identity/owners.py) of an account that existed when the row was written, else NULL."""
    return (
        f"(SELECT 'a:' || a.key || ':' || a.created_ms FROM accounts AS a"
        f" WHERE a.key = {key_column} AND {time_column} >= a.created_ms)"
    )


def _v4_owners(db: sqlite3.Connection) -> None:
    """Version 4: private messages and files belong to an account or to one guest's session, not to a nickname.

    Rows kept before this step get the owner of the account their nickname
    had when they were written; a guest's rows get none (that guest's
    session is over, so nobody may read them as their own any more, nor
    delete them: only teachers and the admin, as before).
    """
    for table in ("messages", "files"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN sender_owner TEXT")
        db.execute(f"ALTER TABLE {table} ADD COLUMN recipient_owner TEXT")
    db.execute("ALTER TABLE files ADD COLUMN waiting INTEGER NOT NULL DEFAULT 0")
    db.execute(
        f"UPDATE messages SET sender_owner = {_account_owner_sql('messages.sender_key', 'messages.time_ms')}"
        " WHERE sender_key IN (SELECT key FROM accounts)"
    )
    db.execute(
        f"UPDATE messages SET recipient_owner = {_account_owner_sql('messages.recipient_key', 'messages.time_ms')}"
        " WHERE recipient_key IN (SELECT key FROM accounts)"
    )
    db.execute(
        f"UPDATE files SET sender_owner = {_account_owner_sql('files.sender_key', 'files.time_ms')},"
        f" recipient_owner = {_account_owner_sql('files.recipient_key', 'files.time_ms')}"
    )
    # A person's private search walks their own messages through these (a person has few).
    db.execute("CREATE INDEX messages_to_owner ON messages (recipient_owner, id) WHERE recipient_owner IS NOT NULL")
    db.execute(
        "CREATE INDEX messages_private_from_owner ON messages (sender_owner, id) WHERE recipient_key IS NOT NULL"
    )


def _v5_room_owners(db: sqlite3.Connection) -> None:
    """Version 5: a room belongs to an account or to one guest's session, like private messages (version 4).

    Before, a room's owner was a nickname, and a guest's nickname is anyone's
    once its holder has gone: whoever took it entered the locked room, read
    what was said there and could take the key off. A room made under an
    account gets that account's owner; a guest's room gets none (its maker's
    session is over: teachers manage it).
    """
    db.execute("ALTER TABLE rooms ADD COLUMN owner TEXT")
    db.execute(
        f"UPDATE rooms SET owner = {_account_owner_sql('rooms.owner_key', 'rooms.created_ms')}"
        " WHERE owner_key IN (SELECT key FROM accounts)"
    )


def _v6_login_addresses(db: sqlite3.Connection) -> None:
    """Version 6: the computers that logged in to each account, so that a restart does not forget them.

    The login throttle lets such a computer through a name's count of wrong
    passwords (chat_server/identity/login_throttle.py); kept only in memory,
    every restart (every lesson) left the teacher's laptop held while
    students guessed her password.
    """
    db.execute(
        """CREATE TABLE login_addresses (
               account_key TEXT NOT NULL,
               address TEXT NOT NULL,
               last_ms INTEGER NOT NULL,
               PRIMARY KEY (account_key, address))"""
    )


def _v7_accounts_made(db: sqlite3.Connection) -> None:
    """Version 7: when each new account was made and from which computer, so that a restart keeps the day's count.

    A computer may register NEW_ACCOUNTS_PER_ADDRESS names a day
    (chat_server/identity/service.py); kept only in memory, a restart gave
    every computer three more, so a student who waited for the teacher's
    next start could register the class list three names at a time.
    Rows older than a day are of no use and are deleted as new ones come.
    """
    db.execute("CREATE TABLE accounts_made (computer TEXT NOT NULL, made_ms INTEGER NOT NULL)")
    db.execute("CREATE INDEX accounts_made_by_time ON accounts_made (made_ms)")


def _v8_ignores(db: sqlite3.Connection) -> None:
    """Version 8: whom each account ignores (IGNORE), by account, so a server restart keeps the lists.

    Only account to account: a guest is a new person at every start, so a
    guest's list, or a guest in a list, stays in memory (chat_server/ignoring.py).
    """
    db.execute(
        """CREATE TABLE ignores (
            ignorer TEXT NOT NULL,
            ignored TEXT NOT NULL,
            name TEXT NOT NULL,
            PRIMARY KEY (ignorer, ignored)
        )"""
    )


def _v9_replies(db: sqlite3.Connection) -> None:
    """Version 9: REPLY's link and quote (chat_server/handlers/replies.py), kept so history shows them again.

    The index holds only answers, so DELETE finds the quotes of a message it
    removes without a scan, and the messages that answer nothing cost nothing.
    """
    db.execute("ALTER TABLE messages ADD COLUMN reply_to INTEGER")
    db.execute("ALTER TABLE messages ADD COLUMN reply_sender TEXT")
    db.execute("ALTER TABLE messages ADD COLUMN reply_excerpt TEXT")
    db.execute("CREATE INDEX messages_by_reply ON messages (reply_to) WHERE reply_to IS NOT NULL")


MIGRATIONS: tuple[Step, ...] = (
    _v1_messages,
    _v2_search_and_kinds,
    _v3_identity_and_files,
    _v4_owners,
    _v5_room_owners,
    _v6_login_addresses,
    _v7_accounts_made,
    _v8_ignores,
    _v9_replies,
)
LATEST_VERSION = len(MIGRATIONS)


class NewerSchema(Exception):
    """The file was written by a newer ClassChat; it is left untouched."""


def schema_version(db: sqlite3.Connection) -> int:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    assert isinstance(version, int)
    return version


def migrate(db: sqlite3.Connection, steps: Sequence[Step] = MIGRATIONS) -> tuple[int, int]:
    """Apply the missing steps in order; return (version before, version after).

    `db` must be in autocommit mode (isolation_level None): each step runs in
    its own BEGIN IMMEDIATE ... COMMIT together with its user_version bump,
    so a crash between steps leaves a consistent, resumable file.
    """
    before = schema_version(db)
    if before > len(steps):
        raise NewerSchema(f"the database has schema version {before}; this ClassChat knows up to {len(steps)}")
    for number in range(before + 1, len(steps) + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            steps[number - 1](db)
            db.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return before, len(steps)
