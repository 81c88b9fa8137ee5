"""chat-term's core-thread side: typed lines become commands, the client core's events become printed lines (core thread).

    keyboard thread --call_soon(typed line)--> TerminalClient.typed --> ClientSession / FileTransfers / HistoryKeeper
    ClientSession --events--> TerminalClient.on_event --> Screen.show (the printer thread writes them)

Every method runs on the ThreadScheduler's thread (chat_gui/terminal.py
starts it).  Incoming text is printed through `harmless()`, so a control
sequence such as ESC[2J shows up as the visible text "\\x1b[2J".
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from dataclasses import replace
from typing import Any

from chat_gui.core.connection_security import Security, TlsPolicy
from chat_gui.core.conversations import message_id
from chat_gui.core.events import (
    CoreEvent,
    HistoryPage,
    LinesNotDelivered,
    MessageDeleted,
    MessagesGone,
    Problem,
    Received,
    SearchResults,
    SecretHeld,
    State,
    StateChanged,
)
from chat_gui.core.file_transfers import FileTransfers, TransferEvent, TransferFinished, TransferProgressed
from chat_gui.core.history_commands import AskHistory, AskOlder, AskSearch, DeleteLast, around_pages
from chat_gui.core.ignored_names import IgnoredNames
from chat_gui.core.scheduler import ThreadScheduler
from chat_gui.core.sending import NotSent, Waiting
from chat_gui.core.session import ClientSession
from chat_gui.core.sign_in import password_problem
from chat_gui.core.typed_lines import (
    GetFile,
    Login,
    OpenPrivate,
    Quit,
    Reconnect,
    Refuse,
    Register,
    Send,
    SendFile,
    ShowHelp,
    interpret,
)
from chat_gui.terminal_presence import PresenceLines
from chat_gui.terminal_screen import Screen, now_stamp
from chat_gui.text.history_lines import page_lines, search_lines
from chat_gui.text.printed_kept import PrintedKept
from shared.commands import parse_command_line
from shared.file_transfer import format_size
from shared.frame_text import render_text
from shared.frame_types import ServerFrame
from shared.names import harmless, one_line

INTRO = "Connected. Lines that start with / are commands (/help lists them); other lines are said in your room."
SCREEN_BACKLOG = 500  # printed lines waiting for a paused terminal before the core stops taking frames
LAST_CHANCE_SECONDS = 10.0  # at the end of input, how long lines typed while offline may wait to go out
# Lines whose words the server refuses as not_registered before a name is chosen: printed back instead, so
# nothing typed then is lost (the eleventh review found the refusal printed without them).
WORDS_NEED_A_NAME = frozenset(("SAY", "MSG", "PM", "ANNOUNCE"))
QUIET_FRAMES = frozenset(("rooms", "members", "typing"))  # for the window's lists and typing line; not for a terminal
WHAT_NEXT = {  # after an identity refusal: what to type
    Problem.JOIN_CODE: "Type /pass CODE with the code your teacher gives, then /nick NAME (or use --join-code).",
    Problem.NICK_REGISTERED: "Type /login NICK to log in (the password is asked for), or /nick ANOTHER.",
    Problem.BAD_LOGIN: "Type /login NICK to try again, or /nick ANOTHER.",
    Problem.REGISTER_REFUSED: "Type /register to try another password.",
}


PLAIN_ADVICE = (
    "To send it unencrypted anyway, start chat-term again with --allow-plain-passwords; "
    "better, ask the teacher for a server with encryption."
)


# Lines typed at a terminal that may wait to go out at once (the server takes about 10 a second).  A paste is
# one line each here, not one message as in the window: 5,000 pasted lines went out over 8 minutes, filling
# every screen of the room, and nothing but quitting stopped them (the eleventh review).  Past it a typed line
# is printed back, not sent.  Piped input (a script, `< file`) is meant and has no cap.
PASTE_WAITING_LINES = 50
SERVER_WORDS_CHARS = 500  # a refusal or farewell longer than this is cut (with "…")


def server_words(detail: str) -> str:
    """A refusal or farewell that may carry a server's words, as one line.

    A hostile server's `bye` or `error` text with line breaks would print
    lines of its choosing that look like chat ("12:00 <teacher> ..."); every
    run of whitespace becomes one space instead.
    """
    return one_line(detail, SERVER_WORDS_CHARS)


def sentence(text: str) -> str:
    """`text` ending as a sentence, so the advice after it reads as the next one ("... (until 18:19). Not ...")."""
    return text if text.endswith((".", "!", "?")) else f"{text}."


class TerminalClient:
    """The core thread's side of chat-term: every method runs on the ThreadScheduler's thread."""

    def __init__(self, args: argparse.Namespace, scheduler: ThreadScheduler, screen: Screen) -> None:
        self.args = args
        self.scheduler = scheduler
        self.screen = screen
        # The last search that found more than it printed, and its last result's id: what /older continues.
        self._last_search: tuple[str, str | None, int] | None = None
        self.session = ClientSession(scheduler, self.on_event, ready_for_more=lambda: screen.backlog() < SCREEN_BACKLOG)
        # --accept-new-key holds for the first connection only: a key that changes again later is asked about again
        self.session.tls_policy = TlsPolicy(
            accept_new_key=bool(getattr(args, "accept_new_key", False)),
            accept_only=str(getattr(args, "accept_key", None) or ""),
            allow_plain_passwords=bool(getattr(args, "allow_plain_passwords", False)),
        )
        self._security_said: Security | None = None
        self.finished = threading.Event()
        self.exit_code = 0
        self.waiting_cap: int | None = None  # PASTE_WAITING_LINES when the keyboard is a terminal (terminal.run)
        self._introduced = False
        self._name_asked = False  # a /nick or /login typed while choosing a name, not answered yet
        # Lines typed while a name is asked (command, as typed): sent once the name is taken, printed back if not.
        # Sent at once they reached the server before the room's JOIN and came back not_in_room without their
        # words (the eleventh review).
        self._after_name: list[tuple[str, str]] = []
        self._outage = False
        self._ending_since: float | None = None
        # The keyboard is a pipe or a file (terminal.run): a /quit there waits for the lines before it, as its end does
        self.piped = False
        self._quit_command = "QUIT"
        self.transfers = FileTransfers(self.session, scheduler, self.on_transfer)
        self._shown_tenths: dict[int, int] = {}  # per transfer: the last tenth of it printed
        self._shutdown_notice = ""  # a server going down says it twice: system/shutdown, then bye (printed once)
        self._bye_shown = ""  # the last bye's words, printed as its line: the removal that follows does not repeat them
        self._refusal_words = ""  # a ban says it twice as well: error banned, then bye (printed once)
        self.ignored = IgnoredNames()  # whose room lines print folded (chat_gui/core/ignored_names.py)
        self.printed = PrintedKept()  # what a cleared history or a deleted file takes back
        self.presence_lines = PresenceLines(scheduler, lambda frame: self.screen.show(self.render(dict(frame))))

    def start(self) -> None:
        if self.args.join_code:
            self.session.sign_in.set_code(self.args.host, self.args.port, self.args.join_code)
        self.session.start(self.args.host, self.args.port, self.args.nick or "", self.args.room)

    def say(self, text: str) -> None:
        self.screen.show(harmless(text))

    # -- the core's events --
    def on_event(self, event: CoreEvent) -> None:
        if isinstance(event, Received):
            self.ignored.on_frame(event.frame)
            if not self.transfers.handle_frame(event.frame):
                self.show_frame(event.frame)
        elif isinstance(event, StateChanged):
            self.on_state(event)
        elif isinstance(event, SecretHeld):
            # no question on a terminal: without --allow-plain-passwords the answer is no (on_state says what to do)
            self.session.keep_secrets()
        elif isinstance(event, HistoryPage):
            for frame in event.frames:
                self.printed.note(frame, self.session.nick)
            for line in page_lines(event, self.render):
                self.say(line)
        elif isinstance(event, SearchResults):
            if not event.error:  # what /older continues: this search, below its last result
                last = int(event.results[-1]["id"]) if event.more and event.results else None
                self._last_search = (event.words, event.room, last) if last is not None else None
            for line in search_lines(event):
                self.say(line)
        elif isinstance(event, MessageDeleted):
            name = self.printed.deleted(event.id)
            gone = f": the file {name} can no longer be fetched" if name is not None else ""
            self.say(f"{now_stamp()} * Message {event.id} was deleted{gone}.")
        elif isinstance(event, MessagesGone):
            for number in event.ids:
                self.printed.deleted(number)
            self.say(f"{now_stamp()} * {gone_words(event)}")
        elif isinstance(event, LinesNotDelivered):
            for line in undelivered_lines(event):
                self.say(f"{now_stamp()} {line}")  # say() escapes the typed text like all user text

    def history_cleared(self, room: str, upto: int | None = None) -> None:
        """An admin cleared a room's history (up to message `upto`): the lines above cannot be taken back, so say
        which of them went."""
        span = self.printed.cleared(room, upto)
        if span is None:
            return
        if span.count == 1:
            gone = f"the message printed above (id {span.first}) is no longer kept: /history and /search will not "
            gone += "find it, and a file it shared cannot be fetched."
        else:
            gone = f"the {span.count} messages printed above (ids {span.first} to {span.last}) are no longer kept: "
            gone += "/history and /search will not find them, and their files cannot be fetched."
        self.say(f"{now_stamp()} * In #{room}, {gone}")

    def render(self, frame: dict[str, Any]) -> str:
        if self.ignored.hides(frame):  # his room lines fold to one placeholder each; /unignore brings them back
            stamp = frame.get("timestamp")
            when = f"[{harmless(str(stamp))}] " if isinstance(stamp, str) else ""
            room = f"#{harmless(str(frame.get('room', '')))} " if frame.get("room") else ""
            return f"{when}{room}[hidden: a message from someone you ignore; /unignore {harmless(frame['sender'])} shows them]"
        text = render_text(frame, clean=harmless, multiline_help=True, lines_kept=True, error_codes=False)
        number = message_id(frame)
        if (
            getattr(self.args, "ids", False)
            and number is not None
            and frame.get("type") in ("message", "private", "file")
        ):
            # Inside the stamp's brackets, where nobody's words reach: the id /reply and /delete take.
            text = text.replace("] ", f" id {number}] ", 1)
        if frame.get("type") == "file":  # live or replayed: the id to fetch it with
            text += f"  (/get {harmless(str(frame.get('file')))})"
        return text

    def show_frame(self, frame: ServerFrame) -> None:
        if frame["type"] == "error":
            self._refusal_words = frame["content"]
            self._name_asked = False  # the answer to a /nick typed while choosing, or to a line before it
        if frame["type"] in QUIET_FRAMES or (
            frame["type"] == "welcome" and (self.args.nick or self.session.ever_ready)
        ):
            # with --nick, or on a reconnect (the name taken back by itself), "choose a nickname" is being done
            return
        if frame["type"] == "nick" and not frame.get("old") and self.session.state is State.JOINING:
            # with --room the server's "join a room to talk" hint is already being done too
            self.say(f"[{frame['timestamp']}] * You are {frame['nick']}.")
            return
        if frame["type"] == "presence":  # status spam: one line per person per few seconds, the latest kept
            self.presence_lines.offer(frame)
            return
        if frame["type"] == "system" and frame["event"] == "shutdown":
            self._shutdown_notice = frame["content"]
        elif frame["type"] == "bye" and frame["content"] in (self._shutdown_notice, self._refusal_words):
            return  # the same words again, just printed from the system notice (as the window does)
        elif frame["type"] == "bye":
            self._bye_shown = frame["content"]
        self.screen.show(self.render(dict(frame)))
        if frame["type"] == "error" and self.choosing_a_name():
            self.print_back_after_name()  # after the refusal itself: the lines that waited for the name
        if message_id(frame) is not None:
            self.printed.note(frame, self.session.nick)
        elif frame["type"] == "system" and frame["event"] == "history_cleared":
            upto = frame.get("upto")
            self.history_cleared(
                frame.get("room", ""), upto if isinstance(upto, int) and not isinstance(upto, bool) else None
            )

    def on_transfer(self, event: TransferEvent) -> None:
        """A progress line per tenth of a transfer (a paused terminal must not fill up with them), and the end."""
        if isinstance(event, TransferProgressed):
            report = event.report
            tenth = int(report.fraction * 10)
            if tenth > self._shown_tenths.get(event.key, 0):  # 100% too: a fast transfer may show only that
                self._shown_tenths[event.key] = tenth
                self.say(f"{now_stamp()} … {tenth * 10}%: {report.text()}")
        elif isinstance(event, TransferFinished):
            self._shown_tenths.pop(event.key, None)
            self.say(f"{now_stamp()} {'*' if event.ok else '!'} {server_words(event.detail)}")
        elif event.size is not None:
            verb = "Sending" if event.kind == "upload" else "Fetching"
            self.say(f"{now_stamp()} * {verb} {event.name} ({format_size(event.size)}); Ctrl+C cancels it.")

    def interrupt(self) -> None:
        """Ctrl+C: cancels the transfers under way if there are any, else quits."""
        if self.transfers.active:
            self.transfers.cancel_all()
        else:
            self.quit("QUIT")

    def on_state(self, event: StateChanged) -> None:
        state = event.state
        self._name_asked = False  # a name was taken or refused, or the connection changed
        if self.session.nick:
            self.send_after_name()
        else:
            self.print_back_after_name()
        if state is State.REGISTERING:
            self.say_security()
        if event.problem is Problem.KEY_CHANGED:
            warning = self.session.key_warning
            presented = warning.presented if warning is not None else None
            # the digits of the key compared: started again with them, chat-term trusts that key and no other
            if presented is not None:
                again = f"--accept-key {presented.short.replace(' ', '-')}"
                advice = (
                    "Not connected. Compare the new key with the one on your teacher's screen; if they are the "
                    f"same, start chat-term again with {again} (it trusts that key only; --accept-new-key trusts any)."
                )
            else:  # the server stopped encrypting: there is no new key to compare (found by the thirteenth review)
                advice = (
                    "Not connected; nothing was sent. Only if your teacher says encryption was turned off on "
                    "purpose, start chat-term again with --accept-new-key to go on without it (passwords still "
                    "need --allow-plain-passwords)."
                )
            if self._introduced:
                self.say(f"*** {event.detail}")
                self.say(f"*** {advice}")
            else:
                print(f"chat-term: cannot connect. {harmless(event.detail)}\n{advice}", file=sys.stderr, flush=True)
            self.finish(2)
        elif state is State.FAILED and event.problem is Problem.TLS_REQUIRED:  # a secret we would not send in plain
            self.say(f"*** {event.detail}")
            self.say(f"*** {PLAIN_ADVICE}")
            self.finish(2)
        elif state is State.REGISTERING and event.problem is not None:
            self.say(f"{now_stamp()} ! {server_words(event.detail)}")  # words only: no wire code for a student
            if event.problem in WHAT_NEXT:
                self.say(f"{now_stamp()} ! {WHAT_NEXT[event.problem]}")
            self.print_back_held_words()
        elif state is State.REGISTERING and event.code == "rate_limited":  # busy: the core tries again by itself
            self.say(f"{now_stamp()} * {event.detail}")
        elif state is State.REGISTERING and not self._introduced:
            self._introduced = True
            self.say(INTRO)
            self.print_back_held_words()  # lines typed before the welcome, with no --nick: no name to say them
        elif state is State.FAILED and not self._introduced:
            print(  # the detail may be a server's words (its bye): escaped like everything else it says
                f"chat-term: cannot connect. {harmless(server_words(event.detail))}",
                file=sys.stderr,
                flush=True,
            )
            self.finish(2)
        elif state is State.FAILED:
            self.say(
                f"*** {sentence(server_words(event.detail))} Type /reconnect to try again, or press Ctrl+D to quit."
            )
        elif state is State.RECONNECTING and not self._outage:
            self._outage = True
            self.say(
                # "Connection lost (REASON); trying HOST again in 2.0 s": the reason whole, whatever it holds
                f"*** {server_words(event.detail.split('; trying ')[0])}. Reconnecting by itself; lines you type are kept"
                " and sent once back."
            )
        elif state is State.READY and self._outage:
            self._outage = False
            self.say(f"*** {event.detail}")
        elif state is State.REMOVED:
            # the bye's words were just printed as its line (a kick's, a login elsewhere's): not a second time
            said = "" if event.detail == self._bye_shown else f"{sentence(server_words(event.detail))} "
            if self.session.signed_in_elsewhere:
                self.say(
                    f"*** {said}Not reconnecting: you are signed in somewhere else. Type /reconnect to take the name "
                    "back here, or press Ctrl+D to quit."
                )
            else:
                self.say(f"*** {said}Not reconnecting; type /reconnect to try again, or press Ctrl+D to quit.")

    def say_security(self) -> None:
        """Once per connection: encrypted with which key, or not encrypted at all."""
        security = self.session.security
        if security is None or security == self._security_said:
            return
        self._security_said = security
        if self.session.tls_policy.accept_new_key or self.session.tls_policy.accept_only:
            self.session.tls_policy = replace(self.session.tls_policy, accept_new_key=False, accept_only="")
        self.say(f"*** {security.describe()}")

    # -- the keyboard's lines --
    def typed(self, line: str) -> None:
        if self._ending_since is not None:  # after a piped /quit that waits for the lines before it
            self.say(f"{now_stamp()} ! not sent (after /quit): {line.strip()}")
            return
        typed = interpret(line, None, self.session.roster.is_online)
        if isinstance(typed, Send):
            waiting = len(self.session.pending)
            if self.waiting_cap is not None and waiting >= self.waiting_cap:
                self.say(
                    f"{now_stamp()} ! Not sent: {waiting} lines wait to go out already (a long paste?): {typed.text}"
                )
                return
            name = parse_command_line(typed.command).name
            waits_for_name = self._after_name or (
                self.choosing_a_name() and self._name_asked and name in WORDS_NEED_A_NAME
            )
            if waits_for_name and name != "NICK":  # a name typed meanwhile goes at once; the rest waits, in order
                self._after_name.append((typed.command, line.strip()))
                self.say(f"{now_stamp()} … waiting for your nickname to send: {typed.text}")
                return
            if self.choosing_a_name() and not self._name_asked and name in WORDS_NEED_A_NAME:
                self.say(f"{now_stamp()} ! Not sent: choose a nickname first: /nick NAME. The line was: {line.strip()}")
                return
            self._name_asked = self._name_asked or name == "NICK"
            result = self.session.send(typed.command)
            if isinstance(result, Waiting):
                self.say(f"{now_stamp()} … waiting to send: {typed.text}")
            elif isinstance(result, NotSent):
                self.say(f"{now_stamp()} ! {result.reason} The line was: {line.strip()}")
        elif isinstance(typed, Refuse):
            self.say(f"{now_stamp()} ! {typed.text}")
        elif isinstance(typed, OpenPrivate):
            self.say(f"{now_stamp()} ! Say what to send: /pm {typed.nick} TEXT")
        elif isinstance(typed, ShowHelp):
            for help_line in typed.text.splitlines():
                self.say(help_line)
        elif isinstance(typed, Quit):
            if self.piped and (self.session.pending or self._after_name):
                # a script's "hello, then /quit" before the connection is up: hello goes out first
                self._quit_command = typed.command
                self.end_of_input()
            else:
                self.quit(typed.command)
        elif isinstance(typed, Login):
            self._name_asked = True
            self.log_in(typed.nick, typed.password)
        elif isinstance(typed, Register):
            self.register(typed.password)
        elif isinstance(typed, AskHistory):
            for before, after, limit in around_pages(typed):
                self.session.history.request_page(typed.target, before, after, limit)
        elif isinstance(typed, AskSearch):
            self.session.history.search(typed.words, typed.room, typed.before)
        elif isinstance(typed, AskOlder):
            self.search_older()
        elif isinstance(typed, DeleteLast):
            self.delete_newest_own()
        elif isinstance(typed, SendFile):
            self.transfers.send_file(typed.path, typed.to)
        elif isinstance(typed, GetFile):
            self.transfers.get_file(typed.file_id, typed.folder)
        elif isinstance(typed, Reconnect) and not self.session.reconnect_now():
            self.say(f"{now_stamp()} * Already connected, or connecting.")

    def choosing_a_name(self) -> bool:
        """Connected without a name (--nick was taken or refused, or none was given): chat lines would be refused."""
        return self.session.state is State.REGISTERING and not self.session.nick

    def print_back_held_words(self) -> None:
        """No name (none given, or it was refused): chat lines held until now would go out without one and be
        refused, so they are printed back, not sent; the lines after a /nick typed meanwhile wait for its answer
        (sent after it, they reached the server before the room's JOIN)."""
        if not self.choosing_a_name():
            return
        held = []
        named = False
        for line in self.session.pending:
            name = parse_command_line(line.command).name
            if name in ("NICK", "LOGIN"):
                named = True
            elif named:
                self._after_name.append((line.command, shown_line(line.command)))
                held.append(line)
            elif name in WORDS_NEED_A_NAME:
                self.say(
                    f"{now_stamp()} ! Not sent: choose a nickname first: /nick NAME. The line was: "
                    f"{shown_line(line.command)}"
                )
                held.append(line)
        self._name_asked = self._name_asked or named
        self.session.pending = [line for line in self.session.pending if line not in held]

    def send_after_name(self) -> None:
        """The name is taken: the lines typed while it was asked go out, in order (after the room's JOIN)."""
        held, self._after_name = self._after_name, []
        for command, shown in held:
            result = self.session.send(command)
            if isinstance(result, NotSent):
                self.say(f"{now_stamp()} ! {result.reason} The line was: {shown}")

    def print_back_after_name(self) -> None:
        """No name came of it (refused, or the connection went): the lines that waited for it are printed back."""
        held, self._after_name = self._after_name, []
        for _command, shown in held:
            self.say(f"{now_stamp()} ! Not sent: you have no nickname yet (/nick NAME). The line was: {shown}")

    def search_older(self) -> None:
        """/older: the next page of the last search, the matches older than its last result printed."""
        if self._last_search is None:
            self.say(
                f"{now_stamp()} * No older results to show: /search WORDS first; a search that found more says so."
            )
            return
        words, room, last = self._last_search
        self.session.history.search(words, room, last)

    def delete_newest_own(self) -> None:
        """/delete last: the newest of the user's messages printed here and not deleted (no question: the id is said)."""
        number = self.printed.newest_own()
        if number is None:
            self.say(f"{now_stamp()} ! No message of yours printed here to delete. /delete ID deletes another.")
            return
        result = self.session.send(f"DELETE {number}")
        if isinstance(result, NotSent):
            self.say(f"{now_stamp()} ! {result.reason} The line was: /delete {number}")
        else:
            self.say(f"{now_stamp()} * Deleting your message {number}.")

    def refuse_plain_secret(self) -> bool:
        """True (and says why) when a password typed now would go unencrypted over the network."""
        if not self.session.secret_would_wait():
            return False
        self.say(
            f"{now_stamp()} ! Not sent: this connection is not encrypted, and anyone on the network could "
            f"read your password. {PLAIN_ADVICE}"
        )
        return True

    def log_in(self, nick: str, password: str) -> None:
        nick = nick or self.session.nick
        if not nick or not password:
            self.say(f"{now_stamp()} ! Log in how? /login NICK (the password is asked for next)")
            return
        if self.refuse_plain_secret():
            return
        if self.session.log_in(nick, password):
            self.say(f"{now_stamp()} * Logging in as {nick}…")
        else:
            self.say(f"{now_stamp()} * Not connected now: you will be logged in as {nick} once connected.")

    def register(self, password: str) -> None:
        problem = password_problem(password)
        if problem:
            self.say(f"{now_stamp()} ! Not registered: {problem}")
        elif self.refuse_plain_secret():
            return
        elif self.session.register_account(password):
            self.say(f"{now_stamp()} * Registering {self.session.nick}…")
        else:
            self.say(f"{now_stamp()} ! Connect and choose a nickname first; /register keeps the one you have.")

    def end_of_input(self) -> None:
        """Ctrl+D, or the end of piped input: quit once what was typed has gone out, if the server lets us soon."""
        if self._ending_since is not None:  # a piped /quit began the ending already
            return
        waiting = len(self.session.pending)
        if waiting and self.session.state is not State.READY:
            self.say(
                f"*** {waiting} line{'s' if waiting != 1 else ''} still wait to go out; "
                f"waiting up to {LAST_CHANCE_SECONDS:g} s for the server (Ctrl+C quits now)."
            )
        self._ending_since = time.monotonic()
        self._try_to_end()

    def _try_to_end(self) -> None:
        assert self._ending_since is not None
        session = self.session
        settling = session.state in (State.CONNECTING, State.JOINING) or (
            session.state is State.REGISTERING and (session.nick or self._after_name)
        )
        busy = session.pending and session.state in (State.READY, State.RECONNECTING)
        if (settling or busy) and time.monotonic() - self._ending_since < LAST_CHANCE_SECONDS:
            self.scheduler.after(100, self._try_to_end)
        elif not self.finished.is_set():
            self.quit(self._quit_command)

    def quit(self, command: str) -> None:
        for line in self.session.pending:
            self.say(f"{now_stamp()} ! not sent: {shown_line(line.command)}")
        for _command, shown in self._after_name:
            self.say(f"{now_stamp()} ! not sent: {shown}")
        self.session.send_now(command)
        self.finish(1 if self.session.pending or self._after_name else 0)

    def finish(self, code: int) -> None:
        if self.finished.is_set():
            return
        self.exit_code = code
        self.session.close()
        self.finished.set()


def shown_line(command: str) -> str:
    """A held command as the person typed it: words said as they are, a command with its slash."""
    words = parse_command_line(command)
    return words.argument if words.name == "SAY" else f"/{words.name.lower()} {words.argument}".rstrip()


def gone_words(event: MessagesGone) -> str:
    """One line for messages deleted or cleared while away: printed lines cannot be taken back, so say which."""
    if event.unsaved:
        which = (
            f"Message {event.ids[0]}"
            if len(event.ids) == 1
            else (f"{len(event.ids)} messages (ids {event.ids[0]} to {event.ids[-1]})")
        )
        return (
            f"{which} in {event.target} {'was' if len(event.ids) == 1 else 'were'} not saved: the server stopped "
            "unexpectedly before writing them, so its history does not have them."
        )
    if len(event.ids) == 1:
        return f"Message {event.ids[0]} in {event.target} was deleted while you were away."
    return (
        f"{len(event.ids)} messages in {event.target} (ids {event.ids[0]} to {event.ids[-1]}) were deleted "
        "while you were away."
    )


def undelivered_lines(event: LinesNotDelivered) -> list[str]:
    """One line per chat line a lost connection ate, worded so it can be typed again (a private one as /pm)."""
    again = f"/pm {event.target[1:]} " if event.target.startswith("@") else ""
    return [f"* {event.words}: {again}{text}" for text in event.lines]
