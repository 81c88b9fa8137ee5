"""Command handlers: one module per feature, each a class of `handle_<command>` methods (handler threads, registry lock held).

    CommandHandlers.dispatch(session, "JOIN general")
        -> parse_command_line -> the module that has handle_join -> [(recipients, frame), ...]

    base.py        Delivery, CommandModule (the registry, the settings, the common checks)
    chat.py        the version 1 chat commands: NICK JOIN MSG SAY PM LEAVE HELP QUIT PING
    listing.py     LIST, whole or in pages
    resume.py      RESUME
    replay.py      the replay after every `joined` (JOIN, RESUME)
    history.py     HISTORY, SEARCH, DELETE
    membership.py  joining and leaving a room (shared by several commands)
    presence.py    AWAY, BACK, TYPING
    room_entry.py  JOIN ROOM [KEY]: room keys, owners, look-alike room names
    accounts.py    PASS REGISTER LOGIN (join code, accounts; hashing off the lock)
    teacher.py     KICK BAN UNBAN MUTE UNMUTE ANNOUNCE CLOSE (teachers only)
    moving.py      MOVE (teachers send students into a room: group work and back)
    room_settings.py  TOPIC KEY (a room's owner or a teacher)
    files.py       UPLOAD DOWNLOAD CANCEL (sharing files; the bytes travel on transfer connections)
    ignoring.py    IGNORE UNIGNORE (one person stops another's private messages, files and typing)

A feature adds its commands by adding their CommandSpec to
shared/commands.py (HELP and the before-a-nickname rule read it there) and
a module here whose class goes into MODULES.
"""

from __future__ import annotations

from collections.abc import Callable

from chat_server.config import ServerConfig
from chat_server.files.sharing import FileSharing
from chat_server.handlers.accounts import AccountCommands
from chat_server.handlers.base import (
    AdminAlerts,
    CommandModule,
    CommandResult,
    Delivery,
    HangUps,
    OffLock,
    ServerServices,
)
from chat_server.handlers.chat import ChatCommands
from chat_server.handlers.files import TEXT_MODE_REFUSAL, FileCommands
from chat_server.handlers.history import HistoryCommands
from chat_server.handlers.ignoring import IgnoreCommands
from chat_server.handlers.listing import ListCommands
from chat_server.handlers.membership import leave_deliveries
from chat_server.handlers.moving import MoveCommands
from chat_server.handlers.presence import PresenceCommands
from chat_server.handlers.replies import ReplyCommands
from chat_server.handlers.resume import ResumeCommands
from chat_server.handlers.room_settings import RoomSettingCommands
from chat_server.handlers.teacher import TeacherCommands
from chat_server.identity.wiring import WhoIsWho
from chat_server.output_cap import OutputCap
from chat_server.plain_secrets import check_secret_transport
from chat_server.registry import ChatRegistry
from chat_server.rooms_push import RoomsPush
from chat_server.session import Session
from chat_server.storage import Storage
from shared.commands import COMMANDS, parse_command_line
from shared.errors import ErrorCode, ProtocolError
from shared.frames import Frame
from shared.names import one_line

MODULES: tuple[type[CommandModule], ...] = (
    ChatCommands,
    ListCommands,
    ResumeCommands,
    PresenceCommands,
    HistoryCommands,
    AccountCommands,
    TeacherCommands,
    MoveCommands,
    RoomSettingCommands,
    FileCommands,
    IgnoreCommands,
    ReplyCommands,
)
# The front ends' own words for file transfers (chat-term's /send and /get; the window's too), which a telnet user
# is told to type by a classmate: answered with why files cannot come to a text connection.
CLIENT_FILE_COMMANDS = frozenset({"SEND", "GET"})

__all__ = ["CommandHandlers", "CommandResult", "Delivery", "HangUps", "OffLock"]


class CommandHandlers:
    def __init__(
        self,
        registry: ChatRegistry,
        config: ServerConfig,
        rooms_push: RoomsPush,
        storage: Storage,
        who: WhoIsWho,
        files: FileSharing | None = None,
    ) -> None:
        self.registry = registry
        self.config = config
        self.hang_ups = HangUps()
        self.alerts = AdminAlerts()
        services = ServerServices(
            registry,
            config,
            rooms_push,
            self.hang_ups,
            storage,
            who,
            files,
            self.alerts,
            OutputCap(config.max_total_outbound_bytes),
        )
        modules = [module(services) for module in MODULES]
        self._mover = next(module for module in modules if isinstance(module, MoveCommands))
        self._table: dict[str, Callable[[Session, str], CommandResult]] = {}
        for name in COMMANDS:
            method = f"handle_{name.lower()}"
            owners = [module for module in modules if hasattr(module, method)]
            if len(owners) != 1:
                raise RuntimeError(f"{name} must be handled by exactly one command module, not {len(owners)}")
            self._table[name] = getattr(owners[0], method)

    def dispatch(self, session: Session, content: str) -> CommandResult:
        """Carry out one command line for `session`; the caller holds the registry lock."""
        command = parse_command_line(content)
        check_secret_transport(session, command.name, self.config)  # tls_required (chat_server/plain_secrets.py)
        handler = self._table.get(command.name)
        if handler is None and session.text_mode and command.name.startswith("{"):
            raise ProtocolError(
                ErrorCode.UNKNOWN_COMMAND,
                "This connection is in text mode (its first line was not JSON), so JSON is not read here: "
                "type commands such as /nick NAME. A JSON client's first line starts with {.",
            )
        if handler is None and session.text_mode and command.name in CLIENT_FILE_COMMANDS:
            # chat-term's /get and /send, as a classmate or the docs tell a telnet user to type them (the eleventh
            # review): "Unknown command GET" said nothing of why.  Not here for JSON clients, whose front ends
            # know these words and never send them.
            raise ProtocolError(ErrorCode.NOT_ALLOWED, TEXT_MODE_REFUSAL)
        if handler is None:
            shown = one_line(command.name, 40) or "(empty)"
            raise ProtocolError(ErrorCode.UNKNOWN_COMMAND, f"Unknown command {shown}; /help lists the commands.")
        if not session.registered and not COMMANDS[command.name].before_nick:
            raise ProtocolError(ErrorCode.NOT_REGISTERED, "Choose a nickname first: /nick NAME.")
        return handler(session, command.argument)

    def admin_move(self, room: str, who: str, reason: str) -> tuple[list[Delivery], Frame]:
        """The admin's MOVE (the console's /move); the caller holds the registry lock. ProtocolError if refused."""
        words = [room, who, reason] if reason.strip() else [room, who]
        return self._mover.move(words, None)

    def leave(self, session: Session) -> list[Delivery]:
        """The end of a connection: the room hears that it left, and why (the server's words, its own quoted)."""
        return leave_deliveries(self.registry, session, session.close_reason or "disconnected", session.said)
