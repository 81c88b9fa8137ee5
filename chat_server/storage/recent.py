"""RecentMessages: what the history store keeps in memory, under its own small lock (any thread, no I/O).

- unwritten messages: those appended but not yet committed are the writer's
  own queue of rows (`Writer.unwritten_rows`, read through `pending`), plus
  `memory_only`: messages the writer refused (too far behind, closed) or,
  with no database, every message kept this run, up to a cap. Reads merge
  them with what the database returns, so every caller sees its own writes.
  Normally a few hundred (one group commit's worth), so reads filter them
  by a scan instead of keeping an index that every append would pay for.
- `tails`: the newest messages of each room, for replay on join without
  touching the disk. A room's tail starts recording at its first append or
  replay and is completed from the database once (see `SqliteMessageStore.replay`).
  At most `max_tails` rooms keep one: past it, a room whose tail was not
  used since the last look goes (a clock sweep), and its next replay reads
  the disk again. Before, every room that ever had a message kept its tail
  for good, empty or not (a probe: 300 rooms made within the new-rooms limit
  held 54 MB, and each DELETE scanned them all under this lock).
- `deleted` and `cleared`: ids and room prefixes removed this run, so a
  database read that raced with the delete never brings a row back.

The lock is held only for dictionary and list work, never for I/O, so
`append` is safe to call while holding the registry lock.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import attrgetter

from chat_server.storage.models import StoredMessage

MAX_REMEMBERED_DELETES = 100_000
MAX_TAILS = 64  # rooms whose newest messages stay in memory (a class uses tens; more are read from disk)


def _nothing_pending() -> list[StoredMessage]:
    return []


@dataclass(eq=False)
class RoomTail:
    messages: collections.deque[StoredMessage]
    loaded: bool = False
    # Loaded with every visible message the room had: while the deque has never been full since (nothing
    # was pushed out), it is the room's whole history and a replay from it knows nothing older exists.
    whole: bool = False
    used: bool = False  # appended to or replayed since the clock sweep last passed it


@dataclass(eq=False)
class RecentMessages:
    tail_size: int
    unwritten_cap: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    # The messages queued for the writer and not yet committed (Writer.unwritten_rows), oldest first.
    pending: Callable[[], list[StoredMessage]] = _nothing_pending
    _memory_only: collections.deque[StoredMessage] = field(init=False)
    _tails: dict[str, RoomTail] = field(default_factory=dict)
    _deleted: set[int] = field(default_factory=set)
    _deleted_order: collections.deque[int] = field(default_factory=collections.deque)
    _cleared: dict[str, int] = field(default_factory=dict)
    # The retention purge deleted every id up to this one (some stamped later than it had reached)
    purged_up_to: int = 0
    highest_id: int = 0
    max_tails: int = MAX_TAILS

    def __post_init__(self) -> None:
        self._memory_only = collections.deque(maxlen=self.unwritten_cap)

    # -- all of these take the lock themselves --
    def add(self, message: StoredMessage, submit: Callable[[StoredMessage, bool], bool]) -> bool:
        """Remember a new message and call submit(message, late) under the lock; return what submit said.

        `late` is true when a higher id was added before this one. Calling
        submit under this lock puts messages on the writer's queue in the
        order this method saw them. A message submit refuses is kept in
        memory only (this run's reads still find it). The per-message path
        (under the registry lock): keep it to a few operations.
        """
        with self.lock:
            late = message.id <= self.highest_id
            if not late:
                self.highest_id = message.id
            if message.room is not None:
                tail = self._tails.get(message.conv)
                if tail is None:  # marked used at its second message: a room said one thing in goes first
                    tail = self._new_tail(message.conv, RoomTail(collections.deque(maxlen=self.tail_size)))
                else:
                    tail.used = True
                tail.messages.append(message)
            if submit(message, late):
                return True
            self._memory_only.append(message)
            return False

    def _unwritten(self) -> list[StoredMessage]:
        """Every message not on disk: queued first, then kept in memory only (take before reading the disk)."""
        queued = self.pending()
        with self.lock:
            return queued + list(self._memory_only) if self._memory_only else queued

    def unwritten_count(self) -> int:
        return len(self._unwritten())

    def unwritten_in(self, conv: str, above: int | None, below: int | None) -> list[StoredMessage]:
        """Unwritten messages of `conv` with above < id < below (None: no bound), in id order."""
        low = -1 if above is None else above
        high = 1 << 62 if below is None else below
        found = [message for message in self._unwritten() if message.conv == conv and low < message.id < high]
        found.sort(key=attrgetter("id"))
        return found

    def unwritten_where(self, keep: Callable[[StoredMessage], bool]) -> list[StoredMessage]:
        return [message for message in self._unwritten() if keep(message)]

    def find(self, message_id: int) -> StoredMessage | None:
        if self.is_deleted(message_id):
            return None
        for message in self._unwritten():
            if message.id == message_id:
                return message
        return None

    def is_deleted(self, message_id: int) -> bool:
        with self.lock:
            return message_id in self._deleted

    def visible(self, messages: Iterable[StoredMessage], cutoff_ms: int) -> list[StoredMessage]:
        """Drop messages deleted or cleared this run, and those older than the retention cutoff or purged;
        an answer whose original was deleted this run loses its quoted words (the database's copy too, see
        SqliteMessageStore.delete)."""
        with self.lock:
            deleted, cleared, purged = self._deleted, self._cleared, self.purged_up_to
            return [
                message.without_quote()
                if message.reply_to is not None and (message.reply_to in deleted or message.reply_to <= purged)
                else message
                for message in messages
                if message.time_ms >= cutoff_ms
                and message.id > purged
                and message.id not in deleted
                and message.id > cleared.get(message.conv, 0)
            ]

    def cleared_up_to(self, conv: str) -> int:
        with self.lock:
            return self._cleared.get(conv, 0)

    def delete(self, message_id: int, conv: str | None = None) -> None:
        """Hide a message from every read (an unwritten one is still written, then deleted by the writer).

        `conv`, when known, is the only tail looked through (else every one).
        """
        with self.lock:
            if message_id in self._deleted:
                return
            self._deleted.add(message_id)
            self._deleted_order.append(message_id)
            if len(self._deleted_order) > MAX_REMEMBERED_DELETES:
                self._deleted.discard(self._deleted_order.popleft())
            tails = self._tails.items() if conv is None else [(conv, self._tails.get(conv))]
            for tail_conv, tail in tails:
                if tail is not None and any(m.id == message_id for m in tail.messages):
                    self._drop_from_tail(tail_conv, lambda m: m.id == message_id)
                    break

    def clear(self, conv: str) -> int:
        """Hide every message of `conv` up to the newest one so far; return that id."""
        with self.lock:
            upto = self.highest_id
            self._cleared[conv] = upto
            if any(message.conv == conv for message in self._memory_only):
                kept = [message for message in self._memory_only if message.conv != conv]
                self._memory_only = collections.deque(kept, maxlen=self.unwritten_cap)
            self._drop_from_tail(conv, lambda m: True)
            tail = self._tails.get(conv)
            if tail is not None:  # nothing up to `upto` is visible any more: the empty tail is the whole room
                tail.loaded = tail.whole = True
            return upto

    # -- tails --
    def tail(self, conv: str) -> tuple[RoomTail, list[StoredMessage]]:
        """The room's tail (made, unloaded, if new) and a copy of its messages."""
        with self.lock:
            tail = self._tails.get(conv)
            if tail is None:
                tail = self._new_tail(conv, RoomTail(collections.deque(maxlen=self.tail_size)))
            tail.used = True
            return tail, list(tail.messages)

    def complete_tail(self, conv: str, tail: RoomTail, older: list[StoredMessage]) -> list[StoredMessage]:
        """Merge what the database had with what was appended since the tail started recording."""
        with self.lock:
            if not tail.loaded:
                merged = {message.id: message for message in older}
                merged.update((message.id, message) for message in tail.messages)
                cleared = self._cleared.get(conv, 0)
                ordered = [merged[key] for key in sorted(merged) if key not in self._deleted and key > cleared]
                tail.messages = collections.deque(ordered[-self.tail_size :], maxlen=self.tail_size)
                tail.loaded = True
                tail.whole = len(older) < self.tail_size and len(ordered) <= self.tail_size
            return list(tail.messages)

    def loaded_tail(self, conv: str) -> tuple[list[StoredMessage], bool] | None:
        """A copy of a loaded tail and whether it is the room's whole history; None if not loaded (no I/O)."""
        with self.lock:
            tail = self._tails.get(conv)
            if tail is None or not tail.loaded:
                return None
            tail.used = True
            return list(tail.messages), tail.whole and len(tail.messages) < self.tail_size

    def memory_tail(self, conv: str) -> list[StoredMessage] | None:
        """A copy of the tail as it is, loaded or not; None if the room has none."""
        with self.lock:
            tail = self._tails.get(conv)
            return None if tail is None else list(tail.messages)

    def load_tail(self, conv: str, older: list[StoredMessage], whole: bool) -> None:
        """(Re)build the room's tail from what the database had (`whole`: all of it) and what came since.

        A room with no message keeps no tail, so JOINs of made-up room
        names leave nothing behind in memory.
        """
        with self.lock:
            tail = self._tails.get(conv)
            merged = {message.id: message for message in older}
            if tail is not None:
                merged.update((message.id, message) for message in tail.messages)
            cleared = self._cleared.get(conv, 0)
            ordered = [merged[key] for key in sorted(merged) if key not in self._deleted and key > cleared]
            if not ordered:
                self._tails.pop(conv, None)
                return
            kept = collections.deque(ordered[-self.tail_size :], maxlen=self.tail_size)
            loaded = RoomTail(kept, loaded=True, whole=whole and len(ordered) <= self.tail_size)
            if tail is None:
                self._new_tail(conv, loaded)
            else:
                self._tails[conv] = loaded

    def tail_count(self) -> int:
        with self.lock:
            return len(self._tails)

    # -- with the lock held --
    def _new_tail(self, conv: str, tail: RoomTail) -> RoomTail:
        """Keep `tail` for `conv`, first letting one old tail go if `max_tails` rooms have one."""
        tails = self._tails
        if len(tails) >= self.max_tails:
            # A clock sweep in insertion order: a used tail goes to the back unmarked, the first unused one goes.
            for _ in range(2 * len(tails)):
                oldest = next(iter(tails))
                swept = tails.pop(oldest)
                if not swept.used:
                    break
                swept.used = False
                tails[oldest] = swept
        tails[conv] = tail
        return tail

    def _drop_from_tail(self, conv: str, drop: Callable[[StoredMessage], bool]) -> None:
        tail = self._tails.get(conv)
        if tail is not None:
            if len(tail.messages) >= self.tail_size:  # it may have pushed older messages out: no longer whole
                tail.whole = False
            tail.messages = collections.deque((m for m in tail.messages if not drop(m)), maxlen=self.tail_size)
