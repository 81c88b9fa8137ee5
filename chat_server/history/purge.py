"""Deleting what one person said in rooms lately, after a flood: PURGE, /purge, Delete messages… (off the registry lock).

    purge_recent(storage, files, "troll", 30) -> the messages deleted, newest first

The store finds the person's room messages of the last minutes (newest
first, at most MAX_PURGE_MESSAGES), deletes each as DELETE would and waits
for the disk; the caller then queues `deleted` for everyone who may have
one on screen (handlers/history.py deleted_deliveries) under the lock.
Everything said under that name counts, whoever held it, and everything
the person holding it now said under other names (a student flooding,
renaming, flooding again: the teacher purged name by name; found by the
tenth review's probe); private messages are never touched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chat_server.storage import Storage, StoredMessage
from shared.errors import ErrorCode, ProtocolError
from shared.names import normalise_nick

if TYPE_CHECKING:
    from chat_server.files.sharing import FileSharing

MAX_PURGE_MINUTES = 7 * 24 * 60  # as far back as a week...
MAX_PURGE_MESSAGES = 2000  # ...and this many at a time, the newest first: run it again for more
DEFAULT_PURGE_MINUTES = 60


def parse_purge(argument: str, usage: str) -> tuple[str, int]:
    """("troll", 30) from "troll 30"; the minutes default to the last hour. ProtocolError(bad_argument) naming `usage`."""
    words = argument.split()
    if not 1 <= len(words) <= 2 or (len(words) == 2 and not (words[1].isascii() and words[1].isdigit())):
        raise ProtocolError(ErrorCode.BAD_ARGUMENT, f"Usage: {usage}, e.g. troll 30 (the last hour if not given).")
    minutes = check_minutes(int(words[1]) if len(words) == 2 else DEFAULT_PURGE_MINUTES)
    return normalise_nick(words[0]), minutes  # the name as it is: the answer quotes it (bad_nick if it is none)


def check_minutes(minutes: int) -> int:
    """`minutes` when 1 to MAX_PURGE_MINUTES, else ProtocolError(bad_argument) saying the range."""
    if not 1 <= minutes <= MAX_PURGE_MINUTES:
        raise ProtocolError(
            ErrorCode.BAD_ARGUMENT, f"Say how many minutes back, from 1 to {MAX_PURGE_MINUTES:,} (a week)."
        )
    return minutes


def purge_recent(
    storage: Storage, files: FileSharing | None, nick: str, minutes: int, owners: tuple[str, ...] = ()
) -> list[StoredMessage]:
    """Delete `nick`'s room messages of the last `minutes` (reads and writes the disk: never under the lock);
    `owners` (those of whoever holds the name now) take what that person said under earlier names too."""
    store = storage.messages
    # the clock new messages are stamped by: one that says 1970 would reach back over the whole history
    since_ms = int(storage.deletion_clock.stamp() * 1000) - minutes * 60_000
    found = store.room_messages_by(nick, since_ms, MAX_PURGE_MESSAGES, owners)
    gone = [message for message in found if store.delete(message.id) is not None]
    if files is not None:
        for message in gone:
            files.message_deleted(message)  # a file message: the file goes too
    return gone
