"""Command lines as people type them: parsing, the command table, the MSG rule (any thread)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from shared.names import is_nick_shaped


@dataclass(frozen=True)
class CommandSpec:
    name: str
    usage: str
    summary: str
    before_nick: bool = False  # allowed before a nickname is accepted


COMMANDS: dict[str, CommandSpec] = {
    spec.name: spec
    for spec in (
        CommandSpec("NICK", "/nick NAME", "choose your nickname (first) or change it", True),
        CommandSpec("JOIN", "/join ROOM [KEY]", "leave your room, if any, and join (or create) ROOM"),
        CommandSpec("MSG", "/msg TEXT", "say TEXT in your room; '/msg bob: hi' is private to bob"),
        CommandSpec("SAY", "/say TEXT", "say TEXT in your room, always public"),
        CommandSpec("PM", "/pm NICK TEXT", "send TEXT privately to NICK"),
        CommandSpec("REPLY", "/reply ID TEXT", "answer message ID where it was said, quoting it (/search shows ids)"),
        CommandSpec("LEAVE", "/leave", "leave your current room"),
        CommandSpec("LIST", "/list [ROOM] [PAGE]", "who is online and the rooms; a ROOM's members; more PAGEs"),
        CommandSpec("HELP", "/help", "show this list", True),
        CommandSpec("QUIT", "/quit [REASON]", "say goodbye and disconnect", True),
        CommandSpec("PING", "/ping [TOKEN]", "check the connection; the server answers PONG", True),
        CommandSpec(
            "HISTORY",
            "/history [#ROOM|@NICK] [before|after ID] [N]",
            "earlier (or later) messages of your room, ROOM, or your private talk with NICK",
        ),
        CommandSpec(
            "SEARCH",
            "/search [#ROOM] [from:NAME] WORDS",
            "find messages of your room (or ROOM) and your private ones; from:NAME: only what NAME sent",
        ),
        CommandSpec(
            "SEARCHBEFORE",
            "/searchbefore ID [#ROOM] WORDS",
            "the same search's older matches: those before message ID (its last result)",
        ),
        CommandSpec(
            "DELETE",
            "/delete ID|last",
            "delete one of your messages for everyone (last: your newest; /search shows ids)",
        ),
        CommandSpec(
            "RESUME", "/resume NAME TOKEN", "take your nickname and room back after a reconnect (clients do it)", True
        ),
        CommandSpec("AWAY", "/away [TEXT]", "tell your room you are away, with TEXT (up to 64 characters) if you like"),
        CommandSpec("BACK", "/back", "tell your room you are back"),
        CommandSpec("TYPING", "/typing", "tell your room you are typing (the window does it for you)"),
        CommandSpec(
            "IGNORE", "/ignore [NICK]", "stop NICK's private messages, files and typing reaching you (alone: your list)"
        ),
        CommandSpec("UNIGNORE", "/unignore NICK", "hear NICK privately again"),
        # Who is who (docs/identity.md)
        CommandSpec("PASS", "/pass CODE", "the join code, when the server asks for one (before /nick)", True),
        CommandSpec("LOGIN", "/login NAME PASSWORD", "log in to your registered nickname", True),
        CommandSpec("REGISTER", "/register PASSWORD", "keep your current nickname for yourself (8+ characters)"),
        CommandSpec("TOPIC", "/topic [TEXT]", "set (or with no text remove) your room's topic: owner or teacher"),
        CommandSpec("KEY", "/key [KEY]", "lock your room with a key (or with none unlock it): owner or teacher"),
        CommandSpec(
            "REMOVE", "/remove NICK [REASON]", "move NICK out of your room (they stay in the chat): owner or teacher"
        ),
        CommandSpec("KICK", "/kick NICK [REASON]", "teachers: remove NICK from the chat"),
        CommandSpec(
            "BAN",
            "/ban NICK [MINUTES] [REASON]",
            "teachers: keep NICK out for MINUTES (or 10m, 2h, 3d; none: until /unban)",
        ),
        CommandSpec("UNBAN", "/unban NICK", "teachers: lift a ban"),
        CommandSpec("MUTE", "/mute NICK", "teachers: NICK's messages are not delivered (/mute *: every student)"),
        CommandSpec("UNMUTE", "/unmute NICK", "teachers: give NICK the voice back (/unmute *: the class)"),
        CommandSpec("ANNOUNCE", "/announce TEXT", "teachers: a notice to everyone"),
        CommandSpec("CLOSE", "/close ROOM [REASON]", "teachers: move everyone out of ROOM"),
        CommandSpec(
            "MOVE",
            "/move ROOM NICK[,NICK...]|* [REASON]",
            "teachers: send NICKs (or * every student) into ROOM, e.g. groups and back",
        ),
        CommandSpec(
            "PURGE", "/purge NICK [MINUTES]", "teachers: delete what NICK said in rooms in the last MINUTES (60)"
        ),
        CommandSpec(
            "OWNER", "/owner ROOM NICK|none", "teachers: give ROOM to NICK (or to nobody); they set its topic and key"
        ),
        # files (docs/files.md): people type /send and /get; the clients send these
        CommandSpec("UPLOAD", "/upload SIZE SHA256 #ROOM|@NICK NAME", "offer a file (clients do it for /send)"),
        CommandSpec("DOWNLOAD", "/download FILE-ID", "ask to fetch a shared file (clients do it for /get)"),
        CommandSpec("CANCEL", "/cancel UPLOAD-ID", "stop one of your unfinished uploads"),
    )
}


def help_text() -> str:
    width = max(len(spec.usage) for spec in COMMANDS.values())
    lines = ["Commands (type them with the leading /; case does not matter):"]
    lines += [f"  {spec.usage.ljust(width)}  {spec.summary}" for spec in COMMANDS.values()]
    return "\n".join(lines)


class CommandLine(NamedTuple):  # not a frozen dataclass: made for every command line (0.48 to 0.28 us)
    name: str  # upper-case command word without its '/', e.g. "JOIN"
    argument: str  # everything after the word and one run of spaces


def parse_command_line(content: str) -> CommandLine:
    """Split "/join  general" into CommandLine("JOIN", "general").

    The word ends at the first whitespace of any kind; the argument is the
    rest, trimmed.
    """
    text = content.strip()
    if text.startswith("/"):
        text = text[1:]
    parts = text.split(None, 1)
    if not parts:
        return CommandLine("", "")
    return CommandLine(parts[0].upper(), parts[1].strip() if len(parts) > 1 else "")


@dataclass(frozen=True)
class MsgTarget:
    """Where a MSG goes: kind is "public", "private" or "no_such_user"."""

    kind: str
    text: str
    nick: str = ""


# Every character NFKC makes ':' of: a Chinese or Japanese keyboard types the full-width one (U+FF1A).
_COLONS = str.maketrans({"\uff1a": ":", "\ufe55": ":", "\ufe13": ":"})


def partition_at_colon(argument: str) -> tuple[str, str, str]:
    """`argument.partition(":")`, where a full-width or small colon counts as ':' (as names are compared, NFKC)."""
    index = argument.translate(_COLONS).find(":")
    if index < 0:
        return argument, "", ""
    return argument[:index], argument[index], argument[index + 1 :]


def classify_msg(argument: str, is_online: Callable[[str], bool]) -> MsgTarget:
    """Apply the contract's private-message rule to the text of a MSG command.

    The part before the first ':' names a user online now: private.  Else, if
    it is nickname-shaped and the rest does not start with '//' (a URL):
    refused as no_such_user, delivered to nobody.  Else: public.
    """
    prefix, colon, rest = partition_at_colon(argument)  # "bob：hi" from a CJK keyboard is private too
    if not colon:
        return MsgTarget("public", argument)
    candidate = prefix.strip()
    if candidate and is_online(candidate):
        return MsgTarget("private", rest.strip(), candidate)
    if is_nick_shaped(candidate) and not rest.startswith("//"):
        return MsgTarget("no_such_user", rest.strip(), candidate)
    return MsgTarget("public", argument)


def split_pm_argument(argument: str) -> tuple[str, str]:
    """ "bob hello there" -> ("bob", "hello there"); the nickname ends at any whitespace, a tab too."""
    parts = argument.split(None, 1)
    if not parts:
        return "", ""
    return parts[0], parts[1].strip() if len(parts) > 1 else ""
