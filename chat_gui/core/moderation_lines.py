"""Typed teacher and room-owner commands (/kick, /ban, /topic, ...) checked before they go out (any thread; pure).

    moderation_command("ban", "bob 10 spamming") -> ("BAN bob 10 spamming", "")
    moderation_command("ban", "")                -> ("", "Say whom: /ban NICK [MINUTES] [REASON] ...")

The server decides who may (a student gets `not_allowed`); this only makes
sure a line is whole, so a slip such as `/ban 10 bob` is not sent as a ban
of someone called "10" (unless someone called "10" is known to be online,
or a dialog built the line and knows its first word is a nickname).  A
reason that would read back as a length (`/ban bob "3 warnings"`) goes to
the server in double quotes.  Used by chat_gui.core.typed_lines for both
clients.
"""

from __future__ import annotations

from collections.abc import Callable

from shared.ban_length import quote_reason, split_ban_command, split_ban_length
from shared.errors import ProtocolError
from shared.names import MAX_TEXT_CHARS, is_nick_shaped

USAGE = {
    "kick": "/kick NICK [REASON]",
    "ban": "/ban NICK [MINUTES] [REASON]   (or 10m, 2h, 3d; no minutes: until /unban NICK)",
    "unban": "/unban NICK",
    "mute": "/mute NICK   (or /mute *: every student, for a test)",
    "unmute": "/unmute NICK   (or /unmute *: the whole class again)",
    "announce": "/announce TEXT   (to everyone on the server)",
    "close": "/close ROOM [REASON]",
    "move": "/move ROOM NICK[,NICK...] [REASON]   (or /move ROOM *: every student; e.g. /move general * time is up)",
    "owner": "/owner ROOM NICK   (or /owner ROOM none: nobody owns it)",
    "topic": "/topic [TEXT]   (no text: remove the topic)",
    "key": "/key [KEY]   (no key: anyone may join again)",
    "remove": "/remove NICK [REASON]   (out of your room; set a new /key first to keep them out)",
}  # /delete ID is the history's (any sender's own message, or a teacher's); the server decides
WORDS = frozenset(USAGE)
NICK_FIRST = frozenset(("kick", "ban", "unban", "mute", "unmute", "remove"))
WITH_REASON = frozenset(("kick", "remove"))

HELP = """Teachers (others are refused), and the owner of a room for /topic, /key and /remove:
  /kick NICK [REASON]           remove NICK from the chat
  /ban NICK [MINUTES] [REASON]  keep NICK (and their address) out for MINUTES (or 10m, 2h, 3d, 1w);
                                no minutes: until /unban NICK
  /mute NICK, /unmute NICK      NICK may read but not write, until unmuted (also after reconnecting)
  /mute *, /unmute *            every student at once, for a test (they may still write to a teacher)
  /announce TEXT                say TEXT to everyone on the server
  /close ROOM [REASON]          move everyone out of ROOM
  /move ROOM NICK,NICK [WHY]    send those students into ROOM (their windows follow);
                                /move ROOM * [WHY]: every student (e.g. back to the main room)
  /search #* from:NICK [WORDS]  what NICK said in every room (also under other names), before a /purge
  /purge NICK [MINUTES]         delete what NICK said in rooms in the last MINUTES (60), for everyone
  /owner ROOM NICK              give ROOM to NICK, who then sets its topic and key (none: to nobody)
  /topic [TEXT]                 set (or remove) your room's topic
  /key [KEY]                    lock your room with KEY (no key: open it again)
  /remove NICK [REASON]         move NICK out of your room (they stay in the chat)"""


def _nobody(nick: str) -> bool:
    return False


def moderation_command(
    word: str, argument: str, is_online: Callable[[str], bool] = _nobody, nick_certain: bool = False
) -> tuple[str, str]:
    """(the wire command, "") when the line is whole; ("", what to type instead) when not.

    `nick_certain`: a dialog built the line, so its first word is a nickname whatever it looks like.
    """
    wire = word.upper()
    if word in ("mute", "unmute") and argument.strip() == "*":
        return f"{wire} *", ""  # the whole class (no nickname has a "*")
    if word in NICK_FIRST:
        nick, _, rest = argument.partition(" ")
        if not nick:
            return "", f"Say whom: {USAGE[word]}"
        if not is_nick_shaped(nick):
            return "", f"“{nick}” is not a nickname. {USAGE[word]}"
        if word == "ban":
            slip = nick.isdigit() and rest.strip() and not rest.split()[0].isdigit()
            if slip and not nick_certain and not is_online(nick):
                return "", f"The nickname comes first: {USAGE[word]}"  # "/ban 10 bob" is a slip, not a ban of "10"
            return _ban(nick, rest.strip())
        if word in WITH_REASON:
            return f"{wire} {nick} {rest.strip()}".strip(), ""
        if rest.strip():
            return "", f"Only a nickname after /{word}: {USAGE[word]}"
        return f"{wire} {nick}", ""
    if word == "announce":
        if not argument:
            return "", f"Announce what? {USAGE[word]}"
        if len(argument) > MAX_TEXT_CHARS:
            return "", f"An announcement may have {MAX_TEXT_CHARS} characters; this one has {len(argument)}."
        return f"ANNOUNCE {argument}", ""
    if word == "close":
        return (f"CLOSE {argument}", "") if argument else ("", f"Say which room: {USAGE[word]}")
    if word == "move":
        return _move(argument)
    if word == "owner":
        words = argument.split()
        return (
            (f"OWNER {' '.join(words)}", "") if len(words) == 2 else ("", f"Say which room and to whom: {USAGE[word]}")
        )
    return f"{wire} {argument}".strip(), ""  # topic and key: no argument removes it, as the contract says


def _move(argument: str) -> tuple[str, str]:
    """/move ROOM WHO [REASON]: a room and someone to move, each nickname of WHO shaped like one."""
    words = argument.split(None, 2)
    if len(words) < 2:
        return "", f"Say where and whom: {USAGE['move']}"
    if words[1] != "*":
        names = words[1].split(",")  # "ann, bob": bob would have been the reason, and not moved
        bad = next((name for name in names if name and not is_nick_shaped(name)), None)
        if not all(names) or bad is not None:
            shown = f"“{bad}” is not a nickname. " if bad else ""
            return "", f"{shown}Nicknames go with commas, no spaces: {USAGE['move']}"
    return f"MOVE {' '.join(words)}", ""


def _ban(nick: str, rest: str) -> tuple[str, str]:
    try:
        minutes, reason = split_ban_length(rest)
    except ProtocolError as slip:  # "-5", "1.5", "0": a length meant, none given; never a ban until lifted
        return "", f"{slip.message} {USAGE['ban']}"
    length = "" if minutes is None else str(minutes)  # as minutes: any server version reads them
    argument = " ".join(filter(None, (nick, length, reason)))  # no minutes: until unbanned
    if reason and not _reads_back(argument, (nick, minutes, reason)):
        argument = " ".join(filter(None, (nick, length, quote_reason(reason))))  # "3 warnings" stays the reason
    return f"BAN {argument}", ""


def _reads_back(argument: str, meant: tuple[str, int | None, str]) -> bool:
    """Whether the server reads BAN `argument` as `meant`; a reason that starts like a length does not."""
    try:
        return split_ban_command(argument) == meant
    except ProtocolError:
        return False
