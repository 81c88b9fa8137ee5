"""What every command module shares: the Delivery type and the CommandModule base class (handler threads, registry lock held).

A command module is a class of `handle_<command>(session, argument)`
methods for the commands of one feature.  Each method decides from the
registry's state and one command who gets which frames and returns them as
deliveries; it never touches a socket, a file or the log.  A refusal is
raised as ProtocolError and becomes an `error` frame for the sender.

A command with a slow part (reading the database, hashing a password)
returns an `OffLock` instead: its `work` runs on the sender's thread after
the registry lock is released, then `then` runs under the lock again with
the result and returns the deliveries, or another OffLock (a second slow
part: `after_saving` waits for the disk before an answer that promises a
change is kept).  The sender's later lines wait for it, so replies keep the
order of the commands.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from chat_server.config import ServerConfig
from chat_server.identity.wiring import WhoIsWho
from chat_server.output_cap import OutputCap
from chat_server.registry import ChatRegistry, Room
from chat_server.rooms_push import RoomsPush
from chat_server.session import Session
from chat_server.storage import Storage
from shared.errors import ErrorCode, ProtocolError
from shared.frames import Frame, server_frame
from shared.names import clean_message_text

if TYPE_CHECKING:
    from chat_server.files.sharing import FileSharing

Delivery = tuple[Iterable[Session], Frame]
T = TypeVar("T")


@dataclass(frozen=True)
class OffLock(Generic[T]):
    """The slow part of a command: `work()` runs without the registry lock, `then(result)` with it."""

    work: Callable[[], T]
    then: Callable[[T], CommandResult]


CommandResult = list[Delivery] | OffLock[Any]

SAVE_SECONDS = 5.0  # an answer that promises a change is kept waits this long at most for the disk


def save_now(storage: Storage) -> bool:
    """Wait (off the lock) until what was changed so far is on disk, so a crash right after the answer
    cannot undo it; True once it is.  False at once while the store is retrying (a full disk, a lock) or
    keeps nothing on disk: then the change waits in memory with the rest, and the wait would only hold
    up the one who asked."""
    if storage.status().state != "ok":
        return False
    return storage.flush(SAVE_SECONDS)


def not_saved_frame(storage: Storage, what: str) -> Frame:
    """The warning for whoever made a change the disk did not take: it holds now, and may not outlive the run.

    Found by a probe: with the disk full, REGISTER, BAN and DELETE were confirmed as kept, and a normal
    stop before the disk was freed lost them without a word to anyone.
    """
    status = storage.status()
    if status.state == "memory":
        why = f"the server keeps nothing on disk this run ({status.reason})" if status.reason else "no disk"
        text = f"{what} holds until the server stops, but it is not saved: {why}. Tell the admin."
    else:
        why = status.reason or "the disk did not answer in time"
        text = (
            f"{what} holds now but is not saved yet: {why}. It is saved once the disk works again; "
            "if the server stops before that, it is lost. Tell the admin."
        )
    return server_frame("system", text, event="not_saved")


def after_saving(
    storage: Storage, deliveries: list[Delivery], asker: Session | None = None, what: str = "This change"
) -> OffLock[bool]:
    """`deliveries` once the change just made (under the lock) is on disk: waited for with the lock released.

    If the disk does not take it, `asker` is told so (not_saved_frame) after the deliveries.
    """

    def then(saved: bool) -> list[Delivery]:
        if saved or asker is None:
            return deliveries
        return [*deliveries, ([asker], not_saved_frame(storage, what))]

    return OffLock(lambda: save_now(storage), then)


class HangUps:
    """Connections a command ended (RESUME closes the old one): hung up once the registry lock is released."""

    def __init__(self) -> None:
        self._sessions: list[Session] = []

    def add(self, session: Session) -> None:
        self._sessions.append(session)

    def take(self) -> list[Session]:
        sessions, self._sessions = self._sessions, []
        return sessions


class AdminAlerts:
    """Warnings for the admin that commands raised (registry lock held): logged once the lock is released."""

    def __init__(self) -> None:
        self._texts: list[str] = []

    def add(self, text: str) -> None:
        self._texts.append(text)

    def take(self) -> list[str]:
        texts, self._texts = self._texts, []
        return texts


@dataclass(frozen=True)
class ServerServices:
    """What command modules work with; a feature that needs a new service adds it here."""

    registry: ChatRegistry
    config: ServerConfig
    rooms_push: RoomsPush
    hang_ups: HangUps
    storage: Storage
    who: WhoIsWho  # join code, accounts, roles, bans and mutes, kept rooms (docs/identity.md)
    files: FileSharing | None = None  # file sharing (handlers/files.py); None where the server has none
    alerts: AdminAlerts = field(default_factory=AdminAlerts)  # warnings for the admin, logged after the lock
    output_cap: OutputCap = field(default_factory=lambda: OutputCap(0))  # unsent output, all clients (output_cap.py)


class CommandModule:
    """Base of every command module: the shared state, the settings, the common checks."""

    def __init__(self, services: ServerServices) -> None:
        self.services = services
        self.registry = services.registry
        self.config = services.config
        self.rooms_push = services.rooms_push
        self.hang_ups = services.hang_ups
        self.alerts = services.alerts
        self.storage = services.storage
        self.identity = services.who.service
        self.moderator = services.who.moderator
        self.nick_rules = services.who.nick_rules
        self.kept_rooms = services.who.rooms

    def others(self, room: Room, session: Session) -> list[Session]:
        return [member for member in room.members if member is not session]

    def text(self, raw: str) -> str:
        return clean_message_text(raw, self.config.max_message_chars)

    def require_room(self, session: Session) -> Room:
        if session.room is None:
            raise ProtocolError(ErrorCode.NOT_IN_ROOM, "You are not in a room; join one first, e.g. /join general.")
        return session.room

    @staticmethod
    def notice_allowed(session: Session) -> bool:
        """Whether a command the room hears of (JOIN, LEAVE, NICK, AWAY, BACK) fits its computer's message budget.

        Past it: `rate_limited` once a second, and False (drop it quietly) in
        between.  A muted computer with 19 connections sent 220 join, leave
        and away notices a second to the class this way (a probe).
        """
        budget = session.address_budget
        if budget is None or budget.allow_notice():
            return True
        session.flood.refuse_or_drop(
            "Your computer is joining, leaving, renaming or changing its status too often (all its connections "
            "together); nothing changed. Wait a moment."
        )
        return False

    def output_room(self, session: Session, what: str) -> bool:
        """Whether a large answer the client may ask again for (HISTORY, SEARCH, LIST) may be queued now.

        While the server holds more unsent output than its cap (chat_server/output_cap.py) it is refused:
        `rate_limited` once a second, and False (drop it quietly) in between; the connections that read
        nothing for longest are cut off meanwhile, so the room comes back.
        """
        cap = self.services.output_cap
        writer = session.outbox.writer
        if not cap.busy(writer):
            return True
        cap.sweep(self.registry, self.hang_ups, writer)
        session.flood.refuse_or_drop(
            f"The server is busy: it has more output waiting for slow connections than it allows, so {what} "
            "is not answered now. Try again in a few seconds."
        )
        return False

    def require_voice(self, session: Session, to_teacher: bool = False) -> None:
        """`muted` for a muted sender; with only the class muted (MUTE *), what goes privately to a teacher passes.

        A test: a student's words and files reach nobody but a teacher ("my computer froze", the hand-in).
        """
        if not session.muted:
            return
        if self.moderator.muted_with_class(session) and not self.moderator.muted_alone(session):
            if to_teacher:
                return
            raise ProtocolError(
                ErrorCode.MUTED,
                "The teacher has muted the whole class; only private messages to a teacher are delivered "
                "(/pm NAME TEXT).",
            )
        raise ProtocolError(ErrorCode.MUTED, "You are muted; your messages are not delivered.")

    def refuse_if_ignored(self, recipient: Session, sender: Session, what: str) -> None:
        """`ignored` when `recipient` has ignored `sender` (chat_server/ignoring.py); the tries go to the log, paced."""
        book = self.registry.ignores
        if not book.blocks(recipient, sender):
            return
        tries = book.refused(recipient, sender, time.monotonic())
        if tries:
            self.alerts.add(
                f"{sender.nick} tried to send {what} to {recipient.nick}, who ignores them "
                f"({tries} {'try' if tries == 1 else 'tries'} since the last such line)"
            )
        raise ProtocolError(ErrorCode.IGNORED, f"{recipient.nick} is not taking {what} from you.")
