"""Admin actions on the kept messages: delete one or a person's recent ones, clear a room's, export a transcript, the store's figures (admin threads).

Mixed into ChatServer beside AdminActions; the console and the admin
window call these from their own threads, never the Tk thread for long
(the window runs them on a helper thread).  Store reads and file writes
happen with the registry lock released; the lock is taken only to queue
the `deleted` frames or the notice of a cleared history.  Each action
carried out is one WARNING line starting "admin " (docs/admin.md).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from chat_server.config import ServerConfig
from chat_server.handlers.base import save_now
from chat_server.handlers.history import deleted_deliveries
from chat_server.history.purge import check_minutes, purge_recent
from chat_server.history.transcripts import day_range_ms, transcript_format, write_transcript
from chat_server.registry import ChatRegistry
from chat_server.storage import Conversation, Storage, StoredMessage
from chat_server.storage.search_query import parse_query
from shared.errors import ErrorCode, ProtocolError
from shared.frames import server_frame
from shared.names import name_key, normalise_room

if TYPE_CHECKING:
    from chat_server.files.sharing import FileSharing

log = logging.getLogger("chat_server.admin")

PURGE_TELLS = 100  # `deleted` frames queued under one hold of the registry lock


@dataclass(frozen=True)
class HistoryInfo:
    """What the admin sees of the store: on or off, where, how big, how many, and what it could not keep."""

    enabled: bool
    path: str | None
    size_bytes: int
    messages: int
    state: str  # "ok", "retrying" or "memory"
    status: str  # StoreStatus.describe(): what was lost, and why
    history_days: int
    replay: int

    def describe(self) -> str:
        if not self.enabled:
            return "History is off (--no-history): no messages are kept."
        where = self.path or "nowhere (memory only)"
        keep = f"{self.history_days} days" if self.history_days else "forever"
        return (
            f"Database: {where}; {_size(self.size_bytes)}; {self.messages:,} message{'' if self.messages == 1 else 's'} kept ({keep}); "
            f"replay on join: {self.replay or 'off'}. Status: {self.status}."
        )


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


class HistoryAdmin:
    registry: ChatRegistry
    storage: Storage
    config: ServerConfig
    files: FileSharing

    def delete_message(self, message_id: int) -> StoredMessage:
        """Delete any message; whoever may have it on screen gets `deleted`. ProtocolError if there is none."""
        message = self.storage.messages.delete(message_id) if self.config.history else None
        if message is None:
            raise ProtocolError(
                ErrorCode.BAD_ARGUMENT, f"There is no message {message_id} (deleted already, or too old)."
            )
        self.files.message_deleted(message)  # a file message: the file goes too
        save_now(self.storage)
        with self.registry.lock:
            for recipients, frame in deleted_deliveries(self.registry, message):
                self.registry.deliver(recipients, frame)
        where = f"#{message.room}" if message.room is not None else f"private, to {message.recipient}"
        log.warning("admin deleted message %d (%s, from %s)", message_id, where, message.sender)
        return message

    def delete_messages_by(self, nick: str, minutes: int) -> int:
        """Delete what `nick` said in rooms in the last `minutes` (a flood); returns how many went.

        As the teachers' PURGE (chat_server/history/purge.py): private
        messages stay, whoever may have one on screen gets `deleted`, at most
        MAX_PURGE_MESSAGES at a time, the newest first.
        """
        check_minutes(minutes)
        if not self.config.history:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, "History is off (--no-history): there are no kept messages.")
        with self.registry.lock:
            holder = self.registry.find_nick(nick)
            owners = holder.owners if holder is not None else ()  # what they said under earlier names too
        gone = purge_recent(self.storage, self.files, nick, minutes, owners)
        if gone:
            save_now(self.storage)
        for start in range(0, len(gone), PURGE_TELLS):  # the lock is let go between: the chat goes on meanwhile
            with self.registry.lock:
                for message in gone[start : start + PURGE_TELLS]:
                    for recipients, frame in deleted_deliveries(self.registry, message):
                        self.registry.deliver(recipients, frame)
        log.warning("admin deleted %d room messages of %s (the last %d minutes)", len(gone), nick, minutes)
        return len(gone)

    def message(self, message_id: int) -> StoredMessage | None:
        """The kept message with this id (reads the disk), for a question naming it before it is deleted."""
        return self.storage.messages.get(message_id) if self.config.history else None

    def clear_history(self, room: str) -> str:
        """Forget every message of a room so far; its members are told. Returns the room's name.

        A name no room has and nothing is kept under (a typo: `phsyics`) is
        refused, so that the admin is not told a room was cleared while the
        one she meant still holds every message.
        """
        name = normalise_room(room)
        if not self._room_known(name):
            raise ProtocolError(
                ErrorCode.BAD_ARGUMENT,
                f"There is no room #{name} and nothing is kept under that name: nothing was cleared. "
                "Check the name (the Rooms list, /rooms).",
            )
        upto = self.storage.messages.clear_room(name)
        self.files.room_cleared(name_key(name))  # the room's files go with its history
        save_now(self.storage)
        with self.registry.lock:
            live = self.registry.find_room(name)
            if live is not None:
                name = live.name
                notice = server_frame(
                    "system", f"An admin cleared the history of #{name}.", event="history_cleared", room=name, upto=upto
                )
                self.registry.deliver(list(live.members), notice)
        log.warning("admin cleared the history of #%s", name)
        return name

    def _room_known(self, name: str) -> bool:
        """A room of that name is live, kept (a topic, a key, an owner), or has kept messages."""
        with self.registry.lock:
            if self.registry.find_room(name) is not None:
                return True
        if self.storage.rooms.get(name) is not None:
            return True
        return bool(self.storage.messages.page(Conversation.of_room(name), limit=1).messages)

    def find_messages(self, room: str, words: str) -> list[StoredMessage]:
        """A room's messages that contain `words` (as SEARCH finds them), newest first, at most 50; never private."""
        name = normalise_room(room)
        if parse_query(words).empty:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, "Say what to look for.")
        if not self.config.history:
            return []
        return self.storage.messages.search("", words, room=name)

    def export_transcript(self, room: str, first: datetime.date, last: datetime.date, path: str | Path) -> int:
        """Write a room's public messages of those days (local time) to `path` (.txt, .csv, .html); returns how many."""
        name = normalise_room(room)
        try:
            start_ms, end_ms = day_range_ms(first, last)
            transcript_format(path)
        except ValueError as exc:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, str(exc)) from None
        rows = self.storage.messages.export_rows(name, start_ms, end_ms)
        if not rows:  # a typo in the room or the days: a file already there (last week's lesson) is not replaced
            span = f"on {first}" if first == last else f"from {first} to {last}"
            raise ProtocolError(
                ErrorCode.BAD_ARGUMENT,
                f"#{name} has no kept messages {span}: no file was written. Check the room's name and the days.",
            )
        try:
            count = write_transcript(rows, path, name, first, last)
        except OSError as exc:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, f"Cannot write {path}: {exc.strerror or exc}.") from None
        log.warning("admin exported #%s, %s to %s (%d messages), to %s", name, first, last, count, path)
        return count

    def history_info(self) -> HistoryInfo:
        """The store's figures and status (reads the disk: not on the Tk thread)."""
        stats = self.storage.stats()
        status = self.storage.status()
        return HistoryInfo(
            self.config.history,
            stats.path,
            stats.size_bytes,
            stats.messages,
            status.state,
            status.describe(),
            self.config.history_days,
            self.config.replay,
        )
