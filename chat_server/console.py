"""The admin console of the headless server: /kick, /mute, /broadcast... typed on its standard input.

One daemon thread ("admin-console") reads lines from the input stream and
calls the server's admin methods (each takes the registry lock briefly and
only queues frames).  At the end of the input it simply stops reading;
the server keeps running until a signal stops it.  `execute` holds the
command table and returns the answer as text, so it is tested directly.

The console survives any input: it reads bytes and decodes them with
replacement characters (one stray byte from a paste or another keyboard
layout no longer ends it), a line longer than MAX_LINE_BYTES is skipped
without being held in memory, and a command that fails unexpectedly is
reported (its traceback in the log) while the console reads on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

from chat_server.console_identity import HELP_TEXT as IDENTITY_HELP
from chat_server.console_identity import identity_commands
from chat_server.history.transcripts import parse_day
from chat_server.kept_rooms_text import kept_room_lines
from chat_server.moderation import CLASS
from shared.errors import ErrorCode, ProtocolError
from shared.frame_text import collapse_blanks
from shared.lookalike import looks_alike
from shared.names import name_key

if TYPE_CHECKING:
    from chat_server.server import ChatServer  # its AdminActions and HistoryAdmin

log = logging.getLogger("chat_server.console")

MAX_LINE_BYTES = 4096

HELP_TEXT = """Admin commands (the leading / is optional):
  /clients               who is connected: nickname, address, room, since, messages, muted (and the class mute)
  /rooms                 rooms with their members and message counts, then the rooms nobody is
                         in that keep a key or a topic (/free ROOM opens one again)
  /kick NAME [reason]    disconnect NAME; they are told the reason
  /mute NAME             NAME stays connected but cannot send messages (it lasts: reconnects, restarts)
  /unmute NAME           NAME may send messages again
  /mute *                every student at once (a test), and those who come meanwhile; teachers
                         not; they may still write privately to a teacher. /unmute * lifts it
  /broadcast TEXT        an announcement to everyone connected
  /close ROOM [reason]   move everyone out of ROOM
  /move ROOM NAME,NAME [reason]
                         send those students into ROOM (group work); /move ROOM * [reason]: every
                         student online (back to the main room); teachers stay where they are
  /delete ID             delete message ID for everyone (it is never shown again)
  /purge NAME [MINUTES]  delete what NAME said in rooms in the last MINUTES minutes (60 if not
                         given, up to 10080: a week), for everyone; private messages stay
  /clear ROOM            forget every message of ROOM so far
  /find ROOM WORDS       ROOM's messages with WORDS, newest first, with their ids (never private ones)
  /export ROOM FROM TO FILE
                         write ROOM's messages of the days FROM to TO (YYYY-MM-DD, today,
                         yesterday) to FILE: .txt, .csv or .html by its extension (replaced;
                         days with nothing in them write no file)
  /history-info          the database: where, its size, messages kept, and what it could not keep
  /help                  this list
Stop the server with Ctrl+C."""


class AdminConsole:
    def __init__(self, server: ChatServer) -> None:
        self.server = server
        help_text = f"{HELP_TEXT}\n\n{IDENTITY_HELP}"
        self._table: dict[str, Callable[[str], str]] = {
            "clients": self.do_clients,
            "rooms": self.do_rooms,
            "kick": self.do_kick,
            "mute": lambda argument: self._set_muted(argument, True),
            "unmute": lambda argument: self._set_muted(argument, False),
            "broadcast": self.do_broadcast,
            "close": self.do_close,
            "move": self.do_move,
            "delete": self.do_delete,
            "purge": self.do_purge,
            "clear": self.do_clear,
            "find": self.do_find,
            "export": self.do_export,
            "history-info": lambda _argument: self.server.history_info().describe(),
            "help": lambda _argument: help_text,
        }
        self._table.update(identity_commands(server))  # join code, accounts, bans

    # -- the reader thread --
    def start(self, stream: IO[Any], write: Callable[[str], None]) -> threading.Thread:
        """Read commands from `stream` (its bytes, if it is a text stream) on a daemon thread, answering through `write`."""
        thread = threading.Thread(target=self._read_loop, args=(stream, write), name="admin-console", daemon=True)
        thread.start()
        return thread

    def _read_loop(self, stream: IO[Any], write: Callable[[str], None]) -> None:
        raw: IO[Any] = getattr(stream, "buffer", stream)
        while True:  # ends at end of input: the server keeps running without a console
            try:
                line = raw.readline(MAX_LINE_BYTES + 1)
            except (OSError, ValueError):  # the input was closed under us
                return
            if not line:
                return
            if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n" if isinstance(line, bytes) else "\n"):
                _skip_rest_of_line(raw)
                answer = f"That line was longer than {MAX_LINE_BYTES} bytes; it was ignored."
            else:
                answer = self.execute(line.decode("utf-8", "replace") if isinstance(line, bytes) else line)
            if answer:
                try:
                    write(answer)
                except Exception:  # nowhere to answer: carry out the commands all the same
                    pass

    # -- any thread --
    def execute(self, line: str) -> str:
        """Carry out one console line and return what to print."""
        line = line.strip()
        if not line:
            return ""
        word, _, argument = line.lstrip("/").partition(" ")
        command = self._table.get(word.lower())
        if command is None:
            return f"Unknown command {word[:40]!r}; /help lists the commands."
        try:
            return command(argument.strip())
        except ProtocolError as exc:
            return f"Not done: {exc.message}"
        except Exception as exc:
            log.exception("the console command /%s failed", word.lower())
            return f"/{word.lower()} failed ({type(exc).__name__}); the log has the details. The console reads on."

    def do_clients(self, _argument: str) -> str:
        clients = self.server.clients()
        by = self.server.class_muted_by()  # said first: a restart lifts it, and "MUTED" rows alone do not tell
        class_line = [f"The whole class is muted (by {by}); /unmute * gives it its voice back."] if by else []
        if not clients:
            return "\n".join([*class_line, "Nobody is connected."])
        lines = [*class_line, f"{len(clients)} connected:"]
        for client in sorted(clients, key=lambda client: client.connected_at):
            since = time.strftime("%H:%M:%S", time.localtime(client.connected_at))
            room = f"#{client.room}" if client.room else "-"
            muted = "  MUTED" if client.muted else ""
            lines.append(
                f"  {client.nick or '(no nickname yet)':<24} {client.address:<21} {room:<20} "
                f"since {since}  {client.messages_sent} messages{muted}"
            )
        return "\n".join(lines)

    def do_rooms(self, _argument: str) -> str:
        rooms = self.server.rooms()
        lines = [f"{len(rooms)} room{'' if len(rooms) == 1 else 's'}:"] if rooms else ["No rooms with people in them."]
        for room in rooms:
            lines.append(f"  #{room.name} ({len(room.members)}): {', '.join(room.members)}; {room.messages} messages")
        lines += kept_room_lines(self.server.kept_rooms())
        return "\n".join(lines) if len(lines) > 1 or rooms else "No rooms yet."

    def do_kick(self, argument: str) -> str:
        nick, _, reason = argument.partition(" ")
        if not nick:
            return "Usage: /kick NAME [reason]"
        named = self._named(nick)  # before: once kicked, they are not online to be named
        self._on_someone_online(nick, lambda: self.server.kick(nick, reason.strip()))
        return f"Kicked {named}."

    def _set_muted(self, nick: str, muted: bool) -> str:
        if not nick:
            return f"Usage: /{'mute' if muted else 'unmute'} NAME"
        if nick == CLASS:
            return self.server.set_class_muted(muted) + "."
        self._on_someone_online(nick, lambda: self.server.set_muted(nick, muted))
        return f"{'Muted' if muted else 'Unmuted'} {self._named(nick)}."

    def _named(self, typed: str) -> str:
        """The name as its holder has it (`Amy_K` for `/mute amy_k`), or as typed when nobody online has it."""
        key = name_key(typed)
        for client in self.server.clients():
            if client.nick and name_key(client.nick) == key:
                return client.nick
        return typed

    def _on_someone_online(self, typed: str, action: Callable[[], object]) -> None:
        """Run `action`; when it finds nobody of that name, name whoever online the typed name only looks like.

        `/mute bоb` with a Cyrillic о (a second keyboard layout left on) was answered
        "Nobody called bоb is online." while bob, shown exactly so, was in /clients.
        """
        try:
            action()
        except ProtocolError as exc:
            if exc.code != ErrorCode.NO_SUCH_USER:
                raise
            like = sorted(c.nick for c in self.server.clients() if c.nick and _could_mean(typed, c.nick))
            if not like:
                raise
            hint = (
                f" {' and '.join(like)} {'is' if len(like) == 1 else 'are'} online, and what was typed only looks "
                f"like {'it' if len(like) == 1 else 'them'} ({ascii(typed)}): nothing was done. "
                "Type the name again in plain letters, as /clients shows it."
            )
            raise ProtocolError(exc.code, exc.message + hint) from None

    def do_broadcast(self, text: str) -> str:
        if not text:
            return "Usage: /broadcast TEXT"
        heard = self.server.broadcast(text)
        if not heard:
            return "Nobody is online to hear it: not sent."
        return f"Announcement sent to {heard} {'person' if heard == 1 else 'people'}."

    def do_close(self, argument: str) -> str:
        name, _, reason = argument.partition(" ")
        if not name:
            return "Usage: /close ROOM [reason]"
        moved = self.server.close_room(name, reason)
        return f"Closed #{name.lstrip('#')}; {moved} moved out."

    def do_move(self, argument: str) -> str:
        words = argument.split(None, 2)
        if len(words) < 2:
            return "Usage: /move ROOM NAME,NAME [reason] (or /move ROOM * [reason] for every student)"
        return self.server.move(words[0], words[1], words[2] if len(words) > 2 else "")

    def do_delete(self, argument: str) -> str:
        if not (argument.isascii() and argument.isdigit()):
            return "Usage: /delete ID (the message's id, a whole number)"
        message = self.server.delete_message(int(argument))
        where = f"#{message.room}" if message.room is not None else f"private, to {message.recipient}"
        return f"Deleted message {message.id} ({where}, from {message.sender})."

    def do_purge(self, argument: str) -> str:
        words = argument.split()
        if not 1 <= len(words) <= 2 or (len(words) == 2 and not (words[1].isascii() and words[1].isdigit())):
            return "Usage: /purge NAME [MINUTES], e.g. /purge troll 30 (60 minutes if not given)"
        minutes = int(words[1]) if len(words) == 2 else 60
        count = self.server.delete_messages_by(words[0], minutes)
        return f"Deleted {count} room message{'' if count == 1 else 's'} of {words[0]} from the last {minutes} minutes."

    def do_clear(self, argument: str) -> str:
        if not argument or len(argument.split()) != 1:
            return "Usage: /clear ROOM"
        return f"Cleared the history of #{self.server.clear_history(argument)}."

    def do_find(self, argument: str) -> str:
        words = argument.split(None, 1)
        if len(words) != 2:
            return "Usage: /find ROOM WORDS, e.g. /find physics homework"
        room, text = words
        found = self.server.find_messages(room, text)
        if not found:
            return f"Nothing found in #{room.lstrip('#')}."
        lines = [f"{len(found)} found in #{room.lstrip('#')}, newest first:"]
        for message in found:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(message.time_ms / 1000))
            lines.append(
                f"  {message.id}  {when}  {message.sender}: {collapse_blanks(' '.join(message.text.split()))[:200]}"
            )
        return "\n".join(lines)

    def do_export(self, argument: str) -> str:
        words = argument.split(None, 3)
        if len(words) != 4:
            return "Usage: /export ROOM FROM TO FILE, e.g. /export physics 2026-11-30 2026-11-30 lesson.html"
        room, first_text, last_text, path = words
        try:
            first, last = parse_day(first_text), parse_day(last_text)
        except ValueError as exc:
            return f"Not done: {exc}"
        count = self.server.export_transcript(room, first, last, path)
        return f"Wrote {count} message{'' if count == 1 else 's'} of #{room.lstrip('#')} to {path}."


def _could_mean(typed: str, nick: str) -> bool:
    """`bоb` (a Cyrillic о) for bob, `Amy-K` or `amyk` for Amy_K: the same name to the eye, or but for its marks."""
    if looks_alike(typed, nick):
        return True
    marks = str.maketrans("", "", "_-.")
    return typed.translate(marks).casefold() == nick.translate(marks).casefold()


def _skip_rest_of_line(raw: IO[Any]) -> None:
    """Read and forget up to the end of an over-long line, a piece at a time."""
    while True:
        try:
            piece = raw.readline(MAX_LINE_BYTES)
        except (OSError, ValueError):
            return
        if not piece or piece.endswith(b"\n" if isinstance(piece, bytes) else "\n"):
            return
