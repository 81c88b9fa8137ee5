"""SqliteMessageStore: message history in SQLite, with the recent part in memory (any caller thread).

    append() -- no I/O: RecentMessages.add + Writer.submit_row --> writer thread commits in batches
    replay() -- a room's tail in memory (completed from the database once per room)
    recent() -- the same from memory only, or None; load_recent() reads the disk for it (the server's replay)
    page(), search(), get(), export_rows() -- a pooled reader connection, merged with what
               is not written yet, minus what was deleted or cleared this run
    still_visible() -- no I/O: what such a read returned, minus what was deleted or cleared since

Every read sees every append that returned before it (read-your-writes):
reads take the unwritten messages first (the writer's own queue of rows,
see writer.py), then query the database; a message leaves that queue only
after its transaction commits, so it is always in one of the two. Background work runs in the writer thread
(`maintenance_step`), a small batch at a time: filling the search index
behind the inserts, and retention; reads hide anything older than the
cutoff even before it is purged. The search SQL is in search_plans.py.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from operator import attrgetter, itemgetter

from chat_server.storage.database import Database
from chat_server.storage.deletion_clock import DeletionClock
from chat_server.storage.history_reads import HistoryReads, row_message
from chat_server.storage.models import Conversation, Page, StoredMessage, room_conversation
from chat_server.storage.recent import RecentMessages
from chat_server.storage.search_clock import SearchClock
from chat_server.storage.search_plans import (
    COLUMNS,
    NOTHING_VOUCHED,
    Fetch,
    every_room_search,
    newest_of,
    private_search,
    room_search,
    watched,
)
from chat_server.storage.search_query import parse_query
from chat_server.storage.search_sender import SenderFilter
from chat_server.storage.search_terms import TrigramStats
from chat_server.storage.space import HistorySpace
from chat_server.storage.status import StatusBoard
from chat_server.storage.writer import MAX_WAITING, Write, Writer
from shared.names import name_key

log = logging.getLogger("chat_server.storage")

DAY_MS = 86_400_000
TAIL_SIZE = 100
SEARCH_LIMIT = 50
PURGE_BATCH = 1000
# At most this many oldest messages go in one step of keeping within the size limit (about 5 s of the
# writer's time for 400-character messages: deleting a row costs its search-index entries, 0.5 ms).
ROOM_BATCH_MAX = 10_000
# Pages of work of one merge step of the search index after a purge (FTS5's 'merge' command).
MERGE_PAGES = 500
# Steps one compaction of the index may take beyond one pass over it (new rows keep adding segments in a flood).
MERGE_SPARE_STEPS = 20
COMPACT_FRACTION = 20  # purges compact the index once they have deleted a twentieth of what is left
INDEX_LATE_MESSAGE = (
    "INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages"
    " WHERE id = ? AND id <= (SELECT value FROM meta WHERE key = 'fts_upto')"
)
INDEX_BATCH = 2000
RETENTION_EVERY = 60.0
SCAN_PAGE = 2000  # rows read at a time, newest first, when looking for one person's recent messages
NO_UPPER_BOUND = 1 << 62
Owners = tuple[str, ...] | None

_ID = itemgetter(0)

# Answers outlive the messages they quote when retention or the space limit removes the oldest: their quoted
# words go with them (the answers-only index finds them; docs/storage.md).
FORGET_QUOTES_UP_TO = "UPDATE messages SET reply_excerpt = NULL WHERE reply_to <= ? AND reply_excerpt IS NOT NULL"


class SqliteMessageStore(HistoryReads):
    """The MessageStore of one server: SQLite when `database` is given, memory only when it is None."""

    def __init__(
        self,
        database: Database | None,
        status: StatusBoard,
        *,
        history_days: int = 30,
        tail_size: int = TAIL_SIZE,
        unwritten_cap: int = MAX_WAITING,
        clock: Callable[[], float] = time.time,
        space: HistorySpace | None = None,
        deletion_clock: DeletionClock | None = None,
    ) -> None:
        if history_days < 0:
            raise ValueError("history_days is 0 (keep forever) or more")
        self._db = database
        self._status = status
        self._history_days = history_days
        self._tail_size = tail_size
        self._clock = clock  # reads hide by it
        # the purge deletes by this one: never ahead of the time this run has seen pass (deletion_clock.py)
        self._deletion_clock = deletion_clock if deletion_clock is not None else DeletionClock(clock)
        self._writer: Writer[StoredMessage] | None = None
        self._recent = RecentMessages(tail_size, unwritten_cap)
        self._recent.highest_id = self._highest_on_disk() if database is not None else 0
        self._read_failures: set[str] = set()
        self._retention_due = 0.0
        self._read_failures_lock = threading.Lock()
        self._trigram_stats = TrigramStats()
        self._space = space
        self._short_of_room = False  # past the size limit now: the warning is logged once per time past it
        self._said_room = False  # the admin's notice is added once a run
        self._garbage_rows = 0  # rows deleted whose index entries no compaction has dropped yet
        self._compacting = False  # a compaction of the search index (an incremental 'optimize') is under way
        self._compaction_steps_left = 0
        self._rows_counted: tuple[int, int] | None = None  # (rows, _garbage_rows) when last counted, this cycle
        self.made_room = 0  # messages deleted to keep within the size limit of `space`, this run

    def attach_writer(self, writer: Writer[StoredMessage]) -> None:
        """Messages go to `writer` as rows of INSERT_MESSAGE; until committed, reads find them in its queue."""
        self._writer = writer
        self._recent.pending = writer.unwritten_rows

    def damaged(self, reason: str) -> None:
        """SQLite met damage at run time: note it for the next open and tell the admin (any thread, off the lock)."""
        if self._db is not None and self._db.mark_damaged(reason):
            notice = f"the database file is damaged ({reason}); it will be set aside at the next start"
            log.error("storage: %s", notice)
            self._status.add_notice(notice)

    # -- the writer's callbacks (writer thread) --
    def before_commit(
        self, connection: sqlite3.Connection, writes: Sequence[Write], messages: Sequence[StoredMessage]
    ) -> None:
        """Keep the highest id in `meta` too: one more place it survives if the table's pages are damaged."""
        highest = max(map(_ID, messages), default=0)
        if highest:
            connection.execute("UPDATE meta SET value = max(value, ?) WHERE key = 'last_id'", (highest,))

    def lost(self, messages: Sequence[StoredMessage]) -> None:
        """The writer gave up on these messages (they also leave memory): count them as not saved."""
        if messages:
            self._status.count_not_saved(len(messages))

    def maintenance_step(self, connection: sqlite3.Connection) -> bool:
        """One small step of background work: index some new rows, purge old ones when due or when the history
        is past its size limit (`space_step`). True: more to do."""
        more = self.space_step(connection)
        more = self.index_step(connection) or more
        now = time.monotonic()
        if now >= self._retention_due:
            retention_more = self.retention_step(connection)
            self._retention_due = now if retention_more else now + RETENTION_EVERY
            more = more or retention_more
        if not more and (self._compacting or self._garbage_worth_compacting(connection)):
            # After a purge (by age or by room), a step at a time: the index gives back what the rows held.
            more = self._compact_index(connection)
        return more

    def space_step(self, connection: sqlite3.Connection) -> bool:
        """Delete about the excess of the oldest messages while the history is past its size limit; True if it was."""
        if self._space is None:
            return False
        shortage = self._space.short_of_room(connection)
        if shortage.reason and (self._garbage_rows or self._compacting):
            # Deleted rows leave delete markers in the search index (it grew from 9.5 to 22 MB when 15,000 of
            # 20,000 messages went): merge those first, and delete more only if that was not enough.
            if self._compact_index(connection):  # the merge still gives pages back: no more rows go until it is done
                return True
            shortage = self._space.short_of_room(connection)
        if not shortage.reason:
            if self._short_of_room:
                log.info(
                    "storage: the history is within its size limit again (%d oldest messages deleted)", self.made_room
                )
            self._short_of_room = False
            return False
        deleted = self._delete_bytes(connection, shortage.excess + shortage.excess // 10)
        self._note_room_made(shortage.reason, deleted)
        return deleted > 0

    def _delete_bytes(self, connection: sqlite3.Connection, wanted: int) -> int:
        """Delete about `wanted` bytes of the oldest messages, at the rows' average size.

        The rows are counted: ids are not dense (each start begins them at the clock in ms), and their span
        taken as the count made one step delete 10,000 messages where a few hundred were over the limit."""
        rows = connection.execute("SELECT count(*) FROM messages").fetchone()[0]
        if not rows or self._space is None:
            return 0
        count = wanted * rows // max(1, self._space.used_bytes(connection)) + 1
        return self._delete_oldest(connection, min(ROOM_BATCH_MAX, count))

    def _delete_oldest(self, connection: sqlite3.Connection, count: int) -> int:
        """Delete the `count` oldest messages (with their search-index entries) in one transaction; how many went."""
        row = connection.execute("SELECT id FROM messages ORDER BY id LIMIT 1 OFFSET ?", (count - 1,)).fetchone()
        if row is None:
            row = connection.execute("SELECT max(id) FROM messages").fetchone()
        if row is None or row[0] is None:
            return 0
        connection.execute("BEGIN IMMEDIATE")
        try:
            deleted = connection.execute("DELETE FROM messages WHERE id <= ?", (row[0],)).rowcount
            connection.execute(FORGET_QUOTES_UP_TO, (row[0],))
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        self._garbage_rows += deleted
        return int(deleted)

    def _compact_index(self, connection: sqlite3.Connection) -> bool:
        """One bounded step (about MERGE_PAGES pages of work, 0.1 to 0.3 s) of compacting the search index into one
        segment, which drops the delete markers that purged rows left; True while the compaction goes on.

        Deleting a row only adds a delete marker to the index; the entries and the marker go when the segments
        holding them are merged into the oldest one.  Merging levels of two segments ('usermerge' 2), stopped when a
        step freed no page, left most markers in place, and a history past its size limit then kept deleting: with
        a 15 MB limit, 42 of 60,000 messages were left where 16,000 fit.  So a compaction is FTS5's incremental
        'optimize' ('merge' with a negative page count starts it, positive counts go on with it), run until a step
        does nothing (FTS5's sign: `total_changes` grows by less than 2) or, while new rows keep adding segments,
        for one pass over the index and MERGE_SPARE_STEPS more.
        """
        before = connection.total_changes
        if not self._compacting:
            self._compacting = True
            self._garbage_rows = 0  # rows deleted from now on need a compaction of their own
            self._rows_counted = None
            pages = connection.execute("SELECT count(*) FROM messages_fts_data").fetchone()[0]
            self._compaction_steps_left = pages // MERGE_PAGES + MERGE_SPARE_STEPS
            connection.execute("INSERT INTO messages_fts (messages_fts, rank) VALUES ('merge', ?)", (-MERGE_PAGES,))
        else:
            connection.execute("INSERT INTO messages_fts (messages_fts, rank) VALUES ('merge', ?)", (MERGE_PAGES,))
        self._compaction_steps_left -= 1
        if connection.total_changes - before < 2 or self._compaction_steps_left <= 0:
            self._compacting = False
        return self._compacting or self._garbage_rows > 0

    def _garbage_worth_compacting(self, connection: sqlite3.Connection) -> bool:
        """Whether the rows purged since the last compaction are worth rewriting the index for: a twentieth of the
        history (a compaction rewrites all of it, about 100 s of the writer's time at 2 GB) or all of a small one.
        Retention deletes a minute's worth every minute; compacting after each would rewrite the index for ever."""
        if not self._garbage_rows:
            return False
        # The rows are counted once a compaction cycle (a count reads a whole index; this is asked at every idle
        # step): ids are not dense, each start begins them at the clock in ms, so their span kept a history of
        # two runs a day apart from ever being compacted after retention.
        if self._rows_counted is None:
            rows = connection.execute("SELECT count(*) FROM messages").fetchone()[0]
            self._rows_counted = (int(rows), self._garbage_rows)
        counted, garbage_then = self._rows_counted
        left = max(0, counted - (self._garbage_rows - garbage_then))
        return self._garbage_rows * COMPACT_FRACTION >= left

    def _note_room_made(self, reason: str, deleted: int) -> None:
        self.made_room += deleted
        if not self._short_of_room:
            log.warning("storage: %s: deleting the oldest messages to make room for new ones", reason)
        self._short_of_room = True
        if not self._said_room:
            self._said_room = True
            self._status.add_notice(f"{reason}: the oldest messages are deleted to make room for new ones")

    def purge_soon(self) -> None:
        """Make the next maintenance step check retention (instead of waiting for its timer)."""
        self._retention_due = 0.0

    def index_step(self, connection: sqlite3.Connection) -> bool:
        """Add the next INDEX_BATCH rows above `fts_upto` to the search index; True if more wait."""
        upto = connection.execute("SELECT value FROM meta WHERE key = 'fts_upto'").fetchone()[0]
        ids = connection.execute("SELECT id FROM messages WHERE id > ? ORDER BY id LIMIT ?", (upto, INDEX_BATCH))
        batch = [row[0] for row in ids.fetchall()]
        if not batch:
            return False
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages WHERE id > ? AND id <= ?",
            (upto, batch[-1]),
        )
        connection.execute("UPDATE meta SET value = ? WHERE key = 'fts_upto'", (batch[-1],))
        connection.execute("COMMIT")
        return len(batch) == INDEX_BATCH

    def index_lag(self) -> int:
        """Messages on disk not yet in the search index (searches scan them directly)."""
        rows = self._rows(
            "SELECT count(*) FROM messages WHERE id > (SELECT value FROM meta WHERE key = 'fts_upto')", ()
        )
        return int(rows[0][0]) if rows else 0

    def retention_step(self, connection: sqlite3.Connection) -> bool:
        """Purge one batch of messages older than the retention period; True if more may remain."""
        if not self._history_days:
            return False
        cutoff = self._cutoff_ms(self._deletion_clock.now())
        now_ms = int(self._clock() * 1000)
        rows = connection.execute("SELECT id, time_ms FROM messages ORDER BY id LIMIT ?", (PURGE_BATCH,)).fetchall()
        # Ids grow with time, so what is old is a prefix of the table; stop at the first recent row. A row
        # stamped later than now was said while the clock was ahead: it does not stop the prefix (it stopped
        # all retention until the clock caught up), and goes if a later row is old, as it was said before that.
        last_old = None
        for message_id, time_ms in rows:
            if time_ms > now_ms:
                continue
            if time_ms >= cutoff:
                break
            last_old = message_id
        if last_old is None:
            return False
        connection.execute("BEGIN IMMEDIATE")
        deleted = connection.execute("DELETE FROM messages WHERE id <= ?", (last_old,)).rowcount
        connection.execute(FORGET_QUOTES_UP_TO, (last_old,))
        connection.execute("COMMIT")
        with self._recent.lock:
            self._recent.purged_up_to = max(self._recent.purged_up_to, last_old)
        self._garbage_rows += deleted
        return len(rows) == PURGE_BATCH and last_old == rows[-1][0]

    # -- MessageStore --
    def highest_id(self) -> int:
        """The highest id ever given out (kept across restarts); the server's counter starts after it."""
        with self._recent.lock:
            return self._recent.highest_id

    def append(self, message: StoredMessage) -> None:
        """Keep `message`: memory now, the database soon (no I/O here; safe under the registry lock)."""
        if not self._recent.add(message, self._submit):
            self._status.count_not_saved(1)

    def _submit(self, message: StoredMessage, late: bool) -> bool:
        """Queue the insert; called under RecentMessages' lock, so the writer gets messages in id order."""
        writer = self._writer
        # The message is the row: no Write is made per message (see Writer.submit_row).
        if writer is None or not writer.submit_row(message):
            return False
        if late:
            # An id lower than one already queued: the indexer may have passed it, so index it now if so.
            writer.submit(Write(INDEX_LATE_MESSAGE, (message.id,)))
        return True

    def get(self, message_id: int) -> StoredMessage | None:
        """The message with this id, unless deleted or past retention."""
        message = self._recent.find(message_id)
        if message is None and not self._recent.is_deleted(message_id):
            rows = self._rows(f"SELECT {COLUMNS} FROM messages AS m WHERE m.id = ?", (message_id,))
            message = row_message(rows[0]) if rows else None
        if message is None:
            return None
        visible = self._recent.visible([message], self._cutoff_ms())
        return visible[0] if visible else None

    def still_visible(self, messages: Sequence[StoredMessage]) -> list[StoredMessage]:
        """`messages` (read a moment ago) without those deleted or cleared since (no I/O; safe under the registry lock)."""
        return self._recent.visible(messages, self._cutoff_ms())

    def replay(self, room: str, count: int) -> list[StoredMessage]:
        """The room's newest `count` messages, oldest first; from memory once the room's tail is loaded."""
        if count <= 0:
            return []
        if count > self._tail_size:
            return self.page(Conversation.of_room(room), limit=count).messages
        conv = room_conversation(name_key(room))
        tail, messages = self._recent.tail(conv)
        if not tail.loaded:
            try:
                older = self._page(conv, None, None, self._tail_size, strict=True).messages
            except sqlite3.Error:
                older = None
            if older is not None:
                messages = self._recent.complete_tail(conv, tail, older)
        return self._recent.visible(messages, self._cutoff_ms())[-count:]

    def recent(self, room: str, count: int, *, memory_only: bool = False) -> Page | None:
        """The room's newest `count` messages from memory (no I/O), oldest first; `more`: older ones exist.

        None when memory cannot answer for sure (the room's tail is not
        loaded yet, or deletions thinned it out): call `load_recent` off the
        registry lock, then ask again. `memory_only` answers anyway from what
        memory has (`more` then errs towards true).
        """
        if count <= 0:
            return Page([], False)
        conv = room_conversation(name_key(room))
        loaded = self._recent.loaded_tail(conv)
        if loaded is None:
            if not memory_only:
                return None
            messages, whole = self._recent.memory_tail(conv), False
            if messages is None:
                messages, whole = [], True
        else:
            messages, whole = loaded
        visible = self._recent.visible(messages, self._cutoff_ms())
        if len(visible) > count:
            return Page(visible[-count:], True)
        if whole or memory_only:
            return Page(visible, not whole)
        return None

    def load_recent(self, room: str) -> bool:
        """Read the room's newest messages into memory, so `recent` answers from it; False if the disk failed."""
        conv = room_conversation(name_key(room))
        try:
            page = self._page(conv, None, None, self._tail_size, strict=True)
        except sqlite3.Error:
            return False
        self._recent.load_tail(conv, page.messages, not page.more)
        return True

    def page(
        self,
        conversation: Conversation,
        *,
        before: int | None = None,
        after: int | None = None,
        limit: int = 50,
    ) -> Page:
        """Up to `limit` messages before `before`, after `after`, or the newest; in id order, with `more`."""
        if before is not None and after is not None:
            raise ValueError("page before an id or after one, not both")
        if limit < 1:
            raise ValueError("limit is at least 1")
        return self._page(
            conversation.key, before, after, limit, strict=False, owners=conversation.owners, peers=conversation.peers
        )

    def search(
        self,
        asker: str,
        text: str,
        *,
        room: str | None = None,
        include_private: bool = False,
        limit: int = SEARCH_LIMIT,
        owners: tuple[str, ...] | None = None,
        clock: SearchClock | None = None,
        before: int | None = None,
        sender: SenderFilter | None = None,
        every_room: bool = False,
    ) -> list[StoredMessage]:
        """Newest first: messages of `room` and, if asked, `asker`'s own private ones, containing every word;
        with `before`, only those with a smaller id (the next page of a search, older than its last result);
        with `sender`, only those that person sent (then the words may be none); `every_room` with `sender`:
        that person's messages in every room (a teacher's search, checked by the caller).

        The store enforces the scope: a private message is returned only when
        `asker` is its sender or its recipient (with `owners`: when one of them
        sent or received it), and a room message only from `room`.  With a
        `clock`, the reading stops when it runs out (`clock.ran_out`), with the
        newest matches found until then.
        """
        query = parse_query(text)
        every_room = every_room and sender is not None and room is None
        if (query.empty and sender is None) or limit < 1 or (room is None and not include_private and not every_room):
            return []
        asker_key = name_key(asker)
        conv = room_conversation(name_key(room)) if room is not None else None

        def in_scope(message: StoredMessage) -> bool:
            if message.is_private:
                mine = message.owned_by(owners) if owners is not None else message.visible_to(asker_key)
                return include_private and mine
            return every_room or message.conv == conv

        def wanted(message: StoredMessage) -> bool:
            return in_scope(message) and query.matches(message.text) and (sender is None or sender.matches(message))

        below = NOTHING_VOUCHED if before is None else before
        unwritten = self._recent.unwritten_where(lambda m: m.id < below and wanted(m))
        cutoff = self._cutoff_ms()
        parts: list[Fetch] = []
        if conv is not None:
            parts.append(room_search(conv, query, cutoff, self.damaged, self._trigram_stats, clock, below, sender))
        if every_room and sender is not None:
            parts.append(every_room_search(sender, query, cutoff, clock, below))
        if include_private:
            parts.append(private_search(asker_key, query, cutoff, owners, clock, below, sender))
        return self._merge_nearest(watched(newest_of(parts), clock), unwritten, limit, True, clock=clock)

    def delete(self, message_id: int) -> StoredMessage | None:
        """Remove a message for good and return it (None if there is none); the caller checked who may."""
        message = self.get(message_id)
        if message is None:
            return None
        self._recent.delete(message_id, message.conv)
        writer = self._writer
        if writer is not None and not writer.submit(Write("DELETE FROM messages WHERE id = ?", (message_id,))):
            log.warning("storage: the deletion of message %d is not saved (the writer is too far behind)", message_id)
        # Its words also go from the answers that quoted it (found by the sixteenth review: replayed after a
        # restart, an answer still showed the deleted password it quoted).  The index holds answers only.
        if writer is not None:
            writer.submit(Write("UPDATE messages SET reply_excerpt = NULL WHERE reply_to = ?", (message_id,)))
        return message

    def room_messages_by(
        self, sender: str, since_ms: int, limit: int, owners: tuple[str, ...] = ()
    ) -> list[StoredMessage]:
        """`sender`'s room messages sent at `since_ms` or later, newest first, at most `limit` (an admin's clean-up);
        with `owners`, also those sent by one of them under any other name (the same person before a rename).

        The table has no index on time, so it is read newest first, SCAN_PAGE
        ids at a time, up to the first page sent wholly before `since_ms`:
        cleaning up the last hour reads about the last hour's rows.  Private
        messages are never among them.
        """
        key = name_key(sender)

        def wanted(message: StoredMessage) -> bool:
            by = message.sender_key == key or (message.sender_owner is not None and message.sender_owner in owners)
            return message.room is not None and by and message.time_ms >= since_ms

        cutoff = self._cutoff_ms()
        unwritten = self._recent.visible(self._recent.unwritten_where(wanted), cutoff)
        found = {message.id: message for message in unwritten}
        below = NO_UPPER_BOUND
        while len(found) < limit:
            rows = self._rows(
                f"SELECT {COLUMNS} FROM messages AS m WHERE m.id < ? ORDER BY m.id DESC LIMIT {SCAN_PAGE}", (below,)
            )
            page = list(map(row_message, rows))
            found.update((message.id, message) for message in self._recent.visible(filter(wanted, page), cutoff))
            if len(page) < SCAN_PAGE or max(message.time_ms for message in page) < since_ms:
                break
            below = page[-1].id
        return sorted(found.values(), key=attrgetter("id"), reverse=True)[:limit]

    def clear_room(self, room: str) -> int:
        """Remove every message of `room` kept so far; return the id up to which they are gone."""
        conv = room_conversation(name_key(room))
        upto = self._recent.clear(conv)
        writer = self._writer
        if writer is not None and not writer.submit(
            Write("DELETE FROM messages WHERE conv = ? AND id <= ?", (conv, upto))
        ):
            log.warning("storage: clearing room %s is not saved (the writer is too far behind)", room)
        return upto

    def export_rows(
        self, room: str, start_ms: int, end_ms: int, *, include_private: bool = False
    ) -> list[StoredMessage]:
        """A room's messages with start_ms <= time < end_ms in id order; private ones too only if asked."""
        conv = room_conversation(name_key(room))

        def wanted(message: StoredMessage) -> bool:
            in_room = message.conv == conv or (include_private and message.is_private)
            return in_room and start_ms <= message.time_ms < end_ms

        scope = "m.conv = ? OR m.recipient_key IS NOT NULL" if include_private else "m.conv = ?"
        # The unwritten ones first: one committed between the two looks is then in the database's answer.
        unwritten = self._recent.unwritten_where(wanted)
        rows = self._rows(
            f"SELECT {COLUMNS} FROM messages AS m WHERE ({scope}) AND m.time_ms >= ? AND m.time_ms < ? ORDER BY m.id",
            (conv, start_ms, end_ms),
        )
        merged = {message.id: message for message in map(row_message, rows)}
        merged.update((message.id, message) for message in unwritten)
        ordered = [merged[key] for key in sorted(merged)]
        return self._recent.visible(ordered, self._cutoff_ms())

    def count(self) -> int:
        """Messages kept: on disk plus not yet written (an admin figure; counts the whole table).

        The unwritten ones are taken first, as the reads above do: one committed between the two looks is
        then on disk *and* in the list (the writer lets go of a batch just after its commit), so the ones
        found on disk are taken off once.
        """
        unwritten = {message.id for message in self._recent.unwritten_where(lambda _message: True)}
        rows = self._rows("SELECT count(*) FROM messages", ())
        on_disk = int(rows[0][0]) if rows else 0
        if unwritten:
            found = self._rows("SELECT id FROM messages WHERE id BETWEEN ? AND ?", (min(unwritten), max(unwritten)))
            on_disk -= sum(1 for (message_id,) in found if message_id in unwritten)
        return on_disk + len(unwritten)

    # -- inside --
    def _between_fetch(
        self, owners: tuple[str, ...], peers: tuple[str, ...], above: int, below: int, order: str
    ) -> Fetch:
        """Private messages from one of `owners` to one of `peers` or back, whatever the nicknames (a person has few)."""
        ours, theirs = ", ".join("?" * len(owners)), ", ".join("?" * len(peers))
        sql = (
            f"SELECT {COLUMNS} FROM messages AS m WHERE m.recipient_key IS NOT NULL AND m.id > ? AND m.id < ?"
            f" AND m.time_ms >= ? AND ((m.sender_owner IN ({ours}) AND m.recipient_owner IN ({theirs}))"
            f" OR (m.sender_owner IN ({theirs}) AND m.recipient_owner IN ({ours}))) ORDER BY m.id {order} LIMIT ?"
        )
        return self._fetcher(sql, [above, below, self._cutoff_ms(), *owners, *peers, *peers, *owners])

    def _cutoff_ms(self, now: float | None = None) -> int:
        """Messages stamped before this are past retention (at `now`, else by the wall clock: what reads hide)."""
        if not self._history_days:
            return 0
        return int((self._clock() if now is None else now) * 1000) - self._history_days * DAY_MS

    def _highest_on_disk(self) -> int:
        assert self._db is not None
        connection = self._db.writer
        highest = connection.execute("SELECT max(id) FROM messages").fetchone()[0] or 0
        mark = connection.execute("SELECT value FROM meta WHERE key = 'last_id'").fetchone()
        return max(int(highest), int(mark[0]) if mark else 0, self._db.recovered_last_id)

    def _page(
        self,
        conv: str,
        before: int | None,
        after: int | None,
        limit: int,
        *,
        strict: bool,
        owners: Owners = None,
        peers: Owners = None,
    ) -> Page:
        """`owners`: only messages one of them sent or received; with `peers`, those between them and these
        under any names instead, and only those (Conversation)."""
        descending = after is None
        above = max(after or 0, self._recent.cleared_up_to(conv))
        below = before if before is not None else NO_UPPER_BOUND
        order = "DESC" if descending else "ASC"
        if owners and peers:
            # The two people, under any names (a rename on either side), and no one else: not what someone
            # who had the peer's nickname before said (a guest of the last period; found by the twelfth review).
            fetch = self._between_fetch(owners, peers, above, below, order)
            unwritten = sorted(
                self._recent.unwritten_where(lambda m: above < m.id < below and _between(m, owners, peers)),
                key=attrgetter("id"),
            )
        else:
            unwritten = self._recent.unwritten_in(conv, above, below)
            params: list[object] = [conv, above, below, self._cutoff_ms()]
            mine = ""
            if owners is not None:
                unwritten = [message for message in unwritten if message.owned_by(owners)]
                marks = ", ".join("?" * len(owners)) or "NULL"
                mine = f" AND (m.sender_owner IN ({marks}) OR m.recipient_owner IN ({marks}))"
                params += [*owners, *owners]
            sql = (
                f"SELECT {COLUMNS} FROM messages AS m WHERE m.conv = ? AND m.id > ? AND m.id < ? AND m.time_ms >= ?"
                f"{mine} ORDER BY m.id {order} LIMIT ?"
            )
            fetch = self._fetcher(sql, params)
        nearest = self._merge_nearest(fetch, unwritten, limit + 1, descending, strict=strict)
        more = len(nearest) > limit
        messages = nearest[:limit]
        if descending:
            messages.reverse()
        return Page(messages, more)


def _between(message: StoredMessage, owners: tuple[str, ...], peers: tuple[str, ...]) -> bool:
    """A private message from one of `owners` to one of `peers`, or back."""
    sender, recipient = message.sender_owner, message.recipient_owner
    if not message.is_private or sender is None or recipient is None:
        return False
    return (sender in owners and recipient in peers) or (sender in peers and recipient in owners)
