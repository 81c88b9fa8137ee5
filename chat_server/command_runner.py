"""Carrying out a connection's command lines under the registry lock, and what the log says of them (handler threads).

Mixed into ChatServer (chat_server/server.py).  `run_commands` is the
message path (handler -> run_commands -> CommandHandlers.dispatch ->
ChatRegistry.deliver -> outboxes; room messages through a RoomMessageBatch,
one put per member for the lot): keep it as cheap as it is, no extra
call per line (docs/benchmarks.md, "Message path, per-message cost").  A command's OffLock work (disk,
hashing) runs with the lock released; log lines are noted under the lock
and written after it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any

from chat_server.address_log import AddressLogBudget, held_back_note
from chat_server.handlers import CommandHandlers, CommandResult, Delivery, OffLock
from chat_server.message_batch import MESSAGE_COMMANDS, RoomMessageBatch
from chat_server.registry import ChatRegistry
from chat_server.session import Session
from shared.errors import ErrorCode, ProtocolError
from shared.frame_text import collapse_blanks
from shared.frames import Frame, error_frame
from shared.names import one_line

log = logging.getLogger("chat_server")

LogNote = tuple[int, str, tuple[object, ...]]  # (level, message, arguments): logged once the lock is released


class CommandRunner:
    registry: ChatRegistry
    handlers: CommandHandlers
    address_log: AddressLogBudget  # INFO lines about one address: a budget a minute

    def run_commands(self, session: Session, contents: list[str]) -> None:
        """Carry out command lines in order and queue every frame they cause; stop after QUIT.

        The lines run under one hold of the registry lock, except that a
        command's OffLock work (disk, hashing) runs with the lock released,
        before the lines after it.
        """
        notes: list[LogNote] = []
        lines = iter(contents)
        finish: Callable[[], CommandResult] | None = None  # the rest of a slow command, once its work is done
        # Looked up once per read, not per command: this loop is the message path (see docs/benchmarks.md).
        dispatch = self.handlers.dispatch
        debug = log.isEnabledFor(logging.DEBUG)
        batch = RoomMessageBatch()  # the room messages of one lock hold, queued together (message_batch.py)
        while True:
            slow: OffLock[Any] | None = None
            with self.registry.lock:
                try:
                    if finish is not None:
                        try:
                            finished = finish()
                        except ProtocolError as exc:
                            finished = self._refused(session, exc, notes, debug)
                        if isinstance(finished, OffLock):
                            slow = finished  # a second slow part (after_saving): the next lines wait for it too
                        else:
                            self._queue_frames(session, finished, notes, debug)
                    for content in lines if slow is None else ():
                        ended = session.closing  # a local, so the type checker sees the handler below can end it
                        if ended:
                            break
                        if batch.open and not content.startswith(MESSAGE_COMMANDS):
                            batch.flush()  # this command may queue frames or change a room: the messages go first
                        try:
                            result = dispatch(session, content)
                        except ProtocolError as exc:
                            result = self._refused(session, exc, notes, debug)
                        if isinstance(result, OffLock):
                            slow = result
                            break
                        self._queue_frames(session, result, notes, debug, batch)
                finally:  # even a handler's bug leaves no message with an id undelivered
                    batch.flush()
                hang_ups = self.handlers.hang_ups.take()
                alerts = self.handlers.alerts.take()
                for other in hang_ups:  # their bye is queued: nothing after it
                    other.outbox.close()
            for other in hang_ups:
                other.hang_up(other.close_reason)
            if notes:
                self._write_notes(session, notes)
                notes.clear()
            for alert in alerts:
                log.warning("%s", alert)
            if slow is None:
                return
            try:
                finish = functools.partial(slow.then, slow.work())
            except ProtocolError as refusal:
                finish = functools.partial(_refuse, refusal)

    def _write_notes(self, session: Session, notes: list[LogNote]) -> None:
        """Log what the commands noted (lock released); INFO lines come out of the address's budget."""
        for level, message, args in notes:
            if level == logging.INFO:
                held = self.address_log.take(session.host)
                if held is None:
                    continue
                if held:
                    message, args = message + "%s", (*args, held_back_note(held, session.host))
            log.log(level, message, *args)

    def _refused(self, session: Session, exc: ProtocolError, notes: list[LogNote], debug: bool) -> list[Delivery]:
        """A command refused: its `error` for the sender (registry lock held)."""
        if debug or exc.code in (ErrorCode.NICK_TAKEN, ErrorCode.BAD_NICK):
            who = session.nick or session.address_text
            notes.append((logging.INFO, "refused %s from %s: %s", (exc.code, who, exc.message)))
        return [([session], error_frame(exc.code, exc.message, **exc.fields))]

    def _queue_frames(
        self,
        session: Session,
        result: list[Delivery],
        notes: list[LogNote],
        debug: bool,
        batch: RoomMessageBatch | None = None,
    ) -> None:
        """Queue a command's frames (registry lock held); note what the log should say once it is released.

        A room message (one frame for a room's members) joins `batch`; anything
        else flushes the batch first, so every recipient keeps the order.
        """
        if batch is not None:
            if len(result) == 1:
                recipients, frame = result[0]
                if type(recipients) is dict and frame["type"] == "message":
                    batch.add(recipients, frame)
                    if debug:
                        notes.append(_change_note(session, frame))
                    if session.closing:  # no message ends its sender today; if one did, its frames go first
                        batch.flush()
                        session.outbox.close()
                    return
            batch.flush()  # before anything else is queued
        deliver = self.registry.deliver
        for recipients, frame in result:
            deliver(recipients, frame)
            if frame["type"] in _LOGGED_CHANGES or (debug and frame["type"] in ("message", "private")):
                notes.append(_change_note(_whose(session, recipients, frame), frame))
        if session.closing:  # QUIT: its bye was the last frame
            session.outbox.close()


_LOGGED_CHANGES = frozenset(["nick", "joined", "left"])


def _refuse(refusal: ProtocolError) -> list[Delivery]:
    """The `then` of slow work that was refused: the refusal goes to the sender as its `error`."""
    raise refusal


def _whose(session: Session, recipients: Iterable[Session], frame: Frame) -> Session:
    """Whose change a `joined` or `left` frame is: the one person it goes to, not always the one who typed the
    command (REMOVE, CLOSE: "alice left #lab" was logged when alice removed mallory; found by the ninth review)."""
    if frame["type"] in ("joined", "left") and isinstance(recipients, list) and len(recipients) == 1:
        only = recipients[0]
        if isinstance(only, Session):
            return only
    return session


def _change_note(session: Session, frame: Frame) -> LogNote:
    """INFO lines for registrations, renames, joins and leaves; message text only at DEBUG, made one line."""
    kind = frame["type"]
    if kind == "nick":
        old = frame.get("old")
        if frame.get("resumed"):
            return logging.INFO, "%s resumed %s", (session.address_text, session.nick)
        if frame.get("registered"):
            return logging.INFO, "%s registered the account %s", (session.address_text, frame["nick"])
        if frame.get("account") and not old:
            return logging.INFO, "%s logged in as %s", (session.address_text, frame["nick"])
        if old:
            return logging.INFO, "%s renamed %s -> %s", (session.address_text, old, frame["nick"])
        return logging.INFO, "%s registered as %s", (session.address_text, frame["nick"])
    if kind == "message":
        return (
            logging.DEBUG,
            "<%s> #%s: %s",
            (frame["sender"], frame["room"], collapse_blanks(one_line(frame["content"], 500))),
        )
    if kind == "private":
        return (
            logging.DEBUG,
            "<%s> to %s: %s",
            (frame["sender"], frame["to"], collapse_blanks(one_line(frame["content"], 500))),
        )
    verb = "joined" if kind == "joined" else "left"
    return logging.INFO, "%s %s #%s", (session.nick, verb, frame["room"])
