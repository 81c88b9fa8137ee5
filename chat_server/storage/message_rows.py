"""How kept messages become rows of the messages table: the writer thread's row_insert for them.

A StoredMessage is already its INSERT's parameters (the columns in table
order); insert_messages leaves out the columns that are NULL for its kind.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from operator import itemgetter

from chat_server.storage.models import StoredMessage
from chat_server.storage.row_batches import execute_rows

INSERT_MESSAGE = (
    "INSERT INTO messages (id, conv, room, sender, sender_key, recipient, recipient_key, text, time_ms, kind,"
    " sender_owner, recipient_owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# The same rows without the columns that are NULL for their kind: sqlite3 binds None through its adapter
# protocol, about 0.5 us a value, which was a sixth of the insert's cost (three per room message).
INSERT_PUBLIC = (
    "INSERT INTO messages (id, conv, room, sender, sender_key, text, time_ms, kind, sender_owner)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_PRIVATE = (
    "INSERT INTO messages (id, conv, sender, sender_key, recipient, recipient_key, text, time_ms, kind,"
    " sender_owner, recipient_owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_PUBLIC_VALUES = itemgetter(0, 1, 2, 3, 4, 7, 8, 9, 10)
_PRIVATE_VALUES = itemgetter(0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11)


QUOTE_UPDATE = "UPDATE messages SET reply_to = ?, reply_sender = ?, reply_excerpt = ? WHERE id = ?"
_QUOTE_VALUES = itemgetter(12, 13, 14, 0)


def insert_messages(connection: sqlite3.Connection, messages: Sequence[StoredMessage]) -> None:
    """Insert kept messages in the writer's open transaction (the writer thread's row_insert).

    A message is public or private, never both, so each kind leaves out the
    columns that would be NULL (see INSERT_PUBLIC).
    """
    public = [message for message in messages if message.room is not None]
    if public:
        execute_rows(connection, INSERT_PUBLIC, list(map(_PUBLIC_VALUES, public)))
    if len(public) < len(messages):
        private = [message for message in messages if message.room is None]
        execute_rows(connection, INSERT_PRIVATE, list(map(_PRIVATE_VALUES, private)))
    # Answers are few: their quote is set by a second statement, so the inserts above stay as they were.
    answers = [_QUOTE_VALUES(message) for message in messages if message.reply_to is not None]
    if answers:
        execute_rows(connection, QUOTE_UPDATE, answers)
