"""Room messages of one registry lock hold, queued on their room's outboxes together (handler threads, lock held).

A flat-out sender's read carries dozens of SAY lines, each a frame for the
same members. One `Outbox.put_each` per message cost every recipient a lock
hold, a size check and an append per message; gathered, the room gets all
of them in one put per recipient (same bytes, same order).

What keeps the order: the batch holds frames for one recipient set only
(the room's `members` dict itself) and is flushed (queued for real) before
any other frame is queued, before any command that is not SAY or MSG is
carried out (only those leave the room's membership and every outbox as
they were), and before the registry lock is released. So nothing can reach
a member between two of the batch's messages, and nobody joins or leaves
the room while the batch is open.
"""

from __future__ import annotations

from chat_server.outbox import Outbox
from chat_server.session import Session
from shared.frames import Frame, encode_frame

# Command lines whose handler changes no room and queues nothing itself (it returns a room message, a
# private one or a refusal): the batch stays open across them. Anything else (other words, other case
# mixes, a tab after the word, leading spaces) flushes first, which is always safe.
MESSAGE_COMMANDS = tuple(
    slash + word + " " for slash in ("", "/") for word in ("SAY", "say", "Say", "MSG", "msg", "Msg")
)
# Held back at most this much per batch: a bounded chunk per put, so a member's outbox limit cuts it off no
# sooner than one put per message would (64 messages of 2,000 four-byte characters would be 512 KB at once).
FLUSH_BYTES = 64 * 1024


class RoomMessageBatch:
    """Encoded room messages for one room's members, put on their outboxes at flush()."""

    __slots__ = ("_recipients", "_outboxes", "_text_mode", "_lines", "_size")

    def __init__(self) -> None:
        self._recipients: dict[Session, None] | None = None
        self._outboxes: list[Outbox] = []
        self._text_mode: list[Session] = []
        self._lines: list[bytes] = []
        self._size = 0  # bytes in _lines

    @property
    def open(self) -> bool:
        return self._recipients is not None

    def add(self, recipients: dict[Session, None], frame: Frame) -> None:
        """One room message for `recipients` (a room's members); text-mode members get theirs at once."""
        if recipients is not self._recipients:
            self.flush()
            self._recipients = recipients
            self._outboxes = [session.outbox for session in recipients if not session.text_mode]
            self._text_mode = [session for session in recipients if session.text_mode]
        for session in self._text_mode:  # nothing of theirs is held back, so this keeps their order too
            session.send(frame)
        line = encode_frame(frame)
        self._lines.append(line)
        self._size += len(line)
        if self._size >= FLUSH_BYTES:
            self._queue()

    def flush(self) -> None:
        """Queue what the batch holds (one put per recipient); the batch is empty and closed afterwards."""
        if self._lines:
            self._queue()
        self._recipients = None

    def _queue(self) -> None:
        lines = self._lines
        Outbox.put_each(self._outboxes, lines[0] if len(lines) == 1 else b"".join(lines))
        self._lines = []
        self._size = 0
