"""What a typed line means, the same in the window and in chat-term: a wire command, a local action or a refusal (any thread; pure).

    interpret("/msg bob: hi", private_to=None, is_online=roster.is_online) -> Send("MSG bob: hi", ...)

- Bare text is said in the room (SAY), or, typed in a private tab, sent to
  that person only (PM).  "join me for lunch" and "bob: are you there?"
  stay public text.  `//` says a line that starts with `/`.
- `/msg` is the contract's MSG: `/msg bob: hi` is private when bob is
  online, `/msg meet at 10:30` is public.  But IRC taught many people
  `/msg bob hi` for a private line, which MSG would say to the whole room:
  when the first word names someone online and no colon follows it,
  nothing is sent and the refusal says how to send it either way.
- `/pm NICK TEXT` is always private, `/say TEXT` always public; other
  `/words` go to the server as typed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from chat_gui.core import moderation_lines
from chat_gui.core.history_commands import (
    AskHistory,
    AskOlder,
    AskSearch,
    BadHistoryLine,
    DeleteLast,
    parse_delete,
    parse_history,
    parse_search,
    parse_search_before,
)
from shared.commands import partition_at_colon
from shared.names import MAX_TEXT_CHARS, is_nick_shaped

COMMANDS_HELP = (
    """Lines that start with / are commands; any other line is said in your room (in a private tab: to that person only).
To say a line that starts with /, type the / twice: //etc says /etc.
  /say TEXT         say TEXT in your room
  /pm NICK TEXT     send TEXT to NICK only
  /msg NICK: TEXT   the same, when NICK is online (/msg TEXT without "NICK:" is said in the room)
  /join ROOM        go to ROOM (it is made if nobody is there)
  /leave            leave your room
  /nick NAME        change your nickname
  /list             who is online, and the rooms
  /away [TEXT]      tell your room you are away (TEXT: up to 64 characters)
  /back             tell your room you are back
  /ignore NICK      NICK's private messages, files, typing and mentions stop reaching you (/ignore: your list)
  /unignore NICK    hear NICK again
  /history [N]      the last N kept messages here (also /history #room N, /history @nick N)
  /search WORDS     find kept messages (also /search #room WORDS; from:NAME among the WORDS: only NAME's)
  /older            the last search's older results, when it found more than it showed
  /delete ID        delete one of your messages (/delete last: your newest)
  /login [NICK]     log in to your account (the password is asked for, not shown)
  /register         keep your nickname for yourself with a password
  /send PATH [NICK]  share a file with your room, or with NICK only ("quotes" for a path with spaces)
  /get FILE-ID [FOLDER]  save a shared file (to your Downloads folder unless you name one)
  /reconnect        connect again now
  /help             this help
  /quit [REASON]    leave the chat
Other /commands go to the server as typed (for example /ping).
"""
    + moderation_lines.HELP
)

WINDOW_HELP = """Enter sends; Shift+Enter starts a new line; Up/Down bring back earlier lines; Tab completes a nickname.
Double-click a room to go there, a name to talk privately in a tab of its own."""


def help_text(window: bool = False) -> str:
    return f"{COMMANDS_HELP}\n{WINDOW_HELP}" if window else COMMANDS_HELP


# -- what a line means --
@dataclass(frozen=True)
class Send:
    """Send `command`; `text` is what to show while it waits; `to` is the nickname of a private line (PM)."""

    command: str
    text: str
    to: str | None = None


@dataclass(frozen=True)
class OpenPrivate:
    nick: str


@dataclass(frozen=True)
class ShowHelp:
    text: str


@dataclass(frozen=True)
class Quit:
    command: str  # QUIT with the reason, if any


@dataclass(frozen=True)
class Reconnect:
    pass


@dataclass(frozen=True)
class Login:
    """Log in as `nick`; an empty `password` means: ask for it without showing it."""

    nick: str
    password: str = field(default="", repr=False)


@dataclass(frozen=True)
class Register:
    """Register the current nickname; an empty `password` means: ask for it (twice) without showing it."""

    password: str = field(default="", repr=False)


@dataclass(frozen=True)
class Refuse:
    """Nothing was sent; `text` says why and what to type instead (the window keeps the line in the box)."""

    text: str


@dataclass(frozen=True)
class Nothing:
    pass


@dataclass(frozen=True)
class SendFile:
    """/send PATH [NICK]: share the file at `path` with the room, or with `to` only (chat_gui.core.file_transfers)."""

    path: str
    to: str | None = None


@dataclass(frozen=True)
class GetFile:
    """/get FILE-ID [FOLDER]: save a shared file into `folder` (None: the Downloads folder)."""

    file_id: str
    folder: str | None = None


TypedLine = (
    Send
    | OpenPrivate
    | ShowHelp
    | Quit
    | Reconnect
    | Login
    | Register
    | Refuse
    | Nothing
    | AskHistory
    | AskSearch
    | AskOlder
    | DeleteLast
    | SendFile
    | GetFile
)


def _nobody(nick: str) -> bool:
    return False


def interpret(
    line: str,
    private_to: str | None = None,
    is_online: Callable[[str], bool] = _nobody,
    window: bool = False,
    from_dialog: bool = False,
) -> TypedLine:
    """Translate one typed line; `private_to` is the nickname of the private tab it was typed in.

    `from_dialog`: a dialog built the line (the Ban… dialog), so the word after /ban is a nickname for
    certain and is not checked for a slip such as `/ban 10 bob`.
    """
    typed = _interpret(line.strip(), private_to, is_online, window, from_dialog)
    if (
        isinstance(typed, Send)
        and typed.command.startswith(("SAY ", "PM ", "MSG "))
        and len(typed.text) > MAX_TEXT_CHARS
    ):
        # pasted code: a file keeps it whole (and every indentation), where split messages interleave with others
        as_file = (
            " To share a long piece of code, save it as a file and use Attach… (or /send FILE)."
            if (window and "\n" in typed.text)
            else ""
        )
        return Refuse(
            f"That message is {len(typed.text)} characters long; the limit is {MAX_TEXT_CHARS}. "
            f"Nothing was sent: shorten it or split it.{as_file}"
        )
    return typed


def _interpret(
    text: str, private_to: str | None, is_online: Callable[[str], bool], window: bool, from_dialog: bool
) -> TypedLine:
    if not text:
        return Nothing()
    if text.startswith("//"):
        text = text[1:]
    elif text.startswith("/"):
        return _command(text[1:], is_online, window, from_dialog)
    if private_to:
        return Send(f"PM {private_to} {text}", text, private_to)
    return Send(f"SAY {text}", text)


def _command(body: str, is_online: Callable[[str], bool], window: bool, from_dialog: bool) -> TypedLine:
    parts = body.split(None, 1)
    if not parts:
        return Refuse("A line that starts with / is a command; /help lists them. To say it, type // instead.")
    word = parts[0].lower()
    argument = parts[1].strip() if len(parts) > 1 else ""
    if word == "say":
        return Send(f"SAY {argument}", argument) if argument else Refuse("Say what? /say TEXT")
    if word in ("pm", "query", "whisper", "w"):
        return _private(word, argument)
    if word == "msg":
        return _msg(argument, is_online)
    if word == "join":
        return Send(f"JOIN {argument}", body) if argument else Refuse("Say which room: /join ROOM, e.g. /join general")
    if word == "nick":
        return Send(f"NICK {argument}", body) if argument else Refuse("Say which nickname: /nick NAME")
    if word in ("leave", "part"):
        return Send("LEAVE", body)
    if word == "list":
        return Send(f"LIST {argument}".strip(), body)
    if word == "away":
        return Send(f"AWAY {argument}".strip(), body)
    if word == "back":
        return Send("BACK", body)
    if word in ("help", "?"):
        return ShowHelp(help_text(window))
    if word in ("quit", "exit"):
        return Quit(f"QUIT {argument}".strip())
    if word == "reconnect":
        return Reconnect()
    if word in ("history", "search", "delete"):
        return _history_line(word, argument)
    if word == "older":
        return AskOlder()
    if word == "searchbefore":
        asked = parse_search_before(argument)
        return Refuse(asked.text) if isinstance(asked, BadHistoryLine) else asked
    if word in ("login", "identify"):
        nick, _, password = argument.partition(" ")
        if nick and not is_nick_shaped(nick):
            return Refuse(f"“{nick}” is not a nickname. /login NICK (the password is asked for next)")
        return Login(nick, password.strip())
    if word == "register":
        return Register(argument)
    if word in moderation_lines.WORDS:
        command, problem = moderation_lines.moderation_command(word, argument, is_online, from_dialog)
        return Send(command, body) if command else Refuse(problem)
    if word == "send":
        return _send_file(argument, is_online)
    if word == "get":
        parts = argument.split(None, 1)
        if not parts:
            return Refuse("Say which file: /get FILE-ID [FOLDER] (the id is in the line that announced it).")
        return GetFile(parts[0], parts[1].strip() if len(parts) > 1 else None)
    return Send(body, body)  # the server's own commands (e.g. /ping); it answers unknown_command if it must


def _history_line(word: str, argument: str) -> TypedLine:
    """/history and /search go through the client core's history (chat_gui.core.history); /delete is sent as it is."""
    if word == "delete":
        message = parse_delete(argument)
        if isinstance(message, BadHistoryLine):
            return Refuse(message.text)
        if isinstance(message, DeleteLast):
            return message
        return Send(f"DELETE {message}", f"delete {message}")
    asked = parse_history(argument) if word == "history" else parse_search(argument)
    return Refuse(asked.text) if isinstance(asked, BadHistoryLine) else asked


def _private(word: str, argument: str) -> TypedLine:
    parts = argument.split(None, 1)
    if not parts:
        return Refuse(f"Say to whom: /{word} NICK TEXT")
    nick = parts[0].rstrip(":,")
    message = parts[1].strip() if len(parts) > 1 else ""
    if not message:
        return OpenPrivate(nick)
    return Send(f"PM {nick} {message}", message, nick)


def _msg(argument: str, is_online: Callable[[str], bool]) -> TypedLine:
    if not argument:
        return Refuse("Say what: /msg TEXT says it in your room, /msg NICK: TEXT sends it to NICK only.")
    prefix, colon, rest = partition_at_colon(argument)
    if colon and is_nick_shaped(prefix.strip()):
        return Send(f"MSG {argument}", rest.strip())  # "bob: hi": the server's rule decides, as the contract says
    first, _, after = argument.partition(" ")
    first = first.rstrip(",;")
    if is_online(first):
        private = f"/pm {first} {after.strip()}" if after.strip() else f"/pm {first} TEXT"
        return Refuse(
            f"Not sent: {first} is online, and /msg without a colon after the name is said to the whole room. "
            f"To send it to {first} only: {private}   To say it in the room: /say {argument}"
        )
    return Send(f"MSG {argument}", argument)


def _send_file(argument: str, is_online: Callable[[str], bool]) -> TypedLine:
    """ "/send notes.pdf", "/send notes.pdf bob", "/send \"my notes.pdf\" bob", "/send my notes.pdf" (no nick online).

    Pure but for one stat: whether the path without its last word is a file.
    """
    if not argument:
        return Refuse("Say which file: /send PATH to share it with your room, /send PATH NICK to send it to NICK only.")
    if argument[0] in "\"'":
        quote = argument[0]
        end = argument.find(quote, 1)
        if end < 0:
            return Refuse(f"The path has no closing {quote}: /send {quote}my file.pdf{quote} [NICK]")
        path, rest = argument[1:end], argument[end + 1 :].strip()
        if rest and not is_nick_shaped(rest.lstrip("@")):
            return Refuse(f"After the path comes at most a nickname: /send {quote}{path}{quote} NICK")
        return SendFile(path, rest.lstrip("@") or None)
    path, _, last = argument.rpartition(" ")
    path = path.strip()
    # The last word names someone when it says so (@), when that person is online, or when only the
    # path without it is a file: "/send notes.pdf bob" typed before bob's join reached this client.
    names_someone = last.startswith("@") or is_online(last) or (_is_file(path) and not _is_file(argument))
    if path and is_nick_shaped(last.lstrip("@")) and names_someone:
        return SendFile(path, last.lstrip("@"))
    return SendFile(argument)


def _is_file(path: str) -> bool:
    """Whether `path` (~ allowed) is a file here: a stat, no reading (the Tk thread can afford it)."""
    try:
        return os.path.isfile(os.path.expanduser(path))
    except (OSError, ValueError):  # a NUL in the path, a name too long
        return False
